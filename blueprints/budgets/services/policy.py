"""The allocation rule (the tenant's budget policy): read, save, summarise."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.budgets.models import AllocationMode, BudgetPolicy, UnspentOnEnd
from tenants import audit
from tenants import inputs
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.formatting import format_money
from tenants.money import parse_money


def get_policy(session: Session) -> BudgetPolicy:
    """The tenant's allocation rule; an unsaved default (gefactureerde waarde, no pool share,
    budget stays) while none has been saved."""
    row = session.scalar(select(BudgetPolicy))
    if row is not None:
        return row
    return BudgetPolicy(mode=AllocationMode.INVOICED_VALUE, percentage=None, cents_per_hour=None,
                        pool_share_percent=0, unspent_on_end=UnspentOnEnd.STAYS)


def _whole_percent(value, message) -> int:
    if isinstance(value, bool):
        raise DomainError(message)
    if isinstance(value, int):
        number = value
    else:
        number = inputs.to_int((value or "").strip().rstrip("%"), min_value=0, max_value=100)
        if number is None:
            raise DomainError(message)
    if not 0 <= number <= 100:
        raise DomainError(message)
    return number


def _enum_value(enum_cls, value, message):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(message)


def save_policy(session: Session, actor: Actor, *, mode, percentage=None, per_hour=None,
                pool_share_percent=0, unspent_on_end=UnspentOnEnd.STAYS) -> BudgetPolicy:
    """Save the allocation rule. `percentage` and `pool_share_percent`: whole percent 0–100 (text
    or int); `per_hour`: an amount as typed ("7,50") or cents (int). Validates everything first."""
    mode = _enum_value(AllocationMode, mode, _l("Kies hoe verdiensten naar budgetten gaan."))
    unspent = _enum_value(UnspentOnEnd, unspent_on_end,
                          _l("Kies wat er met een ongebruikt budget gebeurt."))
    pct = cents = None
    if mode == AllocationMode.PERCENTAGE:
        pct = _whole_percent(percentage, _l("Vul een percentage in van 0 tot en met 100."))
    if mode == AllocationMode.PER_HOUR:
        cents = per_hour if isinstance(per_hour, int) and not isinstance(per_hour, bool) \
            else parse_money(per_hour)
        if cents is None or cents <= 0:
            raise DomainError(_l("Vul een bedrag per uur in dat groter is dan € 0, "
                                 "bijvoorbeeld 7,50."))
    share = 0 if pool_share_percent in (None, "") else _whole_percent(
        pool_share_percent, _l("Vul voor de pot een percentage in van 0 tot en met 100."))
    row = session.scalar(select(BudgetPolicy).with_for_update())
    if row is None:
        try:
            with session.begin_nested():
                row = BudgetPolicy(mode=mode)
                session.add(row)
                session.flush()
        except IntegrityError:  # another admin saved the first policy at the same moment
            row = session.scalar(select(BudgetPolicy).with_for_update())
            if row is None:
                raise
    row.mode, row.percentage, row.cents_per_hour = mode, pct, cents
    row.pool_share_percent, row.unspent_on_end = share, unspent
    row.updated_at = utcnow()
    audit.record(session, actor, "budget.policy_saved", row, mode=mode.value, percentage=pct,
                 cents_per_hour=cents, pool_share_percent=share, unspent_on_end=unspent.value)
    session.flush()
    return row


def policy_summary(policy: BudgetPolicy) -> str:
    """One Dutch sentence: what a paid invoice brings to a budget."""
    if policy.mode == AllocationMode.NONE:
        return str(_l("Betaalde facturen gaan niet naar budgetten."))
    if policy.mode == AllocationMode.PERCENTAGE:
        rule = _l("%(pct)s%% van de gefactureerde waarde (excl. btw)", pct=policy.percentage)
    elif policy.mode == AllocationMode.PER_HOUR:
        rule = _l("%(amount)s per gefactureerd uur", amount=format_money(policy.cents_per_hour))
    else:
        rule = _l("de gefactureerde waarde (excl. btw)")
    text = str(_l("Als een factuur betaald is, krijgt de deelnemer %(rule)s.", rule=rule))
    if policy.pool_share_percent:
        text += " " + str(_l("Daarvan gaat %(pct)s%% naar de gezamenlijke pot.",
                             pct=policy.pool_share_percent))
    return text
