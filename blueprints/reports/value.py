"""The value estimate, with its working: benefits saved for the municipality, and beside it
(never added to it) the broader social value of work and the replacement value of volunteer
hours. DOMAIN.md, reports: "never one bare number" — every figure comes with its formula,
each input with its source and date, and a low–high band.

Benefits saved, per outflow to work (blueprints.reports.followups.TO_WORK):

    Σ over the months off benefit in the period of the bijstand norm valid that month for the
    person's norm category, a confirmed month counted whole and an unconfirmed month × the
    durability factor; × (1 − deadweight); optionally + administration cost per month.

- A month off benefit starts on the first day of the month after the outflow date (CBS: one
  month later the person has work and no new bijstand) and is counted when its first day lies
  in the period. A follow-up saying the person is on benefit again ends the count: months
  after its date are not counted.
- A month is confirmed when a follow-up dated on or after its first day says the person was
  still out of benefit; other months are unconfirmed and weighted by the durability factor:
  the share still out of benefit among the cooperative's recorded 6- and 12-month follow-ups,
  or the CBS figure (91% still out of bijstand 1.5 years later) when none is recorded.
- Norms are platform data by valid-from date (models.BenefitNorm); the category follows the
  participant's household type; 18 to 20 year olds have their own, far lower norm; an unknown
  household type is counted with the lowest adult norm (kostendeler), so as not to overclaim.

Money is integer cents; the arithmetic is exact (fractions) and rounded once, half up, to
cents for each figure shown.

The sums run in the database (`estimate`): the outflows to work, each with its household's
norm category, its date of birth and the dates its follow-ups give, joined to a calendar of the
period's months (a derived table of at most 37 rows, built here from the period and the norms:
per month the norm valid then for each category and the birth dates that make a person 18 to
20), grouped per outflow and summed. A fixed number of statements, none returning a row per
outflow; the page reads only the 50 lines it shows.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Date, and_, bindparam, case, cast, func, or_, select
from sqlalchemy import union_all
from sqlalchemy.orm import Session, aliased

from blueprints.hours.models import HourType
from blueprints.participants.models import HouseholdType, Participant
from blueprints.reports.followups import TO_WORK
from blueprints.reports.models import BenefitNorm, HoursDaily, OutflowFollowUp, ValueAssumption
from blueprints.reports.periods import Period
from blueprints.trajectories.models import Outcome, Trajectory, TrajectoryStatus
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_money
from tenants.money import amount_text, parse_money

# --- norm categories --------------------------------------------------------------------------

COUPLE, SINGLE, COST_SHARER, YOUNG = "gehuwden", "alleenstaand", "kostendeler_2", "jongere_18_20"
CATEGORY_LABELS = {
    COUPLE: _l("Gehuwden en samenwonenden"),
    SINGLE: _l("Alleenstaande (ouder): 70% van de gehuwdennorm"),
    COST_SHARER: _l("Kostendeler, twee personen: 50% van de gehuwdennorm"),
    YOUNG: _l("Jongere van 18 tot en met 20 jaar"),
}
HOUSEHOLD_CATEGORY = {
    HouseholdType.SINGLE: SINGLE,
    HouseholdType.SINGLE_PARENT: SINGLE,
    HouseholdType.COUPLE: COUPLE,
    HouseholdType.LODGER: COST_SHARER,
    None: COST_SHARER,
}


#: the adult categories and the household types that have them (any other: COST_SHARER)
HOUSEHOLD_TYPES = {category: tuple(h for h, c in HOUSEHOLD_CATEGORY.items()
                                   if c == category and h is not None)
                   for category in (COUPLE, SINGLE)}


class Norms:
    """The norms per category by valid-from date (one statement)."""

    def __init__(self, rows: list[BenefitNorm]):
        self.by_category: dict[str, list[BenefitNorm]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r.valid_from):
            self.by_category[row.category].append(row)
        self.days = {c: [r.valid_from for r in rows] for c, rows in self.by_category.items()}

    @classmethod
    def load(cls, session: Session) -> Norms:
        return cls(list(session.scalars(select(BenefitNorm))))

    def on(self, category: str, day: date) -> BenefitNorm | None:
        """The norm of the category valid on `day` (the last one valid from on or before it)."""
        i = bisect_right(self.days.get(category, []), day)
        return self.by_category[category][i - 1] if i else None


# --- assumptions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assumption:
    key: str
    label: str
    unit: str          # "percent", "cents" or "yesno"
    default: int
    low: int
    high: int
    source: str


ASSUMPTIONS = {a.key: a for a in (
    Assumption("dode_last", _l("Dode last: uitstroom die ook zonder de coöperatie was gebeurd"),
               "percent", 50, 0, 90,
               _l("Standaard van het platform (50 procent, een aanname, geen gemeten cijfer). De "
                  "literatuur vindt dat re-integratie de kans op werk maar beperkt verhoogt, dus "
                  "dat veel uitstroom ook zonder begeleiding was gebeurd: SEOR, Effectiviteit "
                  "van reïntegratie (De Koning e.a., 2005, voor SZW); Ministerie van SZW, "
                  "Beleidsdoorlichting re-integratie (2008): trajecten hebben doorgaans een "
                  "‘klein, positief effect’; Kamerbrief netto-effectiviteit re-integratie "
                  "(Kamerstukken 28719, nr. 79, 2012). De lage schatting rekent met 20 "
                  "procentpunten meer. Een coöperatie kiest een eigen waarde tussen 0 en 90 "
                  "procent, met bron; elke wijziging staat in het logboek.")),
    Assumption("bandbreedte", _l("Bandbreedte rond de dode last (procentpunten)"), "percent",
               20, 0, 50,
               _l("Platformaanname: laag = dode last + bandbreedte zonder uitvoeringskosten, "
                  "hoog = dode last − bandbreedte met uitvoeringskosten.")),
    Assumption("duurzaamheid_cbs", _l("Duurzaamheid als er geen nazorg is vastgelegd"),
               "percent", 91, 50, 100,
               _l("CBS (2024): 91% van wie de bijstand verliet voor werk, zat 1,5 jaar later "
                  "nog niet in de bijstand.")),
    Assumption("uitvoeringskosten", _l("Uitvoeringskosten per bijstandsuitkering per jaar"),
               "cents", 288300, 0, 1000000,
               _l("Berenschot (2018): gemiddeld ≈ € 2.883 per uitkering per jaar aan "
                  "uitvoering, van ≈ € 14.000 totale kosten.")),
    Assumption("uitvoeringskosten_meetellen", _l("Uitvoeringskosten meetellen in de "
                                                 "middenschatting"), "yesno", 0, 0, 1,
               _l("Keuze van de coöperatie; de hoge schatting telt ze altijd mee, de lage "
                  "nooit.")),
    Assumption("brede_baten", _l("Brede baten van werk per persoon per jaar"), "cents",
               500000, 0, 2000000,
               _l("CPB/SCP, De brede baten van werk (2020): ≈ € 5.000 per persoon per jaar "
                  "bovenop de uitkeringsbesparing (minder ggz, Wmo-ondersteuning en "
                  "criminaliteit). Gemeten bij mensen met een arbeidsbeperking (Wsw-wachtlijst); "
                  "het bedrag komt uit een samenvatting.")),
    Assumption("uurwaarde_vrijwilliger", _l("Vervangingswaarde van een uur vrijwilligerswerk"),
               "cents", 1324, 0, 5000,
               _l("Platformstandaard: het minimumloon per 1 januari 2026 (€ 2.294,40 per "
                  "maand) omgerekend naar een uur bij 40 uur per week. Movisie onderscheidt "
                  "vervangings-, investerings- en marktwaarde; de coöperatie kiest.")),
)}


@dataclass(frozen=True)
class UsedAssumption:
    assumption: Assumption
    value: int
    own: ValueAssumption | None   # the tenant's row, None when the platform default applies

    @property
    def source(self) -> str:
        return self.own.source if self.own else str(self.assumption.source)


def assumptions(session: Session) -> dict[str, UsedAssumption]:
    own = {row.key: row for row in session.scalars(select(ValueAssumption))}
    result = {}
    for key, a in ASSUMPTIONS.items():
        row = own.get(key)
        value = row.value if row is not None and a.low <= row.value <= a.high else a.default
        result[key] = UsedAssumption(a, value, row if row is not None and value == row.value
                                     else None)
    return result


def set_assumption(session: Session, actor: Actor, key: str, value: int | None,
                   source: str | None) -> ValueAssumption | None:
    """Set a tenant's own value within the platform bounds, or (value None) go back to the
    platform default. Audited with the old and new value."""
    a = ASSUMPTIONS.get(key)
    if a is None:
        raise NotFound()
    row = session.scalar(select(ValueAssumption).where(ValueAssumption.key == key))
    old = row.value if row is not None else None
    if value is None:
        if row is not None:
            session.delete(row)
            session.flush()
        audit.record(session, actor, "report.assumption_changed", object_type="ValueAssumption",
                     key=key, old=old, new=None)
        return None
    if not a.low <= value <= a.high:
        raise DomainError(_l("Deze waarde moet tussen %(low)s en %(high)s liggen.",
                             low=_show(a, a.low), high=_show(a, a.high)))
    source = (source or "").strip()
    if not source:
        raise DomainError(_l("Vermeld de bron of reden van deze waarde."))
    if len(source) > 300:
        raise DomainError(_l("De bron is te lang (hoogstens 300 tekens)."))
    if row is None:
        row = ValueAssumption(key=key, value=value, source=source)
        session.add(row)
    row.value, row.source, row.changed_by_id = value, source, actor.user_id
    session.flush()
    audit.record(session, actor, "report.assumption_changed", object_type="ValueAssumption",
                 object_id=row.id, key=key, old=old, new=value, source=source)
    return row


def parse_value(key: str, text: str | None) -> int:
    """The typed value of an assumption (a whole percentage, an amount in euros, ja/nee) as an
    integer, or a Dutch refusal."""
    a = ASSUMPTIONS.get(key)
    if a is None:
        raise NotFound()
    text = (text or "").strip()
    if a.unit == "cents":
        value = parse_money(text, max_cents=10**9)
        if value is None:
            raise DomainError(_l("Vul een bedrag in, bijvoorbeeld 2.883,00."))
        return value
    if a.unit == "yesno":
        answer = {"ja": 1, "1": 1, "nee": 0, "0": 0}.get(text.casefold())
        if answer is None:
            raise DomainError(_l("Vul ja of nee in."))
        return answer
    text = text.rstrip("%").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        raise DomainError(_l("Vul een heel percentage in, bijvoorbeeld 40."))
    return int(text)


def input_text(a: Assumption, value: int) -> str:
    """The value as the form shows it for editing."""
    if a.unit == "cents":
        return amount_text(value)
    if a.unit == "yesno":
        return "ja" if value else "nee"
    return str(value)


def show(a: Assumption, value: int) -> str:
    if a.unit == "yesno":
        return str(_l("ja")) if value else str(_l("nee"))
    return _show(a, value)


def _show(a: Assumption, value: int) -> str:
    if a.unit == "cents":
        return format_money(value)
    if a.unit == "percent":
        return f"{value}%"
    return str(value)


# --- the estimate -----------------------------------------------------------------------------

FORMULA = _l("Per uitstroom naar werk (loondienst of eigen bedrijf): voor elke maand uit de "
             "uitkering in de periode de bijstandsnorm van het huishouden in die maand; een "
             "maand die een nazorg bevestigt telt helemaal, een onbevestigde maand × de "
             "duurzaamheidsfactor. Dat totaal × (1 − dode last), eventueel plus de "
             "uitvoeringskosten. Laag: dode last + bandbreedte, zonder uitvoeringskosten; hoog: "
             "dode last − bandbreedte, met uitvoeringskosten.")

def cents(amount: Fraction) -> int:
    """Round half up to whole cents (amounts are never negative here)."""
    return int(amount + Fraction(1, 2))


def _months(period: Period):
    """The first days of the months whose first day lies in the period."""
    year, month = period.start.year, period.start.month
    if period.start.day != 1:
        month += 1
        if month == 13:
            year, month = year + 1, 1
    day = date(year, month, 1)
    while day <= period.end:
        yield day
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class PersonLine:
    """One outflow to work in the estimate: its months in the period and what they counted."""
    trajectory_id: int
    outcome_on: date
    outcome: Outcome
    confirmed_months: int
    unconfirmed_months: int
    confirmed_cents: int
    unconfirmed_cents: int
    #: the date of the follow-up that found the person on benefit again
    stopped_on: date | None
    #: months in the period without a known norm for the person's category (not counted)
    missing_norm_months: int
    #: the norm categories of its months
    categories: frozenset


class Lines(Sequence):
    """The estimate's lines, oldest outflow first. Their number is known (the estimate counts
    them in SQL); the rows of a slice are read when asked for, in one statement (a page of the
    value page reads its 50, whatever the number of outflows)."""

    def __init__(self, session: Session | None = None, statement=None, count: int = 0,
                 params: dict | None = None):
        self.session, self.statement, self.count = session, statement, count
        self.params = params or {}

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.count)
            if step != 1:
                return list(self)[index]
            return self._read(start, stop - start) if stop > start else []
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        return self._read(index, 1)[0]

    def __iter__(self):
        return iter(self._read(0, self.count) if self.count else [])

    def _read(self, offset: int, limit: int) -> list[PersonLine]:
        lines = self.statement
        result = []
        for row in self.session.execute(select(lines).order_by(
                lines.c.outcome_on, lines.c.id).limit(limit).offset(offset),
                self.params).mappings():
            categories = set()
            if row["young_months"]:
                categories.add(YOUNG)
            if row["months"] > row["young_months"]:
                categories.add(row["household"])
            confirmed_months, confirmed_cents = int(row["confirmed_months"]), int(
                row["confirmed_cents"])
            result.append(PersonLine(
                trajectory_id=row["id"], outcome_on=row["outcome_on"], outcome=row["outcome"],
                confirmed_months=confirmed_months,
                unconfirmed_months=int(row["norm_months"]) - confirmed_months,
                confirmed_cents=confirmed_cents,
                unconfirmed_cents=int(row["norm_cents"]) - confirmed_cents,
                stopped_on=row["back_on"],
                missing_norm_months=int(row["months"]) - int(row["norm_months"]),
                categories=frozenset(categories)))
        return result


@dataclass
class Estimate:
    period: Period
    lines: Lines
    used: dict
    norms: list[BenefitNorm]
    durability: Fraction
    durability_followed: int
    durability_still_off: int
    confirmed_months: int
    unconfirmed_months: int
    gross_confirmed_cents: int
    gross_unconfirmed_cents: int
    gross_cents: int               # confirmed + durability × unconfirmed
    effective_months: Fraction     # confirmed + durability × unconfirmed
    admin_cents: int               # administration cost for the effective months (no deadweight)
    central_cents: int
    low_cents: int
    high_cents: int
    deadweight_low: int
    deadweight_high: int
    include_admin: bool
    person_years: Fraction
    broad_cents: int
    volunteer_minutes: int
    volunteer_cents: int
    by_outcome: dict


#: outflows per page in the value page's list "per uitstroom" (the estimate is over all of them)
LINES_PAGE_SIZE = 50


def lines_page(est: Estimate, page: int, per_page: int = LINES_PAGE_SIZE):
    """(the estimate's lines on `page`, the page shown, the number of pages): a page past the
    last shows the last. Only the list is paged; every total stays over all lines."""
    pages = max(1, -(-len(est.lines) // per_page))
    page = max(1, min(page, pages))
    return est.lines[(page - 1) * per_page:page * per_page], page, pages


# --- the sums in SQL --------------------------------------------------------------------------

ADULT = (COUPLE, SINGLE, COST_SHARER)


def _calendar(count: int):
    """The period's `count` months as a derived table: per month its first day, the birth dates
    that make a person 18 to 20 years old on it (born after `young_after`, on or before
    `young_until`: the age of DOMAIN.md's rule, counted on the month's first day) and the norm
    valid on it for each category (NULL when none is known). Every value is a bound parameter
    (`_calendar_params`), so the statement is built once per number of months."""
    return union_all(*(select(
        bindparam(f"month_{i}", type_=Date).label("month"),
        bindparam(f"young_after_{i}", type_=Date).label("young_after"),
        bindparam(f"young_until_{i}", type_=Date).label("young_until"),
        *(cast(bindparam(f"norm_{j}_{i}", type_=BigInteger), BigInteger).label(c)
          for j, c in enumerate((*ADULT, YOUNG)))) for i in range(count))).subquery("months")


def _calendar_params(months: list[date], norms: Norms) -> dict:
    """The values of `_calendar(len(months))`'s parameters."""
    params = {}
    for i, m in enumerate(months):
        params[f"month_{i}"] = m
        params[f"young_after_{i}"] = date(m.year - 21, m.month, 1)
        params[f"young_until_{i}"] = date(m.year - 18, m.month, 1)
        for j, c in enumerate((*ADULT, YOUNG)):
            norm = norms.on(c, m)
            params[f"norm_{j}_{i}"] = None if norm is None else norm.monthly_cents
    return params


def _outflows():
    """Every outflow to work on or before the parameter `until`: its trajectory's id, outcome and date, its
    household's adult norm category, the date of birth, the date of the first follow-up that
    found the person back on benefit and the last date a follow-up before that confirmed the
    person still out of benefit."""
    f = OutflowFollowUp
    back_at = (select(f.trajectory_id, func.min(f.months).label("months"))
               .where(f.still_off_benefit.is_(False)).group_by(f.trajectory_id)
               .subquery("back_at"))
    back_row = aliased(OutflowFollowUp, name="back_row")
    back = (select(back_row.trajectory_id, back_row.checked_on.label("checked_on"),
                   back_at.c.months)
            .join(back_at, (back_at.c.trajectory_id == back_row.trajectory_id)
                  & (back_at.c.months == back_row.months)).subquery("back"))
    confirmed = (select(f.trajectory_id, func.max(f.checked_on).label("until"))
                 .outerjoin(back, back.c.trajectory_id == f.trajectory_id)
                 .where(f.still_off_benefit.is_(True),
                        or_(back.c.months.is_(None), f.months < back.c.months))
                 .group_by(f.trajectory_id).subquery("confirmed"))
    t, p = Trajectory, Participant
    household = case(*((p.household_type.in_(HOUSEHOLD_TYPES[c]), c) for c in (COUPLE, SINGLE)),
                     else_=COST_SHARER)
    return (select(t.id, t.outcome_on, t.outcome, household.label("household"),
                   p.date_of_birth.label("born"), back.c.checked_on.label("back_on"),
                   confirmed.c.until.label("confirmed_until"))
            .join(p, (p.tenant_id == t.tenant_id) & (p.id == t.participant_id))
            .outerjoin(back, back.c.trajectory_id == t.id)
            .outerjoin(confirmed, confirmed.c.trajectory_id == t.id)
            .where(t.status == TrajectoryStatus.ENDED, t.outcome.in_(TO_WORK),
                   t.outcome_on <= bindparam("until", type_=Date))
            # computed once per statement, before the join to the months (SQLite would
            # otherwise look each outflow's follow-ups up again for every month)
            .cte("outflows").prefix_with("MATERIALIZED"))


@lru_cache(maxsize=64)
def _statements(count: int):
    """(the lines per outflow as a subquery, the norm categories used per month, the totals
    over the lines) for a period of `count` months: each outflow joined to the months it is off
    benefit in the period — from the first of the month after the outflow date, up to the
    follow-up that found the person back on benefit. Built once per number of months (the
    statements are immutable); executed with `until` and `_calendar_params`."""
    flows, cal = _outflows(), _calendar(count)
    off = and_(cal.c.month > flows.c.outcome_on,
               or_(flows.c.back_on.is_(None), cal.c.month <= flows.c.back_on))
    young = and_(flows.c.born.is_not(None), flows.c.born > cal.c.young_after,
                 flows.c.born <= cal.c.young_until)
    norm = case((young, cal.c[YOUNG]), *((flows.c.household == c, cal.c[c]) for c in ADULT))
    confirmed = and_(flows.c.confirmed_until.is_not(None), cal.c.month <= flows.c.confirmed_until,
                     norm.is_not(None))
    keys = (flows.c.id, flows.c.outcome_on, flows.c.outcome, flows.c.household, flows.c.back_on)
    lines = (select(*keys, func.count().label("months"),
                    func.sum(case((young, 1), else_=0)).label("young_months"),
                    func.sum(case((norm.is_not(None), 1), else_=0)).label("norm_months"),
                    func.sum(func.coalesce(norm, 0)).label("norm_cents"),
                    func.sum(case((confirmed, 1), else_=0)).label("confirmed_months"),
                    func.sum(case((confirmed, norm), else_=0)).label("confirmed_cents"))
             .select_from(flows).join(cal, off).group_by(*keys).subquery("lines"))
    used = (select(cal.c.month, case((young, YOUNG), else_=flows.c.household)).distinct()
            .select_from(flows).join(cal, off).where(norm.is_not(None)))
    totals = select(func.count(), func.sum(lines.c.confirmed_months),
                    func.sum(lines.c.norm_months), func.sum(lines.c.confirmed_cents),
                    func.sum(lines.c.norm_cents),
                    *(func.sum(case((lines.c.outcome == o, 1), else_=0)) for o in TO_WORK))
    return lines, used, totals


def _durability(session: Session, until: date) -> tuple[int, int]:
    """(follow-ups at 6 or 12 months of the outflows to work up to `until`, how many of them
    found the person still out of benefit)."""
    f, t, p = OutflowFollowUp, Trajectory, Participant
    followed, still_off = session.execute(
        select(func.count(), func.sum(case((f.still_off_benefit.is_(True), 1), else_=0)))
        .join(t, (t.tenant_id == f.tenant_id) & (t.id == f.trajectory_id))
        .join(p, (p.tenant_id == t.tenant_id) & (p.id == t.participant_id))
        .where(f.months.in_((6, 12)), t.status == TrajectoryStatus.ENDED,
               t.outcome.in_(TO_WORK), t.outcome_on <= until)).one()
    return int(followed or 0), int(still_off or 0)


def estimate(session: Session, period: Period, norms: Norms | None = None) -> Estimate:
    """The value estimate for the period: six statements whatever the number of outflows
    (and one more for each slice of `lines` read). `norms`: the platform's (BenefitNorm) unless
    given."""
    used = assumptions(session)
    norms = norms or Norms.load(session)
    months = list(_months(period))
    lines, norms_used = Lines(), []
    confirmed_months = norm_months = confirmed = with_norm = 0
    by_outcome = {o: 0 for o in TO_WORK}
    if months:
        per_line, used_norms, totals = _statements(len(months))
        params = {"until": period.end, **_calendar_params(months, norms)}
        count, confirmed_months, norm_months, confirmed, with_norm, *outcomes = session.execute(
            totals, params).one()
        confirmed_months, norm_months, confirmed, with_norm = (
            int(v or 0) for v in (confirmed_months, norm_months, confirmed, with_norm))
        by_outcome = {o: int(n or 0) for o, n in zip(TO_WORK, outcomes)}
        lines = Lines(session, per_line, count, params)
        found = {norms.on(category, month)
                 for month, category in session.execute(used_norms, params)}
        norms_used = sorted(found, key=lambda n: (n.category, n.valid_from))
    unconfirmed_months, unconfirmed = norm_months - confirmed_months, with_norm - confirmed
    followed, still_off = _durability(session, period.end)
    durability = (Fraction(still_off, followed) if followed
                  else Fraction(used["duurzaamheid_cbs"].value, 100))
    gross = confirmed + durability * unconfirmed
    eff_months = confirmed_months + durability * unconfirmed_months
    admin = eff_months * Fraction(used["uitvoeringskosten"].value, 12)
    deadweight = used["dode_last"].value
    spread = used["bandbreedte"].value
    dw_low, dw_high = min(100, deadweight + spread), max(0, deadweight - spread)
    include_admin = bool(used["uitvoeringskosten_meetellen"].value)

    def kept(share: int, amount: Fraction) -> int:
        return cents(amount * Fraction(100 - share, 100))

    person_years = eff_months * Fraction(100 - deadweight, 100) / 12
    volunteer = int(session.scalar(select(func.coalesce(func.sum(HoursDaily.minutes), 0)).where(
        HoursDaily.day.between(period.start, period.end),
        HoursDaily.hour_type == HourType.VOLUNTEER.value)) or 0)
    return Estimate(
        period=period, lines=lines, used=used, norms=norms_used,
        durability=durability, durability_followed=followed,
        durability_still_off=still_off, confirmed_months=confirmed_months,
        unconfirmed_months=unconfirmed_months, gross_confirmed_cents=confirmed,
        gross_unconfirmed_cents=unconfirmed, gross_cents=cents(gross),
        effective_months=eff_months, admin_cents=cents(admin),
        central_cents=kept(deadweight, gross + (admin if include_admin else 0)),
        low_cents=kept(dw_low, gross), high_cents=kept(dw_high, gross + admin),
        deadweight_low=dw_low, deadweight_high=dw_high, include_admin=include_admin,
        person_years=person_years,
        broad_cents=cents(person_years * used["brede_baten"].value),
        volunteer_minutes=volunteer,
        volunteer_cents=cents(Fraction(volunteer, 60) * used["uurwaarde_vrijwilliger"].value),
        by_outcome=by_outcome)
