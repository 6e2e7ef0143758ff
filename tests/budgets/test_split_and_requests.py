"""A course paid partly from the participant's budget and partly from the pool (one transaction,
both accounts checked under lock, reversed part by part), and a participant who asks for a
course from the catalogue themselves — as a service and through the pages."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from blueprints.budgets import ledger, services
from blueprints.budgets.models import (
    CourseEnrolment,
    EnrolmentStatus,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.participants.models import ParticipantStatus
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.models import AuditEvent
from tests.budgets.builders import account_balance, budget, course, fund, set_policy
from tests.concurrency import run_together
from tests.helpers import login, post


def _url(world, path=""):
    return f"/{world.tenant.slug}/budgetten{path}"


def _html(response) -> str:
    return response.get_data(as_text=True).replace("\xa0", " ")


def _course_transactions(s) -> int:
    return s.scalar(select(func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.kind == TransactionKind.COURSE))


# --- split between budget and pool ----------------------------------------------------------

def test_a_split_takes_the_whole_budget_and_the_rest_from_the_pool(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="50")
    fund(s, actor, world.customer.id, world.participant, 40000)  # € 200 budget, € 200 pool
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "375"))
    services.approve_enrolment(s, actor, enrolment, source="split")
    assert enrolment.status == EnrolmentStatus.APPROVED
    assert budget(s, world.participant) == 0
    assert account_balance(s, "pool") == 2500  # 200 - 175
    assert account_balance(s, "courses") == 37500
    tx = s.scalar(select(LedgerTransaction).where(LedgerTransaction.id == enrolment.transaction_id))
    assert sorted(e.amount_cents for e in ledger.entries_of(s, tx)) == [-20000, -17500, 37500]
    event = s.scalar(select(AuditEvent).where(AuditEvent.action == "course.approved",
                                              AuditEvent.object_id == str(enrolment.id)))
    assert event.details["from_budget_cents"] == 20000
    assert event.details["from_pool_cents"] == 17500


def test_a_split_that_both_cannot_pay_is_refused_with_both_balances_and_changes_nothing(world):
    """The issue's case: € 375 asked, € 0 budget, € 319,93 in the pool."""
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="100")
    fund(s, actor, world.customer.id, world.participant, 31993)
    assert budget(s, world.participant) == 0 and account_balance(s, "pool") == 31993
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "375"))
    with pytest.raises(DomainError) as refused:
        services.approve_enrolment(s, actor, enrolment, source="split")
    message = str(refused.value).replace("\xa0", " ")
    assert "Het budget van Fatma Yilmaz (€ 0,00) en de gezamenlijke pot (€ 319,93)" in message
    assert "samen € 319,93; de cursus kost € 375,00." in message
    assert enrolment.status == EnrolmentStatus.PROPOSED
    assert _course_transactions(s) == 0 and account_balance(s, "pool") == 31993


def test_a_split_with_enough_budget_takes_nothing_from_the_pool(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="50")
    fund(s, actor, world.customer.id, world.participant, 60000)  # € 300 each
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "100"))
    services.approve_enrolment(s, actor, enrolment, source="split")
    assert budget(s, world.participant) == 20000 and account_balance(s, "pool") == 30000


def test_cancelling_a_split_course_returns_each_part_where_it_came_from(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="50")
    fund(s, actor, world.customer.id, world.participant, 40000)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "375"))
    services.approve_enrolment(s, actor, enrolment, source="split")
    services.cancel_enrolment(s, actor, enrolment, "De cursus is vervallen")
    assert budget(s, world.participant) == 20000 and account_balance(s, "pool") == 20000
    assert account_balance(s, "courses") == 0


def test_an_unknown_source_is_refused_in_dutch(world):
    s, actor = world.session, world.admin_actor
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "10"))
    with pytest.raises(DomainError, match="Kies waaruit de cursus wordt betaald"):
        services.approve_enrolment(s, actor, enrolment, source="kas")
    assert enrolment.status == EnrolmentStatus.PROPOSED


@pytest.mark.postgres
def test_parallel_split_approvals_never_take_budget_or_pool_below_zero(app, world):
    """Ten € 100 courses split at once against € 150 budget and € 150 pool: three are paid
    (the last € 100 pool part no longer fits), the rest refused, no account below zero."""
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="50")
    fund(s, actor, world.customer.id, world.participant, 30000)
    ids = [services.propose_course(s, world.coach_actor, world.participant,
                                   course(s, actor, "100", title=f"Cursus {i}")).id
           for i in range(10)]
    s.commit()

    def approve(enrolment_id):
        return lambda session: services.approve_enrolment(
            session, actor, services.get_enrolment(session, enrolment_id), source="split").id

    results = run_together(app, world.tenant.id, *[approve(i) for i in ids])
    assert sum(1 for r in results if r[0] == "ok") == 3
    s.expire_all()
    assert budget(s, world.participant) >= 0 and account_balance(s, "pool") >= 0
    assert budget(s, world.participant) + account_balance(s, "pool") == 0
    assert account_balance(s, "courses") == 30000


# --- the participant asks -------------------------------------------------------------------

def test_a_participant_asks_for_a_course_and_an_admin_sees_the_request(world):
    s = world.session
    vca = course(s, world.admin_actor, "250")
    me = Actor(user_id=world.user.id, email=world.user.email)
    enrolment = services.request_course(s, me, world.participant, vca, "Ik wil heftruck rijden")
    assert enrolment.status == EnrolmentStatus.PROPOSED
    assert enrolment.proposed_by_id == world.user.id and enrolment.cost_cents == 25000
    assert s.scalar(select(AuditEvent).where(AuditEvent.action == "course.requested",
                                             AuditEvent.object_id == str(enrolment.id)))
    with pytest.raises(DomainError, match="al voorgesteld"):
        services.request_course(s, me, world.participant, vca)


def test_a_participant_cannot_ask_for_someone_else_or_after_the_end(world):
    s = world.session
    vca = course(s, world.admin_actor, "250")
    with pytest.raises(NotFound):
        services.request_course(s, world.coach_actor, world.participant, vca)
    world.participant.status = ParticipantStatus.ENDED
    with pytest.raises(DomainError, match="traject is afgerond"):
        services.request_course(s, Actor(user_id=world.user.id), world.participant, vca)


def test_on_the_pages_a_participant_requests_and_the_admin_approves_split(app, client, world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="50")
    fund(s, actor, world.customer.id, world.participant, 40000)
    vca = course(s, actor, "375")
    s.commit()
    login(client, world.user)
    page = _url(world, "/mijn/cursus-aanvragen")
    html = _html(client.get(page))
    assert "Uw budget is nu € 200,00" in html and "VCA Basis" in html and "€ 375,00" in html
    assert 'href="/%s/budgetten/mijn/cursus-aanvragen"' % world.tenant.slug in \
        _html(client.get(_url(world, "/mijn")))
    bad = post(client, page, {"course": ""}, token_from=page)
    assert bad.status_code == 400 and "Kies een cursus." in _html(bad)
    assert s.scalar(select(func.count()).select_from(CourseEnrolment)) == 0
    done = post(client, page, {"course": str(vca.id), "motivation": "Voor mijn werk"},
                token_from=page, follow_redirects=True)
    assert "Uw aanvraag is verstuurd" in _html(done) and "Voorgesteld" in _html(done)
    s.expire_all()
    enrolment = s.scalar(select(CourseEnrolment))

    admin = app.test_client()
    login(admin, world.admin)
    proposals = _html(admin.get(_url(world, "/voorstellen")))
    assert "Aangevraagd door de deelnemer op" in proposals
    assert f'id="bron-{enrolment.id}-split" checked' in proposals  # the budget is too small
    assert "€ 200,00 uit het budget, € 175,00 uit de pot" in proposals
    response = post(admin, _url(world, f"/voorstellen/{enrolment.id}/goedkeuren"),
                    {"source": "split"}, token_from=_url(world, "/voorstellen"),
                    follow_redirects=True)
    assert "betaald uit het budget, aangevuld uit de pot" in _html(response)
    s.expire_all()
    assert budget(s, world.participant) == 0 and account_balance(s, "pool") == 2500


def test_an_account_without_a_participant_record_is_sent_to_its_budget_page(client, world):
    login(client, world.coach)
    response = client.get(_url(world, "/mijn/cursus-aanvragen"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/budgetten/mijn")
    assert post(client, _url(world, "/mijn/cursus-aanvragen"), {"course": "1"},
                token_from=_url(world, "/mijn")).status_code == 302
    assert world.session.scalar(select(func.count()).select_from(CourseEnrolment)) == 0
