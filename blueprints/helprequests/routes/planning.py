"""One request's page with its planning and status (plan, done, decline; settling from a punch
card is a section of blueprints.punchcards), and the week planning."""
from __future__ import annotations

from datetime import date, timedelta

from flask import flash, g, render_template, request
from flask_babel import gettext as _

from blueprints.customers import services as customer_services
from blueprints.helprequests import services
from blueprints.helprequests.forms import (
    DURATIONS,
    DeclineForm,
    DoneForm,
    PlanForm,
    SuggestionDateForm,
    WeekFilterForm,
)
from blueprints.helprequests.models import HelpRequest, RequestStatus
from blueprints.helprequests.routes.blueprint import _mail, _show, bp
from blueprints.participants import services as participant_services
from tenants import inputs, sections
from tenants.extensions import db
from tenants.formatting import format_date
from tenants.models import Role
from tenants.urls import absolute_url
from tenants.weeks import parse_week, week_key
from tenants.web import (
    current_actor,
    flash_form_errors,
    get_or_404,
    require_role,
    run_service,
    submit,
)


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
    form.duration.choices = [("", _("— niet gezegd —"))] + [
        (str(m), services.duration_text(m)) for m in DURATIONS]
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
    customer = customer_services.get_customer(db.session, help_request.customer_id) \
        if help_request.customer_id else None
    is_admin = g.membership.role == Role.ADMIN
    plan_form = _plan_form(people, assigned)
    plan_form.planned_at.data = help_request.planned_at  # planning again keeps time and length
    plan_form.duration.data = str(help_request.duration_minutes or "")
    return render_template(
        "helprequests/show.html", duration_text=services.duration_text, r=help_request, wijk=wijk, assigned=assigned, on=on,
        customer=customer, is_admin=is_admin, sections=sections.help_request_page.render(
            help_request=help_request, customer=customer, is_admin=is_admin),
        today=today, can_plan=can_plan, suggestions=suggestions,
        plan_form=plan_form, date_form=date_form, done_form=done_form,
        decline_form=DeclineForm(formdata=None), status_labels=services.STATUS_LABELS,
        kind_labels=services.KIND_LABELS, source_labels=services.SOURCE_LABELS,
        payer_labels=services.PAYER_LABELS, price_labels=services.PRICE_LABELS,
        can_decline=RequestStatus.DECLINED in services.TRANSITIONS[help_request.status])


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
        minutes = int(form.duration.data) if form.duration.data else None
        notify, ok = run_service(lambda: services.plan_request(
            db.session, current_actor(), help_request, on, ids, at=form.planned_at.data,
            minutes=minutes),
                                 _("De klus is ingepland op %(date)s.", date=format_date(on)))
        if ok:
            _tell_participants(help_request, notify)
    else:
        flash_form_errors(form)
    return _show(help_request, "#planning", datum=on.isoformat() if on else None)


@bp.route("/hulpvragen/<int:help_request_id>/uitgevoerd", methods=["POST"])
@require_role(Role.SUPERVISOR)
def mark_done(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    form = DoneForm()
    submit(form, lambda: services.mark_done(db.session, current_actor(), help_request,
                                            form.done_on.data),
           _("De klus is als uitgevoerd gemeld."))
    return _show(help_request)


@bp.route("/hulpvragen/<int:help_request_id>/afwijzen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def decline(help_request_id: int):
    help_request = get_or_404(HelpRequest, help_request_id)
    form = DeclineForm()
    if form.validate_on_submit():
        ok = run_service(lambda: services.decline_request(db.session, current_actor(),
                                                          help_request, form.reason.data),
                         _("De hulpvraag is afgewezen."))[1]
        if ok and help_request.email:
            # The resident is told why, in Dutch (the language of the public page).
            _mail(help_request.email, "nl",
                  lambda: _("Uw hulpvraag %(ref)s", ref=help_request.reference),
                  "help_request_declined", name=help_request.requester_name,
                  reference=help_request.reference, reason=help_request.decline_reason)
            flash(_("De bewoner krijgt de reden per e-mail."), "info")
    else:
        flash_form_errors(form)
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
