"""Figures for the start page of a tenant, per role."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from blueprints.participants.models import HostOrganisation, Participant, ParticipantStatus
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from tenants.db import utcnow
from tenants.models import Invitation, Membership, Role, User


@dataclass(frozen=True)
class TeamCounts:
    admins: int
    supervisors: int
    participants: int
    open_invitations: int


def team_counts(session: Session) -> TeamCounts:
    """How many members per role, and open invitations, in the current tenant (two queries)."""
    rows = dict(session.execute(
        select(Membership.role, func.count()).group_by(Membership.role)
    ).all())
    invitations = session.scalar(
        select(func.count()).select_from(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow())
    ) or 0
    return TeamCounts(rows.get(Role.ADMIN, 0), rows.get(Role.SUPERVISOR, 0),
                      rows.get(Role.PARTICIPANT, 0), invitations)


def participant_counts(session: Session) -> dict[str, int]:
    """Participants per status (one query)."""
    rows = dict(session.execute(
        select(Participant.status, func.count()).group_by(Participant.status)).all())
    return {status.value: rows.get(status, 0) for status in ParticipantStatus}


def outflow_this_year(session: Session, today: date) -> dict[str, int]:
    rows = session.execute(
        select(Trajectory.outcome, func.count()).where(
            Trajectory.status == TrajectoryStatus.ENDED,
            Trajectory.outcome_on >= date(today.year, 1, 1)).group_by(Trajectory.outcome)).all()
    return {outcome.value: n for outcome, n in rows if outcome is not None}


def my_people(session: Session, user: User, limit: int = 100) -> list[Participant]:
    """Participants this supervisor follows: as their begeleider or as job coach."""
    coached = select(Trajectory.participant_id).where(
        Trajectory.job_coach_id == user.id, Trajectory.status != TrajectoryStatus.ENDED)
    return list(session.scalars(
        select(Participant).where(
            Participant.status.not_in([ParticipantStatus.ANONYMISED, ParticipantStatus.ENDED]),
            or_(Participant.supervisor_id == user.id, Participant.id.in_(coached)))
        .order_by(Participant.sort_name, Participant.first_name).limit(limit)))


@dataclass(frozen=True)
class MissingVog:
    participant: Participant
    host: HostOrganisation
    renewal: bool


def missing_vogs(session: Session, today: date, user: User | None = None) -> list[MissingVog]:
    """Running trajectories at a host that requires a VOG, where the VOG is missing or due."""
    stmt = (
        select(Participant, HostOrganisation)
        .join(Trajectory, and_(Trajectory.tenant_id == Participant.tenant_id,
                               Trajectory.participant_id == Participant.id))
        .join(HostOrganisation, and_(HostOrganisation.tenant_id == Trajectory.tenant_id,
                                     HostOrganisation.id == Trajectory.host_organisation_id))
        .where(Trajectory.status != TrajectoryStatus.ENDED, HostOrganisation.vog_required.is_(True),
               or_(Participant.vog_present.is_(False), Participant.vog_renewal_due <= today))
        .order_by(Participant.sort_name)
    )
    if user is not None:
        stmt = stmt.where(or_(Participant.supervisor_id == user.id,
                              Trajectory.job_coach_id == user.id))
    return [MissingVog(p, h, p.vog_present) for p, h in session.execute(stmt)]


@dataclass(frozen=True)
class MoneySummary:
    drafts: int
    open_cents: int
    overdue: int
    overdue_cents: int
    proposals: int


def money_summary(session: Session, today: date) -> MoneySummary:
    """For an admin's start page: drafts, what customers owe, what is overdue, and the course
    proposals waiting for a decision. Two queries, whatever the number of invoices."""
    from blueprints.budgets.models import CourseEnrolment, EnrolmentStatus
    from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus

    owed = Invoice.total_incl_cents - Invoice.credited_cents - Invoice.paid_cents
    is_open = and_(Invoice.kind == InvoiceKind.INVOICE,
                   Invoice.status.in_([InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID]))
    late = and_(is_open, Invoice.due_date < today)
    row = session.execute(select(
        func.count().filter(Invoice.status == InvoiceStatus.DRAFT),
        func.coalesce(func.sum(owed).filter(is_open), 0),
        func.count().filter(late),
        func.coalesce(func.sum(owed).filter(late), 0),
    ).select_from(Invoice)).one()
    proposals = session.scalar(select(func.count()).select_from(CourseEnrolment).where(
        CourseEnrolment.status == EnrolmentStatus.PROPOSED))
    return MoneySummary(row[0], int(row[1]), row[2], int(row[3]), proposals or 0)
