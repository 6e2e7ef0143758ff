"""The report: figures for a period beside a comparison period, each with its definition.

Approved hours, outflow and money come from the summary tables (blueprints.reports.models),
the rest from one grouped query each over the raw rows, both periods side by side in one
statement, so a report costs the same number of statements whatever the amount of data (tests/reports/test_report.py counts them). All figures
are the cooperative's own registration ("volgens registratie van de coöperatie"), never CBS
figures.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from blueprints.helprequests.models import HelpRequest, JobKind, RequestStatus
from blueprints.helprequests.services import KIND_LABELS as JOB_KIND_LABELS
from blueprints.hours.formats import HOUR_TYPES, type_label
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants.models import Participant
from blueprints.reports.followups import TO_WORK
from blueprints.reports.models import HoursDaily, MoneyDaily, OutflowDaily, OutflowFollowUp
from blueprints.reports.periods import Period
from blueprints.trajectories.models import Outcome, Trajectory, TrajectoryKind, TrajectoryStatus
from blueprints.trajectories.services import KIND_LABELS, OUTCOME_LABELS
from tenants.weeks import monday_of

#: follow-up checkpoints whose durability the report shows
DURABLE_AFTER = (6, 12)


@dataclass(frozen=True)
class Figures:
    """The raw figures of one period (counts, minutes, cents)."""
    active_participants: int = 0
    running: dict = field(default_factory=dict)          # kind value -> trajectories
    started: int = 0
    hours: dict = field(default_factory=dict)            # hour type value -> minutes
    requests_done: dict = field(default_factory=dict)    # job kind value -> requests
    outflow: dict = field(default_factory=dict)          # outcome value -> trajectories
    invoiced_cents: int = 0
    credited_cents: int = 0
    paid_cents: int = 0
    #: months -> (outflows to work in the period followed up then, still out of benefit)
    durability: dict = field(default_factory=dict)

    @property
    def running_total(self) -> int:
        return sum(self.running.values())

    @property
    def outflow_total(self) -> int:
        return sum(self.outflow.values())

    @property
    def outflow_to_work(self) -> int:
        return sum(self.outflow.get(o.value, 0) for o in TO_WORK)


def _running(period: Period):
    """Trajectories that ran in the period: started on or before its end, not ended before its
    start, and past intake."""
    return and_(Trajectory.status != TrajectoryStatus.INTAKE, Trajectory.starts_on <= period.end,
                or_(Trajectory.outcome_on.is_(None), Trajectory.outcome_on >= period.start))


def _between(column, period: Period):
    return column.between(period.start, period.end)


def _sum_in(condition, value=1):
    return func.sum(case((condition, value), else_=0))


def _per_key(session: Session, key, value, day, periods: tuple[Period, ...], *where
              ) -> list[dict]:
    """{key: total} per period, in one grouped statement over the days of all periods."""
    columns = [_sum_in(_between(day, p), value) for p in periods]
    rows = session.execute(
        select(key, *columns).where(*where, or_(*(_between(day, p) for p in periods)))
        .group_by(key))
    result: list[dict] = [{} for _ in periods]
    for k, *totals in rows:
        for i, total in enumerate(totals):
            if total:
                result[i][getattr(k, "value", k)] = int(total)
    return result


def figures(session: Session, *periods: Period) -> list[Figures]:
    """Every figure of each period, the periods side by side: seven grouped statements, however
    many periods (the report asks two: the period and its comparison)."""
    kinds = session.execute(
        select(Trajectory.kind, *[_sum_in(_running(p)) for p in periods])
        .where(or_(*(_running(p) for p in periods))).group_by(Trajectory.kind)).all()
    running = [{row[0].value: int(row[i + 1]) for row in kinds if row[i + 1]}
               for i in range(len(periods))]
    people = session.execute(select(
        *[func.count(func.distinct(case((_running(p), Trajectory.participant_id))))
          for p in periods],
        *[_sum_in(_between(Trajectory.starts_on, p)) for p in periods])
        .select_from(Trajectory)).one()
    hours = _per_key(session, HoursDaily.hour_type, HoursDaily.minutes, HoursDaily.day, periods)
    requests = _per_key(session, HelpRequest.kind, 1, HelpRequest.done_on, periods,
                        HelpRequest.status.in_((RequestStatus.DONE, RequestStatus.INVOICED)))
    outflow = _per_key(session, OutflowDaily.outcome, OutflowDaily.trajectories, OutflowDaily.day,
                       periods)
    money = session.execute(select(*[
        _sum_in(_between(MoneyDaily.day, p), column) for p in periods
        for column in (MoneyDaily.invoiced_cents, MoneyDaily.credited_cents,
                       MoneyDaily.paid_cents)])
        .where(or_(*(_between(MoneyDaily.day, p) for p in periods)))).one()
    cohort = [and_(_between(Trajectory.outcome_on, p), OutflowFollowUp.months == m)
              for p in periods for m in DURABLE_AFTER]
    durable = session.execute(
        select(*[_sum_in(c) for c in cohort],
               *[_sum_in(and_(c, OutflowFollowUp.still_off_benefit)) for c in cohort])
        .select_from(OutflowFollowUp)
        .join(Trajectory, (Trajectory.tenant_id == OutflowFollowUp.tenant_id)
              & (Trajectory.id == OutflowFollowUp.trajectory_id))
        .where(Trajectory.outcome.in_(TO_WORK), or_(*cohort))).one()
    n, k = len(periods), len(cohort)
    return [Figures(int(people[i] or 0), running[i], int(people[n + i] or 0), hours[i],
                    requests[i], outflow[i], int(money[3 * i] or 0), int(money[3 * i + 1] or 0),
                    int(money[3 * i + 2] or 0),
                    {m: (int(durable[i * len(DURABLE_AFTER) + j] or 0),
                         int(durable[k + i * len(DURABLE_AFTER) + j] or 0))
                     for j, m in enumerate(DURABLE_AFTER)})
            for i in range(n)]


def hours_per_week(session: Session, period: Period) -> list[tuple[date, int]]:
    """Approved minutes per ISO week (Monday) touching the period, every week listed (zero
    included); a week cut by the period's edge counts only its days inside the period."""
    per_week: dict[date, int] = defaultdict(int)
    for day, minutes in session.execute(
            select(HoursDaily.day, func.sum(HoursDaily.minutes))
            .where(HoursDaily.day.between(period.start, period.end)).group_by(HoursDaily.day)):
        per_week[monday_of(day)] += int(minutes or 0)
    weeks, monday = [], monday_of(period.start)
    while monday <= period.end:
        weeks.append((monday, per_week.get(monday, 0)))
        monday += timedelta(days=7)
    return weeks


# --- the rows of the report ------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One line of the report: `unit` is count, minutes, cents or percent."""
    key: str
    label: str
    definition: str
    unit: str
    value: object
    compare: object
    sub: bool = False
    #: the drill-down: (endpoint, extra query arguments) or None
    drill: tuple | None = None


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


D_ACTIVE = _l("Deelnemers met minstens één traject dat in de periode liep: gestart op of vóór "
              "het einde van de periode, niet afgerond vóór het begin, en voorbij de intake.")
D_RUNNING = _l("Trajecten die in de periode liepen (zelfde regel als bij actieve deelnemers), "
               "naar soort traject. Een deelnemer met twee trajecten telt twee keer.")
D_STARTED = _l("Trajecten met een startdatum in de periode (instroom), ongeacht hun status nu.")
D_HOURS = _l("Goedgekeurde uren met een werkdatum in de periode. Correcties tellen mee op de "
             "datum van de gecorrigeerde uren; uren die nog wachten of zijn teruggestuurd tellen "
             "niet mee.")
D_HOUR_TYPE = _l("Goedgekeurde uren van dit soort met een werkdatum in de periode.")
D_REQUESTS = _l("Hulpvragen met de status uitgevoerd of gefactureerd en een uitvoerdatum in de "
                "periode, naar soort klus.")
D_OUTFLOW = _l("Trajecten afgerond in de periode (datum van het uitstroomresultaat), naar "
               "bestemming. Volgens registratie van de coöperatie; geen CBS-cijfer.")
D_OUTFLOW_RATE = _l("Afgeronde trajecten in de periode gedeeld door de trajecten die in de "
                    "periode liepen, in procenten.")
D_TO_WORK_RATE = _l("Trajecten afgerond met betaald werk of een eigen bedrijf in de periode "
                    "gedeeld door de trajecten die in de periode liepen, in procenten. Volgens "
                    "registratie van de coöperatie; of iemand uit de uitkering blijft, staat "
                    "bij de nazorg hieronder.")
def d_durable(months: int):
    return _l("Van de uitstroom naar werk (loondienst of eigen bedrijf) met een "
              "uitstroomdatum in de periode en een vastgelegde nazorg na %(months)s maanden: "
              "het deel dat toen nog uit de uitkering was. De coöperatie legt per nazorg de "
              "bron vast (bevestiging van de gemeente, een contract of wat de deelnemer zelf "
              "zegt). Volgens registratie van de coöperatie; geen CBS-cijfer.", months=months)


D_INVOICED = _l("Bedrag exclusief btw van de facturen met een factuurdatum in de periode, min "
                "de creditnota's met een datum in de periode.")
D_PAID = _l("Ontvangen betalingen (inclusief btw) met een betaaldatum in de periode, hoe ze "
            "ook binnenkwamen (overboeking, bankafschrift, online).")


def sections(now: Figures, then: Figures) -> list[Section]:
    """The report's rows, the same for the page and the exports."""
    people = [
        Row("active", str(_l("Actieve deelnemers")), str(D_ACTIVE), "count",
            now.active_participants, then.active_participants),
        Row("started", str(_l("Nieuwe trajecten (instroom)")), str(D_STARTED), "count",
            now.started, then.started),
        Row("running", str(_l("Lopende trajecten")), str(D_RUNNING), "count",
            now.running_total, then.running_total),
    ]
    people += [Row(f"running_{k.value}", str(KIND_LABELS[k]), str(D_RUNNING), "count",
                   now.running.get(k.value, 0), then.running.get(k.value, 0), sub=True)
               for k in TrajectoryKind if now.running.get(k.value) or then.running.get(k.value)]
    hours = [Row("hours", str(_l("Goedgekeurde uren")), str(D_HOURS), "minutes",
                 sum(now.hours.values()), sum(then.hours.values()),
                 drill=("reports.hours", {}))]
    hours += [Row(f"hours_{t.value}", type_label(t), str(D_HOUR_TYPE), "minutes",
                  now.hours.get(t.value, 0), then.hours.get(t.value, 0), sub=True,
                  drill=("reports.hours", {"soort": t.value}))
              for t in HOUR_TYPES]
    requests = [Row("requests", str(_l("Uitgevoerde hulpvragen")), str(D_REQUESTS), "count",
                    sum(now.requests_done.values()), sum(then.requests_done.values()))]
    requests += [Row(f"requests_{k.value}", str(JOB_KIND_LABELS[k]), str(D_REQUESTS), "count",
                     now.requests_done.get(k.value, 0), then.requests_done.get(k.value, 0),
                     sub=True)
                 for k in JobKind if now.requests_done.get(k.value)
                 or then.requests_done.get(k.value)]
    outflow = [Row("outflow", str(_l("Uitstroom (afgeronde trajecten)")), str(D_OUTFLOW),
                   "count", now.outflow_total, then.outflow_total,
                   drill=("reports.outflow", {}))]
    outflow += [Row(f"outflow_{o.value}", str(OUTCOME_LABELS[o]), str(D_OUTFLOW), "count",
                    now.outflow.get(o.value, 0), then.outflow.get(o.value, 0), sub=True,
                    drill=("reports.outflow", {"uitkomst": o.value}))
                for o in Outcome if now.outflow.get(o.value) or then.outflow.get(o.value)]
    outflow += [
        Row("outflow_rate", str(_l("Uitstroompercentage")), str(D_OUTFLOW_RATE), "percent",
            percent(now.outflow_total, now.running_total),
            percent(then.outflow_total, then.running_total)),
        Row("to_work_rate", str(_l("Uitstroom naar betaald werk")), str(D_TO_WORK_RATE),
            "percent", percent(now.outflow_to_work, now.running_total),
            percent(then.outflow_to_work, then.running_total)),
    ]
    for months in DURABLE_AFTER:
        now_followed, now_off = now.durability.get(months, (0, 0))
        then_followed, then_off = then.durability.get(months, (0, 0))
        outflow.append(Row(
            f"durable_{months}", str(_l("Nog uit de uitkering na %(months)s maanden",
                                        months=months)),
            str(d_durable(months)), "percent", percent(now_off, now_followed),
            percent(then_off, then_followed), drill=("reports.followups_page", {})))
    money = [
        Row("invoiced", str(_l("Gefactureerd (excl. btw, na creditnota's)")), str(D_INVOICED),
            "cents", now.invoiced_cents - now.credited_cents,
            then.invoiced_cents - then.credited_cents),
        Row("paid", str(_l("Ontvangen betalingen")), str(D_PAID), "cents", now.paid_cents,
            then.paid_cents),
    ]
    return [Section(str(_l("Deelnemers en trajecten")), people),
            Section(str(_l("Uren")), hours),
            Section(str(_l("Hulpvragen")), requests),
            Section(str(_l("Uitstroom")), outflow),
            Section(str(_l("Omzet")), money)]


# --- drill-downs: the records behind a figure --------------------------------------------------

PAGE_SIZE = 100


def approved_hours(session: Session, period: Period, hour_type: HourType | None, page: int = 1):
    """The approved entries behind the hours figure (corrections included), with the
    participant's name: (rows, total minutes, number of rows). Rows are (entry, name)."""
    where = [TimeEntry.status == EntryStatus.APPROVED,
             TimeEntry.work_date.between(period.start, period.end)]
    if hour_type is not None:
        where.append(TimeEntry.hour_type == hour_type)
    total, count = session.execute(select(func.sum(TimeEntry.minutes), func.count())
                                   .select_from(TimeEntry).where(*where)).one()
    rows = session.execute(
        select(TimeEntry, Participant.first_name, Participant.last_name)
        .join(Participant, (Participant.tenant_id == TimeEntry.tenant_id)
              & (Participant.id == TimeEntry.participant_id))
        .where(*where).order_by(TimeEntry.work_date, TimeEntry.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return [(e, f"{first} {last}") for e, first, last in rows], int(total or 0), count


def ended_trajectories(session: Session, period: Period, outcome: Outcome | None,
                       page: int = 1):
    """The trajectories behind the outflow figure: (rows, number of rows); rows are
    (trajectory, participant name)."""
    where = [Trajectory.status == TrajectoryStatus.ENDED,
             Trajectory.outcome_on.between(period.start, period.end)]
    if outcome is not None:
        where.append(Trajectory.outcome == outcome)
    count = session.scalar(select(func.count()).select_from(Trajectory).where(*where))
    rows = session.execute(
        select(Trajectory, Participant.first_name, Participant.last_name)
        .join(Participant, (Participant.tenant_id == Trajectory.tenant_id)
              & (Participant.id == Trajectory.participant_id))
        .where(*where).order_by(Trajectory.outcome_on, Trajectory.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return [(t, f"{first} {last}") for t, first, last in rows], count
