"""Hour rules without HTTP: self-logging, the status flow, immutability, corrections, mail."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.helprequests.models import (
    Assignment,
    HelpRequest,
    JobKind,
    RequestStatus,
    Source,
)
from blueprints.hours import services
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants.models import ParticipantStatus
from blueprints.trajectories.models import TrajectoryKind
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.models import AuditEvent, Role
from tests.hours.builders import TODAY, add_person, data, entry

P, S = Role.PARTICIPANT, Role.SUPERVISOR


def log(world, role=P, actor=None, **kw):
    approve = kw.pop("approve", False)
    actor = actor or (world.actor if role == P else world.coach_actor)
    return services.log_hours(world.session, actor, world.tenant, role, data(world, **kw),
                              approve=approve, today=TODAY)


def help_request(session, person, status=RequestStatus.PLANNED, ref="2026-1"):
    hr = HelpRequest(reference=ref, requester_name="Mevrouw De Wit", kind=JobKind.GARDEN,
                     description="Heg snoeien", source=Source.PHONE, status=status)
    session.add(hr)
    session.flush()
    if person is not None:
        session.add(Assignment(help_request_id=hr.id, participant_id=person.id))
        session.flush()
    return hr


# --- logging ----------------------------------------------------------------------------------

def test_a_participant_logs_own_hours_which_wait_for_approval(world):
    saved = log(world, hours="2,5", note="Tuin bij het buurthuis")
    e = saved.entry
    assert (e.minutes, e.status, e.hour_type) == (150, EntryStatus.SUBMITTED, HourType.TRAJECTORY)
    assert e.submitted_by_id == world.user.id and e.reviewed_by_id is None
    assert world.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_id == str(e.id))) == "hours.logged"


def test_own_hours_are_approved_at_once_when_the_tenant_needs_no_approval(world):
    world.tenant.hours_need_approval = False
    e = log(world).entry
    assert e.status == EntryStatus.APPROVED and e.reviewed_at is not None
    assert e.reviewed_by_id is None  # nobody reviewed: the tenant's setting approved it
    staff = log(world, role=S).entry  # the setting is about participants' own hours
    assert staff.status == EntryStatus.SUBMITTED


def test_staff_may_approve_at_once_a_participant_may_not(world):
    e = log(world, role=S, approve=True).entry
    assert e.status == EntryStatus.APPROVED and e.reviewed_by_id == world.coach.id
    with pytest.raises(PermissionDenied):
        log(world, approve=True)


def test_a_participant_cannot_log_for_someone_else(world):
    other, trajectory = add_person(world.session, world.coach_actor, "Kees", "de Graaf")
    with pytest.raises(PermissionDenied, match="alleen uw eigen uren"):
        log(world, participant_id=other.id, trajectory_id=trajectory.id)
    # ... nor on someone else's trajectory under their own name
    with pytest.raises(NotFound):
        log(world, trajectory_id=trajectory.id)
    # staff log for anyone in the tenant
    assert log(world, role=S, participant_id=other.id, trajectory_id=trajectory.id).entry.id


def test_dates_in_the_future_or_before_the_first_trajectory_are_refused(world):
    with pytest.raises(DomainError, match="in de toekomst"):
        log(world, day=TODAY + timedelta(days=1))
    with pytest.raises(DomainError, match="nog geen traject"):
        log(world, day=date(2026, 1, 4))
    assert log(world, day=date(2026, 1, 5)).entry.work_date == date(2026, 1, 5)


@pytest.mark.parametrize("hours,message", [("0", "meer dan 0"), ("25", "hoogstens 24"),
                                           ("veel", "bijvoorbeeld 2,5")])
def test_hours_must_be_more_than_zero_and_at_most_24(world, hours, message):
    with pytest.raises(DomainError, match=message):
        log(world, hours=hours)


def test_a_trajectory_must_be_chosen_and_notes_hold_no_bsn(world):
    with pytest.raises(DomainError, match="Kies het traject"):
        log(world, trajectory_id=None)
    with pytest.raises(DomainError, match="burgerservicenummer"):
        log(world, note="BSN 111222333")


def test_hour_type_follows_the_trajectory_and_tegenprestatie_is_not_volunteer_work(world):
    s, actor = world.session, world.coach_actor
    person, counter = add_person(s, actor, "Ali", "Demir",
                                 kind=TrajectoryKind.COUNTER_PERFORMANCE)
    person2, volunteer = add_person(s, actor, "Els", "Bakker", kind=TrajectoryKind.VOLUNTEER)
    e = log(world, role=S, participant_id=person.id, trajectory_id=counter.id).entry
    assert e.hour_type == HourType.COUNTER_PERFORMANCE
    assert log(world, role=S, participant_id=person2.id,
               trajectory_id=volunteer.id).entry.hour_type == HourType.VOLUNTEER
    with pytest.raises(DomainError, match="geen vrijwilligerswerk"):
        log(world, role=S, participant_id=person.id, trajectory_id=counter.id,
            hour_type=HourType.VOLUNTEER)
    training = log(world, role=S, participant_id=person.id, trajectory_id=counter.id,
                   hour_type=HourType.TRAINING).entry
    assert training.hour_type == HourType.TRAINING


def test_hours_on_a_help_request_are_work_on_it_by_someone_planned_on_it(world):
    s = world.session
    hr = help_request(s, world.participant)
    e = log(world, help_request_id=hr.id).entry
    assert (e.help_request_id, e.hour_type) == (hr.id, HourType.TRAJECTORY)
    with pytest.raises(DomainError, match="werk aan die hulpvraag"):
        log(world, help_request_id=hr.id, hour_type=HourType.TRAINING)
    elsewhere = help_request(s, None, ref="2026-2")
    with pytest.raises(DomainError, match="waarop u bent ingepland"):
        log(world, help_request_id=elsewhere.id)
    with pytest.raises(DomainError, match="deze deelnemer is ingepland"):
        log(world, role=S, help_request_id=elsewhere.id)
    invoiced = help_request(s, world.participant, RequestStatus.INVOICED, ref="2026-3")
    with pytest.raises(DomainError, match="ingepland"):
        log(world, help_request_id=invoiced.id)


def test_an_anonymised_participant_takes_no_hours(world):
    world.participant.status = ParticipantStatus.ANONYMISED
    with pytest.raises(NotFound):
        log(world, role=S)


# --- approval, return, immutability --------------------------------------------------------

def test_approve_then_approved_hours_are_locked(world):
    s = world.session
    e = log(world).entry
    version = e.version
    services.approve_entries(s, world.coach_actor, {e.id: version})
    assert e.status == EntryStatus.APPROVED and e.reviewed_by_id == world.coach.id
    assert e.version == version + 1
    with pytest.raises(services.EntryLocked, match="al goedgekeurd"):
        services.approve_entries(s, world.coach_actor, {e.id: None})
    with pytest.raises(services.EntryLocked):
        services.return_entry(s, world.coach_actor, e.id, "klopt niet")
    with pytest.raises(services.EntryLocked, match="correctie"):
        services.update_entry(s, world.actor, world.tenant, P, e.id, data(world, hours="3"),
                              today=TODAY)
    with pytest.raises(services.EntryLocked):
        services.withdraw_entry(s, world.actor, P, e.id)


def test_bulk_approval_is_all_or_nothing(world):
    s = world.session
    a, b = log(world).entry, log(world, hours="1").entry
    services.return_entry(s, world.coach_actor, b.id, "Welke dag was dit?")
    with pytest.raises(DomainError, match="teruggestuurd"):
        services.approve_entries(s, world.coach_actor, {a.id: None, b.id: None})
    s.rollback()
    with pytest.raises(NotFound):
        services.approve_entries(s, world.coach_actor, {a.id: None, 123: None})
    with pytest.raises(DomainError, match="Kies de uren"):
        services.approve_entries(s, world.coach_actor, {})


def test_return_needs_a_reason_and_the_participant_resubmits(world):
    s = world.session
    e = log(world).entry
    with pytest.raises(DomainError, match="waarom"):
        services.return_entry(s, world.coach_actor, e.id, "  ")
    services.return_entry(s, world.coach_actor, e.id, "Dat was zaterdag, niet vrijdag.")
    assert e.status == EntryStatus.RETURNED and e.return_reason.startswith("Dat was")
    saved = services.update_entry(s, world.actor, world.tenant, P, e.id,
                                  data(world, day=TODAY - timedelta(days=4)),
                                  expected_version=e.version, today=TODAY)
    assert saved.entry.status == EntryStatus.SUBMITTED
    assert saved.entry.work_date == TODAY - timedelta(days=4)
    assert e.reviewed_by_id is None  # waits for a fresh review


def test_a_stale_page_gets_a_clear_message(world):
    s = world.session
    e = log(world).entry
    seen = e.version
    services.update_entry(s, world.actor, world.tenant, P, e.id, data(world, hours="3"),
                          expected_version=seen, today=TODAY)
    with pytest.raises(services.ConcurrentChange, match="Iemand anders heeft deze uren net"):
        services.approve_entries(s, world.coach_actor, {e.id: seen})
    with pytest.raises(services.ConcurrentChange):
        services.return_entry(s, world.coach_actor, e.id, "nee", expected_version=seen)


def test_a_participant_touches_only_their_own_entries(world):
    s = world.session
    other, trajectory = add_person(s, world.coach_actor, "Kees", "de Graaf")
    theirs = entry(s, other, trajectory, TODAY, 60)
    with pytest.raises(NotFound):
        services.get_entry(s, world.actor, P, theirs.id)
    with pytest.raises(NotFound):
        services.withdraw_entry(s, world.actor, P, theirs.id)
    with pytest.raises(NotFound):
        services.update_entry(s, world.actor, world.tenant, P, theirs.id,
                              data(world, participant_id=other.id), today=TODAY)
    assert services.get_entry(s, world.coach_actor, S, theirs.id) is theirs


def test_withdraw_removes_an_entry_that_is_not_approved(world):
    s = world.session
    e = log(world).entry
    services.withdraw_entry(s, world.actor, P, e.id, expected_version=e.version)
    assert s.scalar(select(TimeEntry).where(TimeEntry.id == e.id)) is None


# --- corrections ----------------------------------------------------------------------------

def test_a_correction_is_a_new_entry_with_the_signed_difference(world):
    s = world.session
    original = log(world, role=S, approve=True, hours="8").entry
    correction = services.correct_entry(s, world.coach_actor, S, original.id, "6",
                                        "Twee uur pauze meegeteld")
    assert (correction.minutes, correction.corrects_id) == (-120, original.id)
    assert correction.status == EntryStatus.SUBMITTED  # needs approval itself
    assert (original.minutes, original.status) == (480, EntryStatus.APPROVED)  # untouched
    with pytest.raises(DomainError, match="wacht al een correctie"):
        services.correct_entry(s, world.coach_actor, S, original.id, "6", "nog eens")
    services.approve_entries(s, world.coach_actor, {correction.id: correction.version})
    corrections = services.corrections_of(s, [original.id])[original.id]
    assert services.approved_minutes(original, corrections) == 360
    with pytest.raises(DomainError, match="niets te corrigeren"):
        services.correct_entry(s, world.coach_actor, S, original.id, "6", "dubbel")
    # correcting the correction corrects the original: from 6 to 7 is +1
    plus = services.correct_entry(s, world.coach_actor, S, correction.id, "7", "toch 7")
    assert (plus.minutes, plus.corrects_id) == (60, original.id)


def test_corrections_only_on_approved_hours_by_staff_with_a_reason(world):
    s = world.session
    submitted = log(world).entry
    with pytest.raises(DomainError, match="Alleen goedgekeurde uren"):
        services.correct_entry(s, world.coach_actor, S, submitted.id, "1", "reden")
    services.approve_entries(s, world.coach_actor, {submitted.id: None})
    with pytest.raises(PermissionDenied):
        services.correct_entry(s, world.actor, P, submitted.id, "1", "reden")
    with pytest.raises(DomainError, match="waarom"):
        services.correct_entry(s, world.coach_actor, S, submitted.id, "1", "")
    to_nothing = services.correct_entry(s, world.coach_actor, S, submitted.id, "0", "niet gewerkt")
    assert to_nothing.minutes == -150
    with pytest.raises(DomainError, match="aanpassen|niet aan"):
        services.update_entry(s, world.coach_actor, world.tenant, S, to_nothing.id,
                              data(world), today=TODAY)


# --- mail when hours are returned -----------------------------------------------------------

def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


def test_returned_hours_mail_the_participant_only_when_they_want_mail(app, world):
    s = world.session
    e = log(world).entry
    services.return_entry(s, world.coach_actor, e.id, "Graag de juiste dag invullen.")
    with app.app_context():
        before = len(_outbox(app))
        assert services.notify_returned(s, e, "http://x/uren/mijn") is True
        mail = _outbox(app)[-1]
        assert len(_outbox(app)) == before + 1 and mail.to == [world.user.email]
        assert "Graag de juiste dag invullen." in mail.body and "Karin Smit" in mail.body
        assert "http://x/uren/mijn" in mail.body and mail.subject == "Uw uren zijn teruggestuurd"
        from tenants.models import User

        user = s.scalar(select(User).where(User.id == world.user.id))
        user.notify_by_email = False
        s.flush()
        assert services.notify_returned(s, e, "http://x") is False
        assert len(_outbox(app)) == before + 1
        other, trajectory = add_person(s, world.coach_actor, "Kees", "de Graaf")  # no login
        assert services.notify_returned(s, entry(s, other, trajectory, TODAY, 60), "x") is False


# --- ended trajectories -----------------------------------------------------------------------

def _count(world):
    return len(world.session.scalars(select(TimeEntry.id)).all())


def test_a_participant_cannot_log_hours_after_the_planned_end(world):
    world.trajectory.planned_end_on = TODAY - timedelta(days=30)
    before = _count(world)
    with pytest.raises(DomainError, match="afgelopen op 26-10-2026.*niets opgeslagen"):
        log(world, day=TODAY)
    assert _count(world) == before
    # hours worked before the end may still be written by the participant
    assert log(world, day=TODAY - timedelta(days=31)).entry.id


def test_a_participant_cannot_log_hours_on_a_closed_trajectory(world):
    from blueprints.trajectories import services as trajectories
    from blueprints.trajectories.models import Outcome

    trajectories.end_trajectory(world.session, world.coach_actor, world.trajectory,
                                Outcome.VOLUNTEERING, TODAY)
    with pytest.raises(DomainError, match="afgelopen"):
        log(world, day=TODAY - timedelta(days=2))


def test_staff_record_hours_on_an_ended_trajectory_with_a_reason(world):
    world.trajectory.planned_end_on = TODAY - timedelta(days=30)
    with pytest.raises(DomainError, match="Schrijf in de notitie waarom"):
        log(world, role=S, day=TODAY)
    saved = log(world, role=S, day=TODAY, note="Verlenging is aangevraagd bij de gemeente")
    assert saved.entry.note == "Verlenging is aangevraagd bij de gemeente"
    assert any("buiten" in w or "periode" in w or "na" in w for w in saved.warnings)
