"""Participant pages: list, register, file, edit, exemptions, consents; host organisations."""
from __future__ import annotations

from datetime import date
from math import ceil

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from blueprints.participants import services
from blueprints.participants.forms import (
    ConsentForm,
    ExemptionForm,
    HostForm,
    LinkAccountForm,
    ParticipantFilterForm,
    ParticipantForm,
    WithdrawForm,
)
from blueprints.participants.models import (
    Benefit,
    HouseholdType,
    IntegrationRoute,
    Neighbourhood,
    ParticipantStatus,
)
from tenants import hooks, inputs, sections
from tenants.errors import NotFound
from tenants.extensions import db
from tenants.models import Municipality, Role
from tenants.web import (
    current_actor,
    flash_form_errors,
    page_arg,
    require_role,
    run_service,
    submit,
    tenant_blueprint,
)

bp = tenant_blueprint("participants", __name__)

def _status_labels():
    return {
        "intake": _l("Intake"), "actief": _l("Actief"), "gepauzeerd": _l("Gepauzeerd"),
        "afgerond": _l("Afgerond"), "geanonimiseerd": _l("Geanonimiseerd"),
    }


def _load(participant_id: int):
    try:
        return services.get_participant(db.session, participant_id)
    except NotFound:
        abort(404)



def _participant_form(obj=None) -> ParticipantForm:
    form = ParticipantForm(obj=obj)
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name))
    form.paying_municipality.choices = [("", _("— onbekend —"))] + [
        (m.cbs_code, f"{m.name} ({m.cbs_code})") for m in municipalities]
    form.supervisor.choices = [("", _("— nog niemand —"))] + [
        (str(u.id), u.name) for u in services.staff(db.session)]
    return form


def _data_from(form: ParticipantForm) -> services.ParticipantData:
    split = lambda text: [s.strip() for s in (text or "").split(",") if s.strip()]  # noqa: E731
    return services.ParticipantData(
        first_name=form.first_name.data or "", last_name=form.last_name.data or "",
        email=form.email.data, phone=form.phone.data, street=form.street.data,
        postcode=form.postcode.data, city=form.city.data, neighbourhood=form.neighbourhood.data,
        date_of_birth=form.date_of_birth.data,
        household_type=HouseholdType(form.household_type.data) if form.household_type.data else None,
        is_refugee_permit_holder=form.is_refugee_permit_holder.data,
        integration_route=IntegrationRoute(form.integration_route.data)
        if form.integration_route.data else None,
        has_work_limitation=form.has_work_limitation.data, benefit=Benefit(form.benefit.data),
        paying_municipality_code=form.paying_municipality.data or None,
        skills=split(form.skills.data), languages=split(form.languages.data),
        available_hours=form.available_hours.data, available_days=form.available_days.data or [],
        vog_present=form.vog_present.data, vog_date=form.vog_date.data,
        vog_renewal_due=form.vog_renewal_due.data, emergency_name=form.emergency_name.data,
        emergency_phone=form.emergency_phone.data, emergency_relation=form.emergency_relation.data,
        notes=form.notes.data,
        supervisor_id=int(form.supervisor.data) if form.supervisor.data else None)


def _fill_form(form: ParticipantForm, participant) -> None:
    """Put a participant's values into the form (GET of the edit page)."""
    form.skills.data = ", ".join(participant.skills or [])
    form.languages.data = ", ".join(participant.languages or [])
    form.household_type.data = participant.household_type.value if participant.household_type else ""
    form.benefit.data = participant.benefit.value
    form.integration_route.data = (participant.integration_route.value
                                   if participant.integration_route else "")
    form.supervisor.data = str(participant.supervisor_id) if participant.supervisor_id else ""
    form.available_days.data = participant.available_days or []
    if participant.paying_municipality_id:
        code = db.session.scalar(select(Municipality.cbs_code).where(
            Municipality.id == participant.paying_municipality_id))
        form.paying_municipality.data = code
    else:
        form.paying_municipality.data = ""
    if participant.neighbourhood_id:
        form.neighbourhood.data = db.session.scalar(select(Neighbourhood.name).where(
            Neighbourhood.id == participant.neighbourhood_id))


# --- list ----------------------------------------------------------------------------------

def _filter_from_args() -> tuple[ParticipantFilterForm, services.ParticipantFilter]:
    form = ParticipantFilterForm(request.args)
    labels = _status_labels()
    form.status.choices = [("", _("Alle (behalve geanonimiseerd)"))] + list(labels.items())
    areas, staff = services.filter_choices(db.session)
    form.wijk.choices = [("", _("Alle wijken"))] + [(str(i), name) for i, name in areas]
    form.begeleider.choices = [("", _("Iedereen"))] + [(str(i), name) for i, name in staff]
    form.doelgroep.choices = [("", _("Alle doelgroepen"))] + list(services.TARGET_GROUPS.items())
    kind_filter = hooks.participant_kind_filter.ask()  # trajectories answers
    kinds = kind_filter.choices if kind_filter else []
    form.soort.choices = [("", _("Alle soorten"))] + kinds

    def pick(name, allowed):
        value = request.args.get(name) or None
        return value if value in allowed else None

    f = services.ParticipantFilter(
        q=inputs.arg_text("q"),
        status=pick("status", set(labels)),
        neighbourhood_id=inputs.arg_id("wijk"), supervisor_id=inputs.arg_id("begeleider"),
        target_group=pick("doelgroep", set(services.TARGET_GROUPS)),
        trajectory_kind=pick("soort", {value for value, _label in kinds}))
    return form, f


@bp.route("/deelnemers/")
@require_role(Role.SUPERVISOR)
def index():
    form, f = _filter_from_args()
    page = page_arg()
    rows, total = services.list_participants(db.session, f, page=page)
    pages = max(1, ceil(total / services.PAGE_SIZE))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("participants/index.html", form=form, rows=rows, total=total,
                           page=page, pages=pages, args=args, status_labels=_status_labels(),
                           today=date.today(), target_groups=services.target_groups,
                           group_labels=services.TARGET_GROUPS)


# --- register and edit ---------------------------------------------------------------------

@bp.route("/deelnemers/nieuw", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def create():
    form = _participant_form()
    if request.method == "GET":
        form.supervisor.data = str(current_user.id) if g.membership.role != Role.PARTICIPANT else ""
    if form.validate_on_submit():
        participant, ok = run_service(
            lambda: services.create_participant(db.session, current_actor(), _data_from(form)),
            lambda made: _("%(name)s is ingeschreven.", name=made.full_name))
        if ok:
            return redirect(url_for("participants.show", participant_id=participant.id))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("participants/form.html", form=form, participant=None,
                           neighbourhoods=services.neighbourhoods(db.session)), \
        (400 if request.method == "POST" else 200)


@bp.route("/deelnemers/<int:participant_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def edit(participant_id: int):
    participant = _load(participant_id)
    if participant.status == ParticipantStatus.ANONYMISED:
        flash(_("Deze deelnemer is geanonimiseerd en kan niet meer worden gewijzigd."), "error")
        return redirect(url_for("participants.show", participant_id=participant.id))
    form = _participant_form(obj=participant if request.method == "GET" else None)
    if request.method == "GET":
        _fill_form(form, participant)
    if form.validate_on_submit():
        _result, ok = run_service(lambda: services.update_participant(
            db.session, current_actor(), participant, _data_from(form)),
            _("De gegevens zijn opgeslagen."))
        if ok:
            return redirect(url_for("participants.show", participant_id=participant.id))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("participants/form.html", form=form, participant=participant,
                           neighbourhoods=services.neighbourhoods(db.session)), \
        (400 if request.method == "POST" else 200)


# --- the file --------------------------------------------------------------------------------

_BLANK_FORMS: dict[str, dict[str, Markup]] = {}


def _blank_forms() -> dict[str, Markup]:
    """The fields of the file's blank exemption and consent forms, rendered once per language:
    a GET shows them empty (no data, no errors: a refused POST redirects back to the file), and
    building and rendering them was a fifth of the page's CPU. The page adds the CSRF token."""
    key = str(get_locale())
    html = _BLANK_FORMS.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("participants/_blank_forms.html")
        made = template.make_module({"exemption_form": ExemptionForm(formdata=None),
                                     "consent_form": ConsentForm(formdata=None)})
        html = _BLANK_FORMS[key] = {"exemption": Markup(made.exemption()),
                                    "consent": Markup(made.consent())}
    return html


@bp.route("/deelnemers/<int:participant_id>/")
@require_role(Role.SUPERVISOR)
def show(participant_id: int):
    try:
        file = services.participant_file(db.session, participant_id)
    except NotFound:
        abort(404)
    participant = file.participant
    services.record_view(db.session, current_actor(), participant)
    today = date.today()
    is_admin = g.membership.role == Role.ADMIN
    exemptions = services.exemptions_of(db.session, participant)
    open_file = participant.status != ParticipantStatus.ANONYMISED
    # A consent's withdraw button takes its CSRF token from csrf_token(); the blank forms'
    # fields are the same on every view in a language (_blank_forms).
    forms = {"blank_forms": _blank_forms()} if open_file else {}
    link_form = None
    if is_admin and open_file and not participant.user_id:
        accounts = services.linkable_accounts(db.session)
        if accounts:
            link_form = LinkAccountForm()
            link_form.user.choices = [(str(u.id), f"{u.name} ({u.email})") for u in accounts]
    # Rendered before the commit that stores the view in the audit log: a commit expires every
    # loaded object, and the page would reload each one. A failed commit shows nothing.
    html = render_template(
        "participants/show.html", p=participant, sections=sections.participant_page.render(
            participant=participant, today=today, is_admin=is_admin,
            municipality_name=file.municipality),
        exemptions=exemptions, active_exemption=services.active_exemption(exemptions, today),
        consents=services.consents_of(db.session, participant),
        neighbourhood=file.neighbourhood, supervisor=file.supervisor,
        municipality=file.municipality, today=today,
        groups=services.target_groups(participant, today), group_labels=services.TARGET_GROUPS,
        status_labels=_status_labels(), link_form=link_form, **forms,
        articles=services.EXEMPTION_ARTICLES, obligations=services.OBLIGATIONS,
        benefit_labels=services.BENEFIT_LABELS,
        consent_kinds=services.CONSENT_KINDS, days=services.DAYS, is_admin=is_admin)
    db.session.commit()
    return html


@bp.route("/deelnemers/<int:participant_id>/ontheffing", methods=["POST"])
@require_role(Role.SUPERVISOR)
def add_exemption(participant_id: int):
    participant = _load(participant_id)
    form = ExemptionForm()
    submit(form, lambda: services.add_exemption(
        db.session, current_actor(), participant, form.article.data,
        form.obligations.data or [], form.starts_on.data, form.ends_on.data,
        form.review_on.data, form.decided_by.data), _("De ontheffing is vastgelegd."))
    return redirect(url_for("participants.show", participant_id=participant.id) + "#ontheffing")


@bp.route("/deelnemers/<int:participant_id>/toestemming", methods=["POST"])
@require_role(Role.SUPERVISOR)
def give_consent(participant_id: int):
    participant = _load(participant_id)
    form = ConsentForm()
    submit(form, lambda: services.give_consent(
        db.session, current_actor(), participant, form.kind.data, form.recipient.data,
        form.given_on.data), _("De toestemming is vastgelegd."))
    return redirect(url_for("participants.show", participant_id=participant.id) + "#toestemming")


@bp.route("/deelnemers/<int:participant_id>/toestemming/<int:consent_id>/intrekken",
          methods=["POST"])
@require_role(Role.SUPERVISOR)
def withdraw_consent(participant_id: int, consent_id: int):
    participant = _load(participant_id)
    form = WithdrawForm()
    submit(form, lambda: services.withdraw_consent(
        db.session, current_actor(), participant, consent_id, form.withdrawn_on.data),
        _("De toestemming is ingetrokken."))
    return redirect(url_for("participants.show", participant_id=participant.id) + "#toestemming")


@bp.route("/deelnemers/<int:participant_id>/account", methods=["POST"])
@require_role(Role.ADMIN)
def link_account(participant_id: int):
    participant = _load(participant_id)
    form = LinkAccountForm()
    form.user.choices = [(str(u.id), u.name) for u in services.linkable_accounts(db.session)]
    submit(form, lambda: services.link_account(
        db.session, current_actor(), participant, int(form.user.data)),
        _("Het account is gekoppeld: de deelnemer ziet nu de eigen pagina."))
    return redirect(url_for("participants.show", participant_id=participant.id))


# --- host organisations ----------------------------------------------------------------------

def _host_data(form: HostForm) -> services.HostData:
    return services.HostData(
        name=form.name.data or "", kind=form.kind.data, contact_name=form.contact_name.data,
        contact_email=form.contact_email.data, contact_phone=form.contact_phone.data,
        street=form.street.data, postcode=form.postcode.data, city=form.city.data,
        vog_required=form.vog_required.data, insurance_covered=form.insurance_covered.data,
        notes=form.notes.data,
        payer_customer_id=int(form.payer.data) if form.payer.data else None)


def _payer_choices(current: int | None) -> list[tuple[str, str]]:
    return [("", _("Niemand (niet gefactureerd)"))] + [
        (str(i), name) for i, name in services.payer_options(db.session, keep=current)]


@bp.route("/inzetorganisaties/")
@require_role(Role.SUPERVISOR)
def hosts():
    hosts = services.hosts(db.session)
    payers = dict(services.payer_options(db.session)) \
        if any(h.payer_customer_id for h in hosts) else {}  # one query, not one per host
    return render_template("participants/hosts.html", hosts=hosts, payers=payers,
                           kinds=services.HOST_KINDS)


@bp.route("/inzetorganisaties/nieuw", methods=["GET", "POST"])
@bp.route("/inzetorganisaties/<int:host_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def host_form(host_id: int | None = None):
    host = None
    if host_id is not None:
        try:
            host = services.get_host(db.session, host_id)
        except NotFound:
            abort(404)
    form = HostForm(obj=host)
    form.payer.choices = _payer_choices(host.payer_customer_id if host else None)
    if request.method == "GET" and host is not None:
        form.payer.data = str(host.payer_customer_id or "")
    def save():
        if host is None:
            return services.create_host(db.session, current_actor(), _host_data(form))
        services.update_host(db.session, current_actor(), host, _host_data(form))
        return host

    if form.validate_on_submit():
        _saved, ok = run_service(save, lambda saved: _("%(name)s is opgeslagen.",
                                                       name=saved.name))
        if ok:
            return redirect(url_for("participants.hosts"))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("participants/host_form.html", form=form, host=host), \
        (400 if request.method == "POST" else 200)
