"""Invoices and credit notes (admins only): the list, one invoice, its PDF and its e-invoice.

Links are paths under the API; a draft has no number, no PDF and no e-invoice here."""
from __future__ import annotations

from datetime import date

from flask import Response, g, url_for
from flask_babel import force_locale

from blueprints.api import schemas, services
from blueprints.api.routes import problems
from blueprints.api.routes.blueprint import (
    TENANT,
    admin_only,
    bp,
    found,
    not_found,
    operation,
    query,
)
from blueprints.api.fields import View, ref
from blueprints.api.schemas import meta
from blueprints.invoicing import services as invoicing_services
from blueprints.invoicing.document import invoice_document
from blueprints.invoicing.models import Invoice, InvoiceStatus
from blueprints.invoicing.pdf import file_name as pdf_file_name
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.ubl import problems as ubl_problems
from blueprints.invoicing.ubl import render_ubl, ubl_file_name
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.web import get_or_404


def _load(invoice_id: int) -> Invoice:
    return found(lambda object_id: get_or_404(Invoice, object_id), invoice_id)


def _sent(invoice_id: int) -> Invoice:
    """A sent invoice or credit note; a draft has no documents here (404)."""
    invoice = _load(invoice_id)
    if invoice.status == InvoiceStatus.DRAFT:
        raise not_found()
    return invoice


def _links(invoice: Invoice) -> dict:
    slug = g.tenant.slug
    sent = invoice.status != InvoiceStatus.DRAFT
    return {
        "self": url_for("api.invoice", tenant_slug=slug, invoice_id=invoice.id),
        "pdf": url_for("api.invoice_pdf", tenant_slug=slug, invoice_id=invoice.id)
        if sent else None,
        "ubl": url_for("api.invoice_ubl", tenant_slug=slug, invoice_id=invoice.id)
        if services.ubl_offered(invoice) else None,
    }


def _summary(invoice: Invoice, customer_name: str, today: date, **more) -> View:
    sent = invoice.status != InvoiceStatus.DRAFT
    return View(
        invoice, number=invoice.number_text if sent else None,
        customer=ref(invoice.customer_id, customer_name), period=invoice,
        totals=View(invoice, open_cents=invoicing_services.open_cents(invoice)),
        currency="EUR", overdue=invoicing_services.is_overdue(invoice, today),
        links=_links(invoice), **more)


def _detail(view: invoicing_services.InvoiceView, today: date) -> View:
    # In the order of the page, the PDF and the UBL: grouped by job, other lines last.
    lines = [line for group in view.groups for line in group.lines]
    return _summary(
        view.invoice, view.customer.name, today,
        lines=[View(line, position=n) for n, line in enumerate(lines, start=1)],
        vat_breakdown=view.totals.per_rate, payments=view.payments,
        credit_notes=[c for c in view.credit_notes if c.status != InvoiceStatus.DRAFT])


@bp.route("/<slug:tenant_slug>/invoices", parameters=TENANT)
@operation("listInvoices", "facturen",
           "Facturen en creditnota's, 25 per pagina, nieuwste factuurdatum eerst.",
           "Zonder status: alles behalve concepten; concepten alleen met status=concept.")
@bp.response(200, schemas.InvoiceList, description="Eén pagina facturen.")
@query(schemas.InvoiceQuery)
@admin_only
def invoices(args):
    f = services.InvoiceQuery(
        status=args.get("status"), kind=args.get("kind"), year=args.get("year"),
        customer_id=args.get("customer_id"), issued_since=args.get("issued_since"),
        updated_since=args.get("updated_since"))
    page, per_page = args["page"], services.INVOICE_PAGE_SIZE
    rows, total = services.list_invoices(db.session, f, page=page, per_page=per_page)
    today = date.today()
    return {"data": [_summary(i, name, today) for i, name in rows],
            "meta": meta(page, per_page, total)}


@bp.route("/<slug:tenant_slug>/invoices/<int:invoice_id>", parameters=TENANT)
@operation("getInvoice", "facturen",
           "Een factuur of creditnota met regels, btw per tarief en betalingen.")
@bp.response(200, schemas.InvoiceFile, description="De factuur.")
@admin_only
def invoice(invoice_id: int):
    view = invoicing_services.invoice_view(db.session, _load(invoice_id))
    return {"data": _detail(view, date.today())}


@bp.route("/<slug:tenant_slug>/invoices/<int:invoice_id>/pdf", parameters=TENANT)
@operation("getInvoicePdf", "facturen", "De pdf van een verzonden factuur of creditnota.",
           "Een concept heeft hier geen pdf (404).")
@bp.response(200, {"type": "string", "contentMediaType": "application/pdf"},
             content_type="application/pdf", description="De pdf.")
@admin_only
def invoice_pdf(invoice_id: int):
    invoice = _sent(invoice_id)
    data = render_invoice_pdf(db.session, invoice)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{pdf_file_name(invoice)}"'})


@bp.route("/<slug:tenant_slug>/invoices/<int:invoice_id>/ubl", parameters=TENANT)
@operation("getInvoiceUbl", "facturen",
           "De e-factuur (UBL 2.1) in het profiel van de klant.",
           "Voor een verzonden factuur of creditnota aan een klant met OIN of KvK-nummer, in "
           "het profiel dat de klant ontvangt (einvoice_profile bij de klant): SI-UBL 2.0 "
           "(NLCIUS) of Peppol BIS Billing 3.0; één bestand is nooit beide. Een concept: 404. "
           "Een klant die geen e-factuur kan ontvangen (een bewoner), of gegevens die "
           "ontbraken bij het verzenden (zoals de btw-registratie van de organisatie onder de "
           "KOR): 422 met de code ubl_unavailable en de reden.",
           errors=(422,))
@bp.response(200, {"type": "string", "contentMediaType": "application/xml"},
             content_type="application/xml", description="De e-factuur.")
@admin_only
def invoice_ubl(invoice_id: int):
    invoice = _sent(invoice_id)
    with force_locale(problems.API_LOCALE):
        try:
            data = render_ubl(db.session, invoice)
        except DomainError as exc:
            found_problems = ubl_problems(invoice_document(db.session, invoice))
            raise problems.ProblemError(422, "ubl_unavailable",
                                        " ".join(found_problems) or exc.message) from None
    return Response(data, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{ubl_file_name(invoice)}"'})
