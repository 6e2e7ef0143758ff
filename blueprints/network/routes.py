"""Network pages: members of the national association only.

Three blueprints: `network` (/netwerk/, members only: everything else answers 404),
`network_links` (the mailed links to cancel or take an offered place, signed, no login: a
colleague registered by a member need not have an account) and `network_join` (a cooperative's
admin joins or leaves the network from their own organisation: /<slug>/netwerk-lidmaatschap).
"""
from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.network import jobs as _jobs  # noqa: F401  (registers the network's jobs)
from blueprints.network import benchmark as bench
from blueprints.network import services
from blueprints.network.exports import attendee_file, badges_pdf, benchmark_file
from blueprints.network.forms import (
    COLLEAGUES,
    AccountForm,
    CapacityForm,
    ConfirmForm,
    InviteForm,
    MeetingForm,
    MunicipalityForm,
    RegisterForm,
    SessionForm,
)
from blueprints.network.models import Meeting, Registration, RegistrationStatus
from tenants.errors import DomainError, NotFound
from tenants.extensions import db, limiter
from tenants.identity import create_user, user_by_email
from tenants.mail import send_mail
from tenants.aggregates import Requester
from tenants.membership import memberships_for_user
from tenants.models import NetworkRole, Role
from tenants.tenancy import tenant_context
from tenants.urls import absolute_url
from tenants.web import (
    flash_form_errors,
    refuse,
    require_role,
    run_service,
    submit,
    tenant_blueprint,
)

bp = Blueprint("network", __name__, url_prefix="/netwerk")
links = Blueprint("network_links", __name__, url_prefix="/netwerk")
join = tenant_blueprint("network_join", __name__, url_prefix="/netwerk-lidmaatschap")


@bp.before_request
@login_required
def require_network_member():
    member = services.membership_of(db.session, current_user.id)
    if member is None:
        refuse(404, "not a network member")
    g.network_member = member
    return None


def _member():
    return g.network_member


def _admin():
    if not g.network_member.is_admin:
        abort(404)
    return g.network_member


def _knowledge_links() -> list[tuple[str, str]]:
    """The question box and knowledge base (blueprints/knowledge), when that feature is
    registered: plain paths, so this feature does not depend on it."""
    found = []
    if "knowledge.questions" in current_app.view_functions:
        found.append(("/netwerk/vragen", _("Vragenbox")))
    if "knowledge.articles" in current_app.view_functions:
        found.append(("/netwerk/kennisbank", _("Kennisbank")))
    return found


@bp.route("/")
def index():
    member = _member()
    shown = services.meetings(db.session, member)
    return render_template(
        "network/index.html", member=member, meetings=shown,
        counts=services.counts(db.session, [m.id for m in shown]),
        knowledge_links=_knowledge_links(), today=date.today())


# --- the benchmark -------------------------------------------------------------------------------

#: roles in a cooperative that see its own position in the network's benchmark
OWN_POSITION_ROLES = (Role.ADMIN, Role.BOARD)


def _year() -> int:
    choices = bench.years()
    chosen = request.args.get("jaar", type=int)
    return chosen if chosen in choices else choices[0]


def _benchmark():
    """(result, own cooperative or None, the user's cooperatives that take part)."""
    member = _member()
    year = _year()
    # The user's own cooperatives that take part: their position is shown, nobody else's.
    own = [m.tenant for m in memberships_for_user(db.session, current_user)
           if m.role in OWN_POSITION_ROLES and bench.takes_part(db.session, m.tenant_id)]
    chosen = next((t for t in own if t.slug == request.args.get("cooperatie")),
                  own[0] if own else None)
    requester = Requester("netwerk", member.id, current_user.id)
    if chosen is not None:
        with tenant_context(db.session, chosen.id):
            result = bench.compute(db.session, requester, year)
    else:
        result = bench.compute(db.session, requester, year)
    db.session.commit()  # the aggregate reads' audit records
    return result, chosen, own


@bp.route("/benchmark")
def benchmark_page():
    result, chosen, own = _benchmark()
    return render_template("network/benchmark.html", member=_member(), result=result,
                           own=chosen, own_choices=own, years=bench.years(),
                           figures=bench.FIGURES, box=bench.box, minimum=bench.MINIMUM)


@bp.route("/benchmark.<fmt>")
def benchmark_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    result, chosen, _own = _benchmark()
    body, name, mimetype = benchmark_file(result, bench.FIGURES,
                                          chosen.name if chosen else None, fmt)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# --- members -----------------------------------------------------------------------------------

@bp.route("/leden")
def members_page():
    member = _member()
    return render_template(
        "network/members.html", member=member,
        organisations=services.organisations(db.session),
        members=services.members(db.session) if member.is_admin else [],
        invitations=services.open_invitations(db.session) if member.is_admin else [],
        invite_form=InviteForm(), municipality_form=MunicipalityForm())


@bp.route("/leden/uitnodigen", methods=["POST"])
def invite():
    admin = _admin()
    form = InviteForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("network.members_page"))
    max_age = current_app.config["INVITATION_MAX_AGE"]
    result, ok = run_service(
        lambda: services.invite(db.session, admin, form.email.data, NetworkRole(form.role.data),
                                form.organisation.data, max_age), None)
    if ok:
        _invitation, token = result
        email = form.email.data.strip().lower()
        send_mail(email, _("Uitnodiging voor het netwerk Werk in de wijk"), "network_invitation",
                  inviter=current_user.name, days=max_age.days,
                  link=absolute_url("network_links.accept_invitation", token=token))
        flash(_("Uitnodiging verstuurd naar %(email)s.", email=email), "success")
    return redirect(url_for("network.members_page"))


@bp.route("/leden/uitnodiging/<int:invitation_id>/intrekken", methods=["POST"])
def revoke(invitation_id: int):
    admin = _admin()
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.revoke_invitation(db.session, admin, invitation_id),
                    _("Uitnodiging ingetrokken."))
    return redirect(url_for("network.members_page"))


@bp.route("/leden/<int:membership_id>/verwijderen", methods=["POST"])
def remove(membership_id: int):
    admin = _admin()
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.remove_member(db.session, admin, membership_id),
                    _("Het lid is verwijderd; de toegang is direct beëindigd."))
    return redirect(url_for("network.members_page"))


@bp.route("/leden/gemeente", methods=["POST"])
def add_municipality():
    admin = _admin()
    form = MunicipalityForm()
    submit(form, lambda: services.add_municipality(db.session, admin, form.cbs_code.data),
           lambda row: _("%(name)s is lid van het netwerk.", name=row.name))
    return redirect(url_for("network.members_page"))


@bp.route("/leden/organisatie/<int:organisation_id>/verwijderen", methods=["POST"])
def remove_organisation(organisation_id: int):
    admin = _admin()
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.remove_organisation(db.session, admin, organisation_id),
                    _("De organisatie is geen lid meer."))
    return redirect(url_for("network.members_page"))


@links.route("/uitnodiging/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def accept_invitation(token: str):
    """Open to anyone with the link (logged in or not): the invitation proves the address."""
    try:
        invitation = services.open_invitation(db.session, token)
    except DomainError as exc:
        return render_template("auth/reset_invalid.html", message=exc.message), 400
    if current_user.is_authenticated:
        form = ConfirmForm()
        if form.validate_on_submit():
            _result, ok = run_service(
                lambda: services.accept_invitation(db.session, token, current_user),
                _("Welkom bij het netwerk Werk in de wijk."))
            return redirect(url_for("network.index") if ok else url_for("core.index"))
        return render_template("network/accept.html", invitation=invitation, form=form,
                               account_form=None)
    if user_by_email(db.session, invitation.email) is not None:
        session["login_next"] = request.path
        flash(_("U heeft al een account. Log in om de uitnodiging aan te nemen."), "info")
        return redirect(url_for("auth.login"))
    form = AccountForm()
    if form.validate_on_submit():
        def make_account():
            user = create_user(db.session, invitation.email, form.name.data, form.password.data)
            return services.accept_invitation(db.session, token, user)

        _result, ok = run_service(make_account, None, refused=form.password.errors.append)
        if ok:
            session["login_next"] = url_for("network.index")
            flash(_("Uw account is gemaakt. Log in om verder te gaan."), "success")
            return redirect(url_for("auth.login"))
    return render_template("network/accept.html", invitation=invitation, form=None,
                           account_form=form)


# --- meetings ----------------------------------------------------------------------------------

@bp.route("/bijeenkomsten/nieuw", methods=["GET", "POST"])
def new_meeting():
    admin = _admin()
    form = MeetingForm()
    if request.method == "POST":
        def create():
            return services.create_meeting(db.session, admin, services.MeetingData(
                title=form.title.data, day=form.day.data, starts_at=form.starts_at.data,
                ends_at=form.ends_at.data, place=form.place.data,
                description=form.description.data, capacity=form.capacity.data,
                registration_deadline=form.registration_deadline.data,
                offer_hours=form.offer_hours.data), publish=True)

        if form.validate_on_submit():
            made, ok = run_service(create, lambda m: _("%(title)s is gepubliceerd.",
                                                       title=m.title),
                                   refused=form.title.errors.append)
            if ok:
                return redirect(url_for("network.meeting", meeting_id=made.id))
    return render_template("network/meeting_form.html", form=form)


def _meeting_or_404(meeting_id: int):
    try:
        return services.get_meeting(db.session, _member(), meeting_id)
    except NotFound:
        abort(404)


def _register_form() -> RegisterForm:
    form = RegisterForm()
    if request.method == "GET":
        form.name.data = current_user.name
        form.email.data = current_user.email
        form.organisation.data = _member().organisation
    return form


@bp.route("/bijeenkomsten/<int:meeting_id>/")
def meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    member = _member()
    return render_template(
        "network/meeting.html", meeting=meeting, member=member,
        counts=services.meeting_counts(db.session, meeting),
        mine=services.own_registrations(db.session, meeting, current_user),
        form=_register_form(), capacity_form=CapacityForm(capacity=meeting.capacity),
        session_form=SessionForm(), today=date.today(), colleagues=range(1, COLLEAGUES + 1))


@bp.route("/bijeenkomsten/<int:meeting_id>/aanmelden", methods=["GET", "POST"])
def register(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    form = _register_form()
    if request.method == "POST":
        def action():
            people = [services.Person(form.name.data, form.email.data, form.organisation.data,
                                      form.dietary.data, form.accessibility.data)]
            people += [services.Person(name, email, form.organisation.data)
                       for name, email in form.colleagues()]
            return services.register(db.session, _member(), current_user, meeting.id, people)

        def said(made):
            waiting = [r for r in made if r.status == RegistrationStatus.WAITING]
            if not waiting:
                return _("Aangemeld. U krijgt een bevestiging per e-mail, met de bijeenkomst "
                         "voor uw agenda.")
            return _("De bijeenkomst is vol: %(n)s op de wachtlijst. Komt er een plaats vrij, "
                     "dan krijgt u een e-mail.", n=len(waiting))

        if submit(form, action, said):
            return redirect(url_for("network.meeting", meeting_id=meeting.id))
    return render_template("network/register.html", meeting=meeting, form=form,
                           counts=services.meeting_counts(db.session, meeting))


@bp.route("/aanmelding/<int:registration_id>/afmelden", methods=["POST"])
def cancel_own(registration_id: int):
    registration, ok = None, False
    if ConfirmForm().validate_on_submit():
        registration, ok = run_service(
            lambda: services.cancel_own(db.session, current_user, registration_id),
            lambda r: _("%(name)s is afgemeld.", name=r.name))
    target = request.form.get("terug") or ""
    if registration is not None and target == "deelnemers":
        return redirect(url_for("network.attendees", meeting_id=registration.meeting_id))
    if registration is not None:
        return redirect(url_for("network.meeting", meeting_id=registration.meeting_id))
    return redirect(url_for("network.index"))


@bp.route("/aanmelding/<int:registration_id>/aannemen", methods=["POST"])
def accept_own(registration_id: int):
    registration = None
    if ConfirmForm().validate_on_submit():
        registration, _ok = run_service(
            lambda: services.accept_own_offer(db.session, current_user, registration_id),
            _("U heeft de plaats aangenomen. Tot dan!"))
    if registration is not None:
        return redirect(url_for("network.meeting", meeting_id=registration.meeting_id))
    return redirect(url_for("network.index"))


# --- the organiser -----------------------------------------------------------------------------

@bp.route("/bijeenkomsten/<int:meeting_id>/programma", methods=["POST"])
def add_session(meeting_id: int):
    admin = _admin()
    form = SessionForm()
    submit(form, lambda: services.add_session(db.session, admin, meeting_id,
                                              form.starts_at.data, form.ends_at.data,
                                              form.title.data, form.room.data),
           _("Toegevoegd aan het programma."))
    return redirect(url_for("network.meeting", meeting_id=meeting_id))


@bp.route("/programma/<int:session_id>/verwijderen", methods=["POST"])
def remove_session(session_id: int):
    admin = _admin()
    meeting_id = request.form.get("bijeenkomst", type=int)
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.remove_session(db.session, admin, session_id),
                    _("Het programmaonderdeel is verwijderd."))
    if meeting_id:
        return redirect(url_for("network.meeting", meeting_id=meeting_id))
    return redirect(url_for("network.index"))


@bp.route("/bijeenkomsten/<int:meeting_id>/deelnemers")
def attendees(meeting_id: int):
    _admin()
    meeting = _meeting_or_404(meeting_id)
    everyone = services.registrations(db.session, meeting)
    return render_template(
        "network/attendees.html", meeting=meeting,
        counts=services.meeting_counts(db.session, meeting),
        confirmed=[r for r in everyone if r.status == RegistrationStatus.CONFIRMED],
        offered=[r for r in everyone if r.status == RegistrationStatus.OFFERED],
        waiting=[r for r in everyone if r.status == RegistrationStatus.WAITING],
        capacity_form=CapacityForm(capacity=meeting.capacity))


@bp.route("/bijeenkomsten/<int:meeting_id>/plaatsen", methods=["POST"])
def set_capacity(meeting_id: int):
    admin = _admin()
    _meeting_or_404(meeting_id)
    form = CapacityForm()

    def said(offered):
        if offered:
            return _("Aantal plaatsen opgeslagen; %(n)s plaatsen aangeboden aan de wachtlijst.",
                     n=len(offered))
        return _("Aantal plaatsen opgeslagen.")

    submit(form, lambda: services.set_capacity(db.session, admin, meeting_id,
                                               form.capacity.data), said)
    return redirect(url_for("network.attendees", meeting_id=meeting_id))


def _move(registration_id: int, up: bool):
    admin = _admin()
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    meeting_id = registration.meeting_id
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.move_waiting(db.session, admin, registration_id, up), None)
    return redirect(url_for("network.attendees", meeting_id=meeting_id) + "#wachtlijst")


@bp.route("/aanmelding/<int:registration_id>/omhoog", methods=["POST"])
def move_up(registration_id: int):
    return _move(registration_id, True)


@bp.route("/aanmelding/<int:registration_id>/omlaag", methods=["POST"])
def move_down(registration_id: int):
    return _move(registration_id, False)


@bp.route("/bijeenkomsten/<int:meeting_id>/deelnemers.<fmt>")
def export(meeting_id: int, fmt: str):
    _admin()
    if fmt not in ("csv", "xlsx"):
        abort(404)
    meeting = _meeting_or_404(meeting_id)
    body, name, mimetype = attendee_file(
        meeting, services.registrations(db.session, meeting, RegistrationStatus.CONFIRMED,
                                        RegistrationStatus.OFFERED, RegistrationStatus.WAITING),
        fmt)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/bijeenkomsten/<int:meeting_id>/naambadges.pdf")
def badges(meeting_id: int):
    _admin()
    meeting = _meeting_or_404(meeting_id)
    body = badges_pdf(meeting, services.registrations(db.session, meeting,
                                                      RegistrationStatus.CONFIRMED))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="naambadges-{meeting.day.isoformat()}.pdf"',
        "Cache-Control": "no-store"})


@bp.route("/bijeenkomsten/<int:meeting_id>/aanwezig")
def checkin_list(meeting_id: int):
    _admin()
    meeting = _meeting_or_404(meeting_id)
    people = services.registrations(db.session, meeting, RegistrationStatus.CONFIRMED)
    people.sort(key=lambda r: r.name.casefold())
    return render_template("network/checkin.html", meeting=meeting, people=people,
                           present=sum(1 for r in people if r.checked_in_at))


@bp.route("/aanmelding/<int:registration_id>/aanwezig", methods=["POST"])
def check_in(registration_id: int):
    admin = _admin()
    present = request.form.get("aanwezig") == "1"
    registration = None
    if ConfirmForm().validate_on_submit():
        registration, _ok = run_service(
            lambda: services.check_in(db.session, admin, registration_id, present),
            lambda r: (_("%(name)s is aanwezig.", name=r.name) if present
                       else _("%(name)s is niet meer als aanwezig gemeld.", name=r.name)))
    if registration is None:
        return redirect(url_for("network.index"))
    return redirect(url_for("network.checkin_list", meeting_id=registration.meeting_id)
                    + f"#persoon-{registration.id}")


# --- mailed links: no login ------------------------------------------------------------------

def _by_token(token: str):
    try:
        registration = services.registration_by_token(db.session, token)
    except DomainError:
        abort(404)
    return registration, db.session.get(Meeting, registration.meeting_id)


@links.route("/aanmelding/<token>/afmelden", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def cancel(token: str):
    registration, meeting = _by_token(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        run_service(lambda: services.cancel(db.session, registration.id),
                    _("U bent afgemeld. Dank voor het laten weten."))
        registration, meeting = _by_token(token)
    return render_template("network/link.html", kind="cancel", registration=registration,
                           meeting=meeting, form=form)


@links.route("/aanmelding/<token>/aannemen", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def accept(token: str):
    registration, meeting = _by_token(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        run_service(lambda: services.accept_offer(db.session, registration.id),
                    _("U heeft de plaats aangenomen. Tot dan!"))
        registration, meeting = _by_token(token)
    return render_template("network/link.html", kind="accept", registration=registration,
                           meeting=meeting, form=form)


# --- a cooperative joins or leaves -------------------------------------------------------------

@join.route("/", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def cooperative():
    form = ConfirmForm()
    if request.method == "POST":
        action = request.form.get("actie")
        if action == "opzeggen":
            submit(form, lambda: services.leave_network(db.session, g.tenant),
                   _("%(name)s is geen lid meer van het netwerk.", name=g.tenant.name))
        elif action == "benchmark-delen":
            submit(form, lambda: bench.share(db.session, g.tenant),
                   _("%(name)s deelt nu jaarcijfers in de benchmark.", name=g.tenant.name))
        elif action == "benchmark-stoppen":
            submit(form, lambda: bench.stop_sharing(db.session, g.tenant),
                   _("%(name)s deelt geen jaarcijfers meer in de benchmark.",
                     name=g.tenant.name))
        else:
            submit(form, lambda: services.join_network(db.session, g.tenant),
                   _("%(name)s is lid van het netwerk.", name=g.tenant.name))
        return redirect(url_for("network_join.cooperative"))
    row = services.cooperative_membership(db.session, g.tenant.id)
    joined = row is not None and row.left_at is None
    sharing = joined and row.benchmark_since is not None
    result = None
    if sharing:
        # Its own position (the tenant of this request) against the network's distribution.
        result = bench.compute(db.session, Requester("cooperatie", g.tenant.id,
                                                     current_user.id), _year())
        db.session.commit()  # the aggregate reads' audit records
    return render_template("network/cooperative.html", form=form, joined=joined,
                           sharing=sharing, result=result, figures=bench.FIGURES,
                           box=bench.box, years=bench.years(), minimum=bench.MINIMUM)
