"""Warnings about logged hours: shown after saving and on the approval list, never silent.

- more hours in a week on a trajectory (approved + submitted) than agreed for that week;
- a volunteer allowance (approved + submitted volunteer hours x the tenant's rate) above the
  monthly or yearly cap of the AllowanceRule valid on the date; for participants under 27 on
  bijstand a note that no allowance applies instead (Pw art. 31 lid 5);
- a date outside the trajectory's period.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.hours.formats import (
    format_minutes,
    month_label,
    trajectory_end,
)
from blueprints.hours.models import AllowanceRule, EntryStatus, HourType, TimeEntry
from blueprints.participants.models import Benefit, Participant
from blueprints.trajectories.models import Trajectory
from blueprints.trajectories.services import agreed_hours_on
from tenants.formatting import format_date, format_money
from tenants.models import Tenant
from tenants.weeks import monday_of, week_key

ALLOWANCE_KIND = "volunteer_allowance"
#: Statuses that count: what is approved and what waits for approval.
COUNTED = (EntryStatus.APPROVED, EntryStatus.SUBMITTED)



def allowance_rule_on(rules: Sequence[AllowanceRule], day: date) -> AllowanceRule | None:
    """The rule valid on `day`: the latest whose valid-from date has come."""
    valid = [r for r in rules if r.valid_from <= day]
    return max(valid, key=lambda r: r.valid_from) if valid else None


def allowance_cents(minutes: int, rate_cents: int) -> int:
    return (minutes * rate_cents + 30) // 60


def no_allowance_for(participant: Participant, day: date) -> bool:
    """Under 27 on bijstand: the volunteer allowance is not exempt (Pw art. 31 lid 5)."""
    age = participant.age_on(day)
    return participant.benefit == Benefit.BIJSTAND and age is not None and age < 27


def entry_warnings(session: Session, tenant: Tenant, entries: Sequence[TimeEntry],
                   known: Sequence[Participant | Trajectory] = ()) -> dict[int, list[str]]:
    """Warnings per entry id, in a fixed number of queries whatever the number of entries:
    - the week's hours on the trajectory (approved + submitted) above the agreed hours;
    - the volunteer allowance (approved + submitted volunteer hours × the tenant's rate) above
      the monthly or yearly cap of the rule valid on the date; for under-27s on bijstand a note
      that no allowance applies instead;
    - a date outside the trajectory's period.
    Returned entries count nowhere and get no warnings. `known`: participants and trajectories
    the caller loaded already (a participant's hours page has the person and their trajectories):
    only the others are read, and none at all when every one is known."""
    entries = [e for e in entries if e.status != EntryStatus.RETURNED and e.trajectory_id]
    if not entries:
        return {}
    participants = {o.id: o for o in known if isinstance(o, Participant)}
    trajectories = {o.id: o for o in known if isinstance(o, Trajectory)}
    pids = {e.participant_id for e in entries}
    tids = {e.trajectory_id for e in entries}
    if pids - participants.keys():
        participants.update((p.id, p) for p in session.scalars(
            select(Participant).where(Participant.id.in_(pids - participants.keys()))))
    if tids - trajectories.keys():
        trajectories.update((t.id, t) for t in session.scalars(
            select(Trajectory).where(Trajectory.id.in_(tids - trajectories.keys()))))
    first = monday_of(min(e.work_date for e in entries))
    last = monday_of(max(e.work_date for e in entries)) + timedelta(days=6)
    week_total: dict[tuple[int, date], int] = defaultdict(int)
    for tid, day, minutes in session.execute(
            select(TimeEntry.trajectory_id, TimeEntry.work_date, func.sum(TimeEntry.minutes))
            .where(TimeEntry.trajectory_id.in_(tids), TimeEntry.status.in_(COUNTED),
                   TimeEntry.work_date >= first, TimeEntry.work_date <= last)
            .group_by(TimeEntry.trajectory_id, TimeEntry.work_date)):
        week_total[(tid, monday_of(day))] += int(minutes or 0)

    rate = tenant.volunteer_allowance_cents_per_hour
    volunteer = [e for e in entries if e.hour_type == HourType.VOLUNTEER]
    month_total: dict[tuple[int, int, int], int] = defaultdict(int)
    year_total: dict[tuple[int, int], int] = defaultdict(int)
    rules: list[AllowanceRule] = []
    if rate and volunteer:
        rules = list(session.scalars(select(AllowanceRule).where(
            AllowanceRule.kind == ALLOWANCE_KIND)))
        years = {e.work_date.year for e in volunteer}
        for pid, day, minutes in session.execute(
                select(TimeEntry.participant_id, TimeEntry.work_date, func.sum(TimeEntry.minutes))
                .where(TimeEntry.participant_id.in_({e.participant_id for e in volunteer}),
                       TimeEntry.hour_type == HourType.VOLUNTEER,
                       TimeEntry.status.in_(COUNTED),
                       TimeEntry.work_date >= date(min(years), 1, 1),
                       TimeEntry.work_date <= date(max(years), 12, 31))
                .group_by(TimeEntry.participant_id, TimeEntry.work_date)):
            month_total[(pid, day.year, day.month)] += int(minutes or 0)
            year_total[(pid, day.year)] += int(minutes or 0)

    found: dict[int, list[str]] = {}
    #: the week's warning per (trajectory, Monday), or None: the same for each of its entries
    over: dict[tuple[int, date], str | None] = {}
    ends: dict[int, date | None] = {}
    for e in entries:
        messages: list[str] = []
        trajectory = trajectories.get(e.trajectory_id)
        participant = participants.get(e.participant_id)
        if trajectory is not None:
            key = (trajectory.id, monday_of(e.work_date))
            if key not in over:
                over[key] = _over_agreed(trajectory, key[1], week_total.get(key, 0))
            if over[key] is not None:
                messages.append(over[key])
            if trajectory.id not in ends:
                ends[trajectory.id] = trajectory_end(trajectory)
            end = ends[trajectory.id]
            if e.work_date < trajectory.starts_on or (end is not None and e.work_date > end):
                messages.append(_(
                    "%(date)s valt buiten de looptijd van het traject (%(start)s – %(end)s).",
                    date=format_date(e.work_date), start=format_date(trajectory.starts_on),
                    end=format_date(end) if end else "…"))
        if e.hour_type == HourType.VOLUNTEER and rate and participant is not None:
            if no_allowance_for(participant, e.work_date):
                messages.append(_(
                    "Geen vrijwilligersvergoeding: %(name)s is jonger dan 27 en heeft bijstand; "
                    "dan is een vergoeding niet vrijgelaten (Pw art. 31 lid 5).",
                    name=participant.full_name))
            else:
                messages += _allowance_warnings(e, rate, allowance_rule_on(rules, e.work_date),
                                                month_total, year_total)
        if messages:
            found[e.id] = messages
    return found


def _over_agreed(trajectory: Trajectory, monday: date, total: int) -> str | None:
    """The warning for `total` minutes in the week of `monday` on `trajectory` above the hours
    agreed for that week, or None."""
    agreed = int(Decimal(agreed_hours_on(trajectory, monday + timedelta(days=6))) * 60)
    if total <= agreed:
        return None
    return _("Week %(week)s: %(total)s uur geschreven op dit traject, meer dan de "
             "afgesproken %(agreed)s uur per week.", week=week_key(monday),
             total=format_minutes(total), agreed=format_minutes(agreed))


def _allowance_warnings(e: TimeEntry, rate: int, rule: AllowanceRule | None,
                        month_total, year_total) -> list[str]:
    if rule is None:
        return []
    messages = []
    month = allowance_cents(month_total.get((e.participant_id, e.work_date.year,
                                             e.work_date.month), 0), rate)
    year = allowance_cents(year_total.get((e.participant_id, e.work_date.year), 0), rate)
    if rule.monthly_cap_cents is not None and month > rule.monthly_cap_cents:
        messages.append(_(
            "Vrijwilligersvergoeding in %(month)s: %(amount)s, meer dan de grens van %(cap)s "
            "per maand. Boven een grens is de hele vergoeding belast.",
            month=month_label(e.work_date), amount=format_money(month),
            cap=format_money(rule.monthly_cap_cents)))
    if rule.yearly_cap_cents is not None and year > rule.yearly_cap_cents:
        messages.append(_(
            "Vrijwilligersvergoeding in %(year)s: %(amount)s, meer dan de grens van %(cap)s "
            "per jaar. Boven een grens is de hele vergoeding belast.",
            year=e.work_date.year, amount=format_money(year),
            cap=format_money(rule.yearly_cap_cents)))
    return messages
