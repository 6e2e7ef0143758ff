"""Invoicing pages. Thin views: parse the form, call a service, render or redirect.

Invoices, lines, payments, credit notes, reminders, the overdue list and the customer
statement first; then the finance settings, the PDF and UBL downloads and the exports.
"""
from __future__ import annotations

import secrets
from datetime import date, timedelta
from math import ceil

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from blueprints.customers.identifiers import format_iban
from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest
from blueprints.helprequests.services import parse_money
from blueprints.invoicing import bank, exports, services
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.forms import (
    BankConfirmForm,
    BankUploadForm,
    CreditForm,
    DraftDetailsForm,
    FeeForm,
    FinaliseForm,
    FinanceSettingsForm,
    HelpRequestLineForm,
    HoursForm,
    InvoiceFilterForm,
    LineForm,
    LogoForm,
    NewInvoiceForm,
    PaymentForm,
    RemoveLogoForm,
    StatementForm,
)
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, Payment
from blueprints.invoicing.pdf import file_name as pdf_file_name
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.ubl import render_ubl, ubl_file_name
from tenants.errors import DomainError, NotFound
from tenants.extensions import db
from tenants.models import Role
from tenants.web import (
    current_actor,
    flash_form_errors,
    get_or_404,
    page_arg,
    require_role,
    run_service,
    submit,
    tenant_blueprint,
)

bp = tenant_blueprint("invoicing", __name__, url_prefix="/facturen")


# --- invoices, lines, payments, credit notes, reminders, overdue, customer statement ------

def _show(invoice, anchor: str = ""):
    return redirect(url_for("invoicing.show", invoice_id=invoice.id) + anchor)


def _euros(cents: int | None) -> str:
    """Cents as a Dutch amount for an input field: 1234 -> "12,34"."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


def _arg_date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _labels() -> dict:
    return {"status_labels": services.STATUS_LABELS, "kind_labels": services.KIND_LABELS,
            "unit_labels": services.UNIT_LABELS, "vat_labels": services.VAT_LABELS,
            "method_labels": services.METHOD_LABELS}


# --- the list --------------------------------------------------------------------------------

def _filter_from_args(customers, years) -> tuple[InvoiceFilterForm, services.InvoiceFilter]:
    form = InvoiceFilterForm(request.args)
    form.status.choices = [("", _("Alle"))] + [
        (k.value, v) for k, v in services.STATUS_LABELS.items()]
    form.klant.choices = [("", _("Alle klanten"))] + [(str(c.id), c.name) for c in customers]
    form.jaar.choices = [("", _("Alle jaren"))] + [(str(y), str(y)) for y in years]
    form.soort.choices = [("", _("Facturen en creditnota's"))] + [
        (k.value, v) for k, v in services.KIND_LABELS.items()]
    status = request.args.get("status", "")
    kind = request.args.get("soort", "")
    customer = request.args.get("klant", "")
    year = request.args.get("jaar", "")
    f = services.InvoiceFilter(
        status=InvoiceStatus(status) if status in {s.value for s in InvoiceStatus} else None,
        kind=InvoiceKind(kind) if kind in {k.value for k in InvoiceKind} else None,
        customer_id=int(customer) if customer.isdigit() and len(customer) < 19 else None,
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        overdue=request.args.get("achterstallig") in ("y", "1", "on"),
        q=(request.args.get("q") or "").strip()[:100] or None, today=date.today())
    return form, f


@bp.route("/")
@require_role(Role.ADMIN)
def index():
    customers = services.customers_for_choice(db.session)
    form, f = _filter_from_args(customers, services.invoice_years(db.session))
    page = page_arg()
    result = services.list_invoices(db.session, f, page=page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "invoicing/index.html", form=form, result=result, page=page,
        pages=max(1, ceil(result.total / services.PAGE_SIZE)), args=args, today=f.today,
        **_labels())


# --- a new draft -----------------------------------------------------------------------------

@bp.route("/nieuw", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def create():
    form = NewInvoiceForm()
    customers = services.customers_for_choice(db.session)
    form.customer.choices = [("", _("— kies een klant —"))] + [
        (str(c.id), c.name) for c in customers]
    if request.method == "GET":
        start, end = _previous_month(date.today())
        form.period_start.data, form.period_end.data = start, end
        form.customer.data = request.args.get("klant", "")
    if form.validate_on_submit():
        invoice, ok = run_service(lambda: services.create_draft(
            db.session, current_actor(), services.get_customer(db.session, form.customer.data),
            form.period_start.data, form.period_end.data, form.note.data,
            form.buyer_reference.data, form.order_reference.data),
            _("De conceptfactuur is gemaakt. Voeg nu de regels toe."))
        if ok:
            return _show(invoice)
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("invoicing/new.html", form=form, has_customers=bool(customers)), \
        (400 if request.method == "POST" else 200)


# --- the invoice page ------------------------------------------------------------------------

def _line_form(line) -> LineForm:
    form = LineForm(formdata=None, prefix=f"r{line.id}")
    form.description.data = line.description
    form.quantity.data = str(line.quantity).replace(".", ",")
    form.unit.data = line.unit.value
    form.unit_price.data = _euros(line.unit_price_cents)
    form.vat_rate.data = line.vat_rate
    form.supply_date.data = line.supply_date
    form.submit.label.text = _("Regel opslaan")
    return form


def _draft_context(view) -> dict:
    invoice, customer = view.invoice, view.customer
    unlinked = request.args.get("zonder_klus") == "1"
    jobs = services.uninvoiced_hours(db.session, customer, invoice.period_start,
                                     invoice.period_end, include_unlinked=unlinked)
    requests = services.invoiceable_requests(db.session, customer)
    request_form = HelpRequestLineForm(formdata=None)
    request_form.help_request.choices = [("", _("— kies een klus —"))] + [
        (str(r.id), f"{r.reference} · {r.requester_name} · {_euros(r.price_cents)}")
        for r in requests]
    details = DraftDetailsForm(formdata=None, obj=invoice)
    fee_form, trajectories = None, []
    if customer.kind.value == "gemeente":
        fee_form = FeeForm(formdata=None, prefix="fee")
        trajectories = services.fee_trajectories(db.session)
    new_line = LineForm(formdata=None)
    settings = services.current_settings(db.session)
    new_line.vat_rate.data = customer.default_vat_rate or settings.default_vat_rate
    kor = settings.vat_regime.value == "kor"
    if kor:
        new_line.vat_rate.choices = [("kor", _("Geen btw (KOR)"))]
    return {
        "jobs": jobs, "unlinked": unlinked, "hours_form": HoursForm(formdata=None),
        "requests": requests, "request_form": request_form, "details_form": details,
        "fee_form": fee_form, "trajectories": trajectories, "line_form": new_line, "kor": kor,
        "line_forms": {line.id: _line_form(line) for line in view.lines},
        "finalise_form": FinaliseForm(formdata=None, issue_date=date.today()),
        "missing": services.missing_settings(db.session),
    }


@bp.route("/<int:invoice_id>")
@require_role(Role.ADMIN)
def show(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    view = services.invoice_view(db.session, invoice)
    extra = _draft_context(view) if invoice.status == InvoiceStatus.DRAFT else {}
    today = date.today()
    return render_template(
        "invoicing/show.html", v=view, i=invoice, c=view.customer, today=today,
        public=services.is_public(view.customer), overdue=services.is_overdue(invoice, today),
        fee_labels=services.FEE_LABELS, **extra, **_labels())


@bp.route("/<int:invoice_id>/gegevens", methods=["POST"])
@require_role(Role.ADMIN)
def update_details(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    form = DraftDetailsForm()
    submit(form, lambda: services.update_draft(
        db.session, current_actor(), invoice, form.period_start.data, form.period_end.data,
        form.note.data, form.buyer_reference.data, form.order_reference.data),
        _("De gegevens van de factuur zijn opgeslagen."))
    return _show(invoice, "#gegevens")


@bp.route("/<int:invoice_id>/uren", methods=["POST"])
@require_role(Role.ADMIN)
def add_hours(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    form = HoursForm()
    submit(form, lambda: services.add_hours(db.session, current_actor(), invoice,
                                            form.entries.data),
           _("De uren staan op de factuur."))
    return _show(invoice, "#regels")


@bp.route("/<int:invoice_id>/klus", methods=["POST"])
@require_role(Role.ADMIN)
def add_help_request(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    form = HelpRequestLineForm()
    form.help_request.choices = []
    if form.validate_on_submit():
        value = form.help_request.data or ""
        help_request = db.session.scalar(select(HelpRequest).where(
            HelpRequest.id == int(value))) if value.isdigit() and len(value) < 19 else None
        if help_request is None:
            flash(_("Deze hulpvraag bestaat niet (meer). Kies een klus uit de lijst."), "error")
        else:
            run_service(lambda: services.add_help_request(db.session, current_actor(), invoice,
                                                          help_request),
                        _("Hulpvraag %(ref)s staat op de factuur.", ref=help_request.reference))
    else:
        flash_form_errors(form)
    return _show(invoice, "#regels")


@bp.route("/<int:invoice_id>/regels", methods=["POST"])
@require_role(Role.ADMIN)
def add_line(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    form = LineForm()
    submit(form, lambda: services.add_fixed_line(
        db.session, current_actor(), invoice, form.description.data, form.quantity.data,
        form.unit.data, parse_money(form.unit_price.data), form.vat_rate.data,
        form.supply_date.data), _("De regel is toegevoegd."))
    return _show(invoice, "#regels")


def _posted_line(invoice):
    try:
        return services.get_line(db.session, invoice, request.form.get("line_id"))
    except NotFound:
        abort(404)


@bp.route("/<int:invoice_id>/regels/wijzigen", methods=["POST"])
@require_role(Role.ADMIN)
def update_line(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    line = _posted_line(invoice)
    form = LineForm(prefix=f"r{line.id}")
    submit(form, lambda: services.update_line(
        db.session, current_actor(), line, form.description.data, form.quantity.data,
        form.unit.data, parse_money(form.unit_price.data), form.vat_rate.data,
        form.supply_date.data), _("De regel is opgeslagen."))
    return _show(invoice, "#regels")


@bp.route("/<int:invoice_id>/regels/verwijderen", methods=["POST"])
@require_role(Role.ADMIN)
def remove_line(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    line = _posted_line(invoice)
    run_service(lambda: services.remove_line(db.session, current_actor(), line),
                _("De regel is verwijderd."))
    return _show(invoice, "#regels")


@bp.route("/<int:invoice_id>/trajectvergoeding", methods=["POST"])
@require_role(Role.ADMIN)
def add_fees(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    form = FeeForm(prefix="fee")
    submit(form, lambda: services.add_trajectory_fees(
        db.session, current_actor(), invoice, form.kind.data, form.trajectories.data,
        parse_money(form.unit_price.data), form.months.data, form.vat_rate.data),
        _("De trajectvergoedingen staan op de factuur."))
    return _show(invoice, "#regels")


@bp.route("/<int:invoice_id>/verzenden", methods=["POST"])
@require_role(Role.ADMIN)
def finalise(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    form = FinaliseForm()
    submit(form, lambda: services.finalise(db.session, current_actor(), invoice,
                                           form.issue_date.data),
           _("De factuur is definitief gemaakt en heeft een nummer gekregen."))
    return _show(invoice)


@bp.route("/<int:invoice_id>/verwijderen", methods=["POST"])
@require_role(Role.ADMIN)
def delete(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    _result, ok = run_service(lambda: services.delete_draft(db.session, current_actor(), invoice),
                              _("De conceptfactuur is verwijderd."))
    return redirect(url_for("invoicing.index")) if ok else _show(invoice)


# --- payments and credit notes ---------------------------------------------------------------

@bp.route("/<int:invoice_id>/betaling", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def payment(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    if request.method == "GET" and not services.open_cents(invoice):
        flash(_("Op deze factuur staat niets open: een betaling registreren is niet nodig."),
              "info")
        return _show(invoice)
    form = PaymentForm()
    if request.method == "GET":
        # The key is made when the form is shown: a double submit registers once.
        form.key.data = secrets.token_urlsafe(24)
        form.amount.data = _euros(services.open_cents(invoice))
        form.paid_on.data = date.today()
    if form.validate_on_submit():
        _result, ok = run_service(lambda: services.register_payment(
            db.session, current_actor(), invoice, parse_money(form.amount.data),
            form.paid_on.data, form.method.data, form.reference.data, form.key.data),
            _("De betaling is geregistreerd."))
        if ok:
            return _show(invoice, "#betalingen")
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("invoicing/payment.html", form=form, i=invoice,
                           open_cents=services.open_cents(invoice), **_labels()), \
        (400 if request.method == "POST" else 200)


@bp.route("/<int:invoice_id>/crediteren", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def credit(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in services.CREDITABLE:
        flash(_("Alleen een verzonden factuur die nog niet volledig is gecrediteerd, kan worden "
                "gecrediteerd."), "error")
        return _show(invoice)
    items = services.creditable_lines(db.session, invoice)
    form = CreditForm()
    if form.validate_on_submit():
        quantities = {item.line.id: request.form.get(f"aantal-{item.line.id}", "")
                      for item in items}
        credit_note, ok = run_service(lambda: services.create_credit_note(
            db.session, current_actor(), invoice, quantities, full=form.mode.data != "regels",
            reason=form.reason.data), _("De creditnota is gemaakt."))
        if ok:
            return _show(credit_note)
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("invoicing/credit.html", form=form, i=invoice, credit_items=items,
                           posted=request.form, **_labels()), \
        (400 if request.method == "POST" else 200)


# --- overdue invoices and reminders ----------------------------------------------------------

@bp.route("/achterstallig")
@require_role(Role.ADMIN)
def overdue():
    today = date.today()
    return render_template("invoicing/overdue.html", rows=services.overdue(db.session, today),
                           today=today)


@bp.route("/<int:invoice_id>/herinnering", methods=["POST"])
@require_role(Role.ADMIN)
def remind(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    if request.form.get("per_post") == "1":
        run_service(lambda: services.record_posted_reminder(db.session, current_actor(),
                                                            invoice),
                    _("De herinnering per post is vastgelegd."))
    else:
        run_service(lambda: services.send_reminder(db.session, current_actor(), invoice),
                    _("De herinnering is per e-mail verstuurd."))
    if request.form.get("terug") == "factuur":
        return _show(invoice, "#herinneringen")
    return redirect(url_for("invoicing.overdue"))


@bp.route("/<int:invoice_id>/herinneringsbrief")
@require_role(Role.ADMIN)
def reminder_letter(invoice_id: int):
    """A printable reminder letter (for customers without e-mail, or by post anyway)."""
    invoice = get_or_404(Invoice, invoice_id)
    today = date.today()
    if not services.is_overdue(invoice, today):
        flash(_("Factuur %(number)s is niet achterstallig: een herinnering is niet nodig.",
                number=invoice.number_text or ""), "error")
        return _show(invoice)
    with force_locale("nl"):  # a letter to the customer, in Dutch like the invoice
        return render_template("invoicing/reminder_letter.html", i=invoice,
                               **services.reminder_context(db.session, invoice, today))


# --- the customer statement ------------------------------------------------------------------

@bp.route("/klant/<int:customer_id>/overzicht")
@require_role(Role.ADMIN)
def statement(customer_id: int):
    customer = get_or_404(Customer, customer_id)
    today = date.today()
    start = _arg_date("van") or date(today.year, 1, 1)
    end = _arg_date("tot") or today
    if end < start:
        flash(_("Het einde van de periode ligt vóór het begin. Controleer de data."), "error")
        start, end = end, start
    form = StatementForm(formdata=None, van=start, tot=end)
    return render_template("invoicing/statement.html", form=form,
                           st=services.customer_statement(db.session, customer, start, end))


# --- finance settings, PDF and UBL downloads, exports --------------------------------------

def _storage_root():
    from tenants.storage import uploads_root

    return uploads_root(current_app.instance_path)


def _fill_settings_form(form, s) -> None:
    form.legal_name.data = s.legal_name
    form.street.data, form.postcode.data, form.city.data = s.street, s.postcode, s.city
    form.kvk_number.data, form.vat_id.data = s.kvk_number, s.vat_id
    form.iban.data, form.bic.data = format_iban(s.iban) or None, s.bic
    form.email.data, form.phone.data = s.email, s.phone
    form.recognition.data = getattr(s.recognition, "value", s.recognition)
    form.recognition_reference.data = s.recognition_reference
    form.vat_regime.data = getattr(s.vat_regime, "value", s.vat_regime)
    form.default_vat_rate.data = s.default_vat_rate
    cents = s.hourly_rate_cents or 0
    form.hourly_rate.data = f"{cents // 100},{cents % 100:02d}"
    form.payment_term_days.data = s.payment_term_days
    form.invoice_prefix.data, form.credit_prefix.data = s.invoice_prefix, s.credit_prefix
    form.footer_text.data = s.footer_text


def _settings_data(form) -> finance_settings.SettingsData:
    return finance_settings.SettingsData(
        legal_name=form.legal_name.data, street=form.street.data, postcode=form.postcode.data,
        city=form.city.data, kvk_number=form.kvk_number.data, vat_id=form.vat_id.data,
        iban=form.iban.data, bic=form.bic.data, email=form.email.data, phone=form.phone.data,
        recognition=form.recognition.data,
        recognition_reference=form.recognition_reference.data,
        vat_regime=form.vat_regime.data, default_vat_rate=form.default_vat_rate.data,
        hourly_rate=form.hourly_rate.data, invoice_prefix=form.invoice_prefix.data,
        credit_prefix=form.credit_prefix.data, payment_term_days=form.payment_term_days.data,
        footer_text=form.footer_text.data)


def _logo_size(s) -> tuple[int, int] | None:
    """The logo's size on the page (at most 240 × 120 pixels), None without a logo."""
    if not s.logo_file:
        return None
    from io import BytesIO

    from reportlab.lib.utils import ImageReader

    try:
        width, height = ImageReader(BytesIO(
            finance_settings.logo_bytes(db.session, _storage_root(), s.logo_file))).getSize()
    except Exception:  # noqa: BLE001 - a missing or unreadable file: show no preview
        return None
    scale = min(1.0, 240 / width, 120 / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


@bp.route("/instellingen", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def settings():
    current = finance_settings.current_settings(db.session)
    form = FinanceSettingsForm()
    if request.method == "GET":
        _fill_settings_form(form, current)
    elif form.validate_on_submit():
        _result, ok = run_service(
            lambda: finance_settings.save_settings(db.session, current_actor(), _settings_data(form)),
            _("De financiële instellingen zijn opgeslagen."))
        if ok:
            return redirect(url_for("invoicing.settings"))
        current = finance_settings.current_settings(db.session)
    else:
        flash_form_errors(form)
    return render_template(
        "invoicing/settings.html", form=form, settings=current,
        missing=finance_settings.missing_for_invoicing(current), logo_size=_logo_size(current),
        logo_form=LogoForm(), remove_logo_form=RemoveLogoForm(),
        max_logo_mb=finance_settings.LOGO_MAX_BYTES // (1024 * 1024),
    ), 400 if request.method == "POST" else 200


@bp.route("/instellingen/logo", methods=["POST"])
@require_role(Role.ADMIN)
def upload_logo():
    form = LogoForm()
    if form.validate_on_submit():
        upload = form.logo.data
        limit = finance_settings.LOGO_MAX_BYTES
        # Read one byte past the limit: enough to refuse it, never more in memory.
        data = upload.read(limit + 1) if upload and getattr(upload, "filename", "") else None
        run_service(lambda: finance_settings.save_logo(db.session, current_actor(), data,
                                                _storage_root()),
                     _("Het logo is opgeslagen. Het staat op facturen die u vanaf nu "
                         "verstuurt."))
    else:
        flash_form_errors(form)
    return redirect(url_for("invoicing.settings") + "#logo")


@bp.route("/instellingen/logo/verwijderen", methods=["POST"])
@require_role(Role.ADMIN)
def remove_logo():
    form = RemoveLogoForm()
    submit(form, lambda: finance_settings.remove_logo(db.session, current_actor(), _storage_root()),
           _("Het logo is verwijderd. Verzonden facturen houden hun logo."))
    return redirect(url_for("invoicing.settings") + "#logo")


@bp.route("/instellingen/logo")
@require_role(Role.ADMIN)
def logo():
    """The tenant's current logo (only its own: the key is read from its settings row)."""
    current = finance_settings.find_settings(db.session)
    if current is None or not current.logo_file:
        abort(404)
    try:
        data = finance_settings.logo_bytes(db.session, _storage_root(), current.logo_file)
    except NotFound:
        abort(404)
    return Response(data, mimetype=finance_settings.logo_mimetype(current.logo_file), headers={
        "Cache-Control": "no-store", "Content-Disposition": "inline",
        "X-Content-Type-Options": "nosniff"})


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
    year = request.args.get("year", str(date.today().year))
    if fmt not in exports.FORMATS or what not in exports.KINDS or not year.isdigit() \
            or not 2000 <= int(year) <= 2100:
        abort(404)
    body, name = exports.export(db.session, current_actor(), what, fmt, int(year))
    db.session.commit()  # the audit event of the export
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if fmt == "xlsx" else "text/csv")  # Werkzeug adds "; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# --- bank statement (CAMT.053): upload, preview, confirm ------------------------------------

def _bank_page(form, error=None, status: int = 200):
    return render_template("invoicing/bank_upload.html", form=form, error=error,
                           max_mb=bank.MAX_BYTES // (1024 * 1024)), status


@bp.route("/bankafschrift", methods=["GET", "POST"], endpoint="bank_import")
@require_role(Role.ADMIN)
def bank_import():
    """GET: the upload form, or (with ?afschrift=<key>) the preview of a stored statement.
    POST: read the upload; a readable statement is stored under the tenant and previewed."""
    from tenants.tenancy import current_tenant_id

    tenant_id = current_tenant_id(db.session)
    if request.method == "GET":
        key = request.args.get("afschrift")
        if not key:
            return _bank_page(BankUploadForm())
        try:
            entries = bank.parse_statement(bank.load_statement(_storage_root(), tenant_id, key))
        except NotFound:
            abort(404)
        except DomainError as exc:
            return _bank_page(BankUploadForm(), error=exc.message, status=422)
        proposals = bank.match_entries(db.session, entries)
        return render_template("invoicing/bank_preview.html", proposals=proposals,
                               form=BankConfirmForm(afschrift=key),
                               matched=sum(1 for p in proposals if p.matched))
    form = BankUploadForm()
    if not form.validate_on_submit():
        return _bank_page(form, status=422)
    # Read one byte past the limit: enough to refuse it, never more in memory.
    data = form.statement.data.read(bank.MAX_BYTES + 1)
    try:
        bank.parse_statement(data)
    except DomainError as exc:
        return _bank_page(form, error=exc.message, status=422)
    key = bank.store_statement(_storage_root(), tenant_id, data)
    return redirect(url_for("invoicing.bank_import", afschrift=key))


@bp.route("/bankafschrift/bevestigen", methods=["POST"], endpoint="bank_confirm")
@require_role(Role.ADMIN)
def bank_confirm():
    """Re-read the stored statement (amounts are never taken from the form), register the
    ticked matches in one transaction (bank.register_matches) and drop the file on commit."""
    from tenants import storage
    from tenants.tenancy import current_tenant_id

    form = BankConfirmForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("invoicing.bank_import"))
    tenant_id = current_tenant_id(db.session)
    key = form.afschrift.data or ""
    try:
        entries = bank.parse_statement(bank.load_statement(_storage_root(), tenant_id, key))
    except DomainError:  # NotFound included: processed already, or not this tenant's
        flash(_("Dit afschrift is al verwerkt of niet meer beschikbaar. Lees het opnieuw in; "
                "wat al is geregistreerd, wordt niet nog eens geregistreerd."), "warning")
        return redirect(url_for("invoicing.bank_import"))
    proposals = bank.match_entries(db.session, entries)
    result = bank.register_matches(db.session, current_actor(), proposals,
                                   request.form.getlist("regel"))
    storage.replace_on_commit(db.session, _storage_root(), tenant_id, None, key)
    db.session.commit()
    flash(_("%(n)s betalingen geregistreerd, %(m)s overgeslagen.", n=len(result.registered),
            m=len(result.skipped)), "success" if result.registered else "info")
    return render_template("invoicing/bank_result.html", result=result)
