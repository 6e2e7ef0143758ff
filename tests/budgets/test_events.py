"""Budgets react to other features through the kernel's events (tenants/events.py), inside the
sender's transaction: a failing reaction takes the sender's change back with it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from blueprints.budgets import ledger
from blueprints.budgets import subscribers as budget_subscribers
from blueprints.budgets.models import UnspentOnEnd
from blueprints.hours import subscribers as hours_subscribers
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Outcome, Trajectory, TrajectoryStatus
from tenants import events
from tenants.errors import DomainError
from tests.budgets.builders import account_balance, budget, fund, set_policy


@pytest.fixture
def failing_after_budgets():
    """A later subscriber of trajectory_ended that refuses, after checking that budgets had
    already moved the money in the same transaction."""
    seen = {}

    def refuse(trajectory, *, session, actor, **_extra):
        seen["pool"] = account_balance(session, "pool")
        raise DomainError("Een latere reactie weigert.")

    events.trajectory_ended.connect(refuse, weak=False)
    try:
        yield seen
    finally:
        events.trajectory_ended.disconnect(refuse)


def test_the_subscriptions_are_connected_by_create_app(app):
    receivers = {name: list(sig.receivers_for(object())) for name, sig in
                 (("ended", events.trajectory_ended), ("erased", events.participant_erased))}
    assert budget_subscribers.on_trajectory_ended in receivers["ended"]
    assert budget_subscribers.on_participant_erased in receivers["erased"]
    assert hours_subscribers.on_participant_erased in receivers["erased"]


def test_ending_a_trajectory_moves_the_unspent_budget_through_the_event(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, unspent=UnspentOnEnd.TO_POOL)
    fund(s, actor, world.customer.id, world.participant, 7000)
    trajectories.end_trajectory(s, world.coach_actor, world.trajectory, Outcome.VOLUNTEERING,
                                date.today())
    assert budget(s, world.participant) == 0 and account_balance(s, "pool") == 7000


def test_a_failing_subscriber_rolls_back_the_senders_change(world, failing_after_budgets):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, unspent=UnspentOnEnd.TO_POOL)
    fund(s, actor, world.customer.id, world.participant, 7000)
    s.commit()
    with pytest.raises(DomainError, match="latere reactie"):
        trajectories.end_trajectory(s, world.coach_actor, world.trajectory, Outcome.VOLUNTEERING,
                                    date.today())
    assert failing_after_budgets["pool"] == 7000  # budgets had reacted, in this transaction
    s.rollback()  # what run_service does with the DomainError
    trajectory = s.scalar(select(Trajectory).where(Trajectory.id == world.trajectory.id)
                          .execution_options(populate_existing=True))
    assert trajectory.status != TrajectoryStatus.ENDED and trajectory.outcome is None
    assert budget(s, world.participant) == 7000 and account_balance(s, "pool") == 0
    assert ledger.transaction_by_key(s, f"to-pool:{world.trajectory.id}") is None
