"""What every budget service shares: labels, exact rounding, the admin check."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.budgets.models import AllocationMode, EnrolmentStatus, TransactionKind, UnspentOnEnd
from tenants.actor import Actor
from tenants.errors import PermissionDenied
from tenants.models import Membership, Role

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PAGE_SIZE = 50
MAX_COURSE_HOURS = 10_000

MODE_LABELS = {
    AllocationMode.NONE: _l("Niets naar budgetten"),
    AllocationMode.INVOICED_VALUE: _l("De gefactureerde waarde (excl. btw)"),
    AllocationMode.PERCENTAGE: _l("Een percentage van de gefactureerde waarde"),
    AllocationMode.PER_HOUR: _l("Een vast bedrag per gefactureerd uur"),
}
UNSPENT_LABELS = {
    UnspentOnEnd.STAYS: _l("Het budget blijft van de deelnemer"),
    UnspentOnEnd.TO_POOL: _l("Het budget gaat naar de gezamenlijke pot"),
}
KIND_LABELS = {
    TransactionKind.ALLOCATION: _l("Verdiend"),
    TransactionKind.COURSE: _l("Cursus"),
    TransactionKind.REVERSAL: _l("Teruggeboekt"),
    TransactionKind.TO_POOL: _l("Naar de pot"),
    TransactionKind.CORRECTION: _l("Correctie"),
}
STATUS_LABELS = {
    EnrolmentStatus.PROPOSED: _l("Voorgesteld"),
    EnrolmentStatus.APPROVED: _l("Goedgekeurd"),
    EnrolmentStatus.DECLINED: _l("Afgewezen"),
    EnrolmentStatus.WITHDRAWN: _l("Ingetrokken"),
    EnrolmentStatus.CANCELLED: _l("Geannuleerd"),
}


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, exactly (integers only)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q = (2 * abs(numerator) + denominator) // (2 * denominator)
    return q if numerator >= 0 else -q


def _require_admin(session: Session, actor: Actor, message) -> None:
    """Defence in depth for admin decisions (the route checks too). The system actor (CLI,
    demo data) has no user and may act."""
    if actor.user_id is None:
        return
    role = session.scalar(select(Membership.role).where(Membership.user_id == actor.user_id))
    if role is None or role.rank < Role.ADMIN.rank:
        raise PermissionDenied(message)
