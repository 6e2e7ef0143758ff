"""What trajectories add to the features below them (tenants/hooks.py, tenants/sections.py):
the participant page's section "Trajecten" and the participant list's filter by kind."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import render_template
from sqlalchemy import and_, exists

from blueprints.participants.models import Participant
from blueprints.trajectories import services
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from tenants import hooks, sections
from tenants.extensions import db


@dataclass(frozen=True)
class KindFilter:
    """The participant list's filter "soort traject" (tenants.hooks.participant_kind_filter)."""

    choices: list[tuple[str, Any]]
    condition: Callable[[str], Any]


def _has_running_trajectory_of(kind: str):
    """Participants with a trajectory of `kind` that has not ended."""
    return exists().where(and_(
        Trajectory.tenant_id == Participant.tenant_id,
        Trajectory.participant_id == Participant.id,
        Trajectory.kind == kind,
        Trajectory.status != TrajectoryStatus.ENDED))


def kind_filter() -> KindFilter:
    return KindFilter([(k.value, v) for k, v in services.KIND_LABELS.items()],
                      _has_running_trajectory_of)


def participant_section(*, participant, **_context) -> str:
    """The participant's trajectories (one query)."""
    return render_template(
        "trajectories/_participant_section.html", p=participant,
        trajectories=services.trajectories_of(db.session, participant),
        kind_labels=services.KIND_LABELS, status_labels=services.STATUS_LABELS,
        outcome_labels=services.OUTCOME_LABELS)


def connect() -> None:
    hooks.participant_kind_filter.provide(kind_filter)
    sections.participant_page.add("trajectories", participant_section, order=10)
