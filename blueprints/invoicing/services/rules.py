"""What every invoice service shares: limits and labels, the finance settings, the customer,
the locked draft, quantities, prices, VAT rates and the totals.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.customers import services as customers
from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest, PriceAgreement
from blueprints.helprequests.services import KIND_LABELS as JOB_KINDS
from blueprints.invoicing import money
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import (
    FinanceSettings,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineUnit,
    PaymentMethod,
    VatRegime,
)
from blueprints.invoicing.money import VatRate
from blueprints.trajectories.models import Trajectory
from blueprints.trajectories.services import KIND_LABELS as TRAJECTORY_KINDS
from tenants.errors import DomainError, NotFound
from tenants.money import parse_money

PAGE_SIZE = 25
#: € 100.000: a larger unit price is a typing error
MAX_UNIT_PRICE_CENTS = 10_000_000
#: a quantity above this is a typing error (the column holds 10 digits before the comma)
MAX_QUANTITY = Decimal("100000")
MAX_MONTHS = 24
OPEN = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)
CREDITABLE = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID)
#: help-request price agreements whose approved hours are billed as hours
HOURLY = (PriceAgreement.HOURLY,)
FEE_KINDS = ("per_maand", "per_plaatsing", "per_resultaat")

STATUS_LABELS = {
    InvoiceStatus.DRAFT: _l("Concept"), InvoiceStatus.SENT: _l("Definitief"),
    InvoiceStatus.PARTLY_PAID: _l("Deels betaald"), InvoiceStatus.PAID: _l("Betaald"),
    InvoiceStatus.CREDITED: _l("Gecrediteerd"),
}
KIND_LABELS = {InvoiceKind.INVOICE: _l("Factuur"), InvoiceKind.CREDIT_NOTE: _l("Creditnota")}
UNIT_LABELS = {
    LineUnit.HOUR: _l("uur"), LineUnit.PIECE: _l("stuk"), LineUnit.MONTH: _l("maand"),
    LineUnit.PLACEMENT: _l("plaatsing"), LineUnit.TRAJECTORY: _l("traject"),
    LineUnit.PUNCH_CARD: _l("strippenkaart"),
}
#: by VAT rate code (the value stored on a line)
VAT_LABELS = {
    VatRate.HIGH.value: _l("21% btw"), VatRate.LOW.value: _l("9% btw"),
    VatRate.ZERO.value: _l("0% btw (nultarief)"), VatRate.EXEMPT.value: _l("Vrijgesteld van btw"),
    VatRate.KOR.value: _l("Geen btw (KOR)"), VatRate.REVERSE_CHARGE.value: _l("Btw verlegd"),
    VatRate.INTRA_COMMUNITY.value: _l("Intracommunautaire levering (0%)"),
}
METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: _l("Bankoverschrijving"), PaymentMethod.CASH: _l("Contant"),
    PaymentMethod.CARD: _l("Pin"), PaymentMethod.ONLINE: _l("Online"),
}
FEE_LABELS = {
    "per_maand": _l("Per deelnemer per maand"), "per_plaatsing": _l("Per plaatsing"),
    "per_resultaat": _l("Per resultaat (uitstroom)"),
}
#: what a fee line says and its unit (stored Dutch: an invoice is a Dutch document)
_FEE_TEXT = {"per_maand": ("Trajectvergoeding", LineUnit.MONTH),
             "per_plaatsing": ("Plaatsingsvergoeding", LineUnit.PLACEMENT),
             "per_resultaat": ("Resultaatvergoeding", LineUnit.TRAJECTORY)}

ALREADY_INVOICED = _l("Een deel van deze uren staat al op een factuur (of op een andere "
                      "conceptfactuur). Ververs de pagina en kies opnieuw.")


# --- settings and customers -----------------------------------------------------------------

def _finance(session: Session) -> FinanceSettings:
    return finance_settings.get_settings(session)


def current_settings(session: Session) -> FinanceSettings:
    """The settings as they are, or the defaults, without storing anything (for pages)."""
    return finance_settings.current_settings(session)


def missing_settings(session: Session) -> list:
    """What the finance settings still lack before an invoice can be sent (Dutch)."""
    return finance_settings.missing_for_invoicing(current_settings(session))


def get_customer(session: Session, customer_id) -> Customer:
    """The customer with this id in the current tenant; a Dutch refusal for anything else
    (e.g. the id of another tenant's customer posted in a form)."""
    try:
        return customers.get_customer(session, int(customer_id))
    except (NotFound, TypeError, ValueError):
        raise DomainError(_l("Deze klant bestaat niet (meer). Kies een klant uit de lijst."))


# --- small helpers ---------------------------------------------------------------------------

def _text(value: str | None, limit: int, what=None) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(what or _l("Een van de velden is te lang: hoogstens %(n)s tekens.",
                                     n=limit))
    return value or None


def _locked(session: Session, invoice: Invoice) -> Invoice:
    """The invoice row, locked until commit and read fresh (PostgreSQL waits here for another
    transaction holding it; SQLite serialises writers anyway)."""
    row = session.scalar(select(Invoice).where(Invoice.id == invoice.id).with_for_update()
                         .execution_options(populate_existing=True))
    if row is None:
        raise NotFound()
    return row


def _draft(session: Session, invoice: Invoice) -> Invoice:
    invoice = _locked(session, invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(_l("Factuur %(number)s is verzonden en kan niet meer worden gewijzigd. "
                             "Maak zo nodig een creditnota.", number=invoice.number_text or ""))
    return invoice


def _customer_of(session: Session, invoice: Invoice) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.id == invoice.customer_id))
    if customer is None:
        raise NotFound()
    return customer


def parse_quantity(value) -> Decimal:
    """A line quantity: more than zero, at most two decimals ("1,5", "2", "0.25")."""
    if isinstance(value, Decimal):
        raw = value
    else:
        text = str(value if value is not None else "").strip().replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            raw = Decimal(text)
        except InvalidOperation:
            raise DomainError(_l("Vul het aantal in als getal, bijvoorbeeld 2 of 1,5."))
    if not raw.is_finite():
        raise DomainError(_l("Vul het aantal in als getal, bijvoorbeeld 2 of 1,5."))
    if raw <= 0:
        raise DomainError(_l("Het aantal moet groter zijn dan nul."))
    if raw >= MAX_QUANTITY:
        raise DomainError(_l("Dit aantal is te groot. Controleer het aantal."))
    qty = money.quantity(raw)
    if qty != raw:
        raise DomainError(_l("Een aantal heeft hoogstens twee cijfers achter de komma."))
    return qty


def _unit_price(cents) -> int:
    if cents is None:
        raise DomainError(_l("Vul de prijs per eenheid in, bijvoorbeeld 25,00."))
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise DomainError(_l("Vul de prijs per eenheid in, bijvoorbeeld 25,00."))
    if cents < 0:
        raise DomainError(_l("Een prijs kan niet negatief zijn. Wilt u iets terugbetalen, maak "
                             "dan een creditnota."))
    if cents > MAX_UNIT_PRICE_CENTS:
        raise DomainError(_l("Deze prijs is te hoog (meer dan € 100.000). Controleer de prijs."))
    return cents


def _vat_rate(settings: FinanceSettings, code) -> str:
    """The VAT rate code of a new line: always KOR under the KOR regime, otherwise one of the
    rates (21 / 9 / 0 / vrijgesteld)."""
    if settings.vat_regime == VatRegime.KOR:
        return VatRate.KOR.value
    code = getattr(code, "value", code)
    try:
        rate = VatRate(str(code or "").strip().lower())
    except ValueError:
        raise DomainError(_l("Kies een bestaand btw-tarief: 21%, 9%, 0%, vrijgesteld, verlegd "
                             "of intracommunautaire levering."))
    if rate is VatRate.KOR:
        raise DomainError(_l("Geen btw volgens de KOR kan alleen als de organisatie onder de "
                             "kleineondernemersregeling valt (Financiële instellingen)."))
    return rate.value


def parse_allowance(value) -> int:
    """A discount as typed (euros, "12,50") or in cents: integer cents, 0 when empty."""
    if isinstance(value, str):
        value = parse_money(value)
    cents = int(value or 0)
    if cents < 0:
        raise DomainError(_l("Een korting is een positief bedrag, bijvoorbeeld 10,00."))
    return cents


def allowance_reason(value) -> str | None:
    return _text(value, 100, _l("De reden van de korting is hoogstens 100 tekens."))


def check_before_sending(customer: Customer, lines, totals: money.Totals) -> None:
    """What the VAT of the lines asks before an invoice is sent (Dutch DomainError): the
    customer's VAT id for btw verlegd or an intra-community supply (Wet OB art. 35a), and a
    discount on the invoice no larger than the lines at its rate."""
    if any(VatRate(line.vat_rate).needs_customer_vat_id for line in lines) \
            and not customer.vat_id:
        raise DomainError(_l("Bij btw verlegd of een intracommunautaire levering staat het "
                             "btw-id van de klant op de factuur. Vul het eerst in bij "
                             "%(name)s.", name=customer.name))
    if any(t.base_cents < 0 for t in totals.per_rate):
        raise DomainError(_l("De korting op de factuur is hoger dan het bedrag van de regels "
                             "tegen dat btw-tarief. Verlaag de korting of kies een ander "
                             "tarief."))


def _unit(value) -> LineUnit:
    try:
        return LineUnit(getattr(value, "value", value))
    except ValueError:
        raise DomainError(_l("Kies een eenheid uit de lijst."))


def _next_position(session: Session, invoice: Invoice) -> int:
    return (session.scalar(select(func.max(InvoiceLine.position))
                           .where(InvoiceLine.invoice_id == invoice.id)) or 0) + 1


def _kind_label(help_request: HelpRequest) -> str:
    with force_locale("nl"):
        return str(JOB_KINDS[help_request.kind])


def _trajectory_label(trajectory: Trajectory) -> str:
    with force_locale("nl"):
        return str(TRAJECTORY_KINDS[trajectory.kind])


def open_cents(invoice: Invoice) -> int:
    """What the customer still owes on an invoice (0 for drafts and credit notes)."""
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in OPEN:
        return 0
    return max(0, invoice.total_incl_cents - invoice.credited_cents - invoice.paid_cents)


def recalc(session: Session, invoice: Invoice) -> money.Totals:
    """Line amounts and the invoice's totals from its lines (money.py does the arithmetic)."""
    lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all()
    for line in lines:
        line.net_cents = money.line_total_cents(line.quantity, line.unit_price_cents,
                                                line.allowance_cents or 0)
    totals = money.totals(((line.net_cents, VatRate(line.vat_rate)) for line in lines),
                          money.invoice_allowances(invoice))
    invoice.total_excl_cents = totals.excl_cents
    invoice.total_vat_cents = totals.vat_cents
    invoice.total_incl_cents = totals.incl_cents
    return totals


def line_totals(lines, invoice=None) -> money.Totals:
    """Totals of lines already loaded (for pages: per VAT rate with the required mention),
    less the invoice's own discount when it is given."""
    return money.totals(((line.net_cents, VatRate(line.vat_rate)) for line in lines),
                        money.invoice_allowances(invoice) if invoice is not None else ())
