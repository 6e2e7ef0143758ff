"""Downloads: an invoice's PDF and UBL, and the exports."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from blueprints.invoicing import exports
from blueprints.invoicing.models import Invoice, Payment
from blueprints.invoicing.pdf import file_name as pdf_file_name
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.routes.blueprint import bp
from blueprints.invoicing.routes.configuration import _storage_root
from blueprints.invoicing.ubl import render_ubl, ubl_file_name
from tenants import inputs
from tenants.errors import DomainError, NotFound
from tenants.extensions import db
from tenants.models import Role
from tenants.web import current_actor, get_or_404, require_role


def _invoice_page(invoice) -> str:
    views = current_app.view_functions
    if "invoicing.show" in views:
        return url_for("invoicing.show", invoice_id=invoice.id)
    if "invoicing.index" in views:
        return url_for("invoicing.index")
    return url_for("dashboard.index")


@bp.route("/<int:invoice_id>/pdf")
@require_role(Role.ADMIN)
def pdf(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    try:
        data = render_invoice_pdf(db.session, invoice, storage_root=_storage_root())
    except NotFound:
        abort(404)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{pdf_file_name(invoice)}"',
        "Cache-Control": "no-store"})


@bp.route("/<int:invoice_id>/ubl")
@require_role(Role.ADMIN)
def ubl(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    try:
        data = render_ubl(db.session, invoice)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(_invoice_page(invoice))
    return Response(data, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{ubl_file_name(invoice)}"',
        "Cache-Control": "no-store"})


def _export_years() -> list[int]:
    """From the first year with an invoice or payment up to this year, newest first."""
    this_year = date.today().year
    first_invoice = db.session.scalar(select(func.min(Invoice.issue_date)))
    first_payment = db.session.scalar(select(func.min(Payment.paid_on)))
    first = min([this_year] + [d.year for d in (first_invoice, first_payment) if d])
    return list(range(this_year, max(first, this_year - 20) - 1, -1))


@bp.route("/export")
@require_role(Role.ADMIN)
def export():
    """Without ?format: the page to choose; with it, the file."""
    fmt = request.args.get("format")
    if fmt is None:
        return render_template("invoicing/export.html", years=_export_years(),
                                this_year=date.today().year)
    what = request.args.get("what", "invoices")
    year = inputs.to_int(request.args.get("year", str(date.today().year)),
                         min_value=2000, max_value=2100)
    if fmt not in exports.FORMATS or what not in exports.KINDS or year is None:
        abort(404)
    body, name = exports.export(db.session, current_actor(), what, fmt, year)
    db.session.commit()  # the audit event of the export
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if fmt == "xlsx" else "text/csv")  # Werkzeug adds "; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
