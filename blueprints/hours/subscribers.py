"""How hours react to what other features do (tenants/events.py). Each receiver runs inside the
sender's transaction and tenant: when it raises, the whole change rolls back."""
from __future__ import annotations

from sqlalchemy import update

from blueprints.hours.models import TimeEntry
from tenants import events


def on_participant_erased(participant, *, session, actor, **_extra) -> None:
    """Hours stay (they are counted, invoiced and funded budgets); their free text goes."""
    session.execute(update(TimeEntry).where(TimeEntry.participant_id == participant.id)
                    .values(note=None, return_reason=None)
                    .execution_options(synchronize_session=False))


def connect() -> None:
    events.participant_erased.connect(on_participant_erased, weak=False)
