"""The end of a trajectory: what happens to a participant's unspent budget."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.budgets import ledger
from blueprints.budgets.models import LedgerTransaction, TransactionKind, UnspentOnEnd
from blueprints.budgets.services.policy import get_policy
from tenants import audit
from tenants.actor import Actor


def handle_trajectory_end(session: Session, actor: Actor, trajectory) -> LedgerTransaction | None:
    """Under the "naar de pot" rule, the whole remaining budget moves to the pool when the
    participant's last running trajectory ends (key to-pool:<trajectory id>). Otherwise, or with
    nothing left, nothing happens."""
    from blueprints.trajectories.models import Trajectory, TrajectoryStatus

    if get_policy(session).unspent_on_end != UnspentOnEnd.TO_POOL:
        return None
    running = session.scalar(select(Trajectory.id).where(
        Trajectory.participant_id == trajectory.participant_id, Trajectory.id != trajectory.id,
        Trajectory.status.in_([TrajectoryStatus.INTAKE, TrajectoryStatus.ACTIVE,
                               TrajectoryStatus.PAUSED])).limit(1))
    if running is not None:
        return None
    source = ledger.find_account(session, ledger.participant_key(trajectory.participant_id))
    if source is None:
        return None
    ledger.lock(session, [source])
    remaining = ledger.balance(session, source)
    if remaining <= 0:
        return None
    tx = ledger.post(session, actor, key=f"to-pool:{trajectory.id}", kind=TransactionKind.TO_POOL,
                     description="Einde traject: ongebruikt budget naar de gezamenlijke pot",
                     booked_on=trajectory.outcome_on or date.today(),
                     entries=[ledger.Entry(source, -remaining),
                              ledger.Entry(ledger.pool_account(session), remaining)])
    if ledger.is_new(tx):
        audit.record(session, actor, "budget.to_pool", trajectory,
                     participant_id=trajectory.participant_id, cents=remaining)
    return tx
