"""Payments: registered once per idempotency key, under the invoice's row lock."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod
from blueprints.invoicing.services.rules import _locked, _text, open_cents
from tenants import audit, events
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.formatting import format_money


def _existing_payment(session: Session, key: str) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.idempotency_key == key)
                          .execution_options(populate_existing=True))


def register_payment(session: Session, actor: Actor, invoice: Invoice, amount_cents: int | None,
                     paid_on: date | None, method, reference: str | None = None,
                     idempotency_key: str | None = None, today: date | None = None) -> Payment:
    """Register money received (by hand: transfer, cash, card). The same idempotency key
    again (a double submit, a replayed import line) returns the first payment and changes
    nothing. The amount is at most what is still open. Sends `payment_registered`, and
    `invoice_paid` when the invoice is paid in full (tenants/events.py: budgets credits the
    training budgets), inside this transaction."""
    today = today or date.today()
    key = (idempotency_key or "").strip()
    if not key or len(key) > 80:
        raise DomainError(_l("Het formulier is verlopen. Open de betaling opnieuw."))
    invoice = _locked(session, invoice)
    # After the lock: a registration with this key that committed meanwhile is visible now.
    existing = _existing_payment(session, key)
    if existing is not None:
        if existing.invoice_id != invoice.id:
            raise DomainError(_l("Deze betaling is al geregistreerd bij een andere factuur."))
        return existing
    if invoice.kind != InvoiceKind.INVOICE:
        raise DomainError(_l("Op een creditnota wordt geen betaling geregistreerd."))
    if invoice.status == InvoiceStatus.DRAFT:
        raise DomainError(_l("Verzend de factuur eerst; daarna kunt u een betaling registreren."))
    if invoice.status == InvoiceStatus.PAID:
        raise DomainError(_l("Factuur %(number)s is al helemaal betaald.",
                             number=invoice.number_text))
    if invoice.status == InvoiceStatus.CREDITED:
        raise DomainError(_l("Factuur %(number)s is volledig gecrediteerd: er staat niets open.",
                             number=invoice.number_text))
    if amount_cents is None or isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise DomainError(_l("Vul het betaalde bedrag in, bijvoorbeeld 25,00."))
    if amount_cents <= 0:
        raise DomainError(_l("Het bedrag moet groter zijn dan € 0,00."))
    left = open_cents(invoice)
    if amount_cents > left:
        raise DomainError(_l("Het bedrag (%(amount)s) is hoger dan wat nog openstaat (%(left)s).",
                             amount=format_money(amount_cents), left=format_money(left)))
    if paid_on is None:
        raise DomainError(_l("Vul de datum van de betaling in."))
    if paid_on > today:
        raise DomainError(_l("De betaaldatum kan niet in de toekomst liggen."))
    try:
        method = PaymentMethod(getattr(method, "value", method))
    except ValueError:
        raise DomainError(_l("Kies hoe er is betaald."))
    payment = Payment(invoice_id=invoice.id, paid_on=paid_on, amount_cents=amount_cents,
                      method=method, reference=_text(reference, 140),
                      idempotency_key=key, created_by_id=actor.user_id)
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        # The same key was used at the same moment for another invoice (not locked by us).
        existing = _existing_payment(session, key)
        if existing is not None and existing.invoice_id == invoice.id:
            return existing
        raise DomainError(_l("Deze betaling is al geregistreerd."))
    invoice.paid_cents += amount_cents
    if invoice.paid_cents + invoice.credited_cents >= invoice.total_incl_cents:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = utcnow()
    else:
        invoice.status = InvoiceStatus.PARTLY_PAID
    session.flush()
    audit.record(session, actor, "invoice.payment_registered", invoice, payment_id=payment.id,
                 amount_cents=amount_cents, method=method.value, status=invoice.status.value)
    events.payment_registered.send(payment, session=session, actor=actor, invoice=invoice)
    if invoice.status == InvoiceStatus.PAID:
        events.invoice_paid.send(invoice, session=session, actor=actor)
    return payment


def register_refund(session: Session, actor: Actor, payment: Payment, refunded_total_cents: int,
                    reference: str | None = None) -> int:
    """Record that `refunded_total_cents` of `payment` has been paid back so far (a refund
    through Stripe: the charge's cumulative `amount_refunded`). Moves forward only, under the
    invoice's row lock: the same total again, or an older smaller one arriving late, changes
    nothing; a larger one reverses the difference. Returns the cents reversed now (0: nothing
    changed).

    The invoice's paid amount drops by the difference and its status follows (betaald becomes
    deels betaald or openstaand); `payment_refunded` is sent (budgets takes back the refunded
    share of what the invoice put in training budgets)."""
    if isinstance(refunded_total_cents, bool) or not isinstance(refunded_total_cents, int) \
            or refunded_total_cents < 0:
        raise DomainError(_l("Het terugbetaalde bedrag is ongeldig."))
    invoice = session.scalar(select(Invoice).where(Invoice.id == payment.invoice_id)
                             .with_for_update().execution_options(populate_existing=True))
    payment = session.scalar(select(Payment).where(Payment.id == payment.id)
                             .execution_options(populate_existing=True))
    target = min(refunded_total_cents, payment.amount_cents)
    delta = target - (payment.refunded_cents or 0)
    if delta <= 0:
        return 0
    payment.refunded_cents = target
    invoice.paid_cents -= delta
    if invoice.paid_cents + invoice.credited_cents >= invoice.total_incl_cents:
        pass  # still settled (cannot happen for an invoice paid exactly)
    else:
        invoice.paid_at = None
        invoice.status = InvoiceStatus.PARTLY_PAID if invoice.paid_cents > 0 \
            else InvoiceStatus.SENT
    session.flush()
    audit.record(session, actor, "invoice.payment_refunded", invoice, payment_id=payment.id,
                 amount_cents=delta, refunded_cents=target, reference=_text(reference, 140),
                 status=invoice.status.value)
    events.payment_refunded.send(payment, session=session, actor=actor, invoice=invoice,
                                 amount_cents=delta, key=f"refund:{payment.id}:{target}")
    return delta
