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
from statistics import median
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from weakref import WeakKeyDictionary

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, and_, bindparam, case, false, func, or_, select, true
from sqlalchemy.orm import Session

from blueprints.helprequests.models import HelpRequest, JobKind, RequestStatus
from blueprints.helprequests.services import KIND_LABELS as JOB_KIND_LABELS
from blueprints.hours.formats import HOUR_TYPES, type_label
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants.models import HostOrganisation, Neighbourhood, Participant
from blueprints.reports.followups import TO_WORK
from blueprints.reports import summaries
from blueprints.reports.models import (
    HoursDaily,
    HoursPlaceDaily,
    MoneyDaily,
    OutflowDaily,
    OutflowFollowUp,
)
from blueprints.reports.periods import Period, quarter_label, quarters
from blueprints.trajectories.models import (
    Evaluation,
    Outcome,
    Trajectory,
    TrajectoryKind,
    TrajectoryStatus,
)
from blueprints.trajectories.services import KIND_LABELS, OUTCOME_LABELS
from tenants.i18n import current_translations
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
    #: wijk id (None: no wijk known) -> (name, approved minutes)
    by_wijk: dict = field(default_factory=dict)
    #: host organisation id (None: the cooperative itself) -> (name, approved minutes)
    by_host: dict = field(default_factory=dict)
    #: "up", "same", "down" -> evaluations in the period against the one before
    ladder: dict = field(default_factory=dict)
    #: days from trajectory start to the outcome date, per trajectory ended in the period
    outflow_days: list = field(default_factory=list)
    #: the quarters of the period (cut to it): [(quarter, {outcome value: trajectories})]
    quarters: list = field(default_factory=list)
    #: the number of days of the period (for the per-week figure)
    days: int = 0

    @property
    def running_total(self) -> int:
        return sum(self.running.values())

    @property
    def outflow_total(self) -> int:
        return sum(self.outflow.values())

    @property
    def outflow_to_work(self) -> int:
        return sum(self.outflow.get(o.value, 0) for o in TO_WORK)

    @property
    def hours_total(self) -> int:
        return sum(self.hours.values())

    @property
    def per_participant_week(self) -> int | None:
        """Approved minutes per active participant per week (days / 7), rounded half up."""
        if not self.active_participants or not self.days:
            return None
        exact = Decimal(self.hours_total * 7) / (self.active_participants * self.days)
        return int(exact.quantize(Decimal("1"), ROUND_HALF_UP))

    @property
    def median_days_to_outflow(self) -> Decimal | None:
        if not self.outflow_days:
            return None
        return Decimal(str(median(self.outflow_days))).quantize(Decimal("0.1"))


def _running(period: Period):
    """Trajectories that ran in the period: started on or before its end, not ended before its
    start, and past intake."""
    return and_(Trajectory.status != TrajectoryStatus.INTAKE, Trajectory.starts_on <= period.end,
                or_(Trajectory.outcome_on.is_(None), Trajectory.outcome_on >= period.start))


def _between(column, period: Period):
    return column.between(period.start, period.end)


def _sum_in(condition, value=1):
    return func.sum(case((condition, value), else_=0))


def _per_key_statement(key, value, day, periods, *where):
    """{key: total} per period, in one grouped statement over the days of all periods."""
    columns = [_sum_in(_between(day, p), value) for p in periods]
    return (select(key, *columns).where(*where, or_(*(_between(day, p) for p in periods)))
            .group_by(key))


def _per_key_rows(rows, n: int) -> list[dict]:
    result: list[dict] = [{} for _ in range(n)]
    for k, *totals in rows:
        for i, total in enumerate(totals):
            if total:
                result[i][getattr(k, "value", k)] = int(total)
    return result


#: the figures read only when a report template shows them, each one statement more
OPTIONAL_PARTS = ("places", "ladder", "days")


@dataclass(frozen=True)
class _Slot:
    """A period in a statement built once: its dates are bound parameters (s<i>, e<i>)."""
    start: object
    end: object


def _slots(count: int, first: int = 0) -> tuple[_Slot, ...]:
    return tuple(_Slot(bindparam(f"s{i}", type_=Date()), bindparam(f"e{i}", type_=Date()))
                 for i in range(first, first + count))


@lru_cache(maxsize=128)
def _statements(n: int, cuts: tuple[int, ...], parts: frozenset) -> dict:
    """The statements of `figures` for n periods whose quarters number `cuts`, built once per
    shape and process: the periods' dates are bound parameters (`_params`). Building the
    expressions (a few hundred CASE and BETWEEN clauses) cost more CPU than running them."""
    periods = _slots(n)
    quarter_slots = _slots(sum(cuts), n)
    statements = {
        "kinds": select(Trajectory.kind, *[_sum_in(_running(p)) for p in periods])
        .where(or_(*(_running(p) for p in periods))).group_by(Trajectory.kind),
        "hours": _per_key_statement(HoursDaily.hour_type, HoursDaily.minutes, HoursDaily.day,
                                    periods),
        "requests": _per_key_statement(
            HelpRequest.kind, 1, HelpRequest.done_on, periods,
            HelpRequest.status.in_((RequestStatus.DONE, RequestStatus.INVOICED))),
        # the quarters of each period ride along in the outflow statement: no statement more
        "outflow": _per_key_statement(OutflowDaily.outcome, OutflowDaily.trajectories,
                                      OutflowDaily.day, periods + quarter_slots),
    }
    # The figures of one row each (people, money, durability, ladder) in one statement: each
    # an aggregate without GROUP BY (always exactly one row) as a derived table, side by side.
    people = select(
        *[func.count(func.distinct(case((_running(p), Trajectory.participant_id))))
          for p in periods],
        *[_sum_in(_between(Trajectory.starts_on, p)) for p in periods]).select_from(Trajectory)
    money = select(*[
        _sum_in(_between(MoneyDaily.day, p), column) for p in periods
        for column in (MoneyDaily.invoiced_cents, MoneyDaily.credited_cents,
                       MoneyDaily.paid_cents)]).where(
        or_(*(_between(MoneyDaily.day, p) for p in periods)))
    cohort = [and_(_between(Trajectory.outcome_on, p), OutflowFollowUp.months == m)
              for p in periods for m in DURABLE_AFTER]
    durable = (
        select(*[_sum_in(c) for c in cohort],
               *[_sum_in(and_(c, OutflowFollowUp.still_off_benefit)) for c in cohort])
        .select_from(OutflowFollowUp)
        .join(Trajectory, (Trajectory.tenant_id == OutflowFollowUp.tenant_id)
              & (Trajectory.id == OutflowFollowUp.trajectory_id))
        .where(Trajectory.outcome.in_(TO_WORK), or_(*cohort)))
    ones = [people, money, durable] + ([_ladder_statement(periods)] if "ladder" in parts else [])
    derived = [_labelled(statement, f"t{i}").subquery(f"one_{i}")
               for i, statement in enumerate(ones)]
    joined = derived[0]
    for table in derived[1:]:
        joined = joined.join(table, true())
    statements["ones"] = select(*[c for table in derived for c in table.c]).select_from(joined)
    statements["widths"] = [len(statement.selected_columns) for statement in ones]
    if "places" in parts:
        statements["places"] = _places_statement(periods)
    if "days" in parts:
        statements["days"] = _days_statement(periods)
    return statements


def _labelled(statement, prefix: str):
    """The statement with its columns named prefix0, prefix1, … (unique in a derived table)."""
    return statement.with_only_columns(
        *[c.label(f"{prefix}_{i}") for i, c in enumerate(statement.selected_columns)],
        maintain_column_froms=True)


def _params(periods) -> dict:
    params = {}
    for i, p in enumerate(periods):
        params[f"s{i}"], params[f"e{i}"] = p.start, p.end
    params["last"] = max(p.end for p in periods)
    return params


def figures(session: Session, *periods: Period, parts=OPTIONAL_PARTS) -> list[Figures]:
    """Every figure of each period, the periods side by side: five statements, however many
    periods (the report asks two: the period and its comparison) — trajectories per kind,
    hours, help requests, outflow (with the quarters), and one row of people, money and
    durability — and one more for hours per wijk and host organisation and for days to
    outflow when `parts` asks for them (ladder movement rides in the one-row statement)."""
    n = len(periods)
    cuts = [quarters(p) for p in periods]
    statements = _statements(n, tuple(len(qs) for qs in cuts),
                             frozenset(parts) & frozenset(OPTIONAL_PARTS))
    params = _params(periods + tuple(q for qs in cuts for q in qs))
    kinds = session.execute(statements["kinds"], params).all()
    running = [{row[0].value: int(row[i + 1]) for row in kinds if row[i + 1]}
               for i in range(n)]
    ones = session.execute(statements["ones"], params).one()
    widths, parts_of_ones, at = statements["widths"], [], 0
    for width in widths:
        parts_of_ones.append(ones[at:at + width])
        at += width
    people, money, durable = parts_of_ones[:3]
    hours = _per_key_rows(session.execute(statements["hours"], params), n)
    requests = _per_key_rows(session.execute(statements["requests"], params), n)
    outflow = _per_key_rows(session.execute(statements["outflow"], params),
                            n + sum(len(qs) for qs in cuts))
    per_quarter, offset = [], n
    for qs in cuts:
        per_quarter.append(list(zip(qs, outflow[offset:offset + len(qs)])))
        offset += len(qs)
    k = n * len(DURABLE_AFTER)
    empty = [{} for _ in periods]
    by_wijk, by_host = (_places_rows(session.execute(statements["places"], params), n)
                        if "places" in statements else (empty, empty))
    ladder = _ladder_rows(parts_of_ones[3], n) if len(parts_of_ones) > 3 else empty
    days = (_days_rows(session.execute(statements["days"], params), periods)
            if "days" in statements else [[] for _ in periods])
    return [Figures(int(people[i] or 0), running[i], int(people[n + i] or 0), hours[i],
                    requests[i], outflow[i], int(money[3 * i] or 0), int(money[3 * i + 1] or 0),
                    int(money[3 * i + 2] or 0),
                    {m: (int(durable[i * len(DURABLE_AFTER) + j] or 0),
                         int(durable[k + i * len(DURABLE_AFTER) + j] or 0))
                     for j, m in enumerate(DURABLE_AFTER)},
                    by_wijk[i], by_host[i], ladder[i], days[i], per_quarter[i],
                    periods[i].days)
            for i in range(n)]


def _places_statement(periods):
    """Approved minutes per wijk and per host organisation, each period side by side: one
    statement over the summary of hours per day, hour type and place (HoursPlaceDaily, whose
    places are kept as they are now), with the names of the places."""
    sums = [_sum_in(_between(HoursPlaceDaily.day, p), HoursPlaceDaily.minutes) for p in periods]
    return (
        select(HoursPlaceDaily.wijk_id, Neighbourhood.name, HoursPlaceDaily.host_id,
               HostOrganisation.name, *sums)
        .outerjoin(Neighbourhood, (Neighbourhood.tenant_id == HoursPlaceDaily.tenant_id)
                   & (Neighbourhood.id == HoursPlaceDaily.wijk_id))
        .outerjoin(HostOrganisation, (HostOrganisation.tenant_id == HoursPlaceDaily.tenant_id)
                   & (HostOrganisation.id == HoursPlaceDaily.host_id))
        .where(or_(*(_between(HoursPlaceDaily.day, p) for p in periods)))
        .group_by(HoursPlaceDaily.wijk_id, Neighbourhood.name, HoursPlaceDaily.host_id,
                  HostOrganisation.name))


def _places_rows(rows, n: int) -> tuple[list[dict], list[dict]]:
    by_wijk: list[dict] = [{} for _ in range(n)]
    by_host: list[dict] = [{} for _ in range(n)]
    for wijk_id, wijk_name, host_id, host_name, *totals in rows:
        wijk_id, host_id = wijk_id or None, host_id or None  # 0 in the summary: none
        for i, total in enumerate(totals):
            if not total:
                continue
            name, minutes = by_wijk[i].get(wijk_id, (wijk_name, 0))
            by_wijk[i][wijk_id] = (name, minutes + int(total))
            name, minutes = by_host[i].get(host_id, (host_name, 0))
            by_host[i][host_id] = (name, minutes + int(total))
    return by_wijk, by_host


#: ladder movements: the columns of the ladder statement, per period
_MOVES = ("up", "same", "down")


def _ladder_statement(periods):
    """Per period: the held evaluations in it with a ladder step, compared with the previous
    held evaluation (with a step) of the same trajectory — up, same or down. One statement; the
    first evaluation of a trajectory has nothing to compare with and is not counted."""
    previous = func.lag(Evaluation.ladder_step).over(
        partition_by=(Evaluation.tenant_id, Evaluation.trajectory_id),
        order_by=(Evaluation.held_on, Evaluation.id))
    steps = (select(Evaluation.held_on.label("held_on"), Evaluation.ladder_step.label("step"),
                    previous.label("previous"))
             .where(Evaluation.held_on.is_not(None), Evaluation.ladder_step.is_not(None),
                    Evaluation.held_on <= bindparam("last", type_=Date()))
             .subquery())
    moves = {"up": steps.c.step > steps.c.previous, "same": steps.c.step == steps.c.previous,
             "down": steps.c.step < steps.c.previous}
    return select(*[
        _sum_in(and_(steps.c.held_on.between(p.start, p.end), moves[move]))
        for p in periods for move in _MOVES]).where(steps.c.previous.is_not(None))


def _ladder_rows(row, n: int) -> list[dict]:
    return [{move: int(row[i * len(_MOVES) + j] or 0) for j, move in enumerate(_MOVES)}
            for i in range(n)]


def _days_statement(periods):
    """Per period: the days from start to outcome of each trajectory ended in it (one
    statement; as many rows as the outflow of the periods)."""
    return select(Trajectory.starts_on, Trajectory.outcome_on).where(
        Trajectory.status == TrajectoryStatus.ENDED,
        or_(*(_between(Trajectory.outcome_on, p) for p in periods)))


def _days_rows(rows, periods) -> list[list[int]]:
    result: list[list[int]] = [[] for _ in periods]
    for starts_on, outcome_on in rows:
        for i, p in enumerate(periods):
            if p.start <= outcome_on <= p.end:
                result[i].append((outcome_on - starts_on).days)
    return result


_HOURS_PER_DAY = (select(HoursDaily.day, func.sum(HoursDaily.minutes))
                  .where(HoursDaily.day.between(bindparam("s0", type_=Date()),
                                                bindparam("e0", type_=Date())))
                  .group_by(HoursDaily.day))


def hours_per_week(session: Session, period: Period) -> list[tuple[date, int]]:
    """Approved minutes per ISO week (Monday) touching the period, every week listed (zero
    included); a week cut by the period's edge counts only its days inside the period."""
    per_week: dict[date, int] = defaultdict(int)
    for day, minutes in session.execute(_HOURS_PER_DAY, {"s0": period.start, "e0": period.end}):
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
    #: a fixed key (the report templates and the API name sections by it)
    key: str = ""


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


D_PER_WEEK = _l("Goedgekeurde uren in de periode gedeeld door het aantal actieve deelnemers en "
                "door het aantal weken van de periode (dagen gedeeld door 7).")
D_WIJK = _l("Goedgekeurde uren met een werkdatum in de periode, naar wijk: de wijk van de "
            "hulpvraag als de uren daarvoor waren, anders de wijk waar de deelnemer nu woont.")
D_HOST = _l("Goedgekeurde uren met een werkdatum in de periode, naar de inzetorganisatie van "
            "het traject (zoals die nu is vastgelegd); zonder inzetorganisatie: bij de "
            "coöperatie zelf.")
D_DAYS = _l("Van de trajecten afgerond in de periode: de mediaan van het aantal dagen van de "
            "startdatum tot de datum van het uitstroomresultaat. De helft deed er korter over, "
            "de helft langer.")
D_QUARTER = _l("Trajecten afgerond in het kwartaal (binnen de periode), alle bestemmingen. "
               "Volgens registratie van de coöperatie; geen CBS-cijfer.")
D_LADDER = _l("Evaluaties gehouden in de periode met een trede op de participatieladder (1 tot "
              "en met 6), vergeleken met de vorige gehouden evaluatie van hetzelfde traject "
              "(ook als die vóór de periode lag). De eerste evaluatie van een traject telt niet "
              "mee: er is niets om mee te vergelijken.")
LADDER_LABELS = {"up": _l("Hogere trede"), "same": _l("Zelfde trede"),
                 "down": _l("Lagere trede")}
NO_WIJK = _l("Geen wijk bekend")
OWN_PLACE = _l("De coöperatie zelf (geen inzetorganisatie)")
#: the drill-down argument for "no wijk" / "no host organisation"
NONE_ARG = "geen"


def _breakdown(prefix: str, now: dict, then: dict, definition: str, none_label: str,
               drill_arg: str) -> list[Row]:
    """Rows per wijk or host organisation: named ones by name, the unknown one last."""
    keys = set(now) | set(then)
    named = sorted((k for k in keys if k is not None),
                   key=lambda k: ((now.get(k) or then.get(k))[0] or "").casefold())
    rows = []
    for k in named + ([None] if None in keys else []):
        label = (now.get(k) or then.get(k))[0] if k is not None else none_label
        arg = NONE_ARG if k is None else str(k)
        rows.append(Row(f"{prefix}_{arg}", label, definition, "minutes",
                        now.get(k, ("", 0))[1], then.get(k, ("", 0))[1],
                        drill=("reports.hours", {drill_arg: arg})))
    return rows


D_INVOICED = _l("Bedrag exclusief btw van de facturen met een factuurdatum in de periode, min "
                "de creditnota's met een datum in de periode.")
D_PAID = _l("Ontvangen betalingen (inclusief btw) met een betaaldatum in de periode, hoe ze "
            "ook binnenkwamen (overboeking, bankafschrift, online).")


#: every fixed text of the report's rows, by a key of its own: translated once per locale
#: (`_texts`), not a lazy string evaluated per row and request (a report has ~150)
_TEXT_SOURCES = {
    "active": _l("Actieve deelnemers"), "started": _l("Nieuwe trajecten (instroom)"),
    "running": _l("Lopende trajecten"), "hours": _l("Goedgekeurde uren"),
    "per_participant_week": _l("Uren per deelnemer per week"),
    "requests": _l("Uitgevoerde hulpvragen"), "outflow": _l("Uitstroom (afgeronde trajecten)"),
    "outflow_rate": _l("Uitstroompercentage"), "to_work_rate": _l("Uitstroom naar betaald werk"),
    "time_to_outflow": _l("Tijd tot uitstroom (mediaan, dagen)"),
    "invoiced": _l("Gefactureerd (excl. btw, na creditnota's)"),
    "paid": _l("Ontvangen betalingen"),
    "s_people": _l("Deelnemers en trajecten"), "s_hours": _l("Uren"),
    "s_wijk": _l("Uren per wijk"), "s_inzet": _l("Uren per inzetorganisatie"),
    "s_requests": _l("Hulpvragen"), "s_outflow": _l("Uitstroom"),
    "s_quarters": _l("Uitstroom per kwartaal"),
    "s_ladder": _l("Ontwikkeling op de participatieladder"), "s_money": _l("Omzet"),
    "D_ACTIVE": D_ACTIVE, "D_RUNNING": D_RUNNING, "D_STARTED": D_STARTED, "D_HOURS": D_HOURS,
    "D_HOUR_TYPE": D_HOUR_TYPE, "D_REQUESTS": D_REQUESTS, "D_OUTFLOW": D_OUTFLOW,
    "D_OUTFLOW_RATE": D_OUTFLOW_RATE, "D_TO_WORK_RATE": D_TO_WORK_RATE,
    "D_PER_WEEK": D_PER_WEEK, "D_WIJK": D_WIJK, "D_HOST": D_HOST, "D_DAYS": D_DAYS,
    "D_QUARTER": D_QUARTER, "D_LADDER": D_LADDER, "D_INVOICED": D_INVOICED,
    "D_PAID": D_PAID, "NO_WIJK": NO_WIJK, "OWN_PLACE": OWN_PLACE,
    **{f"durable_{m}": _l("Nog uit de uitkering na %(months)s maanden", months=m)
       for m in DURABLE_AFTER},
    **{f"D_durable_{m}": d_durable(m) for m in DURABLE_AFTER},
    **{f"kind_{k.value}": KIND_LABELS[k] for k in TrajectoryKind},
    **{f"job_{k.value}": JOB_KIND_LABELS[k] for k in JobKind},
    **{f"outcome_{o.value}": OUTCOME_LABELS[o] for o in Outcome},
    **{f"ladder_{move}": label for move, label in LADDER_LABELS.items()},
}
#: Translations object -> {key: text}; a locale's Translations lives as long as the process
_TEXTS: WeakKeyDictionary = WeakKeyDictionary()


def _texts() -> dict[str, str]:
    """The texts of _TEXT_SOURCES in the request's language."""
    translations = current_translations()
    try:
        return _TEXTS[translations]
    except (KeyError, TypeError):
        pass
    texts = {key: str(lazy) for key, lazy in _TEXT_SOURCES.items()}
    try:
        _TEXTS[translations] = texts
    except TypeError:  # not weak-referenceable: translated per call
        pass
    return texts


def sections(now: Figures, then: Figures) -> list[Section]:
    """The report's rows, the same for the page and the exports."""
    t = _texts()
    people = [
        Row("active", t["active"], t["D_ACTIVE"], "count",
            now.active_participants, then.active_participants),
        Row("started", t["started"], t["D_STARTED"], "count", now.started, then.started),
        Row("running", t["running"], t["D_RUNNING"], "count",
            now.running_total, then.running_total),
    ]
    people += [Row(f"running_{k.value}", t[f"kind_{k.value}"], t["D_RUNNING"], "count",
                   now.running.get(k.value, 0), then.running.get(k.value, 0), sub=True)
               for k in TrajectoryKind if now.running.get(k.value) or then.running.get(k.value)]
    hours = [Row("hours", t["hours"], t["D_HOURS"], "minutes",
                 now.hours_total, then.hours_total,
                 drill=("reports.hours", {}))]
    hours += [Row(f"hours_{ht.value}", type_label(ht), t["D_HOUR_TYPE"], "minutes",
                  now.hours.get(ht.value, 0), then.hours.get(ht.value, 0), sub=True,
                  drill=("reports.hours", {"soort": ht.value}))
              for ht in HOUR_TYPES]
    hours.append(Row("per_participant_week", t["per_participant_week"],
                     t["D_PER_WEEK"], "minutes", now.per_participant_week,
                     then.per_participant_week))
    wijken = _breakdown("wijk", now.by_wijk, then.by_wijk, t["D_WIJK"], t["NO_WIJK"], "wijk")
    hosts = _breakdown("inzet", now.by_host, then.by_host, t["D_HOST"], t["OWN_PLACE"],
                       "inzet")
    requests = [Row("requests", t["requests"], t["D_REQUESTS"], "count",
                    sum(now.requests_done.values()), sum(then.requests_done.values()))]
    requests += [Row(f"requests_{k.value}", t[f"job_{k.value}"], t["D_REQUESTS"], "count",
                     now.requests_done.get(k.value, 0), then.requests_done.get(k.value, 0),
                     sub=True)
                 for k in JobKind if now.requests_done.get(k.value)
                 or then.requests_done.get(k.value)]
    outflow = [Row("outflow", t["outflow"], t["D_OUTFLOW"],
                   "count", now.outflow_total, then.outflow_total,
                   drill=("reports.outflow", {}))]
    outflow += [Row(f"outflow_{o.value}", t[f"outcome_{o.value}"], t["D_OUTFLOW"], "count",
                    now.outflow.get(o.value, 0), then.outflow.get(o.value, 0), sub=True,
                    drill=("reports.outflow", {"uitkomst": o.value}))
                for o in Outcome if now.outflow.get(o.value) or then.outflow.get(o.value)]
    outflow += [
        Row("outflow_rate", t["outflow_rate"], t["D_OUTFLOW_RATE"], "percent",
            percent(now.outflow_total, now.running_total),
            percent(then.outflow_total, then.running_total)),
        Row("to_work_rate", t["to_work_rate"], t["D_TO_WORK_RATE"],
            "percent", percent(now.outflow_to_work, now.running_total),
            percent(then.outflow_to_work, then.running_total)),
    ]
    outflow.append(Row("time_to_outflow", t["time_to_outflow"],
                       t["D_DAYS"], "days", now.median_days_to_outflow,
                       then.median_days_to_outflow, drill=("reports.outflow", {})))
    for months in DURABLE_AFTER:
        now_followed, now_off = now.durability.get(months, (0, 0))
        then_followed, then_off = then.durability.get(months, (0, 0))
        outflow.append(Row(
            f"durable_{months}", t[f"durable_{months}"], t[f"D_durable_{months}"], "percent",
            percent(now_off, now_followed), percent(then_off, then_followed),
            drill=("reports.followups_page", {})))
    money = [
        Row("invoiced", t["invoiced"], t["D_INVOICED"],
            "cents", now.invoiced_cents - now.credited_cents,
            then.invoiced_cents - then.credited_cents),
        Row("paid", t["paid"], t["D_PAID"], "cents", now.paid_cents, then.paid_cents),
    ]
    then_quarters = [total for _q, total in then.quarters]
    per_quarter = [
        Row(f"quarter_{i + 1}", quarter_label(q), t["D_QUARTER"], "count", sum(counts.values()),
            sum(then_quarters[i].values()) if i < len(then_quarters) else None,
            drill=("reports.outflow", {"van": q.start.isoformat(), "tot": q.end.isoformat(),
                                       "periode": "eigen"}))
        for i, (q, counts) in enumerate(now.quarters)]
    ladder = [Row(f"ladder_{move}", t[f"ladder_{move}"], t["D_LADDER"], "count",
                  now.ladder.get(move, 0), then.ladder.get(move, 0))
              for move in LADDER_LABELS]
    return [Section(t["s_people"], people, "people"),
            Section(t["s_hours"], hours, "hours"),
            Section(t["s_wijk"], wijken, "wijk"),
            Section(t["s_inzet"], hosts, "inzet"),
            Section(t["s_requests"], requests, "requests"),
            Section(t["s_outflow"], outflow, "outflow"),
            Section(t["s_quarters"], per_quarter, "quarters"),
            Section(t["s_ladder"], ladder, "ladder"),
            Section(t["s_money"], money, "money")]


# --- drill-downs: the records behind a figure --------------------------------------------------

PAGE_SIZE = 100
#: rows per page of the outflow drill-down (its count and median are over all rows)
OUTFLOW_PAGE_SIZE = 50


@dataclass(frozen=True)
class Place:
    """A drill-down's place filter: a wijk or host organisation id, or NONE_ARG."""
    wijk: str | None = None
    host: str | None = None


def _place_where(place: Place | None) -> list:
    where = []
    if place is None:
        return where
    if place.wijk is not None:
        wijk = summaries.wijk_of_entry()
        where.append(wijk.is_(None) if place.wijk == NONE_ARG else wijk == int(place.wijk))
    if place.host is not None:
        host = Trajectory.host_organisation_id
        where.append(host.is_(None) if place.host == NONE_ARG else host == int(place.host))
    return where


def place_arg(text: str | None) -> str | None:
    """A wijk/inzet query argument as a Place field: an id, NONE_ARG, None (absent); raises
    ValueError on anything else."""
    if not text:
        return None
    if text == NONE_ARG or (text.isascii() and text.isdigit() and len(text) < 19):
        return text
    raise ValueError(text)


def _hours_where(period: Period, hour_type: HourType | None, place: Place | None) -> list:
    where = [TimeEntry.status == EntryStatus.APPROVED,
             TimeEntry.work_date.between(period.start, period.end), *_place_where(place)]
    if hour_type is not None:
        where.append(TimeEntry.hour_type == hour_type)
    return where


def _hours_rows(where: list):
    """The statement of the hours drill-down's rows, (entry, first name, last name), in the
    list's order."""
    return (summaries.with_places(select(TimeEntry, Participant.first_name, Participant.last_name)
                         .select_from(TimeEntry))
            .where(*where).order_by(TimeEntry.work_date, TimeEntry.id))


def _place_id(column, arg: str):
    """The summary's condition for a place argument: NONE_ARG is 0 there; an id 0 is no
    place (the raw rows never match it either)."""
    if arg == NONE_ARG:
        return column == 0
    return column == int(arg) if int(arg) else false()


def _hours_total(period: Period, hour_type: HourType | None, place: Place | None):
    """The total minutes and the number of entries of the hours drill-down, from the summary
    per day, hour type and place: the period's days, not its entries."""
    where = [HoursPlaceDaily.day.between(period.start, period.end)]
    if hour_type is not None:
        where.append(HoursPlaceDaily.hour_type == hour_type.value)
    if place is not None and place.wijk is not None:
        where.append(_place_id(HoursPlaceDaily.wijk_id, place.wijk))
    if place is not None and place.host is not None:
        where.append(_place_id(HoursPlaceDaily.host_id, place.host))
    return select(func.sum(HoursPlaceDaily.minutes),
                  func.coalesce(func.sum(HoursPlaceDaily.entries), 0)).where(*where)


def approved_hours(session: Session, period: Period, hour_type: HourType | None, page: int = 1,
                   place: Place | None = None):
    """The approved entries behind the hours figure (corrections included), with the
    participant's name: (rows, total minutes, number of rows). Rows are (entry, name). With a
    place: only the hours of that wijk or host organisation (the rows behind a breakdown)."""
    where = _hours_where(period, hour_type, place)
    total, count = session.execute(_hours_total(period, hour_type, place)).one()
    rows = session.execute(
        _hours_rows(where).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    # int: a sum is a Decimal on PostgreSQL, and Decimal floor division truncates (pages_of)
    return [(e, f"{first} {last}") for e, first, last in rows], int(total or 0), int(count)


def all_approved_hours(session: Session, period: Period, hour_type: HourType | None,
                       place: Place | None = None) -> list[tuple]:
    """Every row of the hours drill-down for the same filter, every page, in its order: one
    statement (the download of the list)."""
    return [(e, f"{first} {last}") for e, first, last in session.execute(
        _hours_rows(_hours_where(period, hour_type, place)))]


def place_name(session: Session, place: Place) -> str | None:
    """The name of a drill-down's wijk or host organisation (None: unknown id)."""
    if place.wijk is not None:
        if place.wijk == NONE_ARG:
            return str(NO_WIJK)
        return session.scalar(select(Neighbourhood.name).where(
            Neighbourhood.id == int(place.wijk)))
    if place.host is not None:
        if place.host == NONE_ARG:
            return str(OWN_PLACE)
        return session.scalar(select(HostOrganisation.name).where(
            HostOrganisation.id == int(place.host)))
    return None


def _ended_where(period: Period, outcome: Outcome | None) -> list:
    where = [Trajectory.status == TrajectoryStatus.ENDED,
             Trajectory.outcome_on.between(period.start, period.end)]
    if outcome is not None:
        where.append(Trajectory.outcome == outcome)
    return where


def _ended_rows(where: list):
    """The statement of the outflow drill-down's rows, (trajectory, first name, last name), in
    the list's order."""
    return (select(Trajectory, Participant.first_name, Participant.last_name)
            .join(Participant, (Participant.tenant_id == Trajectory.tenant_id)
                  & (Participant.id == Trajectory.participant_id))
            .where(*where).order_by(Trajectory.outcome_on, Trajectory.id))


def ended_trajectories(session: Session, period: Period, outcome: Outcome | None,
                       page: int = 1):
    """The trajectories behind the outflow figure: (rows of the page, number of rows, median
    days from start to outcome, the page shown); rows are (trajectory, participant name). The
    count and median are over all rows; a page past the last shows the last. Two statements,
    whatever the number of rows."""
    where = _ended_where(period, outcome)
    days = [(end - start).days for start, end in session.execute(
        select(Trajectory.starts_on, Trajectory.outcome_on).where(*where))]
    count = len(days)
    page = max(1, min(page, pages_of(count, OUTFLOW_PAGE_SIZE)))
    rows = session.execute(
        _ended_rows(where).limit(OUTFLOW_PAGE_SIZE).offset((page - 1) * OUTFLOW_PAGE_SIZE)).all()
    middle = (Decimal(str(median(days))).quantize(Decimal("0.1")) if days else None)
    return [(t, f"{first} {last}") for t, first, last in rows], count, middle, page


def all_ended_trajectories(session: Session, period: Period, outcome: Outcome | None
                           ) -> list[tuple]:
    """Every row of the outflow drill-down for the same filter, every page, in its order: one
    statement (the download of the list)."""
    return [(t, f"{first} {last}") for t, first, last in session.execute(
        _ended_rows(_ended_where(period, outcome)))]


def pages_of(count: int, per_page: int) -> int:
    """The number of pages of a list of `count` rows (at least 1, for the empty list)."""
    return max(1, -(-count // per_page))
