"""Finding participants: the filtered list (also what the export reads), the neighbourhoods
and the staff to choose from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from functools import cache

from sqlalchemy import Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from blueprints.participants.models import (
    HouseholdType,
    Neighbourhood,
    Participant,
    ParticipantStatus,
)
from blueprints.participants.services.rules import PAGE_SIZE
from tenants import hooks
from tenants.models import Membership, Role, User


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class ParticipantFilter:
    q: str | None = None
    status: str | None = None
    neighbourhood_id: int | None = None
    supervisor_id: int | None = None
    target_group: str | None = None
    trajectory_kind: str | None = None


def filtered(f: ParticipantFilter, today: date) -> Select:
    """The participants matching the filter (a SELECT of Participant ids and rows)."""
    stmt = select(Participant)
    if f.q:
        like = f"%{f.q.strip().lower()}%"
        stmt = stmt.where(or_(
            func.lower(Participant.first_name + " " + Participant.last_name).like(like),
            func.lower(func.coalesce(Participant.email, "")).like(like)))
    if f.status:
        stmt = stmt.where(Participant.status == ParticipantStatus(f.status))
    else:
        stmt = stmt.where(Participant.status != ParticipantStatus.ANONYMISED)
    if f.neighbourhood_id:
        stmt = stmt.where(Participant.neighbourhood_id == f.neighbourhood_id)
    if f.supervisor_id:
        stmt = stmt.where(Participant.supervisor_id == f.supervisor_id)
    group = f.target_group
    if group == "jongere":
        stmt = stmt.where(Participant.date_of_birth > _years_ago(today, 27))
    elif group == "50plus":
        stmt = stmt.where(Participant.date_of_birth <= _years_ago(today, 50))
    elif group == "statushouder":
        stmt = stmt.where(Participant.is_refugee_permit_holder.is_(True))
    elif group == "arbeidsbeperking":
        stmt = stmt.where(Participant.has_work_limitation.is_(True))
    elif group == "alleenstaande_ouder":
        stmt = stmt.where(Participant.household_type == HouseholdType.SINGLE_PARENT)
    if f.trajectory_kind:
        kind_filter = hooks.participant_kind_filter.ask()  # trajectories answers
        if kind_filter is not None:
            stmt = stmt.where(kind_filter.condition(f.trajectory_kind))
    return stmt


@dataclass(frozen=True)
class ParticipantRow:
    participant: Participant
    neighbourhood: str | None
    supervisor: str | None


def list_participants(session: Session, f: ParticipantFilter, page: int = 1,
                      per_page: int = PAGE_SIZE, today: date | None = None):
    """One page of participants with wijk and supervisor names and how many match: one query
    (the count is a window over the matching rows), whatever the size; a second one only for a
    page past the last, which has no row to carry the count."""
    today = today or date.today()
    base = filtered(f, today)
    page = max(1, page)
    stmt = (
        base.add_columns(Neighbourhood.name, User.name, func.count().over())
        .outerjoin(Neighbourhood, and_(Neighbourhood.tenant_id == Participant.tenant_id,
                                       Neighbourhood.id == Participant.neighbourhood_id))
        .outerjoin(User, User.id == Participant.supervisor_id)
        .order_by(Participant.sort_name, Participant.first_name, Participant.id)
        .limit(per_page).offset((page - 1) * per_page)
    )
    found = session.execute(stmt).all()
    if found:
        total = found[0][3]
    elif page > 1:
        total = session.scalar(select(func.count()).select_from(base.subquery()))
    else:
        total = 0
    return [ParticipantRow(p, wijk, coach) for p, wijk, coach, _n in found], total


def neighbourhoods(session: Session) -> list[Neighbourhood]:
    return list(session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def staff(session: Session) -> list[User]:
    """Admins and supervisors of the current tenant (possible begeleiders)."""
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role.in_([Role.ADMIN, Role.SUPERVISOR])).order_by(User.name)))


@cache
def _choices_statement():
    staff_roles = [Role.ADMIN, Role.SUPERVISOR]
    return union_all(
        select(literal(0).label("list"), Neighbourhood.id, Neighbourhood.name)
        .select_from(Neighbourhood),
        select(literal(1), User.id, User.name).select_from(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role.in_(staff_roles)),
    ).order_by("list", "name")


def filter_choices(session: Session) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(id, name) of the neighbourhoods and of the staff (admins and supervisors, the possible
    begeleiders), each by name, for the filters of a list: one query for both."""
    lists: tuple[list, list] = ([], [])
    for which, row_id, name in session.execute(_choices_statement()):
        lists[which].append((row_id, name))
    return lists


@cache
def _neighbourhood_choices_statement():
    return select(Neighbourhood.id, Neighbourhood.name).order_by(Neighbourhood.name)


def neighbourhood_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the neighbourhoods, by name, for a filter."""
    return [(row_id, name) for row_id, name in session.execute(_neighbourhood_choices_statement())]
