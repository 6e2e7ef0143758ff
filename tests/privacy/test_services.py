"""Privacy services without HTTP: audit trail, export, erasure, retention proposals."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from blueprints.participants.models import (
    Consent,
    Exemption,
    Participant,
    ParticipantStatus,
)
from blueprints.participants.services import (
    create_participant,
    record_view,
    update_participant,
)
from blueprints.privacy.services import (
    AlreadyAnonymised,
    RunningTrajectories,
    erase_participant,
    export_participant,
    participant_audit_trail,
    pseudonym,
    retention_proposals,
    set_retention,
)
from blueprints.trajectories.models import (
    Evaluation,
    Funding,
    GoalNote,
    LearningGoal,
    Outcome,
    Trajectory,
    TrajectoryEvent,
    TrajectoryKind,
)
from blueprints.trajectories.services import (
    TrajectoryData,
    create_trajectory,
    end_trajectory,
)
from tenants import audit
from tenants.errors import DomainError
from tenants.models import AuditEvent, Tenant
from tenants.tenancy import tenant_context
from tests.pdftext import pdf_text
from tests.privacy.builders import PERSONAL_TEXT, SCAN, build_file, full_data, load

TODAY = date(2026, 11, 22)

# Every column of Participant, sorted by what erasure does with it. A new column fails
# test_every_participant_column_has_an_erasure_rule until someone decides where it belongs.
PSEUDONYMISED = {"first_name", "last_name", "sort_name"}  # sort_name follows last_name
CLEARED = {"email", "phone", "street", "postcode", "city", "date_of_birth", "integration_route",
           "skills", "languages", "available_hours", "available_days", "vog_present", "vog_date",
           "vog_renewal_due", "emergency_name", "emergency_phone", "emergency_relation", "notes",
           "supervisor_id", "user_id"}
KEPT = {"tenant_id", "id", "neighbourhood_id", "household_type", "is_refugee_permit_holder",
        "has_work_limitation", "benefit", "paying_municipality_id", "created_at"}
SET_BY_ERASURE = {"status", "anonymised_at"}


def _columns(model) -> set[str]:
    return {attr.key for attr in inspect(model).column_attrs}


def _everything_about(session, participant_id: int) -> str:
    """All stored values of the participant and their child rows, as one text."""
    rows: list = [session.scalar(select(Participant).where(Participant.id == participant_id))]
    rows += session.scalars(select(Exemption).where(Exemption.participant_id == participant_id))
    rows += session.scalars(select(Consent).where(Consent.participant_id == participant_id))
    trajectories = list(session.scalars(select(Trajectory).where(
        Trajectory.participant_id == participant_id)))
    ids = [t.id for t in trajectories]
    rows += trajectories
    rows += session.scalars(select(TrajectoryEvent).where(TrajectoryEvent.trajectory_id.in_(ids)))
    goals = list(session.scalars(select(LearningGoal).where(LearningGoal.trajectory_id.in_(ids))))
    rows += goals
    rows += session.scalars(select(GoalNote).where(GoalNote.goal_id.in_([g.id for g in goals])))
    rows += session.scalars(select(Evaluation).where(Evaluation.trajectory_id.in_(ids)))
    return "\n".join(repr({c: getattr(r, c) for c in _columns(type(r))}) for r in rows)


# --- audit trail ----------------------------------------------------------------------------

def test_audit_trail_holds_the_events_about_this_participant_newest_first(session, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)
    someone_else = build_file(session, tenant, admin, first_name="Karin", last_name="Smit")
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        record_view(session, file.actor, person)
        update_participant(session, file.actor, person, full_data(admin.id, phone="06 11112222"),
                           today=TODAY)
        audit.record(session, file.actor, "hours.approved", object_type="TimeEntry",
                     object_id=42, participant_id=person.id)
        session.flush()
        trail = participant_audit_trail(session, person)
        actions = [e.action for e in trail]
        assert set(actions[:3]) == {"hours.approved", "participant.updated", "participant.viewed"}
        assert {"participant.created", "exemption.recorded", "consent.given",
                "trajectory.created", "trajectory.status_changed", "goal.created",
                "goal.progress", "evaluation.recorded", "trajectory.ended"} <= set(actions)
        ids = [e.id for e in trail]
        assert ids == sorted(ids, reverse=True)
        other_events = participant_audit_trail(session, session.scalar(select(Participant).where(
            Participant.id == someone_else.participant_id)))
        assert not {e.id for e in other_events} & set(ids)

        first = participant_audit_trail(session, person, limit=4)
        second = participant_audit_trail(session, person, before_id=first[-1].id, limit=4)
        assert [e.id for e in first + second] == ids[:8]


def test_an_event_names_its_participant_from_its_details_or_its_object(session, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        tagged = audit.record(session, file.actor, "hours.logged", object_type="TimeEntry",
                              object_id=7, participant_id=str(person.id))
        viewed = audit.record(session, file.actor, "participant.viewed", person)
        odd = audit.record(session, file.actor, "test.odd", object_type="Invoice", object_id=9,
                           participant_id="12²")  # not a whole number: no person, no error
        session.flush()
        assert (tagged.participant_id, viewed.participant_id, odd.participant_id) == (
            person.id, person.id, None)
        assert {tagged.id, viewed.id} <= {e.id for e in participant_audit_trail(session, person)}


def test_audit_details_never_hold_the_participants_name(session, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)
    with tenant_context(session, tenant.id):
        details = [repr(d) for d in session.scalars(select(AuditEvent.details))]
    assert details and not any(word in d for d in details
                               for word in ("Fatma", "Yılmaz", "fatma.yilmaz", "06 12345678"))
    assert file.participant_id


# --- export ---------------------------------------------------------------------------------

def test_export_is_a_zip_with_all_data_the_scan_and_a_dutch_readme(session, world, tmp_path):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin, tmp_path)
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        content = export_participant(session, file.actor, person, tmp_path)
        exported = session.scalar(select(AuditEvent).where(
            AuditEvent.action == "participant.exported"))
        assert exported.object_id == str(file.participant_id)
        assert exported.details == {"files": 2}
    archive = zipfile.ZipFile(io.BytesIO(content))
    scan_name = f"overeenkomsten/traject-{file.trajectory_id}.pdf"
    made_name = f"overeenkomsten/traject-{file.trajectory_id}-overeenkomst.pdf"
    assert set(archive.namelist()) == {"LEESMIJ.txt", "gegevens.json", scan_name, made_name}
    assert archive.read(scan_name) == SCAN
    agreement = pdf_text(archive.read(made_name))
    assert "Fatma" in agreement and "Yılmaz" in agreement and tenant.name in agreement
    readme = archive.read("LEESMIJ.txt").decode("utf-8")
    assert "gegevens.json" in readme and "binnen een maand" in readme
    assert tenant.name in readme

    data = json.loads(archive.read("gegevens.json").decode("utf-8"))
    me = data["deelnemer"]
    assert (me["first_name"], me["last_name"]) == ("Fatma", "Yılmaz")
    assert me["date_of_birth"] == "1985-04-03" and me["email"] == "fatma.yilmaz@example.org"
    assert set(me) >= _columns(Participant) - {"tenant_id"}  # every column, always
    assert data["wijk"] == "Geeren-Zuid"
    assert data["betalende_gemeente"]["cbs_code"] == "0758"
    assert data["ontheffingen"][0]["article"] == "9-2"
    assert data["toestemmingen"][0]["recipient"] == "Wijkteam Noord"
    [trajectory] = data["trajecten"]
    assert trajectory["kind"] == "maatschappelijke_baan" and trajectory["outcome"] == "betaald_werk"
    assert trajectory["starts_on"] == "2024-02-01" and trajectory["hours_per_week"] == "12.0"
    assert trajectory["overeenkomst_in_zip"] == scan_name
    assert trajectory["overeenkomst_pdf_in_zip"] == made_name
    assert [e["to_status"] for e in trajectory["geschiedenis"]] == ["intake", "actief", "afgerond"]
    [goal] = trajectory["leerdoelen"]
    assert goal["title"] == "Op tijd komen"
    assert goal["notities"][0]["text"] == "Fatma kwam elke dag op tijd"
    # (besides the first evaluation, planned by kind when the trajectory was made)
    held = [e for e in trajectory["evaluaties"] if e["held_on"]]
    assert [e["summary"] for e in held] == ["Fatma doet het goed"]
    assert "participant.created" in [e["actie"] for e in data["logboek"]]
    # never shared with the municipality: the section is there, and empty
    assert data["gedeeld_met_gemeente"] == {"grondslagen": [], "bekeken": []}
    assert "Yılmaz" in archive.read("gegevens.json").decode("utf-8")  # UTF-8, not \\u escapes


def test_export_names_a_scan_that_is_missing_on_disk(session, world, tmp_path):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin, tmp_path)
    (tmp_path / file.scan_key).unlink()
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        archive = zipfile.ZipFile(io.BytesIO(export_participant(session, file.actor, person,
                                                                tmp_path)))
    assert set(archive.namelist()) == {
        "LEESMIJ.txt", "gegevens.json",
        f"overeenkomsten/traject-{file.trajectory_id}-overeenkomst.pdf"}
    assert "niet (meer) gevonden" in archive.read("LEESMIJ.txt").decode("utf-8")


# --- erasure --------------------------------------------------------------------------------

def test_every_participant_column_has_an_erasure_rule():
    rules = [PSEUDONYMISED, CLEARED, KEPT, SET_BY_ERASURE]
    assert set().union(*rules) == _columns(Participant)
    assert sum(len(r) for r in rules) == len(_columns(Participant))  # each in one rule only


def test_erase_refuses_while_a_trajectory_is_running(session, world, tmp_path):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin, tmp_path, ended=False)
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        with pytest.raises(RunningTrajectories) as refused:
            erase_participant(session, file.actor, person, tmp_path, TODAY)
    assert "Rond eerst de lopende trajecten af" in str(refused.value.message)
    session.rollback()
    person = load(session, tenant, Participant, file.participant_id)
    assert person.first_name == "Fatma" and person.status == ParticipantStatus.ACTIVE
    assert (tmp_path / file.scan_key).read_bytes() == SCAN


def test_erase_leaves_no_personal_data_and_keeps_what_reports_count(session, world, tmp_path):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin, tmp_path)
    before = load(session, tenant, Participant, file.participant_id)
    kept_before = {c: getattr(before, c) for c in KEPT}
    with tenant_context(session, tenant.id):
        outcomes = select(Trajectory.outcome, func.count()).group_by(Trajectory.outcome)
        counts_before = dict(session.execute(outcomes).all())
        result = erase_participant(session, file.actor, before, tmp_path, TODAY)
    session.commit()

    person = load(session, tenant, Participant, file.participant_id)
    assert person.first_name == "Deelnemer"
    assert person.last_name == pseudonym(person) == result.pseudonym
    assert person.last_name.startswith("#") and len(person.last_name) == 9
    assert person.sort_name == person.last_name.casefold()  # the surname is gone from it too
    for column in CLEARED:
        assert getattr(person, column) in (None, [], False), column
    assert {c: getattr(person, c) for c in KEPT} == kept_before
    assert kept_before["neighbourhood_id"] and kept_before["paying_municipality_id"]
    assert person.status == ParticipantStatus.ANONYMISED and person.anonymised_at is not None

    with tenant_context(session, tenant.id):
        stored = _everything_about(session, file.participant_id)
        assert not [word for word in PERSONAL_TEXT if word in stored]
        assert dict(session.execute(outcomes).all()) == counts_before
        trajectory = session.scalar(select(Trajectory).where(Trajectory.id == file.trajectory_id))
        assert trajectory.outcome == Outcome.PAID_WORK and trajectory.outcome_on == date(2025, 1, 31)
        assert trajectory.agreement_file is None
        assert trajectory.agreement_signed_on == date(2024, 1, 30)
        assert session.scalar(select(Consent.given_on)) == date(2024, 2, 1)
        assert session.scalar(select(Evaluation.ladder_step).where(
            Evaluation.held_on.is_not(None))) == 4
        assert session.scalar(select(LearningGoal.level)) == 3
        erased = session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.erased"))
        assert erased.details == {"trajectories": 1, "files": 1}
        names_in_log = [d for d in session.scalars(select(AuditEvent.details))
                        if "Fatma" in repr(d) or "Yılmaz" in repr(d)]
        assert names_in_log == []
    assert not (tmp_path / file.scan_key).exists()
    assert result.files == 1


def test_a_rolled_back_erasure_keeps_the_scan_and_the_data(session, world, tmp_path):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin, tmp_path)
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        erase_participant(session, file.actor, person, tmp_path, TODAY)
    session.rollback()
    assert (tmp_path / file.scan_key).read_bytes() == SCAN
    assert load(session, tenant, Participant, file.participant_id).first_name == "Fatma"


def test_erasing_twice_is_refused(session, world, tmp_path):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        erase_participant(session, file.actor, person, tmp_path, TODAY)
        with pytest.raises(AlreadyAnonymised):
            erase_participant(session, file.actor, person, tmp_path, TODAY)


# --- retention ------------------------------------------------------------------------------

def test_retention_is_one_to_thirty_years_or_none(session, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)
    with tenant_context(session, tenant.id):
        row = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        for wrong in (0, 31, -1, True):
            with pytest.raises(DomainError):
                set_retention(session, file.actor, row, wrong)
        set_retention(session, file.actor, row, 7)
        assert row.retention_years == 7
        set_retention(session, file.actor, row, None)
        assert row.retention_years is None
        assert [e.details for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "tenant.retention_set").order_by(AuditEvent.id))] == [
            {"old": None, "new": 7}, {"old": 7, "new": None}]
    session.rollback()


def _ended_on(session, actor, person, starts_on: date, ended_on: date) -> Trajectory:
    trajectory = create_trajectory(session, actor, person, TrajectoryData(
        kind=TrajectoryKind.VOLUNTEER, starts_on=starts_on, hours_per_week=Decimal("8"),
        funding=Funding.OWN))
    return end_trajectory(session, actor, trajectory, Outcome.VOLUNTEERING, ended_on)


def test_retention_proposals_pick_exactly_the_people_past_the_term(session, world):
    tenant, admin, other, _ = world
    file = build_file(session, tenant, admin)  # ended 2025-01-31: too recent for 5 years
    actor = file.actor

    with tenant_context(session, tenant.id):
        def person(name):
            return create_participant(session, actor, full_data(None, first_name=name),
                                      today=TODAY)
        past = person("Voorbij")  # last trajectory ended 2021-11-21: proposed on 2026-11-22
        _ended_on(session, actor, past, date(2019, 1, 1), date(2020, 1, 1))
        _ended_on(session, actor, past, date(2021, 1, 1), date(2021, 11, 21))
        boundary = person("Precies")  # ended exactly five years ago: not yet
        _ended_on(session, actor, boundary, date(2021, 1, 1), date(2021, 11, 22))
        recent_one = person("Recent")  # one old, one recent trajectory: the last one counts
        _ended_on(session, actor, recent_one, date(2015, 1, 1), date(2016, 1, 1))
        _ended_on(session, actor, recent_one, date(2023, 1, 1), date(2024, 1, 1))
        running = person("Lopend")  # an old one ended, another still running
        _ended_on(session, actor, running, date(2015, 1, 1), date(2016, 1, 1))
        create_trajectory(session, actor, running, TrajectoryData(
            kind=TrajectoryKind.VOLUNTEER, starts_on=date(2016, 2, 1),
            hours_per_week=Decimal("8"), funding=Funding.OWN))
        never_old = person("Nooit-oud")  # no trajectory, registered 2021-11-20
        never_old.created_at = datetime(2021, 11, 20, 12, 0, tzinfo=timezone.utc)
        never_new = person("Nooit-nieuw")  # no trajectory, registered 2021-11-23
        never_new.created_at = datetime(2021, 11, 23, 12, 0, tzinfo=timezone.utc)
        gone = person("Weg")  # already anonymised
        _ended_on(session, actor, gone, date(2015, 1, 1), date(2016, 1, 1))
        erase_participant(session, actor, gone, "/nonexistent", TODAY)
        session.flush()
        row = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        assert retention_proposals(session, row, TODAY) == []  # no setting, no proposals
        set_retention(session, actor, row, 5)
        session.flush()
    with tenant_context(session, other.id):  # another tenant's old participant stays out
        stranger = create_participant(session, actor, full_data(None, first_name="Elders"),
                                      today=TODAY)
        _ended_on(session, actor, stranger, date(2010, 1, 1), date(2011, 1, 1))
    session.commit()

    with tenant_context(session, tenant.id):
        row = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        proposals = retention_proposals(session, row, TODAY)
        assert {p.participant.first_name for p in proposals} == {"Voorbij", "Nooit-oud"}
        by_name = {p.participant.first_name: p for p in proposals}
        assert by_name["Voorbij"].last_ended_on == date(2021, 11, 21)
        assert by_name["Nooit-oud"].last_ended_on is None
        later = retention_proposals(session, row, date(2026, 11, 23))
        assert {p.participant.first_name for p in later} == {"Voorbij", "Nooit-oud", "Precies"}
        with pytest.raises(DomainError):  # asked for a tenant that is not the current one
            retention_proposals(session, Tenant(id=other.id, retention_years=1), TODAY)


def test_retention_proposals_take_one_query(session, world, count_queries):
    tenant, admin, *_ = world
    build_file(session, tenant, admin)
    build_file(session, tenant, admin, first_name="Karin")
    with tenant_context(session, tenant.id):
        row = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        row.retention_years = 1
        session.flush()
        with count_queries() as n:
            proposals = retention_proposals(session, row, TODAY)
            [p.participant.full_name for p in proposals]
        assert len(proposals) == 2 and n() == 1
    session.rollback()
