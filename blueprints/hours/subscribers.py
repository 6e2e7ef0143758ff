"""How hours react to what other features do (tenants/events.py), and what they answer
(tenants/hooks.py). Each receiver runs inside the sender's transaction and tenant: when it
raises, the whole change rolls back."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from blueprints.hours.models import EntryStatus, TimeEntry
from tenants import events, hooks


def on_participant_erased(participant, *, session, actor, **_extra) -> None:
    """Hours stay (they are counted, invoiced and funded budgets); their free text goes."""
    session.execute(update(TimeEntry).where(TimeEntry.participant_id == participant.id)
                    .values(note=None, return_reason=None)
                    .execution_options(synchronize_session=False))


def week_minutes(session: Session, participant_ids: list[int],
                 week_start: date) -> dict[int, int]:
    """Minutes per participant in the ISO week from `week_start`, every entry but the returned
    ones (one query): what help-request planning weighs against the agreed hours."""
    if not participant_ids:
        return {}
    return {pid: int(minutes or 0) for pid, minutes in session.execute(
        select(TimeEntry.participant_id, func.sum(TimeEntry.minutes))
        .where(TimeEntry.participant_id.in_(participant_ids), TimeEntry.work_date >= week_start,
               TimeEntry.work_date <= week_start + timedelta(days=6),
               TimeEntry.status != EntryStatus.RETURNED)
        .group_by(TimeEntry.participant_id))}


def connect() -> None:
    events.participant_erased.connect(on_participant_erased, weak=False)
    hooks.week_minutes.provide(week_minutes)
