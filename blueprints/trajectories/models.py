"""Trajectories (trajecten) with their history, goals, evaluations, agreement and outcome."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, tenant_fk, utcnow
from tenants.models import _enum


class TrajectoryKind(str, enum.Enum):
    #: maatschappelijke baan
    SOCIAL_JOB = "maatschappelijke_baan"
    #: basisbaan (paid, minimum wage)
    BASIC_JOB = "basisbaan"
    #: leerwerktraject
    LEARNING_WORK = "leerwerktraject"
    #: vrijwilligerswerk
    VOLUNTEER = "vrijwilligerswerk"
    #: participatieplaats (Pw art. 10a)
    PARTICIPATION_PLACE = "participatieplaats"
    #: proefplaats (Pw art. 8a lid 2 d)
    TRIAL_PLACE = "proefplaats"
    #: tegenprestatie / maatschappelijke participatie (Pw art. 9 lid 1 c)
    COUNTER_PERFORMANCE = "tegenprestatie"
    #: beschut werk (Pw art. 10b)
    SHELTERED = "beschut_werk"
    #: dagbesteding (Wmo)
    DAY_ACTIVITIES = "dagbesteding"


class TrajectoryStatus(str, enum.Enum):
    #: intake: agreed, not started
    INTAKE = "intake"
    #: actief
    ACTIVE = "actief"
    #: gepauzeerd
    PAUSED = "gepauzeerd"
    #: afgerond (with an outcome)
    ENDED = "afgerond"


class Funding(str, enum.Enum):
    #: gemeentelijk contract
    MUNICIPAL_CONTRACT = "gemeentelijk_contract"
    #: subsidie
    SUBSIDY = "subsidie"
    #: eigen middelen
    OWN = "eigen_middelen"


class Outcome(str, enum.Enum):
    #: betaald werk (in loondienst)
    PAID_WORK = "betaald_werk"
    #: eigen bedrijf (zelfstandig ondernemer): outflow to work, counted apart from employment
    SELF_EMPLOYED = "zelfstandig"
    #: opleiding / leerwerktraject
    EDUCATION = "opleiding"
    #: vast vrijwilligerswerk
    VOLUNTEERING = "vast_vrijwilligerswerk"
    #: beschut werk
    SHELTERED = "beschut_werk"
    #: dagbesteding
    DAY_ACTIVITIES = "dagbesteding"
    #: uitgevallen
    DROPPED_OUT = "uitgevallen"
    #: verhuisd
    MOVED = "verhuisd"
    #: overleden
    DECEASED = "overleden"


class Trajectory(TenantScoped, Base):
    """A participant's programme, from intake to the outcome."""

    __tablename__ = "trajectories"
    __table_args__ = (
        tenant_fk("participant_id", "participants.id"),
        tenant_fk("host_organisation_id", "host_organisations.id"),
        tenant_fk("payer_customer_id", "customers.id"),
        Index("ix_trajectories_tenant_participant", "tenant_id", "participant_id"),
        Index("ix_trajectories_tenant_status", "tenant_id", "status"),
    )

    participant_id: Mapped[int]
    kind: Mapped[TrajectoryKind] = mapped_column(_enum(TrajectoryKind, "trajectory_kind"))
    host_organisation_id: Mapped[int | None]
    host_supervisor_name: Mapped[str | None] = mapped_column(String(120))
    host_supervisor_contact: Mapped[str | None] = mapped_column(String(254))
    job_coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    planned_end_on: Mapped[date | None] = mapped_column(Date)
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    build_up: Mapped[list] = mapped_column(JSON, default=list)  # [{"from": iso, "hours": 16}]
    funding: Mapped[Funding] = mapped_column(_enum(Funding, "funding"))
    #: the customer this trajectory is funded by: who pays for its hours that are not for a
    #: help request's customer (blueprints.hours.services.payer). None: not billed to anyone.
    payer_customer_id: Mapped[int | None]
    status: Mapped[TrajectoryStatus] = mapped_column(
        _enum(TrajectoryStatus, "trajectory_status"), default=TrajectoryStatus.INTAKE)
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)
    agreement_file: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "outcome"))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    outcome_hours: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    outcome_contract: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrajectoryEvent(TenantScoped, Base):
    """The history of a trajectory: every status change and edit, who and when."""

    __tablename__ = "trajectory_events"
    __table_args__ = (tenant_fk("trajectory_id", "trajectories.id"),)

    trajectory_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class LearningGoal(TenantScoped, Base):
    """A learning goal (leerdoel) with a level 1-5 and progress notes."""

    __tablename__ = "learning_goals"
    __table_args__ = (tenant_fk("trajectory_id", "trajectories.id"),)

    trajectory_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    level: Mapped[int] = mapped_column(default=1)
    achieved_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GoalNote(TenantScoped, Base):
    """A progress note on a learning goal."""

    __tablename__ = "goal_notes"
    __table_args__ = (tenant_fk("goal_id", "learning_goals.id"),)

    goal_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[int | None]


class Evaluation(TenantScoped, Base):
    """A periodic evaluation: planned, held, with the participation-ladder step (1-6)."""

    __tablename__ = "evaluations"
    __table_args__ = (
        tenant_fk("trajectory_id", "trajectories.id"),
        Index("ix_evaluations_tenant_planned", "tenant_id", "planned_on"),
        # a trajectory's evaluations, and whether one is open (held_on IS NULL): the start
        # page's "no evaluation planned" count probes it once per running trajectory
        Index("ix_evaluations_tenant_trajectory", "tenant_id", "trajectory_id", "held_on"),
    )

    trajectory_id: Mapped[int]
    planned_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    ladder_step: Mapped[int | None]
    summary: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
