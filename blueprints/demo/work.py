"""Demo help requests and hours: a few months of a Kluswinkel's daily work in each tenant.

Deterministic and idempotent (a tenant that already has help requests is left alone). Hours are
written in bulk as approved entries (the demo's past), with this week's entries still waiting
for approval, so every screen has something to show. Landgraaf's social jobs average about 9.8
hours a week (the source article); the other tenants follow their trajectories' agreed hours.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.helprequests.models import (
    Assignment,
    HelpRequest,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.helprequests.services import next_reference
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory, TrajectoryKind, TrajectoryStatus
from blueprints.trajectories.services import agreed_hours_on
from tenants import audit
from tenants.actor import Actor
from tenants.db import new_id, utcnow
from tenants.models import Tenant, User

RESIDENTS = ["mevrouw Peters", "meneer Van den Heuvel", "mevrouw Bakker-Smit", "de familie Özdemir",
             "meneer Jansen", "mevrouw Willems", "meneer Claessens", "mevrouw El Amrani",
             "mevrouw De Vries", "meneer Hendriks", "mevrouw Kuipers", "meneer Nowak"]
JOBS = {
    JobKind.GROCERIES: "Wekelijkse boodschappen halen bij de supermarkt om de hoek.",
    JobKind.GARDEN: "Heg knippen en onkruid wieden in de voortuin.",
    JobKind.FENCE: "Schutting staat scheef na de storm; twee palen vervangen.",
    JobKind.SMALL_REPAIR: "Lekkende kraan in de keuken en een losse plint.",
    JobKind.CLEANING: "Ramen aan de buitenkant wassen; de bewoner kan niet meer op de trap.",
    JobKind.COMPANY: "Eén middag per week een kop koffie en een wandeling.",
    JobKind.OTHER: "Helpen met het opruimen van de schuur.",
}
TYPE_FOR_KIND = {
    TrajectoryKind.VOLUNTEER: HourType.VOLUNTEER,
    TrajectoryKind.COUNTER_PERFORMANCE: HourType.COUNTER_PERFORMANCE,
}


def seed_work(session: Session, tenant: Tenant, staff: dict[str, User], city: str,
              today: date | None = None) -> None:
    """Help requests and hours for one tenant (already set as the current tenant)."""
    if session.scalar(select(func.count()).select_from(HelpRequest)):
        return
    today = today or date.today()
    rng = random.Random(f"work-{tenant.slug}")
    coach = staff["supervisor"]
    actor = Actor(user_id=coach.id, email=coach.email)
    rows = session.execute(
        select(Trajectory, Participant).join(
            Participant, (Participant.tenant_id == Trajectory.tenant_id)
            & (Participant.id == Trajectory.participant_id))
        .where(Trajectory.status != TrajectoryStatus.INTAKE)
        .order_by(Participant.last_name)).all()
    if not rows:
        return
    requests = _help_requests(session, rng, rows, coach, city, today)
    _hours(session, rng, rows, requests, coach, today)
    audit.record(session, actor, "demo.work_seeded", object_type="Tenant", object_id=tenant.id,
                 help_requests=len(requests))


def _help_requests(session, rng, rows, coach, city, today):
    made = []
    kinds = list(JOBS)
    for n in range(18):
        kind = kinds[n % len(kinds)]
        created = today - timedelta(days=rng.randint(3, 120))
        reference = next_reference(session, created)
        source = rng.choice([Source.WEBSITE, Source.PHONE, Source.COUNTER, Source.PARTNER])
        payer = Payer.HOUSING if source == Source.PARTNER else rng.choice(
            [Payer.RESIDENT, Payer.NOBODY, Payer.MUNICIPALITY])
        agreement = {Payer.RESIDENT: rng.choice([PriceAgreement.FIXED, PriceAgreement.HOURLY]),
                     Payer.HOUSING: PriceAgreement.HOURLY}.get(payer, PriceAgreement.FREE)
        request = HelpRequest(
            reference=reference, requester_name=rng.choice(RESIDENTS),
            street=f"Dorpsstraat {rng.randint(1, 120)}", city=city,
            phone=f"0{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
            kind=kind, description=JOBS[kind], preferred_dates="Liefst op een doordeweekse ochtend",
            source=source, partner_name="Woningcorporatie" if source == Source.PARTNER else None,
            payer=payer, price_agreement=agreement,
            price_cents={PriceAgreement.FIXED: 2500, PriceAgreement.HOURLY: 1500}.get(agreement),
            needs_vog=kind == JobKind.COMPANY, created_at=utcnow() - timedelta(days=(today - created).days))
        trajectory, person = rows[n % len(rows)]
        request.neighbourhood_id = person.neighbourhood_id  # a job near where they live
        if n % 9 == 8:
            request.status = RequestStatus.DECLINED
            request.decline_reason = ("Dit werk vraagt een vakman; wij hebben u de gegevens van "
                                      "een erkend installateur gestuurd.")
        elif n % 6 == 5:
            request.status = RequestStatus.NEW
        elif n % 5 == 4 and trajectory.status == TrajectoryStatus.ACTIVE:
            request.status = RequestStatus.PLANNED
            request.planned_on = today + timedelta(days=rng.randint(1, 10))
            request.planned_by_id = coach.id
        elif trajectory.status != TrajectoryStatus.INTAKE:
            request.status = RequestStatus.DONE
            request.planned_on = min(created + timedelta(days=rng.randint(2, 9)), today)
            request.done_on = request.planned_on
            request.planned_by_id = coach.id
        session.add(request)
        session.flush()
        if request.planned_on:
            session.add(Assignment(help_request_id=request.id, participant_id=person.id,
                                   reason="Ingepland door de begeleider"))
        made.append((request, trajectory, person))
    session.flush()
    return made


def _hours(session, rng, rows, requests, coach, today):
    entries = []
    monday = today - timedelta(days=today.weekday())
    done_on = {(p.id, r.done_on): r for r, _t, p in requests
               if r.status == RequestStatus.DONE and r.done_on}
    for trajectory, person in rows:
        end = trajectory.outcome_on or today
        if trajectory.planned_end_on is not None and trajectory.planned_end_on < end:
            end = trajectory.planned_end_on  # expired on purpose: the hours stopped there
        kind_type = TYPE_FOR_KIND.get(trajectory.kind, HourType.TRAJECTORY)
        for weeks_back in range(16, -1, -1):
            week = monday - timedelta(weeks=weeks_back)
            if week < trajectory.starts_on or week > end:
                continue
            if trajectory.status == TrajectoryStatus.PAUSED and weeks_back < 3:
                continue
            agreed = agreed_hours_on(trajectory, week)
            target = int(Decimal(agreed) * 60 * Decimal(rng.uniform(0.9, 1.05)))
            days = sorted(rng.sample(range(5), 2 if agreed < 12 else 3))
            for i, weekday in enumerate(days):
                day = week + timedelta(days=weekday)
                if day > today or day > end:
                    continue
                minutes = target // len(days) // 15 * 15
                request = done_on.get((person.id, day))
                hour_type = HourType.TRAINING if (i == 0 and weeks_back % 4 == 1) else kind_type
                current = weeks_back == 0
                entries.append({
                    "tenant_id": trajectory.tenant_id, "id": new_id(),
                    "participant_id": person.id, "trajectory_id": trajectory.id,
                    "help_request_id": request.id if request else None, "work_date": day,
                    "minutes": max(60, minutes), "hour_type": hour_type,
                    "note": "Klus bij " + request.requester_name if request else None,
                    "status": EntryStatus.SUBMITTED if current else EntryStatus.APPROVED,
                    "submitted_by_id": person.user_id or coach.id, "submitted_at": utcnow(),
                    "reviewed_by_id": None if current else coach.id,
                    "reviewed_at": None if current else utcnow(), "version": 1,
                })
    if entries:
        session.add_all(TimeEntry(**entry) for entry in entries)
