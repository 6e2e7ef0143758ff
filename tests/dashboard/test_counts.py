"""An admin's start page counts the team, the participants per status and this year's outflow of
its own cooperative only, in one statement."""
from __future__ import annotations

import re
from datetime import date, timedelta

from blueprints.dashboard.services import admin_summary
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories.models import (Funding, Outcome, Trajectory, TrajectoryKind,
                                            TrajectoryStatus)
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login

TODAY = date.today()


def _people(session, tenant, statuses, outcomes=()):
    """Participants with these statuses; then one ended trajectory per outcome (this year)."""
    with tenant_context(session, tenant.id):
        people = [Participant(tenant_id=tenant.id, first_name="Anna", last_name=f"Bakker{i}",
                              skills=[], languages=[], available_days=[], status=status)
                  for i, status in enumerate(statuses)]
        session.add_all(people)
        session.flush()
        for person, outcome in zip(people, outcomes):
            session.add(Trajectory(
                tenant_id=tenant.id, participant_id=person.id, kind=TrajectoryKind.SOCIAL_JOB,
                starts_on=TODAY - timedelta(days=400), hours_per_week=12, build_up=[],
                funding=Funding.SUBSIDY, status=TrajectoryStatus.ENDED, outcome=outcome,
                outcome_on=date(TODAY.year, 1, 1)))
        session.commit()


def _stats(page: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))


def test_the_start_page_counts_its_own_cooperative_only(make, session, client):
    ours, theirs = make.tenant(), make.tenant()
    admin = make.member(ours, Role.ADMIN)
    make.member(ours, Role.SUPERVISOR)
    make.member(ours, Role.SUPERVISOR)
    for _ in range(3):
        make.member(theirs, Role.SUPERVISOR)
    make.member(theirs, Role.ADMIN)
    _people(session, ours, [ParticipantStatus.ACTIVE, ParticipantStatus.ACTIVE,
                            ParticipantStatus.INTAKE, ParticipantStatus.ENDED,
                            ParticipantStatus.ENDED],
            [Outcome.PAID_WORK, Outcome.MOVED, Outcome.PAID_WORK])
    _people(session, theirs, [ParticipantStatus.PAUSED] * 4 + [ParticipantStatus.ACTIVE],
            [Outcome.EDUCATION] * 4)

    with tenant_context(session, ours.id):
        summary = admin_summary(session, TODAY)
    assert (summary.team.admins, summary.team.supervisors, summary.team.participants,
            summary.team.open_invitations) == (1, 2, 0, 0)
    assert summary.participants == {"intake": 1, "actief": 2, "gepauzeerd": 0, "afgerond": 2,
                                    "geanonimiseerd": 0}
    assert summary.outflow == {"betaald_werk": 2, "verhuisd": 1}
    assert (summary.money.drafts, summary.money.open_cents, summary.money.proposals) == (0, 0, 0)

    login(client, admin)
    page = client.get(f"/{ours.slug}/").get_data(as_text=True)
    stats = _stats(page)
    assert (stats["Actief"], stats["In intake"], stats["Gepauzeerd"]) == ("2", "1", "0")
    assert stats["Uitgestroomd dit jaar"] == "3"
    assert (stats["Beheerders"], stats["Begeleiders"]) == ("1", "2")
    assert "Uitstroom dit jaar: Betaald werk 2 · Verhuisd 1" in page


def test_the_start_page_takes_as_many_statements_however_many_rows(app, make, session,
                                                                   count_queries):
    small, large = make.tenant(), make.tenant()
    counts = []
    for tenant, n in ((small, 1), (large, 30)):
        admin = make.member(tenant, Role.ADMIN)
        _people(session, tenant, [ParticipantStatus.ACTIVE] * n, [Outcome.PAID_WORK] * n)
        client = app.test_client()
        login(client, admin)
        client.get(f"/{tenant.slug}/")
        with count_queries() as n_statements:
            assert client.get(f"/{tenant.slug}/").status_code == 200
        counts.append(n_statements())
    assert counts[0] == counts[1]
