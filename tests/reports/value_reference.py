"""The value estimate as it was computed before issue #13's SQL version: every outflow to work
loaded, and its months walked one by one in Python (months off benefit × the norm valid that
month × durability ...). Kept here, in the tests only, as the reference the SQL version must
equal figure for figure (tests/reports/test_value_sql.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from sqlalchemy.orm import Session

from blueprints.reports.followups import TO_WORK, Outflow, outflows_to_work
from blueprints.reports.periods import Period
from blueprints.reports.value import (
    COST_SHARER,
    HOUSEHOLD_CATEGORY,
    YOUNG,
    Norms,
    _months,
    cents,
)


def category_of(household, born: date | None, month: date) -> str:
    if born is not None:
        age = month.year - born.year - ((month.month, month.day) < (born.month, born.day))
        if 18 <= age <= 20:
            return YOUNG
    return HOUSEHOLD_CATEGORY.get(household, COST_SHARER)


@dataclass
class Line:
    outflow: Outflow
    confirmed_months: int = 0
    unconfirmed_months: int = 0
    confirmed_cents: int = 0
    unconfirmed_cents: int = 0
    stopped_on: date | None = None
    missing_norm_months: int = 0
    categories: set = field(default_factory=set)


def _line(outflow: Outflow, months: list[date], norms: Norms, used: dict) -> Line:
    line = Line(outflow)
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
        if norm is not None:
            used[norm.id] = norm
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


def estimate(session: Session, period: Period, norms: Norms, used: dict,
             volunteer: int) -> dict:
    """The old estimate's figures ({name: value}) and its lines, for the same norms and
    assumptions (`used`, as value.assumptions gives them) and volunteer minutes."""
    norms_used: dict = {}
    outflows = outflows_to_work(session, period.end)
    months = list(_months(period))
    lines = [_line(o, months, norms, norms_used) for o in outflows]
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
    return {
        "lines": lines,
        "norms": sorted(norms_used.values(), key=lambda n: (n.category, n.valid_from)),
        "durability": durability, "durability_followed": len(answers),
        "durability_still_off": still_off, "gross_confirmed_cents": confirmed,
        "gross_unconfirmed_cents": unconfirmed, "gross_cents": cents(gross),
        "confirmed_months": sum(ln.confirmed_months for ln in lines),
        "unconfirmed_months": sum(ln.unconfirmed_months for ln in lines),
        "effective_months": eff_months, "admin_cents": cents(admin),
        "central_cents": kept(deadweight, gross + (admin if include_admin else 0)),
        "low_cents": kept(dw_low, gross), "high_cents": kept(dw_high, gross + admin),
        "deadweight_low": dw_low, "deadweight_high": dw_high, "include_admin": include_admin,
        "person_years": person_years,
        "broad_cents": cents(person_years * used["brede_baten"].value),
        "volunteer_minutes": volunteer,
        "volunteer_cents": cents(Fraction(volunteer, 60) * used["uurwaarde_vrijwilliger"].value),
        "by_outcome": {o: sum(1 for ln in lines if ln.outflow.trajectory.outcome == o)
                       for o in TO_WORK},
    }
