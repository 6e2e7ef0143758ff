"""The course catalogue."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.budgets.models import Course
from blueprints.budgets.services.rules import MAX_COURSE_HOURS, _require_admin
from tenants import audit
from tenants import inputs
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.money import parse_money


@dataclass(frozen=True)
class CourseData:
    provider: str
    title: str
    cost: str | int | None
    description: str | None = None
    hours: str | int | None = None
    leads_to_certificate: bool = False
    leads_to_praktijkverklaring: bool = False
    active: bool = True


def _course_values(data: CourseData) -> dict:
    provider = (data.provider or "").strip()
    title = (data.title or "").strip()
    if not provider:
        raise DomainError(_l("Vul de aanbieder van de cursus in."))
    if not title:
        raise DomainError(_l("Vul de naam van de cursus in."))
    if len(provider) > 150 or len(title) > 200:
        raise DomainError(_l("De aanbieder (150 tekens) of de naam (200 tekens) is te lang."))
    if isinstance(data.cost, int) and not isinstance(data.cost, bool):
        cost = data.cost
    else:  # parse_money answers "Vul een bedrag in euro's in, …" for text that is no amount
        cost = parse_money(data.cost if isinstance(data.cost, str) else None)
    if cost is None or cost <= 0:
        raise DomainError(_l("Vul de kosten van de cursus in: een bedrag groter dan € 0, "
                             "bijvoorbeeld 250 of 249,50."))
    hours = data.hours
    if isinstance(hours, str):
        hours = inputs.parse_int(hours, min_value=0, max_value=inputs.INT32_MAX, message=_l(
            "Vul het aantal uren in als heel getal, bijvoorbeeld 16."))
    if hours is not None and not 0 < hours <= MAX_COURSE_HOURS:
        raise DomainError(_l("Vul een aantal uren in van 1 tot en met %(max)s.",
                             max=MAX_COURSE_HOURS))
    description = (data.description or "").strip() or None
    if description and len(description) > 5000:
        raise DomainError(_l("De omschrijving is te lang (hoogstens 5000 tekens)."))
    return dict(provider=provider, title=title, description=description, cost_cents=cost,
                hours=hours, leads_to_certificate=bool(data.leads_to_certificate),
                leads_to_praktijkverklaring=bool(data.leads_to_praktijkverklaring),
                active=bool(data.active))


def create_course(session: Session, actor: Actor, data: CourseData) -> Course:
    _require_admin(session, actor, _l("Alleen een beheerder past de cursuscatalogus aan."))
    course = Course(**_course_values(data))
    session.add(course)
    session.flush()
    audit.record(session, actor, "course.created", course, cost_cents=course.cost_cents)
    return course


def update_course(session: Session, actor: Actor, course: Course, data: CourseData) -> Course:
    """Change a course; proposals keep the cost they were made with."""
    _require_admin(session, actor, _l("Alleen een beheerder past de cursuscatalogus aan."))
    values = _course_values(data)
    changed = sorted(k for k, v in values.items() if getattr(course, k) != v)
    for k, v in values.items():
        setattr(course, k, v)
    audit.record(session, actor, "course.updated", course, fields=changed)
    session.flush()
    return course


def get_course(session: Session, course_id: int) -> Course:
    course = session.scalar(select(Course).where(Course.id == course_id))
    if course is None:
        raise NotFound(_l("Deze cursus bestaat niet."))
    return course


def courses(session: Session, active_only: bool = False) -> list[Course]:
    stmt = select(Course).order_by(Course.active.desc(), Course.title, Course.id)
    if active_only:
        stmt = stmt.where(Course.active.is_(True))
    return list(session.scalars(stmt))
