"""Rules for trajectories: status flow, legal limits, goals, evaluations, outcome.

Status flow: intake -> actief -> (gepauzeerd <-> actief) -> afgerond; intake may also end
directly (someone drops out before starting). Every change is kept in `trajectory_events`.
The participant's status follows their trajectories.

Legal limits (DOMAIN.md) give warnings, never silent failures:
- proefplaats (Pw art. 8a lid 2 d): 2 months, extendable by at most 4;
- participatieplaats (Pw art. 10a): evaluation at 9 months, at most 2 years (+1 +1);
- a host that requires a VOG while the participant has none (or it is due for renewal).

The rules live in the modules of this package; this module re-exports them.
"""
from __future__ import annotations

from blueprints.trajectories.services.goals import (  # noqa: F401
    EVALUATION_DUE_SOON,
    LADDER,
    DueEvaluation,
    _level,
    add_goal,
    add_goal_note,
    due_evaluations,
    evaluations_of,
    get_goal,
    goals_of,
    plan_evaluation,
    record_evaluation,
)
from blueprints.trajectories.services.rules import (  # noqa: F401
    FIRST_EVALUATION_MONTHS,
    FUNDING_LABELS,
    KIND_LABELS,
    MAX_HOURS,
    MAX_REASON,
    OUTCOME_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    TrajectoryData,
    TrajectoryFile,
    _event,
    _values,
    add_months,
    agreed_hours_on,
    change_status,
    create_trajectory,
    end_trajectory,
    evaluation_after_end,
    extend_trajectory,
    first_evaluation_on,
    get_trajectory,
    history,
    parse_hours,
    participant_of,
    sync_participant_status,
    trajectories_of,
    trajectory_file,
    update_trajectory,
    warnings,
)
