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
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.hours.models import HourType
from blueprints.participants.models import HouseholdType
from blueprints.reports.followups import TO_WORK, Outflow, outflows_to_work
from blueprints.reports.models import BenefitNorm, HoursDaily, ValueAssumption
from blueprints.reports.periods import Period
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


def category_of(household: HouseholdType | None, born: date | None, month: date) -> str:
    if born is not None:
        age = month.year - born.year - ((month.month, month.day) < (born.month, born.day))
        if 18 <= age <= 20:
            return YOUNG
    return HOUSEHOLD_CATEGORY.get(household, COST_SHARER)


class Norms:
    """The norms per category by valid-from date (one statement)."""

    def __init__(self, rows: list[BenefitNorm]):
        self.by_category: dict[str, list[BenefitNorm]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r.valid_from):
            self.by_category[row.category].append(row)
        #: the valid-from dates per category, built once (`on` runs per outflow per month)
        self.days = {c: [r.valid_from for r in rows] for c, rows in self.by_category.items()}
        self.used: dict[int, BenefitNorm] = {}

    @classmethod
    def load(cls, session: Session) -> Norms:
        return cls(list(session.scalars(select(BenefitNorm))))

    def on(self, category: str, day: date) -> BenefitNorm | None:
        rows = self.by_category.get(category, [])
        i = bisect_right(self.days.get(category, []), day)
        if not i:
            return None
        self.used[rows[i - 1].id] = rows[i - 1]
        return rows[i - 1]


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


@dataclass
class PersonLine:
    """One outflow to work in the estimate (its months, the norms they used)."""
    outflow: Outflow
    confirmed_months: int = 0
    unconfirmed_months: int = 0
    confirmed_cents: int = 0
    unconfirmed_cents: int = 0
    stopped_on: date | None = None
    missing_norm_months: int = 0
    categories: set = field(default_factory=set)


@dataclass
class Estimate:
    period: Period
    lines: list[PersonLine]
    used: dict
    norms: list[BenefitNorm]
    durability: Fraction
    durability_followed: int
    durability_still_off: int
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


def _line(outflow: Outflow, months: list[date], norms: Norms) -> PersonLine:
    line = PersonLine(outflow)
    start = outflow.trajectory.outcome_on
    first_off = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    back = outflow.back_on_benefit
    confirmed_until = max((f.checked_on for f in outflow.followups.values()
                           if f.still_off_benefit and (back is None or f.months < back.months)),
                          default=None)
    if back is not None:
        line.stopped_on = back.checked_on
    for month in months:
        if month < first_off or (back is not None and month > back.checked_on):
            continue
        category = category_of(outflow.household_type, outflow.date_of_birth, month)
        line.categories.add(category)
        norm = norms.on(category, month)
        if norm is None:
            line.missing_norm_months += 1
            continue
        if confirmed_until is not None and month <= confirmed_until:
            line.confirmed_months += 1
            line.confirmed_cents += norm.monthly_cents
        else:
            line.unconfirmed_months += 1
            line.unconfirmed_cents += norm.monthly_cents
    return line


#: outflows per page in the value page's list "per uitstroom" (the estimate is over all of them)
LINES_PAGE_SIZE = 50


def lines_page(est: Estimate, page: int, per_page: int = LINES_PAGE_SIZE):
    """(the estimate's lines on `page`, the page shown, the number of pages): a page past the
    last shows the last. Only the list is paged; every total stays over all lines."""
    pages = max(1, -(-len(est.lines) // per_page))
    page = max(1, min(page, pages))
    return est.lines[(page - 1) * per_page:page * per_page], page, pages


def estimate(session: Session, period: Period) -> Estimate:
    """The value estimate for the period: five statements whatever the number of outflows."""
    used = assumptions(session)
    norms = Norms.load(session)
    outflows = outflows_to_work(session, period.end)
    months = list(_months(period))
    lines = [_line(o, months, norms) for o in outflows]
    lines = [ln for ln in lines if ln.confirmed_months or ln.unconfirmed_months
             or ln.missing_norm_months]
    answers = [f for o in outflows for m, f in o.followups.items() if m in (6, 12)]
    still_off = sum(1 for f in answers if f.still_off_benefit)
    durability = (Fraction(still_off, len(answers)) if answers
                  else Fraction(used["duurzaamheid_cbs"].value, 100))
    confirmed = sum(ln.confirmed_cents for ln in lines)
    unconfirmed = sum(ln.unconfirmed_cents for ln in lines)
    gross = confirmed + durability * unconfirmed
    eff_months = (sum(ln.confirmed_months for ln in lines)
                  + durability * sum(ln.unconfirmed_months for ln in lines))
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
    by_outcome = {o: sum(1 for ln in lines if ln.outflow.trajectory.outcome == o)
                  for o in TO_WORK}
    return Estimate(
        period=period, lines=lines, used=used,
        norms=sorted(norms.used.values(), key=lambda n: (n.category, n.valid_from)),
        durability=durability, durability_followed=len(answers),
        durability_still_off=still_off, gross_confirmed_cents=confirmed,
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
