"""Matching bank entries to open invoices (by number, also glued to a word), linking by hand, storing the upload for a day and registering the chosen payments."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.invoicing import services
from blueprints.invoicing.bank.camt import (
    EARLY_DAYS,
    KEEP_SECONDS,
    STORAGE_CATEGORY,
    BankEntry,
)
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from tenants import audit, storage
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_date

# --- matching --------------------------------------------------------------------------------

@dataclass
class Proposal:
    """What to do with one credit entry: register `amount_cents` on `invoice`, or nothing and
    `reason` (Dutch) says why."""

    entry: BankEntry
    invoice: Invoice | None = None
    amount_cents: int = 0
    excess_cents: int = 0
    reason: str | None = None
    numbers: list[str] = field(default_factory=list)
    #: the amount leaves part of the invoice open
    partial: bool = False
    #: a doubt about a match (Dutch): shown, and the row is not ticked
    warning: str | None = None
    #: registered before (the same entry was read earlier)
    registered: bool = False
    #: linked by hand to an invoice in the preview
    by_hand: bool = False
    # `reason` is a plain str (gettext, not lazy): a lazy string counts as safe HTML in Jinja,
    # and a reason may quote text from the bank file.

    @property
    def matched(self) -> bool:
        return self.invoice is not None and self.reason is None and self.amount_cents > 0

    @property
    def linkable(self) -> bool:
        """Not matched, but a euro credit that may be linked to an open invoice by hand."""
        return (not self.matched and not self.registered and self.entry.currency == "EUR"
                and self.entry.amount_cents > 0)


#: words a number is often glued to ("Fact.nrF2026-00030", "factuurF2026-00030"): after one of
#: these a number counts even with a letter right before it; after any other letter it does
#: not ("XF2026-00045" is another series, not ours)
GLUE_WORDS = ("nr", "no", "nummer", "factuur", "fact", "fnr", "inv", "invoice", "ref",
              "kenmerk", "betreft")
_GLUE = "|".join(f"(?<={re.escape(w)})" for w in GLUE_WORDS)


def _pattern(prefixes) -> re.Pattern:
    series = "|".join(re.escape(p) for p in sorted(set(prefixes), key=len, reverse=True))
    return re.compile(rf"(?:(?<![0-9a-z])|{_GLUE})({series})\s*-?\s*(20\d\d)\s*-?\s*"
                      rf"(\d{{5}})(?!\d)", re.IGNORECASE)


def find_numbers(text: str, prefixes) -> list[str]:
    """Invoice numbers in `text`, normalised to the printed form ("F2026-00042"), each once."""
    by_lower = {p.lower(): p for p in prefixes}
    found = []
    for m in _pattern(by_lower.values()).finditer(text or ""):
        number = f"{by_lower[m.group(1).lower()]}{m.group(2)}-{m.group(3)}"
        if number not in found:
            found.append(number)
    return found


def _prefixes(session: Session) -> list[str]:
    used = set(session.scalars(select(Invoice.series).where(
        Invoice.kind == InvoiceKind.INVOICE, Invoice.series.is_not(None)).distinct()))
    current = services.current_settings(session).invoice_prefix
    if current:
        used.add(current)
    return [p for p in used if p]


def _registered(session: Session, entries: list[BankEntry]) -> set[str]:
    """The uids of the entries registered before: by their own key, or by the old
    "bank:<reference>" key when booking date and description agree too (one query)."""
    keys = {e.idempotency_key: e for e in entries}
    legacy = {e.legacy_key for e in entries if e.legacy_key}
    if not keys:
        return set()
    rows = session.execute(select(Payment.idempotency_key, Payment.paid_on, Payment.reference)
                           .where(Payment.idempotency_key.in_(set(keys) | legacy)))
    done = set()
    old = {}
    for key, paid_on, reference in rows:
        if key in keys:
            done.add(keys[key].uid)
        else:
            old.setdefault(key, []).append((paid_on, reference or ""))
    for entry in entries:
        if (entry.occurrence == 1 and (entry.booked_on, entry.reference or "")
                in old.get(entry.legacy_key, ())):
            done.add(entry.uid)
    return done


def match_entries(session: Session, entries: list[BankEntry]) -> list[Proposal]:
    """A proposal per entry (three queries, however many entries)."""
    prefixes = _prefixes(session)
    numbers = {e.uid: (find_numbers(e.text, prefixes) if prefixes else []) for e in entries}
    wanted = {n for found in numbers.values() for n in found}
    invoices = {i.number_text: i for i in session.scalars(
        select(Invoice).where(Invoice.number_text.in_(wanted)))} if wanted else {}
    registered = _registered(session, entries)
    remaining: dict[int, int] = {}
    proposals = []
    for entry in entries:
        found = numbers[entry.uid]
        p = Proposal(entry, numbers=found)
        proposals.append(p)
        if entry.uid in registered:
            p.registered = True
            p.reason = _("Al geregistreerd: deze bijschrijving is eerder ingelezen.")
        elif entry.currency != "EUR":
            p.reason = _("Geen euro's (%(currency)s): registreer deze betaling met de hand.",
                          currency=entry.currency or "?")
        elif entry.amount_cents <= 0:
            p.reason = _("Het bedrag is nul.")
        elif not found:
            p.reason = _("Geen factuurnummer gevonden in de omschrijving.")
        elif len(found) > 1:
            p.reason = _("Meerdere factuurnummers (%(numbers)s): koppel deze betaling met de "
                          "hand.", numbers=", ".join(found))
        else:
            invoice = invoices.get(found[0])
            p.invoice = invoice
            if invoice is None or invoice.kind != InvoiceKind.INVOICE:
                p.invoice = None
                p.reason = _("Factuurnummer %(number)s is onbekend.", number=found[0])
            elif invoice.status == InvoiceStatus.CREDITED:
                p.reason = _("Factuur %(number)s is gecrediteerd.", number=found[0])
            elif invoice.status not in services.OPEN:
                p.reason = _("Factuur %(number)s is al betaald.", number=found[0])
            else:
                left = remaining.setdefault(invoice.id, services.open_cents(invoice))
                if left <= 0:
                    p.reason = _("Factuur %(number)s is al betaald.", number=found[0])
                else:
                    p.amount_cents = min(entry.amount_cents, left)
                    p.excess_cents = entry.amount_cents - p.amount_cents
                    p.partial = p.amount_cents < left
                    remaining[invoice.id] = left - p.amount_cents
                    p.warning = _early(entry, invoice)
    return proposals


def _early(entry: BankEntry, invoice: Invoice) -> str | None:
    if entry.booked_on and invoice.issue_date \
            and (invoice.issue_date - entry.booked_on).days >= EARLY_DAYS:
        return _("Geboekt op %(booked)s, ruim vóór de factuurdatum %(issued)s: hoort deze "
                 "betaling wel bij deze factuur? Controleer dat voordat u hem aanvinkt.",
                 booked=format_date(entry.booked_on), issued=format_date(invoice.issue_date))
    return None


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    number_text: str
    customer_name: str
    open_cents: int


def open_invoices(session: Session) -> list[OpenInvoice]:
    """Every open invoice of the tenant with its customer and open amount, for linking a
    credit by hand (one query), by customer and number."""
    rows = session.execute(
        select(Invoice, Customer.name)
        .join(Customer, and_(Customer.tenant_id == Invoice.tenant_id,
                             Customer.id == Invoice.customer_id))
        .where(Invoice.kind == InvoiceKind.INVOICE, Invoice.status.in_(services.OPEN))
        .order_by(Customer.name, Invoice.number_text)).all()
    return [OpenInvoice(i.id, i.number_text, name, services.open_cents(i))
            for i, name in rows if services.open_cents(i) > 0]


def choices_for(entry: BankEntry, invoices: list[OpenInvoice]) -> list[OpenInvoice]:
    """The open invoices for one credit: those whose open amount is the credit's first."""
    return sorted(invoices, key=lambda i: i.open_cents != entry.amount_cents)


def link_by_hand(session: Session, proposals: list[Proposal], links: dict) -> list[str]:
    """Turn unmatched proposals into matches with the invoice chosen for them (`links`: entry
    uid → invoice id as posted). Only an open invoice of this tenant is taken, for at most what
    is open (also across entries). Returns the uids linked; the amounts come from the file."""
    wanted = {}
    for p in proposals:
        raw = str(links.get(p.entry.uid) or "").strip()
        if p.linkable and raw.isascii() and raw.isdigit() and len(raw) < 19:
            wanted[p.entry.uid] = int(raw)
    if not wanted:
        return []
    invoices = {i.id: i for i in session.scalars(
        select(Invoice).where(Invoice.id.in_(set(wanted.values())),
                              Invoice.kind == InvoiceKind.INVOICE))}
    remaining: dict[int, int] = {}
    for p in proposals:
        if p.matched:
            remaining[p.invoice.id] = remaining.get(p.invoice.id, 0) + p.amount_cents
    linked = []
    for p in proposals:
        invoice = invoices.get(wanted.get(p.entry.uid))
        if invoice is None or invoice.status not in services.OPEN:
            continue
        left = services.open_cents(invoice) - remaining.get(invoice.id, 0)
        if left <= 0:
            continue
        p.invoice, p.reason, p.by_hand = invoice, None, True
        p.amount_cents = min(p.entry.amount_cents, left)
        p.excess_cents = p.entry.amount_cents - p.amount_cents
        p.partial = p.amount_cents < left
        remaining[invoice.id] = remaining.get(invoice.id, 0) + p.amount_cents
        linked.append(p.entry.uid)
    return linked


# --- storing the upload and registering ----------------------------------------------------

def store_statement(root: Path, tenant_id: int, data: bytes) -> str:
    """Keep the uploaded statement until it is confirmed; returns its storage key. Statements
    (of any tenant) left unconfirmed for KEEP_SECONDS are removed first."""
    storage.purge_category(root, STORAGE_CATEGORY, KEEP_SECONDS)
    return storage.save_file(root, tenant_id, STORAGE_CATEGORY, data, "xml")


def load_statement(root: Path, tenant_id: int, key: str) -> bytes:
    """The stored statement (NotFound for a key that is not this tenant's, is gone, or has
    waited longer than KEEP_SECONDS: it is removed then)."""
    if storage.older_than(root, tenant_id, key, KEEP_SECONDS):
        storage.delete_file(root, tenant_id, key)
        raise NotFound()
    return storage.open_file(root, tenant_id, key)


@dataclass
class BankResult:
    registered: list[Proposal] = field(default_factory=list)
    #: (proposal, Dutch reason) for every entry not registered now
    skipped: list[tuple[Proposal, object]] = field(default_factory=list)


def register_matches(session: Session, actor: Actor, proposals: list[Proposal], chosen,
                     today: date | None = None) -> BankResult:
    """Register the matched proposals whose entry uid is in `chosen`, each in its own
    savepoint (see the module docstring); the caller commits once."""
    chosen = set(chosen or ())
    result = BankResult()
    for p in proposals:
        if not p.matched:
            result.skipped.append((p, p.reason))
            continue
        if p.entry.uid not in chosen:
            result.skipped.append((p, _("Niet aangevinkt.")))
            continue
        try:
            with session.begin_nested():
                services.register_payment(
                    session, actor, p.invoice, p.amount_cents, p.entry.booked_on,
                    PaymentMethod.BANK_TRANSFER, reference=p.entry.reference or None,
                    idempotency_key=p.entry.idempotency_key, today=today)
        except DomainError as exc:
            result.skipped.append((p, exc.message))
            continue
        result.registered.append(p)
    audit.record(session, actor, "invoice.bank_statement_imported", None,
                 object_type="BankStatement", registered=len(result.registered),
                 skipped=len(result.skipped),
                 by_hand=sum(1 for p in result.registered if p.by_hand),
                 refs=[p.entry.ref for p in result.registered][:200])
    return result
