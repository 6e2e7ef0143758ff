"""The summaries stay exact: whatever sequence of approved hours, corrections, ended
trajectories, sent, paid and credited invoices happens through the real services (refusals
included), every summary row equals a recount from the raw rows. And a rebuild writes exactly
the recount."""
from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from blueprints.helprequests.models import RequestStatus
from blueprints.hours import services as hours
from blueprints.hours.models import HourType
from blueprints.participants.models import HostOrganisation, Neighbourhood
from blueprints.reports import summaries
from blueprints.reports.models import (
    HoursDaily,
    HoursMonthly,
    HoursPlaceDaily,
    MoneyDaily,
    OutflowDaily,
)
from blueprints.trajectories.models import Outcome
from tenants.errors import DomainError
from tenants.models import Role
from tests.invoicing.invoice_world import job
from tests.reports.builders import (
    TODAY,
    approve,
    correct,
    credit,
    end,
    invoice,
    log,
    pay,
    submit,
)

START = date(2026, 1, 5)
DAY = st.integers(0, 300).map(lambda n: START + timedelta(days=n))
WHO = st.integers(0, 3)
HOURS = st.sampled_from(["0,5", "1", "2,25", "4", "7,5"])

LOG = st.tuples(st.just("log"), WHO, DAY, HOURS, st.sampled_from(list(HourType)))
SUBMIT = st.tuples(st.just("submit"), WHO, DAY, HOURS, st.booleans())
CORRECT = st.tuples(st.just("correct"), st.integers(0, 20), st.sampled_from(["0", "1,5", "3"]))
END = st.tuples(st.just("end"), WHO, st.sampled_from(list(Outcome)), DAY)
INVOICE = st.tuples(st.just("invoice"), st.integers(1, 900), DAY)
PAY = st.tuples(st.just("pay"), st.integers(0, 20), st.integers(1, 100), DAY)
CREDIT = st.tuples(st.just("credit"), st.integers(0, 20), DAY)
OPS = st.lists(st.one_of(LOG, LOG, SUBMIT, CORRECT, END, INVOICE, PAY, CREDIT),
               min_size=1, max_size=14)


def _apply(coop, op, approved, invoices):
    """Apply one operation; False when it had nothing to act on."""
    kind = op[0]
    if kind == "log":
        _, who, day, hours_text, hour_type = op
        approved.append(log(coop, who, day, hours_text, hour_type))
    elif kind == "submit":
        _, who, day, hours_text, then_approve = op
        entry = submit(coop, who, day, hours_text)
        if then_approve:
            approve(coop, entry)
            approved.append(entry)
    elif kind == "correct" and approved:
        _, which, hours_text = op
        correction = correct(coop, approved[which % len(approved)], hours_text)
        approve(coop, correction)
    elif kind == "end":
        _, who, outcome, day = op
        end(coop, who, outcome, min(day, date.today()))
    elif kind == "invoice":
        _, euros, day = op
        invoices.append(invoice(coop, euros, day))
    elif kind == "pay" and invoices:
        _, which, percent, day = op
        inv = invoices[which % len(invoices)]
        open_cents = inv.total_incl_cents - inv.paid_cents - inv.credited_cents
        pay(coop, inv, max(1, open_cents * percent // 100), day)
    elif kind == "credit" and invoices:
        _, which, day = op
        credit(coop, invoices[which % len(invoices)], day)
    else:
        return False
    return True


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_any_sequence_keeps_every_summary_equal_to_a_recount(coop, ops):
    s = coop.session
    approved, invoices = [], []
    try:
        for op in ops:
            try:
                with s.begin_nested():
                    done = _apply(coop, op, approved, invoices)
                event(f"{op[0]} {'done' if done else 'nothing to do'}")
            except DomainError:
                event(f"{op[0]} refused")
            assert summaries.stored(s) == summaries.counted(s), op
    finally:
        s.rollback()


def test_rebuild_writes_the_recount_and_is_idempotent(coop):
    s = coop.session
    try:
        entry = log(coop, 0, date(2026, 3, 2), "2,5")
        log(coop, 1, date(2026, 3, 2), "1", HourType.VOLUNTEER)
        correct_entry = correct(coop, entry, "2")
        approve(coop, correct_entry)
        end(coop, 2, Outcome.PAID_WORK, date(2026, 6, 30))
        inv = invoice(coop, 100, date(2026, 4, 1))
        pay(coop, inv, 6050, date(2026, 4, 10))
        before = summaries.stored(s)
        assert before[HoursDaily] == {(date(2026, 3, 2), "traject"): (120,),
                                      (date(2026, 3, 2), "vrijwilligerswerk"): (60,)}
        assert before[OutflowDaily] == {(date(2026, 6, 30), "leerwerktraject",
                                         "betaald_werk"): (1,)}
        assert before[MoneyDaily] == {(date(2026, 4, 1),): (10000, 0, 0),
                                      (date(2026, 4, 10),): (0, 0, 6050)}
        # per month, hour type and participant: the people behind the hours
        assert sorted((k[0], k[1], v) for k, v in before[HoursMonthly].items()) == [
            (date(2026, 3, 1), "traject", (120,)), (date(2026, 3, 1), "vrijwilligerswerk", (60,))]
        # per day, hour type and place (no wijk, no host organisation: 0), with the entries:
        # the 2,5 h and its correction, and the volunteer hour
        assert before[HoursPlaceDaily] == {(date(2026, 3, 2), "traject", 0, 0): (120, 2),
                                           (date(2026, 3, 2), "vrijwilligerswerk", 0, 0): (60, 1)}
        written = summaries.rebuild(s)
        assert written == {"report_hours_daily": 2, "report_outflow_daily": 1,
                           "report_money_daily": 2, "report_hours_monthly": 2,
                           "report_hours_places_daily": 2}
        assert summaries.stored(s) == before
        summaries.rebuild(s)
        assert summaries.stored(s) == before
    finally:
        s.rollback()


# --- hours per place: the places as they are now ------------------------------------------------

PLACE = st.integers(0, 2)  # 0: none, else the first or second wijk / host organisation
PLACE_OPS = st.lists(st.one_of(
    LOG, SUBMIT, CORRECT,
    st.tuples(st.just("move"), WHO, PLACE),            # a participant moves
    st.tuples(st.just("host"), WHO, PLACE),            # a trajectory's host organisation
    st.tuples(st.just("job"), WHO, DAY, HOURS, PLACE),  # hours for a help request in a wijk
    st.tuples(st.just("rewijk"), st.integers(0, 5), PLACE),  # a help request's wijk
    st.tuples(st.just("move_and_log"), WHO, PLACE, DAY, HOURS),  # both in one flush
), min_size=1, max_size=12)


def _places_world(s):
    wijken = [Neighbourhood(name=f"Wijk {uuid4().hex[:8]}") for _ in range(2)]
    hosts = [HostOrganisation(name=f"Inzet {uuid4().hex[:8]}", kind="buurthuis")
             for _ in range(2)]
    s.add_all(wijken + hosts)
    s.flush()
    return [None] + [w.id for w in wijken], [None] + [h.id for h in hosts]


def _apply_place(coop, op, approved, requests, wijken, hosts):
    s = coop.session
    kind = op[0]
    if kind == "move":
        coop.people[op[1]][0].neighbourhood_id = wijken[op[2]]
        s.flush()
    elif kind == "host":
        coop.people[op[1]][1].host_organisation_id = hosts[op[2]]
        s.flush()
    elif kind == "job":
        _, who, day, hours_text, place = op
        person, trajectory = coop.people[who]
        request = job(s, coop.customer, status=RequestStatus.PLANNED, people=(person,),
                      neighbourhood_id=wijken[place])
        requests.append(request)
        approved.append(hours.log_hours(s, coop.actor, coop.tenant, Role.ADMIN, hours.EntryData(
            participant_id=person.id, trajectory_id=trajectory.id, work_date=day,
            hours=hours_text, help_request_id=request.id), approve=True, today=TODAY).entry)
    elif kind == "rewijk" and requests:
        requests[op[1] % len(requests)].neighbourhood_id = wijken[op[2]]
        s.flush()
    elif kind == "move_and_log":
        _, who, place, day, hours_text = op
        coop.people[who][0].neighbourhood_id = wijken[place]  # flushed with the new entry
        approved.append(log(coop, who, day, hours_text))
    else:
        return _apply(coop, op, approved, [])
    return True


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=PLACE_OPS)
def test_hours_per_place_follow_every_move(coop, ops):
    """Hours per wijk and host organisation count each hour at its place as it is now: after
    any sequence of hours and changed places (a participant moving, a trajectory's host
    organisation, a help request's wijk, a move and new hours in one flush) the summary equals
    the recount from the raw rows."""
    s = coop.session
    approved, requests = [], []
    try:
        wijken, hosts = _places_world(s)
        for op in ops:
            try:
                with s.begin_nested():
                    done = _apply_place(coop, op, approved, requests, wijken, hosts)
                event(f"{op[0]} {'done' if done else 'nothing to do'}")
            except DomainError:
                event(f"{op[0]} refused")
            stored, counted = summaries.stored(s), summaries.counted(s)
            assert stored[HoursPlaceDaily] == counted[HoursPlaceDaily], op
            assert stored == counted, op
    finally:
        s.rollback()
