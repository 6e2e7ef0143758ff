"""Help request pages: the public page where residents ask for help (no account), the staff
inbox with intake and planning, the week planning, and a participant's own jobs."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from math import ceil

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.customers import services as customer_services
from blueprints.helprequests import services
from blueprints.helprequests.forms import (
    DeclineForm,
    DoneForm,
    FilterForm,
    NotificationForm,
    PlanForm,
    PublicRequestForm,
    RequestForm,
    SettleForm,
    SuggestionDateForm,
    WeekFilterForm,
)
from blueprints.helprequests.models import (
    HelpRequest,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.participants import services as participant_services
from tenants import inputs
from tenants.errors import DomainError, NotFound
from tenants.extensions import db, limiter
from tenants.formatting import format_date
from tenants.mail import send_mail
from tenants.urls import absolute_url
from tenants.models import Role, TenantStatus
from tenants.money import amount_text, parse_money
from tenants.web import (
    allowed_when_read_only,
    current_actor,
    get_or_404,
    page_arg,
    public_tenant_view,
    require_role,
    tenant_blueprint,
)
from tenants.weeks import parse_week, week_key

bp = tenant_blueprint("helprequests", __name__)
log = logging.getLogger(__name__)
THANKS_KEY = "help_request_thanks"
#: The whole public form is a few kilobytes; the app-wide limit (10 MB, for uploads) is far
#: too generous for a page anyone can post to. URL-encoded forms are read at once, so only the
#: body size bounds them.
PUBLIC_FORM_MAX_BYTES = 64 * 1024
VOG_CHOICES = {"": None, "ja": True, "nee": False}  # None: the default for the kind of job


@bp.url_value_preprocessor
def _limit_public_body(endpoint, values):
    # URL value preprocessors run before any before_request hook, so this limit is in place
    # before the CSRF check reads the form: a larger body is refused with 413, unread.
    if endpoint == "helprequests.public_form":
        request.max_content_length = PUBLIC_FORM_MAX_BYTES


def _flash_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _run(action, success: str):
    """Call a service; commit and flash on success, roll back and flash its message if refused."""
    try:
        result = action()
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return None, False
    db.session.commit()
    flash(success, "success")
    return result, True


def _mail(address: str, locale: str | None, subject_fn, template: str, **context) -> None:
    """Send one notification in the recipient's language; a mail failure never breaks a page
    (what it reports on is saved already; the log shows the mail problem)."""
    try:
        with force_locale(locale or "nl"):
            send_mail(address, subject_fn(), template, tenant=g.tenant, **context)
    except Exception:
        log.exception("Sending %s failed", template)


def _show(help_request: HelpRequest, anchor: str = "", **args):
    return redirect(url_for("helprequests.show", help_request_id=help_request.id, **args) + anchor)


# --- the public page -------------------------------------------------------------------------

def _public_data(form: PublicRequestForm) -> services.PublicRequestData:
    return services.PublicRequestData(
        name=form.name.data or "", kind=JobKind(form.kind.data),
        description=form.description.data or "", street=form.street.data,
        postcode=form.postcode.data, city=form.city.data, phone=form.phone.data,
        email=form.email.data, preferred_dates=form.preferred_dates.data,
        idempotency_key=form.idempotency_key.data)


def _thanks(reference: str):
    web_session[THANKS_KEY] = {"tenant": g.tenant.slug, "reference": reference}
    return redirect(url_for("helprequests.public_thanks"))


def _inbox_notice(help_request: HelpRequest):
    """The cooperative's inbox: a short mail to its admins (no personal data in it).

    Everything is read now and the mails leave when the returned function is called (after
    the commit, when the request's objects are expired and the database may be gone)."""
    link = absolute_url("helprequests.show", help_request_id=help_request.id)
    reference = help_request.reference
    kind = services.KIND_LABELS[help_request.kind]
    recipients = [(user.email, user.locale) for user in services.inbox_users(db.session)]

    def send() -> None:
        for email, locale in recipients:
            _mail(email, locale, lambda: _("Nieuwe hulpvraag %(ref)s", ref=reference),
                  "help_request_received", reference=reference, kind=kind, link=link)

    return send


@bp.route("/hulp-vragen", methods=["GET", "POST"])
@public_tenant_view
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def public_form():
    """Open to anyone: shows the cooperative's name and the form, nothing else of the tenant."""
    if g.tenant.status == TenantStatus.READ_ONLY:
        return render_template("helprequests/public_form.html", form=None)
    form = PublicRequestForm()
    if request.method == "POST" and (form.website.data or "").strip():
        # A bot filled in the honeypot: answer exactly as for a real request, keep nothing.
        return _thanks(services.plausible_reference(db.session, date.today()))
    if form.validate_on_submit():
        try:
            help_request = services.receive_request(db.session, current_actor(),
                                                    _public_data(form))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            # The answer is made before the commit: afterwards nothing is read, so a
            # database gone by then cannot turn a stored request into an error page (the
            # resident would send it again). The form's key makes a second send harmless.
            reference, slug = help_request.reference, g.tenant.slug
            thanks = url_for("helprequests.public_thanks")
            tell_inbox = None if help_request.repeated else _inbox_notice(help_request)
            db.session.commit()
            web_session[THANKS_KEY] = {"tenant": slug, "reference": reference}
            if tell_inbox is not None:
                tell_inbox()
            return redirect(thanks)
    elif request.method == "POST":
        _flash_errors(form)
    return render_template("helprequests/public_form.html", form=form), \
        (400 if request.method == "POST" else 200)


@bp.route("/hulp-vragen/bedankt")
@public_tenant_view
def public_thanks():
    data = web_session.get(THANKS_KEY) or {}
    if data.get("tenant") != g.tenant.slug:
        return redirect(url_for("helprequests.public_form"))
    return render_template("helprequests/public_thanks.html", reference=data.get("reference"))


# --- the staff list --------------------------------------------------------------------------

def _filter_from_args() -> tuple[FilterForm, services.RequestFilter]:
    form = FilterForm(request.args)
    form.status.choices = [("", _("Alle"))] + [
        (k.value, v) for k, v in services.STATUS_LABELS.items()]
    form.soort.choices = [("", _("Alle soorten"))] + [
        (k.value, v) for k, v in services.KIND_LABELS.items()]
    form.wijk.choices = [("", _("Alle wijken"))] + [
        (str(n.id), n.name) for n in participant_services.neighbourhoods(db.session)]
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
        source_labels=services.SOURCE_LABELS)


# --- intake by staff -------------------------------------------------------------------------

def _request_form(help_request: HelpRequest | None = None) -> RequestForm:
    form = RequestForm()
    if help_request is not None and help_request.source == Source.WEBSITE:
        form.source.choices = [(Source.WEBSITE.value, services.SOURCE_LABELS[Source.WEBSITE])] \
            + list(form.source.choices)
    customers = [(str(c.id), c.name) for c in customer_services.active_customers(db.session)]
    if help_request is not None and help_request.customer_id \
            and str(help_request.customer_id) not in dict(customers):
        linked = customer_services.get_customer(db.session, help_request.customer_id)
        customers.insert(0, (str(linked.id), _("%(name)s (gearchiveerd)", name=linked.name)))
    form.customer.choices = [("", _("— nog geen klant —"))] + customers
    return form


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
    form = _request_form()
    if form.validate_on_submit():
        try:
            help_request = services.create_request(db.session, current_actor(), _data_from(form))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Hulpvraag %(ref)s is opgeslagen.", ref=help_request.reference), "success")
            return _show(help_request)
    elif request.method == "POST":
        _flash_errors(form)
    return render_template("helprequests/form.html", form=form, help_request=None,
                           neighbourhoods=participant_services.neighbourhoods(db.session)), \
        (400 if request.method == "POST" else 200)


@bp.route("/hulpvragen/<int:help_request_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def edit(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    form = _request_form(help_request)
    if request.method == "GET":
        wijk, _assigned = services.request_detail(db.session, help_request)
        _fill_form(form, help_request, wijk)
    if form.validate_on_submit():
        ok = _run(lambda: services.update_request(db.session, current_actor(), help_request,
                                                  _data_from(form)),
                  _("De hulpvraag is bijgewerkt."))[1]
        if ok:
            return _show(help_request)
    elif request.method == "POST":
        _flash_errors(form)
    return render_template("helprequests/form.html", form=form, help_request=help_request,
                           neighbourhoods=participant_services.neighbourhoods(db.session)), \
        (400 if request.method == "POST" else 200)


# --- the request, its planning and status ----------------------------------------------------

def _suggestion_date(help_request: HelpRequest, today: date) -> date:
    """The date to suggest for: ?datum=, else the planned date, else tomorrow."""
    asked = inputs.arg_date("datum")
    if asked is not None and asked >= today:
        return asked
    if help_request.planned_on and help_request.planned_on >= today:
        return help_request.planned_on
    return today + timedelta(days=1)


def _plan_form(people, assigned) -> PlanForm:
    form = PlanForm()
    known = {p.id: p for p in people}
    known.update({p.id: p for _a, p in assigned})
    choices = [(str(p.id), p.full_name) for p in known.values()]
    form.participants.choices = choices
    form.other.choices = [("", _("— niemand extra —"))] + choices
    return form


@bp.route("/hulpvragen/<int:help_request_id>/")
@require_role(Role.SUPERVISOR)
def show(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    today = date.today()
    wijk, assigned = services.request_detail(db.session, help_request)
    can_plan = RequestStatus.PLANNED in services.TRANSITIONS[help_request.status]
    on = _suggestion_date(help_request, today)
    suggestions = services.suggest(db.session, help_request, on) if can_plan else []
    people = services.plannable_participants(db.session) if can_plan else []
    date_form = SuggestionDateForm(formdata=None, datum=on)
    done_form = DoneForm(formdata=None, done_on=min(today, help_request.planned_on or today))
    customer, punch = _customer_and_punch_card(help_request)
    return render_template(
        "helprequests/show.html", r=help_request, wijk=wijk, assigned=assigned, on=on,
        customer=customer, punch=punch, settle_form=SettleForm(formdata=None),
        is_admin=g.membership.role == Role.ADMIN,
        today=today, can_plan=can_plan, suggestions=suggestions,
        plan_form=_plan_form(people, assigned), date_form=date_form, done_form=done_form,
        decline_form=DeclineForm(formdata=None), status_labels=services.STATUS_LABELS,
        kind_labels=services.KIND_LABELS, source_labels=services.SOURCE_LABELS,
        payer_labels=services.PAYER_LABELS, price_labels=services.PRICE_LABELS,
        can_decline=RequestStatus.DECLINED in services.TRANSITIONS[help_request.status])


def _customer_and_punch_card(help_request: HelpRequest):
    """The linked customer, and for a punch-card job not yet settled: the customer's balance,
    the job's approved minutes and how many entries still wait for approval."""
    if not help_request.customer_id:
        return None, None
    customer = customer_services.get_customer(db.session, help_request.customer_id)
    if help_request.price_agreement != PriceAgreement.PUNCH_CARD \
            or help_request.status in (RequestStatus.INVOICED, RequestStatus.DECLINED):
        return customer, None
    approved, waiting = customer_services.approved_minutes_of(db.session, help_request)
    return customer, {"balance": customer_services.customer_punch_balance(db.session, customer),
                      "approved": approved, "waiting": waiting}


@bp.route("/hulpvragen/<int:help_request_id>/strippenkaart", methods=["POST"])
@require_role(Role.ADMIN)
def settle_punch_card(help_request_id: int):
    """Pay a done punch-card job from the customer's punch cards (admins: it is invoicing)."""
    help_request = get_or_404(HelpRequest, help_request_id)
    if SettleForm().validate_on_submit():
        _run(lambda: customer_services.settle_help_request_with_card(
            db.session, current_actor(), help_request),
            _("De uren van klus %(ref)s zijn van de strippenkaart afgeschreven.",
              ref=help_request.reference))
    else:
        flash(_("Dat lukte niet. Probeer het opnieuw."), "error")
    return _show(help_request, "#strippenkaart")


def _tell_participants(help_request: HelpRequest, people) -> None:
    link = absolute_url("helprequests.my_jobs")
    for user in services.accounts_to_notify(db.session, people):
        _mail(user.email, user.locale,
              lambda: _("U bent ingepland voor klus %(ref)s", ref=help_request.reference),
              "help_request_planned", name=user.name, reference=help_request.reference,
              kind=services.KIND_LABELS[help_request.kind],
              day=format_date(help_request.planned_on), link=link)


@bp.route("/hulpvragen/<int:help_request_id>/plannen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def plan(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    _wijk, assigned = services.request_detail(db.session, help_request)
    form = _plan_form(services.plannable_participants(db.session), assigned)
    on = inputs.to_date(form.planned_on.data)
    if on is None:
        flash(_("Kies eerst de datum van de klus."), "error")
    elif form.validate_on_submit():
        ids = [int(i) for i in form.participants.data or []]
        if form.other.data:
            ids.append(int(form.other.data))
        notify, ok = _run(lambda: services.plan_request(db.session, current_actor(),
                                                        help_request, on, ids),
                          _("De klus is ingepland op %(date)s.", date=format_date(on)))
        if ok:
            _tell_participants(help_request, notify)
    else:
        _flash_errors(form)
    return _show(help_request, "#planning", datum=on.isoformat() if on else None)


@bp.route("/hulpvragen/<int:help_request_id>/uitgevoerd", methods=["POST"])
@require_role(Role.SUPERVISOR)
def mark_done(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    form = DoneForm()
    if form.validate_on_submit():
        _run(lambda: services.mark_done(db.session, current_actor(), help_request,
                                        form.done_on.data),
             _("De klus is als uitgevoerd gemeld."))
    else:
        _flash_errors(form)
    return _show(help_request)


@bp.route("/hulpvragen/<int:help_request_id>/afwijzen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def decline(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    form = DeclineForm()
    if form.validate_on_submit():
        ok = _run(lambda: services.decline_request(db.session, current_actor(), help_request,
                                                   form.reason.data),
                  _("De hulpvraag is afgewezen."))[1]
        if ok and help_request.email:
            # The resident is told why, in Dutch (the language of the public page).
            _mail(help_request.email, "nl",
                  lambda: _("Uw hulpvraag %(ref)s", ref=help_request.reference),
                  "help_request_declined", name=help_request.requester_name,
                  reference=help_request.reference, reason=help_request.decline_reason)
            flash(_("De bewoner krijgt de reden per e-mail."), "info")
    else:
        _flash_errors(form)
    return _show(help_request)


# --- week planning ---------------------------------------------------------------------------

@bp.route("/hulpvragen/week")
@require_role(Role.SUPERVISOR)
def week():
    monday = parse_week(request.args.get("week"), date.today())
    form = WeekFilterForm(request.args)
    form.week.data = week_key(monday)
    form.begeleider.choices = [("", _("Iedereen"))] + [
        (str(u.id), u.name) for u in participant_services.staff(db.session)]
    form.wijk.choices = [("", _("Alle wijken"))] + [
        (str(n.id), n.name) for n in participant_services.neighbourhoods(db.session)]
    days = services.week_planning(db.session, monday, supervisor_id=inputs.arg_id("begeleider"),
                                  neighbourhood_id=inputs.arg_id("wijk"))
    args = {k: v for k, v in request.args.items() if k in ("begeleider", "wijk") and v}
    return render_template(
        "helprequests/week.html", form=form, days=days, monday=monday, args=args,
        previous=week_key(monday - timedelta(days=7)),
        next=week_key(monday + timedelta(days=7)),
        label=week_key(monday), kind_labels=services.KIND_LABELS,
        day_names=[participant_services.DAYS[d] for d in services.WEEKDAYS],
        status_labels=services.STATUS_LABELS, today=date.today())


# --- the participant's own jobs --------------------------------------------------------------

@bp.route("/mijn/klussen")
@require_role(Role.PARTICIPANT)
def my_jobs():
    participant = participant_services.participant_for_user(db.session, current_user)
    jobs = services.jobs_of(db.session, participant) if participant is not None else []
    return render_template("helprequests/mine.html", p=participant, jobs=jobs,
                           form=NotificationForm(formdata=None),
                           kind_labels=services.KIND_LABELS, today=date.today())


@bp.route("/mijn/klussen/meldingen", methods=["POST"])
@require_role(Role.PARTICIPANT)
@allowed_when_read_only
def notifications():
    """Turn e-mail notifications on or off (a setting of the user's own account)."""
    form = NotificationForm()
    if form.validate_on_submit() and form.enabled.data in ("0", "1"):
        enabled = form.enabled.data == "1"
        _run(lambda: services.set_email_notifications(
            db.session, current_actor(), current_user._get_current_object(), enabled),
            _("U krijgt weer een e-mail als u wordt ingepland.") if enabled
            else _("U krijgt geen e-mail meer als u wordt ingepland."))
    else:
        flash(_("Dat lukte niet. Probeer het opnieuw."), "error")
    return redirect(url_for("helprequests.my_jobs"))
