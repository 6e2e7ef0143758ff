"""The invoice list, a new draft and the invoice page with everything done on a draft
(details, hours, help requests, lines, trajectory fees), up to sending it.
"""
from __future__ import annotations

from datetime import date
from math import ceil

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from blueprints.customers.forms import CustomerSearchForm
from blueprints.helprequests.models import HelpRequest
from blueprints.invoicing import services
from blueprints.invoicing.forms import (
    DraftDetailsForm,
    FeeForm,
    FinaliseForm,
    HelpRequestLineForm,
    HoursForm,
    InvoiceAllowanceForm,
    InvoiceFilterForm,
    LineForm,
    NewInvoiceForm,
)
from blueprints.invoicing.models import DeliveryStatus, Invoice, InvoiceKind, InvoiceStatus
from blueprints.invoicing.routes.blueprint import _labels, _previous_month, _show, bp
from blueprints.invoicing.ubl import profile_name, ubl_problems
from tenants import inputs
from tenants.errors import DomainError, NotFound
from tenants.extensions import db
from tenants.models import Role
from tenants.money import amount_text, parse_money
from tenants.web import (
    current_actor,
    flash_form_errors,
    get_or_404,
    page_arg,
    require_role,
    run_service,
    submit,
)


def _customer_picker(customers) -> dict:
    """What a page shows to pick a customer when there are too many for a select
    (`customers` is None): the search form, its results, and the customer already picked (by
    the `klant` argument). Empty when the select is used."""
    if customers is not None:
        return {"customer_search": None}
    search = CustomerSearchForm(request.args)
    text = search.klant_zoek.data if search.validate() else ""
    chosen = None
    customer_id = inputs.arg_id("klant")
    if customer_id is not None:
        try:
            chosen = services.get_customer(db.session, customer_id)
        except DomainError:
            chosen = None
    return {"customer_search": search, "chosen_customer": chosen,
            "search_limit": services.CUSTOMER_SEARCH_LIMIT,
            "found_customers": services.search_customers(db.session, text) if text else None}


def _filter_from_args(customers, years) -> tuple[InvoiceFilterForm, services.InvoiceFilter]:
    form = InvoiceFilterForm(request.args)
    form.status.choices = [("", _("Alle"))] + [
        (k.value, v) for k, v in services.STATUS_LABELS.items()]
    form.klant.choices = [("", _("Alle klanten"))] + [
        (str(c.id), c.name) for c in customers or ()]
    form.jaar.choices = [("", _("Alle jaren"))] + [(str(y), str(y)) for y in years]
    form.soort.choices = [("", _("Facturen en creditnota's"))] + [
        (k.value, v) for k, v in services.KIND_LABELS.items()]
    status = request.args.get("status", "")
    kind = request.args.get("soort", "")
    f = services.InvoiceFilter(
        status=InvoiceStatus(status) if status in {s.value for s in InvoiceStatus} else None,
        kind=InvoiceKind(kind) if kind in {k.value for k in InvoiceKind} else None,
        customer_id=inputs.arg_id("klant"), year=inputs.arg_year("jaar"),
        overdue=request.args.get("achterstallig") in ("y", "1", "on"),
        q=inputs.arg_text("q"), today=date.today())
    return form, f


@bp.route("/")
@require_role(Role.ADMIN)
def index():
    customers = services.customers_for_choice(db.session)
    form, f = _filter_from_args(customers, services.invoice_years(db.session))
    page = page_arg()
    result = services.list_invoices(db.session, f, page=page)
    args = {k: v for k, v in request.args.items() if k not in ("page", "klant_zoek") and v}
    return render_template(
        "invoicing/index.html", form=form, result=result, page=page,
        pages=max(1, ceil(result.total / services.PAGE_SIZE)), args=args, today=f.today,
        **_customer_picker(customers), **_labels())


# --- a new draft -----------------------------------------------------------------------------

@bp.route("/nieuw", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def create():
    form = NewInvoiceForm()
    customers = services.customers_for_choice(db.session)
    form.customer.choices = [("", _("— kies een klant —"))] + [
        (str(c.id), c.name) for c in customers or ()]
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
    return render_template("invoicing/new.html", form=form, has_customers=customers != [],
                           **_customer_picker(customers)), \
        (400 if request.method == "POST" else 200)


# --- the invoice page ------------------------------------------------------------------------

def _line_form(line) -> LineForm:
    form = LineForm(formdata=None, prefix=f"r{line.id}")
    form.description.data = line.description
    form.quantity.data = str(line.quantity).replace(".", ",")
    form.unit.data = line.unit.value
    form.unit_price.data = amount_text(line.unit_price_cents)
    form.vat_rate.data = line.vat_rate
    form.supply_date.data = line.supply_date
    form.allowance.data = amount_text(line.allowance_cents) if line.allowance_cents else None
    form.allowance_reason.data = line.allowance_reason
    form.submit.label.text = _("Regel opslaan")
    return form


def _allowance_form(view) -> InvoiceAllowanceForm:
    invoice = view.invoice
    form = InvoiceAllowanceForm(formdata=None, prefix="korting")
    labels = _labels()["vat_labels"]
    rates = [t.rate.value for t in view.totals.per_rate]
    form.vat_rate.choices = [(code, labels[code]) for code in rates]
    form.amount.data = amount_text(invoice.allowance_cents) if invoice.allowance_cents else None
    form.reason.data = invoice.allowance_reason
    form.vat_rate.data = invoice.allowance_vat_rate or (rates[0] if rates else None)
    return form


def _draft_context(view) -> dict:
    invoice, customer = view.invoice, view.customer
    offer = services.uninvoiced_hours(db.session, customer, invoice.period_start,
                                      invoice.period_end)
    requests = services.invoiceable_requests(db.session, customer)
    request_form = HelpRequestLineForm(formdata=None)
    request_form.help_request.choices = [("", _("— kies een klus —"))] + [
        (str(r.id), f"{r.reference} · {r.requester_name} · {amount_text(r.price_cents)}")
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
        "offer": offer, "hours_form": HoursForm(formdata=None),
        "requests": requests, "request_form": request_form, "details_form": details,
        "fee_form": fee_form, "trajectories": trajectories, "line_form": new_line, "kor": kor,
        "line_forms": {line.id: _line_form(line) for line in view.lines},
        "allowance_form": _allowance_form(view),
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
    public = services.is_public(view.customer)
    return render_template(
        "invoicing/show.html", v=view, i=invoice, c=view.customer, today=today,
        public=public, ubl_problems=ubl_problems(db.session, invoice) if public else [],
        einvoice_profile=profile_name(invoice, view.customer) if public else None,
        overdue=services.is_overdue(invoice, today),
        address=services.invoice_address(view.customer),
        fee_labels=services.FEE_LABELS, delivery=DeliveryStatus, **extra, **_labels())


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
    if form.groep.data:  # a group's button: all hours of that job or participant
        submit(form, lambda: services.add_hour_group(db.session, current_actor(), invoice,
                                                     form.groep.data),
               _("De uren staan op de factuur."))
    else:
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
        help_request_id = inputs.to_id(form.help_request.data)
        help_request = db.session.scalar(select(HelpRequest).where(
            HelpRequest.id == help_request_id)) if help_request_id is not None else None
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
        form.supply_date.data, form.allowance.data, form.allowance_reason.data),
        _("De regel is toegevoegd."))
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
        form.supply_date.data, form.allowance.data, form.allowance_reason.data),
        _("De regel is opgeslagen."))
    return _show(invoice, "#regels")


@bp.route("/<int:invoice_id>/korting", methods=["POST"])
@require_role(Role.ADMIN)
def set_allowance(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    form = InvoiceAllowanceForm(prefix="korting")
    submit(form, lambda: services.set_invoice_allowance(
        db.session, current_actor(), invoice, form.amount.data, form.reason.data,
        form.vat_rate.data), _("De korting op de factuur is opgeslagen."))
    return _show(invoice, "#korting")


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
    """Two buttons: "Definitief maken en versturen" (name `versturen`) mails the invoice;
    "Definitief maken zonder versturen" (or no button named) only makes it final."""
    invoice = get_or_404(Invoice, invoice_id)
    form = FinaliseForm()
    if request.form.get("versturen"):
        address = services.invoice_address(services.get_customer(db.session,
                                                                 invoice.customer_id))
        submit(form, lambda: services.send_invoice(db.session, current_actor(), invoice,
                                                   form.issue_date.data),
               _("De factuur is definitief gemaakt en wordt per e-mail verstuurd aan "
                 "%(email)s.", email=address or ""))
    else:
        submit(form, lambda: services.finalise(db.session, current_actor(), invoice,
                                               form.issue_date.data),
               _("De factuur is definitief gemaakt en heeft een nummer gekregen. Er is niets "
                 "verstuurd."))
    return _show(invoice)


@bp.route("/<int:invoice_id>/opnieuw-versturen", methods=["POST"])
@require_role(Role.ADMIN)
def resend(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    address = services.invoice_address(services.get_customer(db.session, invoice.customer_id))
    run_service(lambda: services.resend_invoice(db.session, current_actor(), invoice),
                _("De factuur wordt per e-mail verstuurd aan %(email)s.", email=address or ""))
    return _show(invoice, "#verzending")


@bp.route("/<int:invoice_id>/verwijderen", methods=["POST"])
@require_role(Role.ADMIN)
def delete(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    _result, ok = run_service(lambda: services.delete_draft(db.session, current_actor(), invoice),
                              _("De conceptfactuur is verwijderd."))
    return redirect(url_for("invoicing.index")) if ok else _show(invoice)
