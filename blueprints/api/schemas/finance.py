"""The shapes of invoices, customers and training budgets in the API (admins only)."""
from __future__ import annotations

from marshmallow import fields, validate

from blueprints.api.fields import (
    Answer,
    Choice,
    Id,
    Quantity,
    values_of,
)
from blueprints.api.schemas.common import (
    Pagination,
    Reference,
    cents_field,
    nullable_text_field,
)
from blueprints.customers.models import CustomerKind
from blueprints.invoicing.models import InvoiceKind, InvoiceStatus, LineUnit, PaymentMethod
from blueprints.invoicing.money import VatRate

# --- answers: invoices, customers, budgets (admins) ---------------------------------------------

PATH = "Een pad op deze server, onder /api/v1/ (met dezelfde sleutel op te vragen)."
VAT_RATE = ("Het btw-tarief: 21, 9, 0 (nultarief), vrijgesteld, kor (geen btw, "
            "kleineondernemersregeling), verlegd (btw verlegd) of icl "
            "(intracommunautaire levering).")


class InvoiceLinks(Answer):
    self = fields.String(metadata={"description": PATH})
    pdf = nullable_text_field(f"De pdf; null voor een concept. {PATH}")
    ubl = nullable_text_field("De e-factuur (UBL); alleen als de factuur verzonden is naar een "
                              f"klant met OIN of KvK-nummer. {PATH}")


class Period(Answer):
    """De periode waarover gefactureerd is."""

    start = fields.Date(allow_none=True, attribute="period_start")
    end = fields.Date(allow_none=True, attribute="period_end")


class Totals(Answer):
    """Bedragen in centen. Die van een creditnota zijn positief: kind zegt dat het een
    creditering is."""

    excl_cents = cents_field(attribute="total_excl_cents")
    vat_cents = cents_field(attribute="total_vat_cents")
    incl_cents = cents_field(attribute="total_incl_cents")
    paid_cents = cents_field("Som van de geregistreerde betalingen.")
    credited_cents = cents_field("Som van de creditnota's op deze factuur (incl. btw).")
    open_cents = cents_field("Wat de klant nog moet betalen; 0 voor concepten en creditnota's.")


class InvoiceSummary(Answer):
    id = Id()
    number = nullable_text_field("Het factuurnummer; null voor een concept.")
    kind = Choice(InvoiceKind)
    status = Choice(InvoiceStatus)
    customer = fields.Nested(Reference)
    issue_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    period = fields.Nested(Period)
    totals = fields.Nested(Totals)
    currency = fields.String(validate=values_of(["EUR"]))
    overdue = fields.Boolean(metadata={
        "description": "Verzonden, nog niet (helemaal) betaald en over de vervaldatum."})
    credits_invoice_id = Id(allow_none=True, metadata={
        "description": "Bij een creditnota: de factuur die zij crediteert."})
    links = fields.Nested(InvoiceLinks)


class InvoiceList(Answer):
    data = fields.List(fields.Nested(InvoiceSummary))
    meta = fields.Nested(Pagination)


class InvoiceLine(Answer):
    position = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "Volgorde zoals op de factuur (per klus)."})
    description = fields.String()
    quantity = Quantity()
    unit = Choice(LineUnit)
    unit_price_cents = cents_field()
    vat_rate = Choice(VatRate, metadata={"description": VAT_RATE})
    net_cents = cents_field("Aantal × prijs, afgerond op een cent, min de korting; zonder btw.")
    allowance_cents = cents_field("Korting op deze regel (0: geen).")
    allowance_reason = nullable_text_field("De reden van de korting.")
    supply_date = fields.Date(allow_none=True)
    participant_id = Id(allow_none=True, metadata={"description": "Wiens werk deze regel is."})


class VatBreakdown(Answer):
    vat_rate = Choice(VatRate, attribute="rate", metadata={"description": VAT_RATE})
    percent = fields.Function(lambda r: f"{r.rate.percent:.2f}",
                              metadata={"type": "string", "examples": ["21.00", "0.00"]})
    base_cents = cents_field("De som van de regels met dit tarief, min de korting op de factuur "
                             "die bij dit tarief hoort.")
    vat_cents = cents_field("Btw over die som, afgerond op een cent.")
    mention = nullable_text_field("De vermelding die de wet vraagt (nultarief, vrijstelling, KOR, "
                                  "btw verlegd, intracommunautaire levering).",
                                  attribute="rate.mention")


class Payment(Answer):
    id = Id()
    date = fields.Date(attribute="paid_on")
    amount_cents = cents_field()
    method = Choice(PaymentMethod)
    reference = nullable_text_field()


class CreditNoteRef(Answer):
    id = Id()
    number = fields.String(attribute="number_text")


class Invoice(InvoiceSummary):
    """Een factuur of creditnota met regels, btw per tarief en betalingen."""

    buyer_reference = nullable_text_field()
    order_reference = nullable_text_field()
    allowance_cents = cents_field("Korting op de hele factuur (0: geen); de totalen zijn erna.")
    allowance_reason = nullable_text_field("De reden van de korting op de factuur.")
    lines = fields.List(fields.Nested(InvoiceLine))
    vat_breakdown = fields.List(fields.Nested(VatBreakdown))
    payments = fields.List(fields.Nested(Payment))
    credit_notes = fields.List(fields.Nested(CreditNoteRef))


class InvoiceFile(Answer):
    data = fields.Nested(Invoice)


class Customer(Answer):
    """Een klant (debiteur). Zonder e-mailadres en telefoonnummer: de API geeft wat de
    boekhouding nodig heeft (dataminimalisatie)."""

    id = Id()
    kind = Choice(CustomerKind)
    name = fields.String()
    city = nullable_text_field()
    kvk_number = nullable_text_field(validate=validate.Regexp("^[0-9]{8}$"))
    oin = nullable_text_field()
    vat_id = nullable_text_field()
    buyer_reference = nullable_text_field("De referentie (inkoopordernummer) die de klant op elke "
                                          "factuur vraagt.")
    wants_ubl = fields.Function(lambda c: bool(c.wants_ubl), metadata={
        "type": "boolean", "description": "De klant krijgt ook een e-factuur (UBL)."})
    einvoice_profile = fields.String(metadata={
        "enum": ["si-ubl", "peppol"],
        "description": "Het profiel van de e-factuur: si-ubl (SI-UBL 2.0, NLCIUS, voor een "
                       "Nederlandse overheid) of peppol (Peppol BIS Billing 3.0)."})
    archived = fields.Function(lambda c: c.archived_at is not None,
                               metadata={"type": "boolean"})


class CustomerList(Answer):
    data = fields.List(fields.Nested(Customer))
    meta = fields.Nested(Pagination)


class Budget(Answer):
    participant_id = Id(attribute="participant.id")
    balance_cents = cents_field("Het saldo nu.", attribute="balance")
    earned_cents = cents_field("Verdiend in het jaar (toekenningen uit betaalde facturen).",
                               attribute="earned")
    spent_cents = cents_field("Aan cursussen besteed in het jaar.", attribute="spent")


class Pool(Answer):
    """De collectieve pot, saldo nu."""

    balance_cents = cents_field()


class BudgetList(Answer):
    data = fields.List(fields.Nested(Budget))
    year = fields.Integer()
    pool = fields.Nested(Pool)
    meta = fields.Nested(Pagination)
