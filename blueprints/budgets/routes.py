"""Training budget pages.

GET       /<tenant>/budgetten/                                   all budgets and the pool
                                                                 (supervisors+)
GET       /<tenant>/budgetten/deelnemer/<id>                     one budget, its entries, courses
POST      /<tenant>/budgetten/deelnemer/<id>/voorstellen         propose a course (supervisors+)
GET       /<tenant>/budgetten/mijn                               the participant's own budget
GET/POST  /<tenant>/budgetten/mijn/cursus-aanvragen              the participant asks for a course
GET       /<tenant>/budgetten/cursussen                          the course catalogue (supervisors+)
GET/POST  /<tenant>/budgetten/cursussen/nieuw, /<id>/bewerken    add / edit a course (admins)
GET       /<tenant>/budgetten/voorstellen                        proposals waiting (supervisors+)
POST      /<tenant>/budgetten/voorstellen/<id>/goedkeuren|afwijzen   decide (admins)
POST      /<tenant>/budgetten/voorstellen/<id>/intrekken         withdraw (supervisors+)
GET/POST  /<tenant>/budgetten/instellingen                       the allocation rule (admins)
GET       /<tenant>/budgetten/export?jaar=2026&formaat=csv|xlsx  yearly overview (admins; also
          ?year=2026&format=csv|xlsx)
"""
from __future__ import annotations

from datetime import date
from math import ceil

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.budgets import lists, services
from blueprints.budgets import models  # noqa: F401  (registers the tables)
from blueprints.budgets.forms import (
    ApproveForm,
    ButtonForm,
    CourseForm,
    DeclineForm,
    PolicyForm,
    ProposeForm,
    RequestForm,
)
from blueprints.budgets.models import AllocationMode, Course, CourseEnrolment
from blueprints.participants import services as participant_services
from blueprints.participants.models import Participant
from tenants import inputs
from tenants.extensions import db
from tenants.models import Role
from tenants.formatting import format_money
from tenants.money import amount_text
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

bp = tenant_blueprint("budgets", __name__, url_prefix="/budgetten")

MIMETYPES = {"csv": "text/csv",  # Werkzeug adds "; charset=utf-8" (once)
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FIRST_YEAR = 2000


def _year_arg() -> int:
    this_year = date.today().year
    return inputs.to_int(request.args.get("jaar") or request.args.get("year"),
                         min_value=FIRST_YEAR, max_value=this_year + 1) or this_year


def _is_admin() -> bool:
    from flask import g

    return g.membership is not None and g.membership.role.rank >= Role.ADMIN.rank


def _labels() -> dict:
    return dict(kind_labels=services.KIND_LABELS, status_labels=services.STATUS_LABELS,
                mode_labels=services.MODE_LABELS)


# --- all budgets -------------------------------------------------------------------------

@bp.route("/")
@require_role(Role.SUPERVISOR)
def index():
    year, page = _year_arg(), page_arg()
    q = inputs.arg_text("q") or ""
    rows, total = lists.overview(db.session, year, page=page, q=q or None)
    policy = services.get_policy(db.session)
    args = {k: v for k, v in (("jaar", year), ("q", q)) if v}
    return render_template(
        "budgets/index.html", rows=rows, total=total, page=page,
        pages=max(1, ceil(total / services.PAGE_SIZE)), args=args, year=year, q=q,
        years=list(range(date.today().year, date.today().year - 6, -1)),
        pool=lists.pool_balance(db.session), policy_text=services.policy_summary(policy),
        waiting=lists.waiting_total(db.session), is_admin=_is_admin())


# --- one participant ---------------------------------------------------------------------

def _propose_form() -> ProposeForm:
    form = ProposeForm()
    form.course.choices = [("", _("— kies een cursus —"))] + [
        (str(c.id), f"{c.title} · {c.provider}") for c in services.courses(db.session, True)]
    return form


def _participant_page(participant: Participant, form: ProposeForm, status: int = 200):
    account, balance, entries, total = lists.statement(db.session, participant.id, page_arg())
    return render_template(
        "budgets/participant.html", p=participant, balance=balance, entries=entries,
        total=total, page=page_arg(), pages=max(1, ceil(total / services.PAGE_SIZE)),
        enrolments=lists.enrolments_of(db.session, participant.id), form=form,
        approve_form=ApproveForm(), decline_form=DeclineForm(), button_form=ButtonForm(),
        is_admin=_is_admin(), **_labels()), status


@bp.route("/deelnemer/<int:participant_id>")
@require_role(Role.SUPERVISOR)
def participant(participant_id: int):
    person = get_or_404(Participant, participant_id)
    participant_services.record_view(db.session, current_actor(), person, "budget")
    db.session.commit()
    return _participant_page(person, _propose_form())


@bp.route("/deelnemer/<int:participant_id>/voorstellen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def propose(participant_id: int):
    person = get_or_404(Participant, participant_id)
    form = _propose_form()
    if form.validate_on_submit():
        course = get_or_404(Course, form.course.data)
        _done, ok = run_service(lambda: services.propose_course(
            db.session, current_actor(), person, course, form.motivation.data,
            form.starts_on.data), _("De cursus is voorgesteld. Een beheerder beslist erover."))
        if ok:
            return redirect(url_for("budgets.participant", participant_id=person.id))
    else:
        flash_form_errors(form)
    return _participant_page(person, form, 400)


# --- the participant's own budget --------------------------------------------------------

@bp.route("/mijn")
@require_role(Role.PARTICIPANT)
def mine():
    person = participant_services.participant_for_user(db.session, current_user)
    account = balance = entries = total = None
    enrolments = []
    if person is not None:
        account, balance, entries, total = lists.statement(db.session, person.id, page_arg())
        enrolments = lists.enrolments_of(db.session, person.id)
    return render_template(
        "budgets/mine.html", p=person, balance=balance or 0, entries=entries or [],
        total=total or 0, page=page_arg(), pages=max(1, ceil((total or 0) / services.PAGE_SIZE)),
        enrolments=enrolments, **_labels())


def _request_form() -> RequestForm:
    form = RequestForm()
    form.course.choices = [("", _("— kies een cursus —"))] + [
        (str(c.id), f"{c.title} · {c.provider} · {format_money(c.cost_cents)}")
        for c in services.courses(db.session, True)]
    return form


@bp.route("/mijn/cursus-aanvragen", methods=["GET", "POST"])
@require_role(Role.PARTICIPANT)
def request_course():
    """The catalogue for a participant, and a request for one course (an admin decides)."""
    person = participant_services.participant_for_user(db.session, current_user)
    if person is None:
        return redirect(url_for("budgets.mine"))
    form = _request_form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            course = get_or_404(Course, form.course.data)
            _done, ok = run_service(lambda: services.request_course(
                db.session, current_actor(), person, course, form.motivation.data),
                _("Uw aanvraag is verstuurd. Een beheerder beslist erover; u ziet het besluit "
                  "onder ‘Mijn cursussen’."))
            if ok:
                return redirect(url_for("budgets.mine") + "#cursussen-kop")
        else:
            flash_form_errors(form)
        status = 400
    balance = lists.participant_balances(db.session, [person.id]).get(person.id, 0)
    return render_template("budgets/request.html", form=form, p=person, balance=balance,
                           courses=services.courses(db.session, True)), status


# --- the course catalogue ----------------------------------------------------------------

@bp.route("/cursussen")
@require_role(Role.SUPERVISOR)
def courses():
    return render_template("budgets/courses.html", courses=services.courses(db.session),
                           is_admin=_is_admin())


def _course_data(form: CourseForm) -> services.CourseData:
    return services.CourseData(
        provider=form.provider.data, title=form.title.data, cost=form.cost.data,
        description=form.description.data, hours=form.hours.data,
        leads_to_certificate=form.leads_to_certificate.data,
        leads_to_praktijkverklaring=form.leads_to_praktijkverklaring.data,
        active=form.active.data)


def _course_form_page(form: CourseForm, course: Course | None):
    if form.validate_on_submit():
        action = (lambda: services.update_course(db.session, current_actor(), course,
                                                 _course_data(form))) if course else \
            (lambda: services.create_course(db.session, current_actor(), _course_data(form)))
        _done, ok = run_service(action, _("De cursus is opgeslagen."))
        if ok:
            return redirect(url_for("budgets.courses"))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("budgets/course_form.html", form=form, course=course), \
        (400 if request.method == "POST" else 200)


@bp.route("/cursussen/nieuw", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def course_new():
    return _course_form_page(CourseForm(), None)


@bp.route("/cursussen/<int:course_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def course_edit(course_id: int):
    course = get_or_404(Course, course_id)
    form = CourseForm(obj=course if request.method == "GET" else None)
    if request.method == "GET":
        form.cost.data = amount_text(course.cost_cents)
        form.hours.data = str(course.hours) if course.hours is not None else ""
    return _course_form_page(form, course)


# --- proposals and decisions -------------------------------------------------------------

@bp.route("/voorstellen")
@require_role(Role.SUPERVISOR)
def proposals():
    page = page_arg()
    rows, total = lists.proposals(db.session, page)
    return render_template(
        "budgets/proposals.html", rows=rows, total=total, page=page,
        pages=max(1, ceil(total / services.PAGE_SIZE)), pool=lists.pool_balance(db.session),
        approve_form=ApproveForm(), decline_form=DeclineForm(), button_form=ButtonForm(),
        is_admin=_is_admin(), **_labels())


def _back(enrolment: CourseEnrolment):
    if request.form.get("terug") == "deelnemer":
        return redirect(url_for("budgets.participant", participant_id=enrolment.participant_id)
                        + "#cursussen")
    return redirect(url_for("budgets.proposals"))


@bp.route("/voorstellen/<int:enrolment_id>/goedkeuren", methods=["POST"])
@require_role(Role.ADMIN)
def approve(enrolment_id: int):
    enrolment = get_or_404(CourseEnrolment, enrolment_id)
    form = ApproveForm()
    source = form.source.data if request.form.get("source") else \
        ("pool" if form.from_pool.data else "budget")
    submit(form, lambda: services.approve_enrolment(db.session, current_actor(), enrolment,
                                                    source=source),
           {"budget": _("De cursus is goedgekeurd en van het budget afgeboekt."),
            "pool": _("De cursus is goedgekeurd en uit de gezamenlijke pot betaald."),
            "split": _("De cursus is goedgekeurd en betaald uit het budget, aangevuld uit de "
                       "pot.")}.get(source, ""))
    return _back(enrolment)


@bp.route("/voorstellen/<int:enrolment_id>/afwijzen", methods=["POST"])
@require_role(Role.ADMIN)
def decline(enrolment_id: int):
    enrolment = get_or_404(CourseEnrolment, enrolment_id)
    form = DeclineForm()
    submit(form, lambda: services.decline_enrolment(db.session, current_actor(), enrolment,
                                                    form.reason.data),
           _("Het voorstel is afgewezen."))
    return _back(enrolment)


@bp.route("/voorstellen/<int:enrolment_id>/annuleren", methods=["POST"])
@require_role(Role.ADMIN)
def cancel(enrolment_id: int):
    enrolment = get_or_404(CourseEnrolment, enrolment_id)
    form = DeclineForm()
    submit(form, lambda: services.cancel_enrolment(db.session, current_actor(), enrolment,
                                                   form.reason.data),
           _("De cursus is geannuleerd; de kosten staan weer op het budget."))
    return _back(enrolment)


@bp.route("/voorstellen/<int:enrolment_id>/intrekken", methods=["POST"])
@require_role(Role.SUPERVISOR)
def withdraw(enrolment_id: int):
    enrolment = get_or_404(CourseEnrolment, enrolment_id)
    if ButtonForm().validate_on_submit():
        run_service(lambda: services.withdraw_enrolment(db.session, current_actor(), enrolment),
                    _("Het voorstel is ingetrokken."))
    else:
        flash(_("Het formulier is verlopen. Probeer het opnieuw."), "error")
    return _back(enrolment)


# --- the allocation rule -----------------------------------------------------------------

@bp.route("/instellingen", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def settings():
    policy = services.get_policy(db.session)
    form = PolicyForm()
    if request.method == "GET":
        form.mode.data = policy.mode.value
        form.percentage.data = "" if policy.percentage is None else str(policy.percentage)
        form.per_hour.data = "" if policy.cents_per_hour is None else \
            amount_text(policy.cents_per_hour)
        form.pool_share.data = str(policy.pool_share_percent or 0)
        form.unspent.data = policy.unspent_on_end.value
    if form.validate_on_submit():
        _done, ok = run_service(lambda: services.save_policy(
            db.session, current_actor(), mode=form.mode.data, percentage=form.percentage.data,
            per_hour=form.per_hour.data, pool_share_percent=form.pool_share.data,
            unspent_on_end=form.unspent.data), _("De regel is opgeslagen."))
        if ok:
            return redirect(url_for("budgets.settings"))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("budgets/settings.html", form=form, policy=policy,
                           summary=services.policy_summary(policy),
                           percentage_mode=AllocationMode.PERCENTAGE.value), \
        (400 if request.method == "POST" else 200)


# --- the yearly overview -----------------------------------------------------------------

@bp.route("/export")
@require_role(Role.ADMIN)
def export():
    fmt = request.args.get("formaat") or request.args.get("format") or "csv"
    if fmt not in MIMETYPES:
        abort(404)
    year = _year_arg()
    body = lists.export_yearly(db.session, current_actor(), year, fmt)
    db.session.commit()
    return Response(body, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="opleidingsbudgetten-{year}.{fmt}"'})

