"""Participants: the list, one file, and a participant's trajectories (admins and supervisors).
Reading a file or its trajectories is written to the tenant's audit log (participant.viewed)."""
from __future__ import annotations

from datetime import date

from blueprints.api import schemas, services
from blueprints.api.routes.blueprint import (
    TENANT,
    actor,
    bp,
    commit_and_answer,
    found,
    operation,
    query,
)
from blueprints.api.fields import View, ref
from blueprints.api.schemas import meta
from blueprints.participants import services as participant_services
from blueprints.trajectories import services as trajectory_services
from tenants.extensions import db

AUDITED = "Elke opvraging komt in het auditlog van de organisatie (participant.viewed)."


def _load(participant_id: int):
    return found(lambda pid: participant_services.get_participant(db.session, pid),
                 participant_id)


def _summary(row, today: date) -> View:
    p = row.participant
    return View(p, neighbourhood=ref(p.neighbourhood_id, row.neighbourhood),
                supervisor=ref(p.supervisor_id, row.supervisor),
                target_groups=participant_services.target_groups(p, today))


def _file(file: services.ParticipantFile, today: date) -> View:
    p = file.participant
    municipality = file.municipality
    return View(
        p, age=p.age_on(today), address=p,
        neighbourhood=ref(p.neighbourhood_id, file.neighbourhood),
        target_groups=participant_services.target_groups(p, today),
        supervisor=ref(p.supervisor_id, file.supervisor), emergency_contact=p,
        availability=p, vog=p, has_account=p.user_id is not None,
        paying_municipality=municipality, exemptions=file.exemptions, consents=file.consents)


def _trajectory(t, hosts: dict, coaches: dict) -> View:
    return View(t, host_organisation=ref(t.host_organisation_id,
                                         hosts.get(t.host_organisation_id)),
                job_coach=ref(t.job_coach_id, coaches.get(t.job_coach_id)))


@bp.route("/<slug:tenant_slug>/participants", parameters=TENANT)
@operation("listParticipants", "deelnemers",
           "Deelnemers, 25 per pagina, gesorteerd op achternaam.",
           "Zonder status: alle deelnemers behalve geanonimiseerde.")
@bp.response(200, schemas.ParticipantList, description="Eén pagina deelnemers.")
@query(schemas.ParticipantQuery)
def participants(args):
    q = (args.get("q") or "").strip()
    status = args.get("status")
    f = participant_services.ParticipantFilter(
        q=q or None, status=status.value if status else None, neighbourhood_id=args.get("wijk"))
    page, per_page = args["page"], participant_services.PAGE_SIZE
    rows, total = participant_services.list_participants(db.session, f, page=page,
                                                         per_page=per_page)
    today = date.today()
    return {"data": [_summary(row, today) for row in rows], "meta": meta(page, per_page, total)}


@bp.route("/<slug:tenant_slug>/participants/<int:participant_id>", parameters=TENANT)
@operation("getParticipant", "deelnemers", "Het dossier van een deelnemer.", AUDITED)
@bp.response(200, schemas.ParticipantFile, description="Het dossier.")
def participant(participant_id: int):
    person = _load(participant_id)
    data = _file(services.participant_file(db.session, person), date.today())
    participant_services.record_view(db.session, actor(), person, "api")
    return commit_and_answer(schemas.ParticipantFile, {"data": data})


@bp.route("/<slug:tenant_slug>/participants/<int:participant_id>/trajectories",
          parameters=TENANT)
@operation("listTrajectories", "deelnemers", "De trajecten van een deelnemer, nieuwste eerst.",
           AUDITED)
@bp.response(200, schemas.TrajectoryList, description="De trajecten.")
def participant_trajectories(participant_id: int):
    person = _load(participant_id)
    rows = trajectory_services.trajectories_of(db.session, person)
    hosts, coaches = services.names_for_trajectories(db.session, rows)
    data = [_trajectory(t, hosts, coaches) for t in rows]
    participant_services.record_view(db.session, actor(), person, "api trajectories")
    return commit_and_answer(schemas.TrajectoryList, {"data": data})
