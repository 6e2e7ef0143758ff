"""The audit log for people: filtered by person, kind of action and period, in sentences,
repeated views collapsed, a page at a time, and the same list as CSV.

Collapsing is only on the page and in the export: every view stays a row of its own in
`audit_events` (append-only). Lines of one person viewing the same thing (same action, same
object, same details) within ten minutes of the newest of them become one line with a count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.auditlog.sentences import FAMILIES, VIEW_ACTIONS, Names, sentence
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.exports import csv_file
from tenants.formatting import format_datetime
from tenants.models import AuditEvent, Membership, User

PAGE_SIZE = 50
COLLAPSE_WITHIN = timedelta(minutes=10)
#: an export holds at most this many events (newest first); a longer period: export in parts
EXPORT_LIMIT = 20000


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    family: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class Line:
    """One line of the list: an event, or a run of identical views (`count` > 1)."""

    event: AuditEvent
    text: str
    actor: str
    count: int = 1
    oldest_at: datetime | None = None
    ids: list[int] = field(default_factory=list)


def check_filter(f: AuditFilter) -> AuditFilter:
    if f.start and f.end and f.start > f.end:
        raise DomainError(_l("De begindatum ligt na de einddatum."))
    return f


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _filtered(f: AuditFilter):
    stmt = select(AuditEvent)
    if f.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_user_id == f.actor_id)
    if f.family and f.family in FAMILIES:
        stmt = stmt.where(AuditEvent.action.startswith(f"{f.family}.", autoescape=True))
    if f.start is not None:
        stmt = stmt.where(AuditEvent.at >= _day_start(f.start))
    if f.end is not None:
        stmt = stmt.where(AuditEvent.at < _day_start(f.end + timedelta(days=1)))
    return stmt


def _key(event: AuditEvent):
    details = event.details if isinstance(event.details, dict) else {}
    return (event.actor_user_id, event.actor_email, event.action, event.object_type,
            event.object_id, tuple(sorted((k, repr(v)) for k, v in details.items())))


def collapse(events: list[AuditEvent], names: Names) -> list[Line]:
    """Newest first in, newest first out; identical views within ten minutes of the newest of
    their run become one line."""
    lines: list[Line] = []
    open_runs: dict[tuple, Line] = {}
    for event in events:
        if event.action in VIEW_ACTIONS:
            key = _key(event)
            run = open_runs.get(key)
            if run is not None and run.event.at - event.at <= COLLAPSE_WITHIN:
                run.count += 1
                run.oldest_at = event.at
                run.ids.append(event.id)
                continue
        line = Line(event, sentence(event, names), names.actor(event), oldest_at=event.at,
                    ids=[event.id])
        lines.append(line)
        if event.action in VIEW_ACTIONS:
            open_runs[_key(event)] = line
    return lines


@dataclass(frozen=True)
class AuditPage:
    lines: list[Line]
    next_before: int | None


def audit_page(session: Session, f: AuditFilter, before_id: int | None = None,
               per_page: int = PAGE_SIZE) -> AuditPage:
    """One page of events (keyset by id, newest first) as lines; a fixed number of
    statements whatever the number of events (the page, then the names per kind)."""
    stmt = _filtered(f).order_by(AuditEvent.id.desc()).limit(per_page + 1)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    events = list(session.scalars(stmt))
    more = len(events) > per_page
    events = events[:per_page]
    names = Names.load(session, events)
    return AuditPage(collapse(events, names), events[-1].id if more else None)


def people(session: Session) -> list[tuple[int, str]]:
    """The tenant's members, to filter by (one statement)."""
    return [(uid, name) for uid, name in session.execute(
        select(User.id, User.name).join(Membership, Membership.user_id == User.id)
        .order_by(User.name, User.id))]


HEADERS = [_l("Tijdstip"), _l("Tot"), _l("Wie"), _l("Wat"), _l("Aantal"), _l("Actie"),
           _l("IP-adres")]


def export_csv(session: Session, actor: Actor, f: AuditFilter) -> bytes:
    """The filtered list as CSV, the same lines as the pages (collapsed the same way); the
    export itself is written to the audit log."""
    events = list(session.scalars(_filtered(f).order_by(AuditEvent.id.desc())
                                  .limit(EXPORT_LIMIT)))
    lines = []
    for start in range(0, len(events), 500):  # names a chunk at a time (bounded IN lists)
        chunk = events[start:start + 500]
        lines.append((chunk, Names.load(session, chunk)))
    names = Names()
    for _chunk, part in lines:
        for attr in vars(names):
            getattr(names, attr).update(getattr(part, attr))
    records = [[format_datetime(line.event.at),
                format_datetime(line.oldest_at) if line.count > 1 else "",
                line.actor, line.text, line.count, line.event.action, line.event.ip or ""]
               for line in collapse(events, names)]
    body, count = csv_file([str(h) for h in HEADERS], records)
    audit.record(session, actor, "auditlog.exported", object_type="AuditEvent", count=count,
                 **({"actor_id": f.actor_id} if f.actor_id else {}),
                 **({"family": f.family} if f.family else {}),
                 **({"start": f.start.isoformat()} if f.start else {}),
                 **({"end": f.end.isoformat()} if f.end else {}))
    return body
