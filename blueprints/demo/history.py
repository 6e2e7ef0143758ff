"""Demo history: three years of a cooperative's past, so that every report chart has a shape.

Per tenant an earlier cohort of participants (all with an ended trajectory, so the screens of
today stay as the rest of the demo makes them) who started in the last three years and left
after four to eighteen months: to paid work or an own business, to education, to steady
volunteering, dropped out or moved, at roughly the rates the sector reports (about a quarter to
work). Each worked weekly with a seasonal shape (less in the summer holidays and around
Christmas, a little more in spring and autumn), had an evaluation with a rung of the
participation ladder each quarter (climbing, more for those who left for work), did help
requests for residents, and, when they left for work, has the follow-ups at +1, +6 and +12
months that were due. Its invoices and payments are the money demo's (blueprints.demo.money,
seeded after this so that the history's invoices come first in the numbering, gapless per
year in date order): per quarter the municipality's fees for the trajectories on a municipal
contract, the housing corporation's for the hours of those paid from the cooperative's own
means (which earn those participants' budgets), and the school's.

Written straight to the tables in bulk (ORM objects with their ids, flushed per table):
through the services it would cost minutes. The summaries are counted from these rows afterwards
by the reports' rebuild (blueprints.demo.cli). Deterministic (a fixed seed per tenant and per
earlier participant, dates relative to today: the same cohort every day) and
idempotent (a tenant that has the history's first help request is left alone).
"""
from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from blueprints.demo.people import FIRST, GOALS, LAST, PLACES
from blueprints.demo.work import JOBS, RESIDENTS
from blueprints.helprequests.models import (
    Assignment,
    HelpRequest,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.helprequests.services import next_reference
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants.models import (
    Benefit,
    HostOrganisation,
    HouseholdType,
    Neighbourhood,
    Participant,
    ParticipantStatus,
    surname_sort_key,
)
from blueprints.reports.models import OutflowFollowUp
from blueprints.trajectories.models import (
    Evaluation,
    Funding,
    Outcome,
    Trajectory,
    TrajectoryEvent,
    TrajectoryKind,
    TrajectoryStatus,
)
from blueprints.trajectories.services import add_months
from tenants import audit
from tenants.actor import Actor
from tenants.db import new_id
from tenants.models import Tenant, User

YEARS = 3
#: earlier participants per tenant (about a dozen at work in any week, beside today's demo)
COHORT = {"ons-breda": 40, "kluswinkel-lelystad": 34, "vrijwilligerscentrale-landgraaf": 44}
#: how the earlier trajectories ended, with weights (about a quarter to work, DOMAIN.md)
OUTCOMES = [(Outcome.PAID_WORK, 20), (Outcome.SELF_EMPLOYED, 4), (Outcome.EDUCATION, 10),
            (Outcome.VOLUNTEERING, 22), (Outcome.DROPPED_OUT, 24), (Outcome.MOVED, 8),
            (Outcome.DAY_ACTIVITIES, 6), (Outcome.SHELTERED, 6)]
TO_WORK = (Outcome.PAID_WORK, Outcome.SELF_EMPLOYED)
#: one help request done for every this many working days
REQUEST_EVERY = 6
KEY_PREFIX = "demo-history:"  # the idempotency keys of the history's help requests
MARKER = KEY_PREFIX + "0"  # the idempotency key of the history's first help request
TYPE_FOR_KIND = {TrajectoryKind.VOLUNTEER: HourType.VOLUNTEER,
                 TrajectoryKind.COUNTER_PERFORMANCE: HourType.COUNTER_PERFORMANCE}


def has_history(session: Session) -> bool:
    """Whether the current tenant has the history (the benchmark's tenants have not)."""
    return session.scalar(
        select(HelpRequest.id).where(HelpRequest.idempotency_key == MARKER)) is not None


def not_from_history():
    """SQL: a help request that is not one of the history's (the rest of the demo's)."""
    return or_(HelpRequest.idempotency_key.is_(None),
               ~HelpRequest.idempotency_key.startswith(KEY_PREFIX))


def seasonal(day: date) -> float:
    """The share of the agreed hours worked in the week of `day`: summer holidays and
    Christmas are quiet, spring and autumn a little busier."""
    week = day.isocalendar()[1]
    if week >= 52 or week == 1:
        return 0.35
    if 28 <= week <= 33:
        return 0.65
    return 1.0 + 0.08 * math.cos(2 * math.pi * (week - 14) / 26)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def seed_history(session: Session, tenant: Tenant, staff: dict[str, User],
                 today: date | None = None) -> None:
    """The history of one tenant (already set as the current tenant)."""
    if tenant.slug not in COHORT or has_history(session):
        return
    today = today or date.today()
    rng = random.Random(f"history-{tenant.slug}")
    place = PLACES[tenant.slug]
    coach = staff["supervisor"]
    hosts = list(session.scalars(select(HostOrganisation.id).order_by(HostOrganisation.name)))
    wijken = list(session.scalars(select(Neighbourhood.id).order_by(Neighbourhood.name)))
    first_day = add_months(today, -12 * YEARS)
    rows: dict = {model: [] for model in (Participant, Trajectory, TrajectoryEvent, Evaluation,
                                          TimeEntry, OutflowFollowUp)}
    done_days = []  # (day, participant id, trajectory id, entry) for the help requests
    outcomes, weights = zip(*OUTCOMES)
    for n in range(COHORT[tenant.slug]):
        # Who this person is (start, outcome, kind, funding, …) comes from their own seed: the
        # same cohort every day, whatever number of draws the weeks of the others took
        person = random.Random(f"history-{tenant.slug}-{n}")
        starts = first_day + timedelta(days=person.randint(0, 365 * YEARS - 240))
        outcome = person.choices(outcomes, weights)[0]
        ends = min(starts + timedelta(days=person.randint(120, 540)),
                   today - timedelta(days=person.randint(20, 60)))
        kind = person.choice(place["kinds"])
        hours = person.randint(*place["hours"])
        person_id, trajectory_id = new_id(), new_id()
        first_name = FIRST[(n * 11 + 5) % len(FIRST)]
        last_name = LAST[(n * 7 + 3 + n // len(LAST)) % len(LAST)]
        rows[Participant].append({
            "tenant_id": tenant.id, "id": person_id, "first_name": first_name,
            "last_name": last_name, "sort_name": surname_sort_key(last_name),
            "city": place["city"], "neighbourhood_id": person.choice(wijken) if wijken else None,
            "date_of_birth": date(person.randint(1963, 2003), person.randint(1, 12),
                                  person.randint(1, 28)),
            "household_type": person.choice(list(HouseholdType)),
            "is_refugee_permit_holder": person.random() < 0.2,
            "has_work_limitation": person.random() < 0.2,
            "benefit": person.choice([Benefit.BIJSTAND] * 6 + [Benefit.WW, Benefit.WAJONG]),
            "paying_municipality_id": tenant.municipality_id, "skills": [], "languages":
            ["Nederlands"], "available_days": [], "status": ParticipantStatus.ENDED,
            "supervisor_id": coach.id, "created_at": _at(starts - timedelta(days=14)),
        })
        to_work = outcome in TO_WORK
        rows[Trajectory].append({
            "tenant_id": tenant.id, "id": trajectory_id, "participant_id": person_id,
            "kind": kind, "host_organisation_id": person.choice(hosts) if hosts else None,
            "job_coach_id": coach.id, "starts_on": starts,
            "planned_end_on": starts + timedelta(days=365), "hours_per_week": hours,
            "build_up": [], "funding": person.choice(list(Funding)),
            "status": TrajectoryStatus.ENDED, "agreement_signed_on": starts - timedelta(days=3),
            "outcome": outcome, "outcome_on": ends,
            "outcome_hours": person.choice([16, 24, 32]) if outcome == Outcome.PAID_WORK else None,
            "outcome_contract": "tijdelijk contract" if outcome == Outcome.PAID_WORK else None,
            "created_at": _at(starts - timedelta(days=7)),
        })
        for at, before, after, note in ((starts, "intake", "actief", None),
                                        (ends, "actief", "afgerond", outcome.value)):
            rows[TrajectoryEvent].append({
                "tenant_id": tenant.id, "id": new_id(), "trajectory_id": trajectory_id,
                "at": _at(at), "actor_user_id": coach.id, "actor_name": coach.name,
                "from_status": before, "to_status": after, "note": note})
        step = rng.randint(1, 3)
        held = starts + timedelta(days=91)
        while held < ends:
            climb = rng.random() < (0.6 if to_work else 0.35)
            step = min(6, step + (1 if climb else 0))
            rows[Evaluation].append({
                "tenant_id": tenant.id, "id": new_id(), "trajectory_id": trajectory_id,
                "planned_on": held, "held_on": held, "ladder_step": step,
                "summary": rng.choice(GOALS) + ": besproken in de evaluatie.",
                "recorded_by_id": coach.id})
            held += timedelta(days=91)
        hour_type = TYPE_FOR_KIND.get(kind, HourType.TRAJECTORY)
        week = starts - timedelta(days=starts.weekday())
        number = 0
        while week <= ends:
            number += 1
            if rng.random() < 0.08:  # ill or away that week
                week += timedelta(weeks=1)
                continue
            minutes = hours * 60 * seasonal(week) * rng.uniform(0.85, 1.05)
            days = sorted(rng.sample(range(5), 2 if hours < 12 else 3))
            for i, weekday in enumerate(days):
                day = week + timedelta(days=weekday)
                if day < starts or day > ends:
                    continue
                entry = {
                    "tenant_id": tenant.id, "id": new_id(), "participant_id": person_id,
                    "trajectory_id": trajectory_id, "help_request_id": None, "work_date": day,
                    "minutes": max(60, int(minutes / len(days)) // 15 * 15),
                    "hour_type": HourType.TRAINING if i == 0 and number % 4 == 1 else hour_type,
                    "note": None, "status": EntryStatus.APPROVED, "submitted_by_id": coach.id,
                    "submitted_at": _at(day, 17), "reviewed_by_id": coach.id,
                    "reviewed_at": _at(day + timedelta(days=2), 10), "version": 1}
                rows[TimeEntry].append(entry)
                if rng.randrange(REQUEST_EVERY) == 0:
                    done_days.append((day, person_id, entry))
            week += timedelta(weeks=1)
        if to_work:
            _followups(rows[OutflowFollowUp], rng, tenant, trajectory_id, ends, coach, today)
    requests, assignments = _requests(session, rng, tenant, place, done_days, coach, wijken)
    # through the ORM (it stamps the tenant; with the ids given it batches each table's rows
    # into a few multi-row INSERTs), parents first
    for model, made in ((Participant, rows[Participant]), (Trajectory, rows[Trajectory]),
                        (TrajectoryEvent, rows[TrajectoryEvent]), (Evaluation, rows[Evaluation]),
                        (HelpRequest, requests), (Assignment, assignments),
                        (TimeEntry, rows[TimeEntry]), (OutflowFollowUp, rows[OutflowFollowUp])):
        session.add_all(model(**row) for row in made)
        session.flush()
    audit.record(session, Actor(user_id=coach.id, email=coach.email), "demo.history_seeded",
                 object_type="Tenant", object_id=tenant.id, participants=len(rows[Participant]),
                 time_entries=len(rows[TimeEntry]), help_requests=len(requests))


def _followups(rows, rng, tenant, trajectory_id, left_on, coach, today):
    """The follow-ups of an outflow to work that were due; about one in five is back on
    benefit at +6 or +12 (then no later follow-up)."""
    for months in (1, 6, 12):
        due = add_months(left_on, months)
        if due + timedelta(days=10) > today:
            return
        still_off = months == 1 or rng.random() < 0.85
        rows.append({"tenant_id": tenant.id, "id": new_id(), "trajectory_id": trajectory_id,
                     "months": months, "checked_on": due + timedelta(days=rng.randint(0, 10)),
                     "still_off_benefit": still_off,
                     "source": rng.choice(("contract", "gemeente", "deelnemer")),
                     "recorded_by_id": coach.id, "recorded_at": _at(due + timedelta(days=10))})
        if not still_off:
            return


def _requests(session, rng, tenant, place, done_days, coach, wijken):
    """A help request done on some of the working days, by the person who worked that day
    (references in date order, from the tenant's own counter)."""
    requests, assignments = [], []
    kinds = list(JOBS)
    for n, (day, person_id, entry) in enumerate(sorted(done_days, key=lambda d: d[0])):
        kind = kinds[rng.randrange(len(kinds))]
        created = day - timedelta(days=rng.randint(3, 14))
        request_id = new_id()
        requests.append({
            "tenant_id": tenant.id, "id": request_id, "reference": next_reference(session, created),
            "requester_name": rng.choice(RESIDENTS),
            "street": f"{rng.choice(place['streets'])} {rng.randint(1, 140)}",
            "city": place["city"], "neighbourhood_id": rng.choice(wijken) if wijken else None,
            "kind": kind, "description": JOBS[kind],
            "source": rng.choice([Source.WEBSITE, Source.PHONE, Source.COUNTER]),
            "payer": Payer.NOBODY, "price_agreement": PriceAgreement.FREE, "needs_vog": False,
            "status": RequestStatus.DONE, "planned_on": day, "planned_by_id": coach.id,
            "done_on": day, "created_at": _at(created, 9), "idempotency_key": f"{KEY_PREFIX}{n}"})
        assignments.append({"tenant_id": tenant.id, "id": new_id(), "help_request_id": request_id,
                            "participant_id": person_id, "reason": "Ingepland door de begeleider",
                            "created_at": _at(created, 10)})
        entry["help_request_id"] = request_id
        entry["note"] = "Klus bij " + requests[-1]["requester_name"]
    return requests, assignments
