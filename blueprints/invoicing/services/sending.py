"""Finalising: the checks an invoice must pass and its gapless number."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer, CustomerKind
from blueprints.helprequests.models import HelpRequest, PriceAgreement, RequestStatus
from blueprints.helprequests.services import mark_invoiced
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import (
    FinanceSettings,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from blueprints.invoicing.services.rules import (
    _customer_of,
    _finance,
    _locked,
    check_before_sending,
    recalc,
)
from blueprints.invoicing.snapshots import customer_snapshot, supplier_snapshot
from tenants import audit, events
from tenants.actor import Actor
from tenants.counters import next_number
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.formatting import format_date


def is_public(customer) -> bool:
    """Public customers get a UBL e-invoice and must meet the Dutch e-invoice rules."""
    return customer.kind == CustomerKind.MUNICIPALITY or bool(customer.wants_ubl)


def _check_customer(customer: Customer, invoice: Invoice) -> None:
    if not (customer.name or "").strip():
        raise DomainError(_l("De klant heeft geen naam. Vul die eerst in bij de klant."))
    if not (customer.street and customer.postcode and customer.city):
        raise DomainError(_l("Vul eerst het adres van %(name)s in (straat, postcode en plaats): "
                             "dat moet op de factuur staan.", name=customer.name))
    if is_public(customer):
        if not (invoice.buyer_reference or invoice.order_reference):
            raise DomainError(_l("%(name)s ontvangt een e-factuur en vraagt een "
                                 "inkoopordernummer of referentie (BR-NL-2). Vul de referentie "
                                 "van de klant of het ordernummer in.", name=customer.name))
        if not (customer.oin or customer.kvk_number):
            raise DomainError(_l("Vul eerst het OIN of KvK-nummer van %(name)s in: een e-factuur "
                                 "aan een Nederlandse overheid heeft dat nodig (BR-NL-10).",
                                 name=customer.name))


def _assign_number(session: Session, actor: Actor, invoice: Invoice, settings: FinanceSettings,
                   customer: Customer, issue_date: date) -> None:
    """Draw the number (same transaction, counter row locked until commit) and freeze the
    supplier and customer details."""
    series = settings.credit_prefix if invoice.kind == InvoiceKind.CREDIT_NOTE \
        else settings.invoice_prefix
    year = issue_date.year
    number = next_number(session, f"invoice:{series}:{year}")
    if number > 1:
        # Numbers follow the dates: the previous number of the series was not issued later.
        previous = session.scalar(select(Invoice.issue_date).where(
            Invoice.series == series, Invoice.year == year, Invoice.number == number - 1))
        if previous is not None and previous > issue_date:
            raise DomainError(_l("De factuurdatum ligt vóór die van het vorige nummer in deze "
                                 "reeks (%(date)s). Kies %(date)s of later.",
                                 date=format_date(previous)))
    invoice.series, invoice.year, invoice.number = series, year, number
    invoice.number_text = f"{series}{year}-{number:05d}"
    invoice.issue_date = issue_date
    invoice.supplier_snapshot = supplier_snapshot(settings)
    invoice.customer_snapshot = customer_snapshot(customer)
    invoice.status = InvoiceStatus.SENT
    invoice.sent_at = utcnow()
    invoice.sent_by_id = actor.user_id


def finalise(session: Session, actor: Actor, invoice: Invoice, issue_date: date | None = None,
             today: date | None = None) -> Invoice:
    """Send a draft: check it, draw its number (gapless per series and year), freeze the
    details, set the due date; its fixed-price jobs become "gefactureerd"."""
    today = today or date.today()
    issue_date = issue_date or today
    invoice = _locked(session, invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(_l("Factuur %(number)s is al verzonden.",
                             number=invoice.number_text or ""))
    if issue_date > today:
        raise DomainError(_l("De factuurdatum kan niet in de toekomst liggen."))
    totals = recalc(session, invoice)
    lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                            .order_by(InvoiceLine.position, InvoiceLine.id)).all()
    if not lines:
        raise DomainError(_l("Deze factuur heeft nog geen regels."))
    if totals.incl_cents <= 0:
        raise DomainError(_l("Het totaal van de factuur moet meer dan € 0,00 zijn."))
    settings = _finance(session)
    missing = finance_settings.missing_for_invoicing(settings)
    if missing:
        raise DomainError(_l("De factuur kan nog niet worden verzonden. Vul eerst aan bij de "
                             "financiële instellingen: %(missing)s",
                             missing="; ".join(str(m) for m in missing)))
    customer = _customer_of(session, invoice)
    _check_customer(customer, invoice)
    check_before_sending(customer, lines, totals)
    _assign_number(session, actor, invoice, settings, customer, issue_date)
    term = customer.payment_term_days if customer.payment_term_days is not None \
        else settings.payment_term_days
    invoice.due_date = issue_date + timedelta(days=term or 0)
    for help_request in session.scalars(
            select(HelpRequest).where(HelpRequest.id.in_(
                {line.help_request_id for line in lines if line.help_request_id}))
            .order_by(HelpRequest.id).with_for_update()):
        if help_request.status == RequestStatus.DONE \
                and help_request.price_agreement != PriceAgreement.FREE:
            mark_invoiced(session, actor, help_request)
    session.flush()
    audit.record(session, actor, "invoice.sent", invoice, number=invoice.number_text,
                 total_cents=invoice.total_incl_cents)
    events.invoice_sent.send(invoice, session=session, actor=actor)
    return invoice
