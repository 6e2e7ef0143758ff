"""Trajectory pages: start, the trajectory file, status, goals, evaluations, outcome, agreement;
and the participant's own page."""
from __future__ import annotations

from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from blueprints.participants import services as participant_services
from blueprints.trajectories import attention, services
from blueprints.trajectories.forms import (
    AgreementForm,
    EvaluationForm,
    ExtendForm,
    GoalForm,
    GoalNoteForm,
    OutcomeForm,
    PlanEvaluationForm,
    StatusForm,
    TrajectoryForm,
)
from blueprints.trajectories.models import Funding, Outcome, TrajectoryKind, TrajectoryStatus
from tenants import inputs, sections
from tenants.errors import DomainError, NotFound
from tenants.extensions import db
from tenants.formatting import format_date
from tenants.models import Role
from tenants.web import (
    current_actor,
    flash_form_errors,
    page_arg,
    require_role,
    run_service,
    submit,
    tenant_blueprint,
)

bp = tenant_blueprint("trajectories", __name__)


def _load(trajectory_id: int):
    try:
        return services.get_trajectory(db.session, trajectory_id)
    except NotFound:
        abort(404)



def _back(trajectory, anchor: str = ""):
    return redirect(url_for("trajectories.show", trajectory_id=trajectory.id) + anchor)


def _back_to_list(value: str | None):
    """After an action from the list: back to the list with the same filter (only a known
    filter value is put in the URL)."""
    try:
        wanted = attention.Attention(value) if value and value != "alle" else None
    except ValueError:
        wanted = None
    return redirect(url_for("trajectories.index", aandacht=wanted.value if wanted else None))


# --- the list and its action list ------------------------------------------------------------

@bp.route("/trajecten/")
@require_role(Role.SUPERVISOR)
def index():
    value = request.args.get("aandacht") or None
    try:
        wanted = attention.Attention(value) if value else None
    except ValueError:
        abort(404)
    user = current_user if request.args.get("mijn") else None
    today = date.today()
    rows, total = attention.trajectory_list(db.session, wanted, today, user, page_arg())
    return render_template(
        "trajectories/index.html", rows=rows, total=total, page=page_arg(),
        per_page=attention.PAGE_SIZE, wanted=wanted, mine=bool(user),
        counts=attention.attention_counts(db.session, today, user), labels=attention.LABELS,
        outcome_choices=[(k.value, str(v)) for k, v in services.OUTCOME_LABELS.items()],
        choose=_("— kies —"), today_iso=today.isoformat(),
        kind_labels=services.KIND_LABELS, status_labels=services.STATUS_LABELS, today=today)


@bp.route("/trajecten/<int:trajectory_id>/verlengen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def extend(trajectory_id: int):
    trajectory = _load(trajectory_id)
    form = ExtendForm()
    ok = submit(form, lambda: services.extend_trajectory(
        db.session, current_actor(), trajectory, form.planned_end_on.data, form.reason.data),
        lambda t: _("Het traject loopt nu tot %(date)s.", date=format_date(t.planned_end_on)))
    if form.aandacht.data:
        return _back_to_list(form.aandacht.data)
    return _back(trajectory, "#verlengen" if not ok else "")


# --- start and edit --------------------------------------------------------------------------

def _trajectory_form(obj=None, payer: int | None = None) -> TrajectoryForm:
    form = TrajectoryForm(obj=obj)
    form.payer.choices = [("", _("Volgens de inzetorganisatie (of niemand)"))] + [
        (str(i), name) for i, name in participant_services.payer_options(db.session, payer)]
    form.host.choices = [("", _("De coöperatie zelf"))] + [
        (str(h.id), h.name) for h in participant_services.hosts(db.session)]
    form.job_coach.choices = [("", _("— nog niemand —"))] + [
        (str(u.id), u.name) for u in participant_services.staff(db.session)]
    return form


def _parse_build_up(text: str | None):
    steps = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        day, _sep, hours = part.partition("=")
        on = inputs.to_date(day)
        if on is None:
            raise DomainError(_("Schrijf de opbouw als datum=uren, bijvoorbeeld 2026-03-01=16."))
        steps.append((on, hours.strip()))
    return steps


def _data_from(form: TrajectoryForm) -> services.TrajectoryData:
    return services.TrajectoryData(
        kind=TrajectoryKind(form.kind.data), starts_on=form.starts_on.data,
        hours_per_week=form.hours_per_week.data, funding=Funding(form.funding.data),
        planned_end_on=form.planned_end_on.data,
        host_organisation_id=int(form.host.data) if form.host.data else None,
        host_supervisor_name=form.host_supervisor_name.data,
        host_supervisor_contact=form.host_supervisor_contact.data,
        job_coach_id=int(form.job_coach.data) if form.job_coach.data else None,
        build_up=_parse_build_up(form.build_up.data),
        payer_customer_id=int(form.payer.data) if form.payer.data else None)


@bp.route("/trajecten/nieuw", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def create():
    participant_id = inputs.arg_id("deelnemer")
    if participant_id is None:
        abort(404)
    try:
        participant = participant_services.get_participant(db.session, participant_id)
    except NotFound:
        abort(404)
    form = _trajectory_form()
    if request.method == "GET":
        form.job_coach.data = str(participant.supervisor_id or current_user.id)
        form.starts_on.data = date.today()
    if form.validate_on_submit():
        trajectory, ok = run_service(lambda: services.create_trajectory(
            db.session, current_actor(), participant, _data_from(form)),
            _("Het traject is aangemaakt (status: intake)."))
        if ok:
            return redirect(url_for("trajectories.show", trajectory_id=trajectory.id))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("trajectories/form.html", form=form, participant=participant,
                           trajectory=None), (400 if request.method == "POST" else 200)


@bp.route("/trajecten/<int:trajectory_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def edit(trajectory_id: int):
    trajectory = _load(trajectory_id)
    participant = services.participant_of(db.session, trajectory)
    form = _trajectory_form(obj=trajectory if request.method == "GET" else None,
                            payer=trajectory.payer_customer_id)
    if request.method == "GET":
        form.kind.data = trajectory.kind.value
        form.funding.data = trajectory.funding.value
        form.host.data = str(trajectory.host_organisation_id or "")
        form.payer.data = str(trajectory.payer_customer_id or "")
        form.job_coach.data = str(trajectory.job_coach_id or "")
        form.hours_per_week.data = str(trajectory.hours_per_week).replace(".", ",")
        form.build_up.data = ", ".join(f"{s['from']}={s['hours']}" for s in trajectory.build_up or [])
    if form.validate_on_submit():
        _result, ok = run_service(lambda: services.update_trajectory(
            db.session, current_actor(), trajectory, _data_from(form)),
            _("Het traject is bijgewerkt."))
        if ok:
            return _back(trajectory)
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("trajectories/form.html", form=form, participant=participant,
                           trajectory=trajectory), (400 if request.method == "POST" else 200)


# --- the trajectory file ---------------------------------------------------------------------

_BLANK_FORMS: dict[tuple[str, date], dict[str, Markup]] = {}


def _blank_forms(today: date) -> dict[str, Markup]:
    """The fields of the trajectory page's forms (agreement, goal, evaluation, plan, extend,
    outcome), rendered once per language and day (the outcome date starts at today): a GET
    shows them without data or errors (a refused POST redirects back to the page), and
    building and rendering them on each view was a large share of its CPU. The page shows
    those its status allows."""
    key = (str(get_locale()), today)
    html = _BLANK_FORMS.get(key)
    if html is None:
        outcome_form = OutcomeForm(formdata=None)
        outcome_form.outcome_on.data = today
        forms = {"agreement_form": AgreementForm(formdata=None),
                 "goal_form": GoalForm(formdata=None),
                 "evaluation_form": EvaluationForm(formdata=None),
                 "plan_form": PlanEvaluationForm(formdata=None),
                 "extend_form": ExtendForm(formdata=None), "outcome_form": outcome_form}
        made = current_app.jinja_env.get_template(
            "trajectories/_blank_forms.html").make_module(forms)
        if len(_BLANK_FORMS) > 16:  # yesterday's are never asked again
            _BLANK_FORMS.clear()
        html = _BLANK_FORMS[key] = {
            name: Markup(getattr(made, name)())
            for name in ("agreement", "goal", "evaluation", "plan", "extend", "outcome")}
    return html


@bp.route("/trajecten/<int:trajectory_id>/")
@require_role(Role.SUPERVISOR)
def show(trajectory_id: int):
    try:
        file = services.trajectory_file(db.session, trajectory_id)
    except NotFound:
        abort(404)
    trajectory, participant, host, coach = (file.trajectory, file.participant, file.host,
                                            file.coach)
    participant_services.record_view(db.session, current_actor(), participant, "trajectory")
    evaluations = services.evaluations_of(db.session, trajectory)
    open_evaluation = next((e for e in reversed(evaluations) if e.held_on is None), None)
    can_end = TrajectoryStatus.ENDED in services.TRANSITIONS[trajectory.status]
    # The blank forms' fields are the same on every view in a language on a day (_blank_forms);
    # the template writes the CSRF token and the open evaluation's id.
    # Rendered before the commit that stores the view in the audit log: a commit expires every
    # loaded object, and the page would reload each one (a statement per object, and a page
    # that fails after its data was read). A failed commit shows nothing.
    html = render_template(
        "trajectories/show.html", t=trajectory, p=participant, host=host, coach=coach,
        payer=participant_services.payer_name(db.session, trajectory.payer_customer_id),
        warnings=services.warnings(db.session, trajectory, participant, host=host,
                                   evaluations=evaluations),
        history=services.history(db.session, trajectory),
        goals=services.goals_of(db.session, trajectory), evaluations=evaluations,
        open_evaluation=open_evaluation, next_statuses=sorted(
            (s for s in services.TRANSITIONS[trajectory.status] if s != TrajectoryStatus.ENDED),
            key=lambda s: s.value),
        can_end=can_end, agreed_now=services.agreed_hours_on(trajectory, date.today()),
        blank_forms=_blank_forms(date.today()),
        kind_labels=services.KIND_LABELS, status_labels=services.STATUS_LABELS,
        status_by_value={k.value: v for k, v in services.STATUS_LABELS.items()},
        funding_labels=services.FUNDING_LABELS, outcome_labels=services.OUTCOME_LABELS,
        ladder=services.LADDER, today=date.today())
    db.session.commit()
    return html


@bp.route("/trajecten/<int:trajectory_id>/status", methods=["POST"])
@require_role(Role.SUPERVISOR)
def change_status(trajectory_id: int):
    trajectory = _load(trajectory_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(trajectory)
    try:
        to = TrajectoryStatus(form.status.data)
    except ValueError:
        flash(_("Onbekende status."), "error")
        return _back(trajectory)
    run_service(lambda: services.change_status(db.session, current_actor(), trajectory, to,
                                        form.note.data),
         _("De status is nu: %(status)s.", status=services.STATUS_LABELS[to]))
    return _back(trajectory)


@bp.route("/trajecten/<int:trajectory_id>/afronden", methods=["POST"])
@require_role(Role.SUPERVISOR)
def end(trajectory_id: int):
    trajectory = _load(trajectory_id)
    form = OutcomeForm()
    submit(form, lambda: services.end_trajectory(
        db.session, current_actor(), trajectory, Outcome(form.outcome.data),
        form.outcome_on.data, form.hours.data, form.contract.data, form.note.data),
        _("Het traject is afgerond."))
    if form.aandacht.data:
        return _back_to_list(form.aandacht.data)
    return _back(trajectory, "#afronden")


@bp.route("/trajecten/<int:trajectory_id>/doelen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def add_goal(trajectory_id: int):
    trajectory = _load(trajectory_id)
    form = GoalForm()
    submit(form, lambda: services.add_goal(db.session, current_actor(), trajectory,
                                           form.title.data, form.description.data,
                                           form.level.data),
           _("Het leerdoel is toegevoegd."))
    return _back(trajectory, "#doelen")


@bp.route("/trajecten/<int:trajectory_id>/doelen/<int:goal_id>/voortgang", methods=["POST"])
@require_role(Role.SUPERVISOR)
def goal_progress(trajectory_id: int, goal_id: int):
    trajectory = _load(trajectory_id)
    form = GoalNoteForm()
    submit(form, lambda: services.add_goal_note(
        db.session, current_actor(), services.get_goal(db.session, trajectory, goal_id),
        form.text.data, form.level.data or None, form.achieved.data),
        _("De voortgang is vastgelegd."))
    return _back(trajectory, "#doelen")


@bp.route("/trajecten/<int:trajectory_id>/evaluaties/plannen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def plan_evaluation(trajectory_id: int):
    trajectory = _load(trajectory_id)
    form = PlanEvaluationForm()
    if submit(form, lambda: services.plan_evaluation(db.session, current_actor(), trajectory,
                                                     form.planned_on.data),
              _("De evaluatie is gepland.")):
        _warn_after_end(trajectory, form.planned_on.data)
    return _back(trajectory, "#evaluaties")


def _warn_after_end(trajectory, planned_on) -> None:
    message = services.evaluation_after_end(trajectory, planned_on)
    if message:
        flash(message, "warning")


@bp.route("/trajecten/<int:trajectory_id>/evaluaties", methods=["POST"])
@require_role(Role.SUPERVISOR)
def record_evaluation(trajectory_id: int):
    trajectory = _load(trajectory_id)
    form = EvaluationForm()
    if form.validate_on_submit():
        evaluation_id = inputs.to_id(form.evaluation_id.data)
        _result, ok = run_service(lambda: services.record_evaluation(
            db.session, current_actor(), trajectory, evaluation_id, form.held_on.data,
            form.ladder_step.data, form.summary.data, form.next_on.data),
            _("De evaluatie is vastgelegd."))
        if ok:
            _warn_after_end(trajectory, form.next_on.data)
    else:
        flash_form_errors(form)
    return _back(trajectory, "#evaluaties")


# --- agreement -------------------------------------------------------------------------------

def _pdf_response(data: bytes, filename: str, inline: bool = True) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "no-store"})


def _storage_root():
    from tenants.storage import uploads_root

    return uploads_root(current_app.instance_path)


@bp.route("/trajecten/<int:trajectory_id>/overeenkomst.pdf")
@require_role(Role.SUPERVISOR)
def agreement_pdf(trajectory_id: int):
    from blueprints.trajectories.agreements import agreement_for

    trajectory = _load(trajectory_id)
    participant_services.record_view(db.session, current_actor(),
                                     services.participant_of(db.session, trajectory), "agreement")
    db.session.commit()
    return _pdf_response(agreement_for(db.session, trajectory),
                         f"overeenkomst-{trajectory.id}.pdf")


@bp.errorhandler(413)
def upload_too_large(exc):
    """An upload above the request limit: say so on the page it came from."""
    flash(_("Het bestand is te groot: hoogstens %(mb)s MB.",
            mb=current_app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)), "error")
    trajectory_id = (request.view_args or {}).get("trajectory_id")
    if trajectory_id is not None:
        return redirect(url_for("trajectories.show", trajectory_id=trajectory_id,
                                tenant_slug=g.tenant_slug) + "#overeenkomst")
    return redirect(url_for("dashboard.index", tenant_slug=g.tenant_slug))


@bp.route("/trajecten/<int:trajectory_id>/overeenkomst", methods=["POST"])
@require_role(Role.SUPERVISOR)
def sign_agreement(trajectory_id: int):
    from blueprints.trajectories.agreements import record_signed_agreement

    trajectory = _load(trajectory_id)
    form = AgreementForm()
    if form.validate_on_submit():
        upload = form.scan.data
        limit = current_app.config["MAX_UPLOAD_BYTES"]
        # Read one byte past the limit: enough to refuse it, never more in memory.
        data = upload.read(limit + 1) if upload and getattr(upload, "filename", "") else None
        run_service(lambda: record_signed_agreement(
            db.session, current_actor(), trajectory, form.signed_on.data, data,
            _storage_root(), current_app.config["MAX_UPLOAD_BYTES"]),
            _("De ondertekening is vastgelegd."))
    else:
        flash_form_errors(form)
    return _back(trajectory, "#overeenkomst")


@bp.route("/trajecten/<int:trajectory_id>/overeenkomst-getekend.pdf")
@require_role(Role.SUPERVISOR)
def signed_agreement(trajectory_id: int):
    from blueprints.trajectories.agreements import signed_scan

    trajectory = _load(trajectory_id)
    try:
        data = signed_scan(db.session, trajectory, _storage_root())
    except NotFound:
        abort(404)
    participant_services.record_view(db.session, current_actor(),
                                     services.participant_of(db.session, trajectory),
                                     "signed agreement")
    db.session.commit()
    # Uploaded content: offered as a download, never rendered in our origin.
    return _pdf_response(data, f"overeenkomst-{trajectory.id}-getekend.pdf", inline=False)


# --- the participant's own page ------------------------------------------------------------

@bp.route("/mijn")
@require_role(Role.PARTICIPANT)
def my_page():
    participant = participant_services.participant_for_user(db.session, current_user)
    trajectories, goals, upcoming = [], {}, None
    if participant is not None:
        trajectories = services.trajectories_of(db.session, participant)
        for t in trajectories:
            goals[t.id] = services.goals_of(db.session, t)
        planned = [e for t in trajectories for e in services.evaluations_of(db.session, t)
                   if e.held_on is None and e.planned_on >= date.today()]
        upcoming = min(planned, key=lambda e: e.planned_on) if planned else None
    # sections of the features above (the municipality: with whom progress is shared)
    my_sections = sections.my_page.render(participant=participant, today=date.today()) \
        if participant is not None else []
    return render_template("trajectories/mine.html", p=participant, trajectories=trajectories,
                           sections=my_sections,
                           goals=goals, upcoming=upcoming, kind_labels=services.KIND_LABELS,
                           status_labels=services.STATUS_LABELS,
                           outcome_labels=services.OUTCOME_LABELS,
                           # the budgets feature registers its page when it is installed
                           has_budget_page="budgets.mine" in current_app.view_functions)


@bp.route("/mijn/overeenkomst/<int:trajectory_id>.pdf")
@require_role(Role.PARTICIPANT)
def my_agreement(trajectory_id: int):
    from blueprints.trajectories.agreements import agreement_for

    participant = participant_services.participant_for_user(db.session, current_user)
    trajectory = _load(trajectory_id)
    if participant is None or trajectory.participant_id != participant.id:
        abort(404)
    participant_services.record_view(db.session, current_actor(), participant, "own agreement")
    db.session.commit()
    return _pdf_response(agreement_for(db.session, trajectory),
                         f"overeenkomst-{trajectory.id}.pdf")
