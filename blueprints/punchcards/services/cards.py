"""Punch cards (strippenkaarten): sold, their balance, used oldest first under a row lock,
corrected.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest
from blueprints.invoicing.models import Invoice
from blueprints.punchcards.models import PunchCard, PunchCardUse
from blueprints.punchcards.services.rules import (
    _HOURS,
    MAX_PUNCH_CARD_HOURS,
    _text,
    hours_text,
)
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.money import MAX_PRICE_CENTS


def _hours_to_minutes(hours) -> int:
    """Hours as a number or as typed ("10", "2,5") -> whole minutes."""
    if isinstance(hours, (int, Decimal)) and not isinstance(hours, bool):
        value = Decimal(hours)
    else:
        text = str(hours or "").strip().lower().removesuffix("uur").strip()
        if not _HOURS.match(text):
            raise DomainError(_l("Vul het aantal uren in, bijvoorbeeld 10 of 12,5."))
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern already checked it
            raise DomainError(_l("Vul het aantal uren in, bijvoorbeeld 10 of 12,5.")) from None
    if not 0 < value <= MAX_PUNCH_CARD_HOURS:
        raise DomainError(_l("Een strippenkaart heeft meer dan 0 en hoogstens %(n)s uur.",
                             n=MAX_PUNCH_CARD_HOURS))
    return int((value * 60).quantize(Decimal(1), ROUND_HALF_UP))


def sell_punch_card(session: Session, actor: Actor, customer: Customer, hours,
                    price_cents: int | None, bought_on: date | None,
                    note: str | None = None, *, invoice_id: int | None = None) -> PunchCard:
    """Record a punch card of `hours` prepaid hours bought for `price_cents` on `bought_on`.

    `invoice_id`: the invoice that sold it (invoicing passes it for a punch-card line); it
    must be this customer's invoice. Without it the card was paid outside Wijkwerk."""
    if customer.archived_at is not None:
        raise DomainError(_l("Deze klant is gearchiveerd: haal de klant eerst uit het archief."))
    minutes = _hours_to_minutes(hours)
    if price_cents is None:
        raise DomainError(_l("Vul de prijs van de strippenkaart in, bijvoorbeeld 250,00."))
    if price_cents < 0:
        raise DomainError(_l("Een prijs kan niet negatief zijn."))
    if price_cents > MAX_PRICE_CENTS:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    if bought_on is None:
        raise DomainError(_l("Vul de datum van aankoop in."))
    if bought_on > date.today():
        raise DomainError(_l("De datum van aankoop kan niet in de toekomst liggen."))
    if invoice_id is not None and session.scalar(select(Invoice.id).where(
            Invoice.id == invoice_id, Invoice.customer_id == customer.id)) is None:
        raise DomainError(_l("Deze factuur hoort niet bij deze klant."))
    card = PunchCard(customer_id=customer.id, minutes_bought=minutes,
                     price_cents=int(price_cents), bought_on=bought_on, note=_text(note, 300),
                     invoice_id=invoice_id)
    session.add(card)
    session.flush()
    audit.record(session, actor, "punch_card.sold", card, customer_id=str(customer.id),
                 minutes=minutes, price_cents=card.price_cents, bought_on=bought_on.isoformat())
    return card


def _used_by_card(session: Session, card_ids: list[int]) -> dict[int, int]:
    if not card_ids:
        return {}
    return {card_id: int(minutes or 0) for card_id, minutes in session.execute(
        select(PunchCardUse.punch_card_id, func.sum(PunchCardUse.minutes))
        .where(PunchCardUse.punch_card_id.in_(card_ids))
        .group_by(PunchCardUse.punch_card_id))}


def card_balance_minutes(session: Session, card: PunchCard) -> int:
    """Minutes left on one card: bought minus used (one query)."""
    used = session.scalar(select(func.coalesce(func.sum(PunchCardUse.minutes), 0))
                          .where(PunchCardUse.punch_card_id == card.id)) or 0
    return card.minutes_bought - int(used)


def customer_punch_balance(session: Session, customer: Customer) -> int:
    """Minutes left on all of a customer's cards together (one query)."""
    bought = (select(func.coalesce(func.sum(PunchCard.minutes_bought), 0))
              .where(PunchCard.customer_id == customer.id).scalar_subquery())
    used = (select(func.coalesce(func.sum(PunchCardUse.minutes), 0))
            .join(PunchCard, and_(PunchCard.tenant_id == PunchCardUse.tenant_id,
                                  PunchCard.id == PunchCardUse.punch_card_id))
            .where(PunchCard.customer_id == customer.id).scalar_subquery())
    return int(session.scalar(select(bought - used)) or 0)


def prepaid_minutes(session: Session, customer_ids: list[int]) -> dict[int, int]:
    """Minutes left per customer on all their cards together, for the customers that have a
    card (one query: grouped subqueries, whatever the number of cards)."""
    if not customer_ids:
        return {}
    bought = (select(PunchCard.customer_id.label("customer_id"),
                     func.sum(PunchCard.minutes_bought).label("minutes"))
              .where(PunchCard.customer_id.in_(customer_ids))
              .group_by(PunchCard.customer_id).subquery())
    used = (select(PunchCard.customer_id.label("customer_id"),
                   func.sum(PunchCardUse.minutes).label("minutes"))
            .join(PunchCard, and_(PunchCard.tenant_id == PunchCardUse.tenant_id,
                                  PunchCard.id == PunchCardUse.punch_card_id))
            .where(PunchCard.customer_id.in_(customer_ids))
            .group_by(PunchCard.customer_id).subquery())
    return {customer_id: int(b) - int(u or 0) for customer_id, b, u in session.execute(
        select(bought.c.customer_id, bought.c.minutes, used.c.minutes)
        .outerjoin(used, used.c.customer_id == bought.c.customer_id))}


def refuse_archiving_with_hours_left(session: Session, customer: Customer) -> None:
    """A customer with prepaid hours left is not archived: those belong to the customer and
    should be used or corrected first (tenants.hooks.customer_archivable)."""
    left = customer_punch_balance(session, customer)
    if left > 0:
        raise DomainError(_l("Deze klant heeft nog %(hours)s op de strippenkaart. Schrijf die "
                             "eerst af of corrigeer ze, en archiveer daarna.",
                             hours=hours_text(left)))


@dataclass(frozen=True)
class UseView:
    use: PunchCardUse
    #: the reference of the help request it paid for, if any
    reference: str | None


@dataclass(frozen=True)
class CardView:
    card: PunchCard
    balance_minutes: int
    uses: list[UseView]


def cards_of(session: Session, customer: Customer) -> list[CardView]:
    """The customer's cards, newest first, each with its balance and its uses (with the help
    request they paid for): two queries."""
    cards = list(session.scalars(select(PunchCard).where(PunchCard.customer_id == customer.id)
                                 .order_by(PunchCard.bought_on.desc(), PunchCard.id.desc())))
    uses: dict[int, list[UseView]] = {c.id: [] for c in cards}
    if cards:
        rows = session.execute(
            select(PunchCardUse, HelpRequest.reference)
            .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == PunchCardUse.tenant_id,
                                         HelpRequest.id == PunchCardUse.help_request_id))
            .where(PunchCardUse.punch_card_id.in_(list(uses)))
            .order_by(PunchCardUse.used_on, PunchCardUse.id))
        for use, reference in rows:
            uses[use.punch_card_id].append(UseView(use, reference))
    return [CardView(c, c.minutes_bought - sum(u.use.minutes for u in uses[c.id]), uses[c.id])
            for c in cards]


def _locked_cards(session: Session, customer: Customer) -> list[PunchCard]:
    """The customer's cards, oldest first, locked until the transaction ends: whoever takes
    minutes from them waits here, and then sees the uses committed before."""
    return list(session.scalars(
        select(PunchCard).where(PunchCard.customer_id == customer.id)
        .order_by(PunchCard.bought_on, PunchCard.id)
        .with_for_update().execution_options(populate_existing=True)))


def _check_use_date(used_on: date | None) -> None:
    if used_on is None:
        raise DomainError(_l("Vul de datum in."))
    if used_on > date.today():
        raise DomainError(_l("De datum kan niet in de toekomst liggen."))


def use_punch_card(session: Session, actor: Actor, customer: Customer, minutes: int,
                   used_on: date | None, help_request: HelpRequest | None = None,
                   note: str | None = None) -> list[PunchCardUse]:
    """Take `minutes` from the customer's cards, the oldest card with a balance first (a use
    may span cards). Refused, with nothing changed, when the cards together hold too little.
    Returns the uses written (one per card touched)."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise DomainError(_l("Vul meer dan 0 uur in."))
    _check_use_date(used_on)
    note = _text(note, 300)
    if help_request is not None and help_request.customer_id != customer.id:
        raise DomainError(_l("Deze klus hoort niet bij deze klant."))
    cards = _locked_cards(session, customer)
    used = _used_by_card(session, [c.id for c in cards])
    left = {c.id: c.minutes_bought - used.get(c.id, 0) for c in cards}
    total = sum(m for m in left.values() if m > 0)
    if total < minutes:
        if not cards:
            raise DomainError(_l("Deze klant heeft geen strippenkaart."))
        raise DomainError(_l("Er staat te weinig op de strippenkaart: nog %(left)s, nodig "
                             "%(needed)s. Verkoop eerst een nieuwe strippenkaart.",
                             left=hours_text(total), needed=hours_text(minutes)))
    uses = []
    wanted = minutes
    for card in cards:
        if wanted == 0:
            break
        take = min(wanted, max(0, left[card.id]))
        if take == 0:
            continue
        use = PunchCardUse(punch_card_id=card.id, minutes=take, used_on=used_on, note=note,
                           help_request_id=help_request.id if help_request else None)
        session.add(use)
        uses.append(use)
        wanted -= take
    session.flush()
    audit.record(session, actor, "punch_card.used", customer, minutes=minutes,
                 used_on=used_on.isoformat(), cards=[str(u.punch_card_id) for u in uses],
                 help_request_id=str(help_request.id) if help_request else None)
    return uses


def correct_punch_card(session: Session, actor: Actor, customer: Customer, card_id: int,
                       minutes: int, used_on: date | None, note: str | None) -> PunchCardUse:
    """Give `minutes` back to one card (a negative use, e.g. hours written off by mistake).
    A card never holds more than was bought; the reason is required."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise DomainError(_l("Vul meer dan 0 uur in."))
    _check_use_date(used_on)
    note = _text(note, 300)
    if not note:
        raise DomainError(_l("Vul de reden van de correctie in."))
    cards = {c.id: c for c in _locked_cards(session, customer)}
    card = cards.get(card_id)
    if card is None:
        raise NotFound(_l("Deze strippenkaart bestaat niet."))
    used = _used_by_card(session, [card.id]).get(card.id, 0)
    if minutes > used:
        raise DomainError(_l("Er kan hoogstens %(hours)s terug op deze strippenkaart: meer is "
                             "er niet van afgeschreven.", hours=hours_text(max(0, used))))
    use = PunchCardUse(punch_card_id=card.id, minutes=-minutes, used_on=used_on, note=note)
    session.add(use)
    session.flush()
    audit.record(session, actor, "punch_card.corrected", card, customer_id=str(customer.id),
                 minutes=-minutes, used_on=used_on.isoformat())
    return use
