"""Builders for the benchmark tests: cooperatives with a year of figures, written as the
cooperative's own rows (trajectories, approved hours per month, invoices per day, an approved
course) and its report summaries, then joined to the network and sharing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select

from blueprints.budgets.models import Course, CourseEnrolment, EnrolmentStatus
from blueprints.network import benchmark as bench
from blueprints.network import services
from blueprints.network.models import NetworkOrganisation
from blueprints.participants.models import Participant
from blueprints.reports.models import HoursMonthly, MoneyDaily, OutflowDaily
from blueprints.trajectories.models import (
    Funding,
    Outcome,
    Trajectory,
    TrajectoryKind,
    TrajectoryStatus,
)
from tenants.extensions import db
from tenants.models import Tenant, TenantKind
from tenants.tenancy import tenant_context

#: minutes of approved hours in a year (365 days) per 3,5 hours a week
MINUTES_PER_HALF_SEVEN = 10950


@dataclass(frozen=True)
class Year:
    people: int
    #: hours per participant per week (a multiple of 3,5)
    weekly: float
    #: invoiced cents per approved hour
    per_hour: int
    #: training cents per participant
    training: int
    #: trajectories ended with paid work
    to_work: int


def fill(app, tenant: Tenant, year: int, figures: Year) -> None:
    """Write one year of `figures` for `tenant` (a 365-day year)."""
    per_person = int(MINUTES_PER_HALF_SEVEN * figures.weekly / 3.5)
    with app.app_context():
        s = db.session
        with tenant_context(s, tenant.id):
            people = [Participant(first_name="Deelnemer", last_name=str(i))
                      for i in range(figures.people)]
            s.add_all(people)
            s.flush()
            for i, person in enumerate(people):
                ended = i < figures.to_work
                s.add(Trajectory(
                    participant_id=person.id, kind=TrajectoryKind.SOCIAL_JOB,
                    starts_on=date(year, 1, 10), hours_per_week=Decimal("12"),
                    funding=Funding.MUNICIPAL_CONTRACT,
                    status=TrajectoryStatus.ENDED if ended else TrajectoryStatus.ACTIVE,
                    outcome=Outcome.PAID_WORK if ended else None,
                    outcome_on=date(year, 9, 1) if ended else None))
                s.add(HoursMonthly(month=date(year, 3, 1), hour_type="traject",
                                   participant_id=person.id, minutes=per_person))
            if figures.to_work:
                s.add(OutflowDaily(day=date(year, 9, 1), kind="maatschappelijke_baan",
                                   outcome="betaald_werk", trajectories=figures.to_work))
            total_minutes = per_person * figures.people
            invoiced = figures.per_hour * total_minutes / 60
            assert invoiced == int(invoiced)
            s.add(MoneyDaily(day=date(year, 6, 30), invoiced_cents=int(invoiced)))
            if figures.training:
                course = Course(provider="ROC", title="VCA Basis", cost_cents=1)
                s.add(course)
                s.flush()
                s.add(CourseEnrolment(
                    participant_id=people[0].id, course_id=course.id,
                    cost_cents=figures.training * figures.people,
                    status=EnrolmentStatus.APPROVED,
                    decided_at=datetime(year, 4, 2, 10, 0, tzinfo=timezone.utc)))
        s.commit()


def take_part(app, tenant: Tenant) -> None:
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        services.join_network(db.session, t)
        bench.share(db.session, t)
        db.session.commit()


#: six cooperatives, figures chosen so the quartiles are easy to work out by hand
SIX = [
    Year(people=3, weekly=3.5, per_hour=1000, training=0, to_work=0),
    Year(people=5, weekly=7, per_hour=1500, training=5000, to_work=1),
    Year(people=8, weekly=10.5, per_hour=2000, training=10000, to_work=2),
    Year(people=10, weekly=14, per_hour=2500, training=12000, to_work=3),
    Year(people=12, weekly=17.5, per_hour=3000, training=20000, to_work=3),
    Year(people=20, weekly=21, per_hour=4000, training=30000, to_work=5),
]


def six_cooperatives(app, make, year: int, kinds=None) -> list[Tenant]:
    made = []
    for i, figures in enumerate(SIX):
        kind = kinds[i] if kinds else TenantKind.BEWONERSINITIATIEF
        tenant = make.tenant(name=f"Benchmarkcoöperatie {chr(65 + i)} {year}", kind=kind)
        fill(app, tenant, year, figures)
        take_part(app, tenant)
        made.append(tenant)
    return made


def isolate(app):
    """Stop every other cooperative sharing (the suite shares one database); a generator for
    a fixture: restores them after the test."""
    with app.app_context():
        rows = db.session.scalars(select(NetworkOrganisation).where(
            NetworkOrganisation.benchmark_since.is_not(None))).all()
        saved = {r.id: r.benchmark_since for r in rows}
        for r in rows:
            r.benchmark_since = None
        db.session.commit()
    yield
    with app.app_context():
        for row_id, since in saved.items():
            row = db.session.get(NetworkOrganisation, row_id)
            if row is not None and row.left_at is None:
                row.benchmark_since = since
        db.session.commit()
