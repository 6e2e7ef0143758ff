"""How the report summaries follow what other features do (tenants/events.py). Each receiver
runs inside the sender's transaction and tenant: the summary changes exactly when the change
it counts commits, and rolls back with it.

Hours per place (HoursPlaceDaily) count each hour at its wijk and host organisation as they are
now; no event says a place changed (a participant moved, a help request's wijk or a
trajectory's host organisation was edited), so the session's own flush events follow them:
before a flush that changes one of those columns, the approved entries behind the changed rows
are counted at their places as the database still has them, after it once more, and the
difference is added — in the same transaction, for any number of changes in one flush."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import event, inspect, or_
from sqlalchemy.orm import Session

from blueprints.helprequests.models import HelpRequest
from blueprints.hours.models import TimeEntry
from blueprints.invoicing.models import InvoiceKind
from blueprints.participants.models import Participant
from blueprints.reports.models import (
    HoursDaily,
    HoursMonthly,
    HoursPlaceDaily,
    MoneyDaily,
    OutflowDaily,
)
from blueprints.reports.summaries import add, add_in_flush, places
from blueprints.trajectories.models import Trajectory
from tenants import events

#: the columns that place an hour: (model, attribute, the entry's column pointing at it)
PLACE_COLUMNS = ((Participant, "neighbourhood_id", TimeEntry.participant_id),
                 (HelpRequest, "neighbourhood_id", TimeEntry.help_request_id),
                 (Trajectory, "host_organisation_id", TimeEntry.trajectory_id))
_PENDING = "reports.place_moves"


def on_hours_approved(_sender, *, session, entries, **_extra) -> None:
    for entry in entries:
        add(session, HoursDaily, {"day": entry.work_date, "hour_type": entry.hour_type.value},
            minutes=entry.minutes)
        add(session, HoursMonthly, {"month": entry.work_date.replace(day=1),
                                    "hour_type": entry.hour_type.value,
                                    "participant_id": entry.participant_id},
            minutes=entry.minutes)
    # the places as the database has them: a place changed but not yet flushed is moved, with
    # these entries, by that flush (_before_flush / _after_flush)
    ids = [entry.id for entry in entries]
    with session.no_autoflush:
        cells = places(session, TimeEntry.id.in_(ids)) if ids else {}
    for (day, hour_type, wijk, host), (minutes, n) in cells.items():
        add(session, HoursPlaceDaily, {"day": day, "hour_type": hour_type, "wijk_id": wijk,
                                       "host_id": host}, minutes=minutes, entries=n)


def on_trajectory_ended(trajectory, *, session, **_extra) -> None:
    add(session, OutflowDaily, {"day": trajectory.outcome_on, "kind": trajectory.kind.value,
                                "outcome": trajectory.outcome.value}, trajectories=1)


def on_invoice_sent(invoice, *, session, **_extra) -> None:
    column = "invoiced_cents" if invoice.kind == InvoiceKind.INVOICE else "credited_cents"
    add(session, MoneyDaily, {"day": invoice.issue_date}, **{column: invoice.total_excl_cents})


def on_payment_registered(payment, *, session, **_extra) -> None:
    add(session, MoneyDaily, {"day": payment.paid_on}, paid_cents=payment.amount_cents)


# --- hours per place: following a changed place ------------------------------------------------

def _changed_places(session: Session) -> tuple[list, list]:
    """What this flush may move: the conditions on time entries of participants, help requests
    and trajectories whose place column changed ([] when none did), and the entries the flush
    writes itself (new, or their status changed), which are left out: an entry approved in this
    flush is counted by hours_approved, sent after the flush, at its new place."""
    changed = defaultdict(set)
    own = [obj for obj in session.new if isinstance(obj, TimeEntry)]
    for obj in session.dirty:
        if isinstance(obj, TimeEntry):
            if inspect(obj).attrs.status.history.has_changes():
                own.append(obj)
            continue
        for model, attribute, column in PLACE_COLUMNS:
            if isinstance(obj, model) and obj.id is not None \
                    and inspect(obj).attrs[attribute].history.has_changes():
                changed[column].add(obj.id)
    return [or_(*(column.in_(sorted(ids)) for column, ids in changed.items()))] \
        if changed else [], own


def _moved(session: Session, where: list, own: list) -> dict:
    ids = sorted(obj.id for obj in own if obj.id is not None)
    return places(session, *where, *([TimeEntry.id.not_in(ids)] if ids else []))


def _before_flush(session: Session, _context, _instances) -> None:
    session.info.pop(_PENDING, None)
    if not session.dirty:
        return
    where, own = _changed_places(session)
    if not where:
        return
    with session.no_autoflush:
        before = _moved(session, where, own)
    session.info[_PENDING] = (where, own, before)


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    where, own, before = pending
    after = _moved(session, where, own)
    for key in set(before) | set(after):
        minutes = after.get(key, (0, 0))[0] - before.get(key, (0, 0))[0]
        n = after.get(key, (0, 0))[1] - before.get(key, (0, 0))[1]
        if minutes or n:
            day, hour_type, wijk, host = key
            add_in_flush(session, HoursPlaceDaily,
                         {"day": day, "hour_type": hour_type, "wijk_id": wijk, "host_id": host},
                         minutes=minutes, entries=n)


def connect() -> None:
    events.hours_approved.connect(on_hours_approved, weak=False)
    events.trajectory_ended.connect(on_trajectory_ended, weak=False)
    events.invoice_sent.connect(on_invoice_sent, weak=False)
    events.payment_registered.connect(on_payment_registered, weak=False)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
