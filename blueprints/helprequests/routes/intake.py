"""Staff pages for the requests themselves: the filtered list, and entering or changing a
request (by phone, at the counter, from a partner)."""
from __future__ import annotations

from math import ceil

from flask import flash, render_template, request
from flask_babel import gettext as _

from blueprints.customers import services as customer_services
from blueprints.helprequests import services
from blueprints.helprequests.forms import FilterForm, RequestForm
from blueprints.helprequests.models import (
    HelpRequest,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.helprequests.routes.blueprint import _show, bp
from blueprints.helprequests.rows import request_rows
from blueprints.participants import services as participant_services
from tenants import inputs
from tenants.errors import DomainError
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
)

VOG_CHOICES = {"": None, "ja": True, "nee": False}  # None: the default for the kind of job


# --- the staff list --------------------------------------------------------------------------

def _filter_from_args() -> tuple[FilterForm, services.RequestFilter]:
    form = FilterForm(request.args)
    form.status.choices = [("", _("Alle"))] + [
        (k.value, v) for k, v in services.STATUS_LABELS.items()]
    form.soort.choices = [("", _("Alle soorten"))] + [
        (k.value, v) for k, v in services.KIND_LABELS.items()]
    form.wijk.choices = [("", _("Alle wijken"))] + [
        (str(i), name) for i, name in participant_services.neighbourhood_choices(db.session)]
    status = request.args.get("status", "")
    kind = request.args.get("soort", "")
    f = services.RequestFilter(
        status=RequestStatus(status) if status in {s.value for s in RequestStatus} else None,
        kind=JobKind(kind) if kind in {k.value for k in JobKind} else None,
        neighbourhood_id=inputs.arg_id("wijk"), planned_from=inputs.arg_date("van"),
        planned_to=inputs.arg_date("tot"), q=inputs.arg_text("q"))
    return form, f


@bp.route("/hulpvragen/")
@require_role(Role.SUPERVISOR)
def index():
    form, f = _filter_from_args()
    page = page_arg()
    rows, total = services.list_requests(db.session, f, page=page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "helprequests/index.html", form=form, rows=rows, total=total, page=page,
        pages=max(1, ceil(total / services.PAGE_SIZE)), args=args,
        status_labels=services.STATUS_LABELS, kind_labels=services.KIND_LABELS,
        source_labels=services.SOURCE_LABELS, request_rows=request_rows)


# --- intake by staff -------------------------------------------------------------------------

def _request_form(help_request: HelpRequest | None = None) -> tuple[RequestForm, bool]:
    """The form, and whether the customer is picked by search (more customers than
    CUSTOMER_SELECT_LIMIT) instead of from a select."""
    form = RequestForm()
    if help_request is not None and help_request.source == Source.WEBSITE:
        form.source.choices = [(Source.WEBSITE.value, services.SOURCE_LABELS[Source.WEBSITE])] \
            + list(form.source.choices)
    active = customer_services.customers_for_choice(db.session)
    if active is None:
        return form, True
    customers = [(str(c.id), c.name) for c in active]
    if help_request is not None and help_request.customer_id \
            and str(help_request.customer_id) not in dict(customers):
        linked = customer_services.get_customer(db.session, help_request.customer_id)
        customers = [(str(linked.id), _("%(name)s (gearchiveerd)", name=linked.name))] + customers
    form.customer.choices = [("", _("— nog geen klant —"))] + customers
    return form, False


def _search_only(form: RequestForm) -> bool:
    """In search mode, whether this POST only searches a customer (nothing is saved): the
    "Zoeken" button, or "Opslaan" with a search text and no customer picked that does not
    name exactly one customer. A text that names one customer picks it."""
    if request.method != "POST":
        return False
    text = (form.klant_zoek.data or "").strip()[:100]
    if "klant_zoeken" in request.form:
        return True
    if text and not form.customer.data:
        found = customer_services.search_customers(db.session, text, limit=2)
        if len(found) == 1:
            form.customer.data = str(found[0].id)
            return False
        flash(_("Kies de klant uit de gevonden klanten."), "error")
        return True
    return False


def _customer_picker(form: RequestForm, searching: bool) -> dict:
    """What the template shows to pick the customer in search mode: the customer picked now
    (by the form's value; only one of this tenant) and the matches of the search text."""
    if not searching:
        return {"customer_search": False}
    chosen = None
    customer_id = inputs.to_int(form.customer.data, min_value=1, max_value=inputs.ID_MAX)
    if customer_id is not None:
        try:
            chosen = customer_services.get_customer(db.session, customer_id)
        except DomainError:
            chosen = None
    text = (form.klant_zoek.data or "").strip()
    found = customer_services.search_customers(db.session, text) \
        if text and not form.klant_zoek.errors else None
    return {"customer_search": True, "chosen_customer": chosen, "found_customers": found,
            "search_limit": customer_services.CUSTOMER_SEARCH_LIMIT}


def _render(form: RequestForm, help_request: HelpRequest | None, searching: bool, status: int):
    return render_template("helprequests/form.html", form=form, help_request=help_request,
                           neighbourhoods=participant_services.neighbourhoods(db.session),
                           **_customer_picker(form, searching)), status


def _posted_customer_id(value: str | None) -> int | None:
    return inputs.parse_int(value, max_value=inputs.ID_MAX, message=_(
        "Deze klant bestaat niet. Kies een klant uit de lijst."))


def _fill_form(form: RequestForm, r: HelpRequest, wijk: str | None) -> None:
    form.source.data = r.source.value
    form.partner_name.data = r.partner_name
    form.name.data = r.requester_name
    for name in ("street", "postcode", "city", "phone", "email", "description",
                 "preferred_dates"):
        getattr(form, name).data = getattr(r, name)
    form.neighbourhood.data = wijk
    form.kind.data = r.kind.value
    form.needs_vog.data = "ja" if r.needs_vog else "nee"
    form.payer.data = r.payer.value
    form.price_agreement.data = r.price_agreement.value
    form.price.data = amount_text(r.price_cents) \
        if r.price_cents is not None else ""
    form.customer.data = str(r.customer_id) if r.customer_id else ""


def _data_from(form: RequestForm) -> services.RequestData:
    return services.RequestData(
        name=form.name.data or "", kind=JobKind(form.kind.data),
        description=form.description.data or "", source=Source(form.source.data),
        street=form.street.data, postcode=form.postcode.data, city=form.city.data,
        neighbourhood=form.neighbourhood.data, phone=form.phone.data, email=form.email.data,
        preferred_dates=form.preferred_dates.data, partner_name=form.partner_name.data,
        payer=Payer(form.payer.data), price_agreement=PriceAgreement(form.price_agreement.data),
        price_cents=parse_money(form.price.data),
        needs_vog=VOG_CHOICES.get(form.needs_vog.data or ""),
        customer_id=_posted_customer_id(form.customer.data))


@bp.route("/hulpvragen/nieuw", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def create():
    form, searching = _request_form()
    if searching and _search_only(form):
        return _render(form, None, True, 200)
    if form.validate_on_submit():
        help_request, ok = run_service(
            lambda: services.create_request(db.session, current_actor(), _data_from(form)),
            lambda made: _("Hulpvraag %(ref)s is opgeslagen.", ref=made.reference))
        if ok:
            return _show(help_request)
    elif request.method == "POST":
        flash_form_errors(form)
    return _render(form, None, searching, 400 if request.method == "POST" else 200)


@bp.route("/hulpvragen/<int:help_request_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def edit(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    form, searching = _request_form(help_request)
    if request.method == "GET":
        wijk, _assigned = services.request_detail(db.session, help_request)
        _fill_form(form, help_request, wijk)
    if searching and _search_only(form):
        return _render(form, help_request, True, 200)
    if form.validate_on_submit():
        ok = run_service(lambda: services.update_request(db.session, current_actor(),
                                                         help_request, _data_from(form)),
                         _("De hulpvraag is bijgewerkt."))[1]
        if ok:
            return _show(help_request)
    elif request.method == "POST":
        flash_form_errors(form)
    return _render(form, help_request, searching, 400 if request.method == "POST" else 200)
