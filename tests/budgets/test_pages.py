"""Budget pages through HTTP: a participant sees only their own budget; supervisors see all
budgets and propose; admins approve (the budget falls), decline, keep the catalogue and the rule;
bad input is refused in Dutch and changes nothing; the lists keep a constant query count."""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, insert, select

from blueprints.budgets import ledger, services
from blueprints.budgets.models import (
    AccountKind,
    BudgetPolicy,
    Course,
    CourseEnrolment,
    EnrolmentStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.participants.models import Participant, ParticipantStatus
from tenants.actor import Actor
from tenants.db import new_id, utcnow
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.budgets.builders import add_person, budget, course, fund
from tests.helpers import login, post, recorded_get


def _url(world, path=""):
    return f"/{world.tenant.slug}/budgetten{path}"


def _html(response) -> str:
    return response.get_data(as_text=True).replace("\xa0", " ")


def _fresh(world):
    world.session.commit()
    world.session.expire_all()


@pytest.fixture
def funded(world):
    """The participant has € 300,00; a VCA course (€ 250,00) is proposed for them."""
    s = world.session
    fund(s, world.admin_actor, world.customer.id, world.participant, 30000)
    vca = course(s, world.admin_actor, "250")
    enrolment = services.propose_course(s, world.coach_actor, world.participant, vca,
                                        "Wil in de bouw werken")
    s.commit()
    return vca, enrolment


# --- who sees what -------------------------------------------------------------------------

def test_a_participant_sees_their_own_budget_and_what_earned_it(client, world, funded):
    login(client, world.user)
    response = client.get(_url(world, "/mijn"))
    assert response.status_code == 200
    html = _html(response)
    assert "€ 300,00" in html and "Tuinonderhoud Lindenlaan" in html
    assert "F2026-" in html and "VCA Basis" in html and "Voorgesteld" in html


def test_a_participant_cannot_see_anyone_elses_budget(client, world, funded):
    s = world.session
    other, _ = add_person(s, world.coach_actor, "Ahmed", "El Khatib")
    fund(s, world.admin_actor, world.customer.id, other, 12345)
    s.commit()
    login(client, world.user)
    for path in (f"/deelnemer/{other.id}", f"/deelnemer/{world.participant.id}", "/",
                 "/voorstellen", "/cursussen", "/instellingen", "/export"):
        response = client.get(_url(world, path))
        assert response.status_code == 403, path
        assert "123,45" not in _html(response)
    assert "123,45" not in _html(client.get(_url(world, "/mijn")))


def test_a_participant_without_a_linked_record_sees_an_explanation(client, world, make):
    stranger = make.member(world.tenant, Role.PARTICIPANT)
    login(client, stranger)
    response = client.get(_url(world, "/mijn"))
    assert response.status_code == 200 and "nog niet gekoppeld" in _html(response)


def test_another_tenants_participant_is_404(client, world, make, session):
    elsewhere = make.tenant()
    admin = make.member(elsewhere, Role.ADMIN)
    with tenant_context(session, elsewhere.id):
        theirs, _ = add_person(session, Actor(user_id=admin.id), "Geheim", "Elders")
        session.commit()
        theirs_id = theirs.id
    login(client, world.admin)
    assert client.get(_url(world, f"/deelnemer/{theirs_id}")).status_code == 404
    assert post(client, _url(world, f"/deelnemer/{theirs_id}/voorstellen"),
                {"course": "1"}).status_code == 404


# --- staff pages ---------------------------------------------------------------------------

def test_the_overview_shows_balances_the_pool_and_waiting_proposals(client, world, funded):
    login(client, world.coach)
    html = _html(client.get(_url(world, "/")))
    assert "Fatma Yilmaz" in html and "€ 300,00" in html and "1 wacht" in html
    assert "Gezamenlijke pot" in html
    assert "Download CSV" not in html  # the export is for admins


def test_supervisor_proposes_and_admin_approves_then_the_budget_falls(app, client, world):
    s = world.session
    fund(s, world.admin_actor, world.customer.id, world.participant, 30000)
    vca = course(s, world.admin_actor, "250")
    s.commit()
    page = _url(world, f"/deelnemer/{world.participant.id}")
    login(client, world.coach)
    response = post(client, page + "/voorstellen", {
        "course": str(vca.id), "motivation": "Wil in de bouw werken",
        "starts_on": "2026-12-01"}, token_from=page)
    assert response.status_code == 302
    _fresh(world)
    enrolment = s.scalar(select(CourseEnrolment).where(
        CourseEnrolment.participant_id == world.participant.id))
    assert enrolment.status == EnrolmentStatus.PROPOSED and enrolment.starts_on == date(2026, 12, 1)
    client = app.test_client()
    login(client, world.admin)
    response = post(client, _url(world, f"/voorstellen/{enrolment.id}/goedkeuren"), {},
                    token_from=_url(world, "/voorstellen"), follow_redirects=True)
    assert "De cursus is goedgekeurd" in _html(response)
    _fresh(world)
    assert budget(s, world.participant) == 5000
    assert "€ 50,00" in _html(client.get(page))


def test_approval_beyond_the_budget_is_refused_in_dutch_and_changes_nothing(client, world):
    s = world.session
    fund(s, world.admin_actor, world.customer.id, world.participant, 2000)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, world.admin_actor, "250"))
    s.commit()
    login(client, world.admin)
    response = post(client, _url(world, f"/voorstellen/{enrolment.id}/goedkeuren"),
                    {"terug": "deelnemer"}, token_from=_url(world, "/voorstellen"),
                    follow_redirects=True)
    assert "Het budget van Fatma Yilmaz is € 20,00; de cursus kost € 250,00." in _html(response)
    _fresh(world)
    assert s.get(CourseEnrolment, (world.tenant.id, enrolment.id)).status == \
        EnrolmentStatus.PROPOSED
    assert budget(s, world.participant) == 2000
    assert s.scalar(select(func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.kind == TransactionKind.COURSE)) == 0


def test_an_admin_cancels_an_approved_course_and_the_budget_is_refunded(client, world, funded):
    s = world.session
    _, enrolment = funded
    services.approve_enrolment(s, world.admin_actor, enrolment)
    s.commit()
    before = budget(s, world.participant)
    page = _url(world, f"/deelnemer/{world.participant.id}")
    login(client, world.admin)
    assert "annuleren en terugboeken" in _html(client.get(page))
    response = post(client, _url(world, f"/voorstellen/{enrolment.id}/annuleren"),
                    {"terug": "deelnemer", "reason": "De cursus is vervallen"}, token_from=page,
                    follow_redirects=True)
    html = _html(response)
    assert "De cursus is geannuleerd; de kosten staan weer op het budget." in html
    assert "Geannuleerd" in html and "Reden van annulering:" in html
    _fresh(world)
    assert budget(s, world.participant) == before + enrolment.cost_cents


def test_a_supervisor_cannot_approve(client, world, funded):
    _, enrolment = funded
    login(client, world.coach)
    response = post(client, _url(world, f"/voorstellen/{enrolment.id}/goedkeuren"), {},
                    token_from=_url(world, "/voorstellen"))
    assert response.status_code == 403
    _fresh(world)
    assert budget(world.session, world.participant) == 30000


def test_admin_declines_with_a_reason(client, world, funded):
    _, enrolment = funded
    login(client, world.admin)
    response = post(client, _url(world, f"/voorstellen/{enrolment.id}/afwijzen"), {"reason": ""},
                    token_from=_url(world, "/voorstellen"), follow_redirects=True)
    assert "Schrijf waarom" in _html(response)
    post(client, _url(world, f"/voorstellen/{enrolment.id}/afwijzen"),
         {"reason": "Eerst de taalcursus"}, token_from=_url(world, "/voorstellen"))
    _fresh(world)
    row = world.session.get(CourseEnrolment, (world.tenant.id, enrolment.id))
    assert (row.status, row.decline_reason) == (EnrolmentStatus.DECLINED, "Eerst de taalcursus")


def test_supervisor_withdraws_a_proposal(client, world, funded):
    _, enrolment = funded
    login(client, world.coach)
    post(client, _url(world, f"/voorstellen/{enrolment.id}/intrekken"), {},
         token_from=_url(world, "/voorstellen"))
    _fresh(world)
    assert world.session.get(CourseEnrolment, (world.tenant.id, enrolment.id)).status == \
        EnrolmentStatus.WITHDRAWN


# --- catalogue and rule --------------------------------------------------------------------

def test_admin_adds_and_edits_a_course(client, world):
    login(client, world.admin)
    form = _url(world, "/cursussen/nieuw")
    response = post(client, form, {"provider": "ROC West-Brabant", "title": "Heftruck",
                                   "cost": "1.234,50", "hours": "8",
                                   "leads_to_certificate": "y", "active": "y"}, token_from=form)
    assert response.status_code == 302
    _fresh(world)
    row = world.session.scalar(select(Course))
    assert (row.cost_cents, row.hours, row.leads_to_certificate) == (123450, 8, True)
    edit = _url(world, f"/cursussen/{row.id}/bewerken")
    assert 'value="1234,50"' in _html(client.get(edit))
    post(client, edit, {"provider": "ROC", "title": "Heftruck", "cost": "99"}, token_from=edit)
    _fresh(world)
    row = world.session.scalar(select(Course))
    assert (row.cost_cents, row.active) == (9900, False)
    assert "Heftruck" in _html(client.get(_url(world, "/cursussen")))


@pytest.mark.parametrize("cost,message", [("abc", "Vul een bedrag in euro"),
                                          ("0", "groter dan € 0")])
def test_bad_course_input_is_refused_in_dutch(client, world, cost, message):
    login(client, world.admin)
    form = _url(world, "/cursussen/nieuw")
    response = post(client, form, {"provider": "ROC", "title": "VCA", "cost": cost},
                    token_from=form)
    assert response.status_code == 400 and message in _html(response)
    _fresh(world)
    assert world.session.scalar(select(func.count()).select_from(Course)) == 0


def test_admin_sets_the_rule_and_bad_input_changes_nothing(client, world):
    login(client, world.admin)
    form = _url(world, "/instellingen")
    response = post(client, form, {"mode": "percentage", "percentage": "150",
                                   "pool_share": "0", "unspent": "blijft"}, token_from=form)
    assert response.status_code == 400
    assert "Vul een percentage in van 0 tot en met 100." in _html(response)
    _fresh(world)
    assert world.session.scalar(select(BudgetPolicy)) is None
    response = post(client, form, {"mode": "percentage", "percentage": "80",
                                   "pool_share": "10", "unspent": "naar_pot"},
                    token_from=form, follow_redirects=True)
    assert "80% van de gefactureerde waarde" in _html(response)
    _fresh(world)
    policy = world.session.scalar(select(BudgetPolicy))
    assert (policy.percentage, policy.pool_share_percent, policy.unspent_on_end.value) == (
        80, 10, "naar_pot")


def test_the_yearly_export_downloads_as_csv_and_xlsx(client, world, funded):
    login(client, world.admin)
    year = date.today().year
    response = client.get(_url(world, f"/export?jaar={year}&formaat=csv"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="opleidingsbudgetten-{year}.csv"'
    text = response.get_data().decode("utf-8-sig")
    assert f"Yilmaz;{world.participant.id};{year};0,00;300,00;0,00;0,00;0,00;300,00" in text
    response = client.get(_url(world, f"/export?year={year}&format=xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.cell(row=1, column=4).value == "Beginsaldo"
    assert client.get(_url(world, "/export?formaat=pdf")).status_code == 404


# --- constant query counts -----------------------------------------------------------------

def _bulk(session, tenant_id, n, offset):
    """n participants, each with a budget account and one allocation (written in bulk)."""
    people = [{"tenant_id": tenant_id, "id": new_id(), "first_name": f"Naam{offset + i}",
               "last_name": "Bulk", "status": ParticipantStatus.ACTIVE, "created_at": utcnow()}
              for i in range(n)]
    session.execute(insert(Participant), people)
    with tenant_context(session, tenant_id):
        earnings = ledger.earnings_account(session)
        for p in people:
            account = LedgerAccount(key=ledger.participant_key(p["id"]),
                                    kind=AccountKind.PARTICIPANT, participant_id=p["id"])
            session.add(account)
            session.flush()
            ledger.post(session, Actor(user_id=None), key=f"bulk:{p['id']}",
                        kind=TransactionKind.ALLOCATION, description="Bulk",
                        booked_on=date.today(), entries=[(account, 1000), (earnings, -1000)])
    session.commit()


@pytest.mark.parametrize("page", ["index", "proposals"])
def test_lists_keep_a_constant_query_count(client, world, count_queries, page):
    s = world.session
    login(client, world.admin)
    url = _url(world, "/" if page == "index" else "/voorstellen")
    vca = course(s, world.admin_actor, "5")
    s.commit()

    def add(n, offset):
        _bulk(s, world.tenant.id, n, offset)
        with tenant_context(s, world.tenant.id):
            for p in s.scalars(select(Participant).where(Participant.last_name == "Bulk",
                                                          Participant.first_name.like(
                                                              f"Naam{offset // 100}%"))):
                services.propose_course(s, world.coach_actor, p, vca)
            s.commit()

    def measure():
        client.get(url)
        with count_queries() as n:
            response = client.get(url)
            assert response.status_code == 200
        return n(), _html(response)

    add(3, 100)
    few, _ = measure()
    add(27, 200)
    many, html = measure()
    assert many == few, f"{page}: {few} queries with 3 rows, {many} with 30"
    assert "Naam200" in html


def test_the_participant_page_keeps_a_constant_query_count(client, world, count_queries):
    s = world.session
    login(client, world.coach)
    url = _url(world, f"/deelnemer/{world.participant.id}")

    def measure():
        client.get(url)
        with count_queries() as n:
            assert client.get(url).status_code == 200
        return n()

    fund(s, world.admin_actor, world.customer.id, world.participant, 100)
    s.commit()
    few = measure()
    for _ in range(20):
        fund(s, world.admin_actor, world.customer.id, world.participant, 100)
    s.commit()
    assert measure() == few
    assert s.scalar(select(func.count()).select_from(LedgerEntry)) >= 42


# --- cost that does not grow with the tenant's budgets ---------------------------------------

def _fast_bulk(session, tenant_id, n, offset):
    """n participants, each with a budget account and one balanced allocation of €10,00 against
    the earnings account, all inserted in bulk (the pages only read them)."""
    today, now = date.today(), utcnow()
    people = [{"tenant_id": tenant_id, "id": new_id(), "first_name": f"Naam{offset + i}",
               "last_name": "Bulk", "status": ParticipantStatus.ACTIVE, "created_at": now}
              for i in range(n)]
    with tenant_context(session, tenant_id):
        earnings = ledger.earnings_account(session)
        session.flush()
        accounts, txs, entries = [], [], []
        for p in people:
            account, tx = new_id(), new_id()
            accounts.append({"tenant_id": tenant_id, "id": account, "created_at": now,
                             "key": ledger.participant_key(p["id"]),
                             "kind": AccountKind.PARTICIPANT, "participant_id": p["id"]})
            txs.append({"tenant_id": tenant_id, "id": tx, "idempotency_key": f"fast:{p['id']}",
                        "kind": TransactionKind.ALLOCATION, "description": "Bulk",
                        "booked_on": today, "created_at": now})
            entries += [{"tenant_id": tenant_id, "id": new_id(), "transaction_id": tx,
                         "account_id": account, "amount_cents": 1000},
                        {"tenant_id": tenant_id, "id": new_id(), "transaction_id": tx,
                         "account_id": earnings.id, "amount_cents": -1000}]
        session.execute(insert(Participant), people)
        session.execute(insert(LedgerAccount), accounts)
        session.execute(insert(LedgerTransaction), txs)
        session.execute(insert(LedgerEntry), entries)
    session.commit()


def test_the_overview_and_proposals_cost_the_same_for_10_and_1000_budgets(
        app, client, world, count_queries):
    """The budget overview and the proposals make the same statements with 10 budgets as with
    1,000; on SQLite no plan reads the ledger's accounts or entries by tenant alone (each
    account is found by its participant, each balance from its own entries), and the
    participants are read through an index (the page in name order, the count covering)."""
    from tenants.extensions import db

    s = world.session
    login(client, world.admin)
    vca = course(s, world.admin_actor, "5")
    s.commit()

    def propose(offset):
        with tenant_context(s, world.tenant.id):
            for p in s.scalars(select(Participant).where(
                    Participant.last_name == "Bulk",
                    Participant.first_name.in_([f"Naam{offset + i}" for i in range(3)]))):
                services.propose_course(s, world.coach_actor, p, vca)
            s.commit()

    def measure():
        result = {}
        for url in (_url(world, "/"), _url(world, "/voorstellen")):
            seen, response = recorded_get(app, client, url)
            result[url] = seen, _html(response)
        return result

    _fast_bulk(s, world.tenant.id, 10, 5000)
    propose(5000)
    few = measure()
    _fast_bulk(s, world.tenant.id, 990, 6000)
    propose(6000)
    many = measure()
    def shapes(statements):  # an IN list of the page's accounts counts as one shape
        return [re.sub(r"\(\?(, \?)*\)", "(?…)", re.sub(r"%\(\w+\)s(::\w+)?", "?", q))
                for q, _ in statements]

    for url in few:
        assert shapes(many[url][0]) == shapes(few[url][0]), url
    index, proposals = (many[url][1] for url in few)
    assert "€ 10,00" in index and "Naam6001 Bulk" in proposals
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        for url, (statements, _) in many.items():
            for sql, params in statements:
                if not sql.lstrip().startswith("SELECT"):
                    continue
                for *_, line in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params):
                    assert not line.startswith(("SCAN ledger", "SCAN participants")), line
                    if line.startswith("SEARCH") and line.endswith("(tenant_id=?)"):
                        assert " ledger_" not in line, f"{url}: {line}"
                        assert "participants" not in line or "COVERING" in line \
                            or "sort_name" in line, f"{url}: {line}"
