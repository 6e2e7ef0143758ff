"""Customer pages (admins): the list (with punch-card balances), a customer's details with
rates (and the sections features above add: punch cards, recent help requests), and the
forms that change them. Thin views: the rules are in services."""
from __future__ import annotations

from datetime import date
from math import ceil

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.customers import models  # noqa: F401  (registers the tables)
from blueprints.customers import services
from blueprints.customers.forms import UBL_CHOICES, CustomerFilterForm, CustomerForm, RateForm
from blueprints.customers.models import Customer
from blueprints.customers.rows import customer_rows
from tenants import inputs, sections
from tenants.errors import NotFound
from tenants.extensions import db
from tenants.jobkinds import JOB_KIND_LABELS
from tenants.models import Role
from tenants.money import amount_text, parse_money
from tenants.web import (
    current_actor,
    flash_form_errors,
    page_arg,
    require_role,
    run_service,
    tenant_blueprint,
)

bp = tenant_blueprint("customers", __name__, url_prefix="/klanten")


def _load(customer_id: int) -> Customer:
    try:
        return services.get_customer(db.session, customer_id)
    except NotFound:
        abort(404)


def _show(customer: Customer, anchor: str = ""):
    return redirect(url_for("customers.show", customer_id=customer.id) + anchor)


def _money_text(cents: int | None) -> str:
    return "" if cents is None else amount_text(cents)


# --- list ------------------------------------------------------------------------------------

@bp.route("/")
@require_role(Role.ADMIN)
def index():
    form = CustomerFilterForm(request.args)
    q = inputs.arg_text("q")
    kind = request.args.get("soort") or None
    archived = bool(request.args.get("archief"))
    page = page_arg()
    rows, total = services.list_customers(db.session, q, kind, archived, page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "customers/index.html", form=form, rows=rows, total=total, page=page,
        pages=max(1, ceil(total / services.PAGE_SIZE)), args=args,
        kind_labels=services.KIND_LABELS, customer_rows=customer_rows)


# --- create and edit -------------------------------------------------------------------------

def _data_from(form: CustomerForm) -> services.CustomerData:
    return services.CustomerData(
        kind=form.kind.data or None, name=form.name.data or "",
        contact_name=form.contact_name.data, email=form.email.data, phone=form.phone.data,
        street=form.street.data, postcode=form.postcode.data, city=form.city.data,
        country_code=form.country_code.data or "NL", kvk_number=form.kvk_number.data,
        oin=form.oin.data, vat_id=form.vat_id.data, buyer_reference=form.buyer_reference.data,
        hourly_rate=form.hourly_rate.data, default_vat_rate=form.default_vat_rate.data or None,
        payment_term_days=form.payment_term_days.data,
        wants_ubl=UBL_CHOICES.get(form.wants_ubl.data or ""),
        einvoice_profile=form.einvoice_profile.data or None, notes=form.notes.data)


def _fill_form(form: CustomerForm, c: Customer) -> None:
    form.kind.data = c.kind.value
    for name in ("name", "contact_name", "email", "phone", "street", "postcode", "city",
                 "country_code", "kvk_number", "oin", "vat_id", "buyer_reference",
                 "payment_term_days", "notes"):
        getattr(form, name).data = getattr(c, name)
    form.hourly_rate.data = _money_text(c.hourly_rate_cents)
    form.default_vat_rate.data = c.default_vat_rate or ""
    form.wants_ubl.data = "ja" if c.wants_ubl else "nee"
    form.einvoice_profile.data = c.einvoice_profile


def _form_page(form: CustomerForm, customer: Customer | None):
    return render_template("customers/form.html", form=form, customer=customer), \
        (400 if request.method == "POST" else 200)


@bp.route("/nieuw", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def create():
    form = CustomerForm()
    if form.validate_on_submit():
        customer, ok = run_service(
            lambda: services.create_customer(db.session, current_actor(), _data_from(form)),
            lambda made: _("Klant %(name)s is opgeslagen.", name=made.name))
        if ok:
            return _show(customer)
    elif request.method == "POST":
        flash_form_errors(form)
    return _form_page(form, None)


@bp.route("/<int:customer_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def edit(customer_id: int):
    customer = _load(customer_id)
    form = CustomerForm()
    if request.method == "GET":
        _fill_form(form, customer)
    if form.validate_on_submit():
        ok = run_service(lambda: services.update_customer(db.session, current_actor(), customer,
                                                          _data_from(form)),
                         _("De gegevens van de klant zijn opgeslagen."))[1]
        if ok:
            return _show(customer)
    elif request.method == "POST":
        flash_form_errors(form)
    return _form_page(form, customer)


@bp.route("/<int:customer_id>/archiveren", methods=["POST"])
@require_role(Role.ADMIN)
def archive(customer_id: int):
    customer = _load(customer_id)
    run_service(lambda: services.archive_customer(db.session, current_actor(), customer),
                _("De klant is gearchiveerd."))
    return _show(customer)


@bp.route("/<int:customer_id>/terughalen", methods=["POST"])
@require_role(Role.ADMIN)
def unarchive(customer_id: int):
    customer = _load(customer_id)
    run_service(lambda: services.unarchive_customer(db.session, current_actor(), customer),
                _("De klant is uit het archief gehaald."))
    return _show(customer)


# --- the customer ----------------------------------------------------------------------------

@bp.route("/<int:customer_id>/")
@require_role(Role.ADMIN)
def show(customer_id: int):
    customer = _load(customer_id)
    return render_template(
        "customers/show.html", c=customer, rates=services.rates_of(db.session, customer),
        rate_form=RateForm(formdata=None, prefix="tarief"),
        sections=sections.customer_page.render(customer=customer, today=date.today()),
        kind_labels=services.KIND_LABELS, vat_labels=services.VAT_LABELS,
        unit_labels=services.RATE_UNITS, profile_labels=services.PROFILE_LABELS,
        job_kind_labels={k.value: v for k, v in JOB_KIND_LABELS.items()})


# --- rates -----------------------------------------------------------------------------------

@bp.route("/<int:customer_id>/tarieven", methods=["POST"])
@require_role(Role.ADMIN)
def add_rate(customer_id: int):
    customer = _load(customer_id)
    form = RateForm(prefix="tarief")
    if form.validate_on_submit():
        description = form.job_kind.data or form.description.data
        run_service(lambda: services.add_rate(
            db.session, current_actor(), customer, description,
            parse_money(form.price.data), form.unit.data,
            form.vat_rate.data or None), _("Het tarief is toegevoegd."))
    else:
        flash_form_errors(form)
    return _show(customer, "#tarieven")


@bp.route("/<int:customer_id>/tarieven/<int:rate_id>/verwijderen", methods=["POST"])
@require_role(Role.ADMIN)
def remove_rate(customer_id: int, rate_id: int):
    customer = _load(customer_id)
    run_service(lambda: services.remove_rate(db.session, current_actor(), customer, rate_id),
                _("Het tarief is verwijderd."))
    return _show(customer, "#tarieven")
