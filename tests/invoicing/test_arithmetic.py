"""Property tests (hypothesis) for the invoice arithmetic: money.py on its own, and the
services that use it (drafts, credit notes) on the test database.

The reference values are computed here with integers only (no Decimal), so a mistake in
money.py cannot hide in the expected value."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from blueprints.invoicing import money, services
from blueprints.invoicing.models import InvoiceLine, InvoiceStatus
from blueprints.invoicing.money import VatRate
from tenants.errors import DomainError
from tests.invoicing.invoice_world import TODAY, coop  # noqa: F401  (fixture)

RATES = [VatRate.HIGH, VatRate.LOW, VatRate.ZERO, VatRate.EXEMPT]
PERCENT = {VatRate.HIGH: 21, VatRate.LOW: 9, VatRate.ZERO: 0, VatRate.EXEMPT: 0, VatRate.KOR: 0}

hundredths = st.integers(min_value=1, max_value=999_999)        # 0,01 … 9.999,99
prices = st.integers(min_value=0, max_value=services.MAX_UNIT_PRICE_CENTS)
rates = st.sampled_from(RATES)
line = st.tuples(hundredths, prices, rates)
DB = settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])


def half_away(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, integers only."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


def qty(h: int) -> Decimal:
    return Decimal(h) / 100


# --- money.py --------------------------------------------------------------------------------

@given(st.integers(min_value=-10**12, max_value=10**12))
def test_rounding_is_half_away_from_zero(n):
    half = Decimal(abs(n)) + Decimal("0.5")
    assert money.round_cents(half) == abs(n) + 1            # up, away from zero
    assert money.round_cents(-half) == -(abs(n) + 1)        # down, away from zero
    assert money.round_cents(Decimal(abs(n)) + Decimal("0.49")) == abs(n)
    assert money.round_cents(-(Decimal(abs(n)) + Decimal("0.49"))) == -abs(n)


@given(hundredths, prices)
def test_a_line_is_quantity_times_price_rounded_half_away_from_zero(h, price):
    assert money.line_total_cents(qty(h), price) == half_away(h * price, 100)


@given(st.integers(min_value=-100_000, max_value=100_000))
def test_minutes_become_hours_with_two_decimals(minutes):
    assert money.hours_quantity(minutes) == Decimal(half_away(minutes * 100, 60)) / 100


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10**9), rates), max_size=30))
def test_vat_is_per_rate_on_the_sum_and_the_totals_add_up(lines):
    t = money.totals(lines)
    bases = {}
    for net, rate in lines:
        bases[rate] = bases.get(rate, 0) + net
    assert {r.rate: r.base_cents for r in t.per_rate} == bases
    for r in t.per_rate:
        assert r.vat_cents == half_away(r.base_cents * PERCENT[r.rate], 100)
    assert t.excl_cents == sum(net for net, _ in lines)          # Σ lines = excl
    assert t.vat_cents == sum(r.vat_cents for r in t.per_rate)
    assert t.excl_cents + t.vat_cents == t.incl_cents            # excl + vat = incl


def test_vat_on_the_sum_differs_from_vat_per_line():
    # 3 × 0,50 at 21%: per line 0,105 -> 0,11 three times = 0,33; on the sum 1,50 -> 0,32
    t = money.totals([(50, VatRate.HIGH)] * 3)
    assert (t.excl_cents, t.vat_cents, t.incl_cents) == (150, 32, 182)


# --- the services ----------------------------------------------------------------------------

def _invoice(c, lines):
    draft = services.create_draft(c.session, c.actor, c.customer)
    for h, price, rate in lines:
        services.add_fixed_line(c.session, c.actor, draft, "Werk", qty(h), "stuk", price,
                                rate.value)
    return draft


def _lines(c, invoice):
    return c.session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                             .order_by(InvoiceLine.position)).all()


@DB
@given(st.lists(line, min_size=1, max_size=6))
def test_a_draft_totals_its_lines_with_money_py(coop, lines):
    c = coop
    try:
        draft = _invoice(c, lines)
        expected = money.totals((half_away(h * p, 100), r) for h, p, r in lines)
        assert [x.net_cents for x in _lines(c, draft)] == [half_away(h * p, 100)
                                                          for h, p, _ in lines]
        assert (draft.total_excl_cents, draft.total_vat_cents, draft.total_incl_cents) == \
            (expected.excl_cents, expected.vat_cents, expected.incl_cents)
    finally:
        c.session.rollback()


@DB
@given(st.lists(line, min_size=1, max_size=5).filter(
    lambda ls: sum(half_away(h * p, 100) for h, p, _ in ls) > 0))
def test_a_full_credit_note_exactly_reverses_every_amount(coop, lines):
    c = coop
    try:
        invoice = services.finalise(c.session, c.actor, _invoice(c, lines), TODAY, today=TODAY)
        credit = services.create_credit_note(c.session, c.actor, invoice, full=True,
                                             reason="Vergissing", today=TODAY)
        assert (credit.total_excl_cents, credit.total_vat_cents, credit.total_incl_cents) == \
            (invoice.total_excl_cents, invoice.total_vat_cents, invoice.total_incl_cents)
        for original, mirrored in zip(_lines(c, invoice), _lines(c, credit), strict=True):
            assert (mirrored.credits_line_id, mirrored.quantity, mirrored.unit_price_cents,
                    mirrored.vat_rate, mirrored.net_cents) == \
                (original.id, original.quantity, original.unit_price_cents,
                 original.vat_rate, original.net_cents)
        assert (invoice.status, invoice.credited_cents) == \
            (InvoiceStatus.CREDITED, invoice.total_incl_cents)
        assert services.open_cents(invoice) == 0
    finally:
        c.session.rollback()


@DB
@given(st.lists(line, min_size=1, max_size=4).filter(
    lambda ls: sum(half_away(h * p, 100) for h, p, _ in ls) > 0),
    st.lists(st.tuples(st.integers(min_value=0, max_value=3),
                       st.integers(min_value=1, max_value=200)), min_size=1, max_size=6))
def test_partial_credits_never_exceed_the_total(coop, lines, credits):
    """Credit parts of lines in any order (`part`/500 of the line, even more than is left):
    what is credited never exceeds the invoice, a refused credit changes nothing, and crediting
    the rest settles the invoice exactly."""
    c = coop
    try:
        invoice = services.finalise(c.session, c.actor, _invoice(c, lines), TODAY, today=TODAY)
        originals = _lines(c, invoice)
        notes = []
        for index, part in credits:
            target = originals[index % len(originals)]
            wanted = money.quantity(target.quantity * part / 500)
            if wanted <= 0:
                continue
            before = invoice.credited_cents
            try:
                notes.append(services.create_credit_note(
                    c.session, c.actor, invoice, {target.id: wanted}, reason="Deel",
                    today=TODAY))
            except DomainError:
                assert invoice.credited_cents == before
            assert invoice.credited_cents <= invoice.total_incl_cents
            if invoice.status != InvoiceStatus.CREDITED:
                assert invoice.credited_cents == sum(n.total_incl_cents for n in notes)
        if invoice.status != InvoiceStatus.CREDITED:
            services.create_credit_note(c.session, c.actor, invoice, full=True, reason="Rest",
                                        today=TODAY)
        assert (invoice.status, invoice.credited_cents) == \
            (InvoiceStatus.CREDITED, invoice.total_incl_cents)
        credited = {}
        for x in c.session.scalars(select(InvoiceLine).where(
                InvoiceLine.credits_line_id.in_([o.id for o in originals]))):
            credited[x.credits_line_id] = credited.get(x.credits_line_id, 0) + x.quantity
        assert credited == {o.id: o.quantity for o in originals}
    finally:
        c.session.rollback()


@pytest.mark.parametrize("minutes, expected", [(90, "1.50"), (20, "0.33"), (1, "0.02"),
                                               (-30, "-0.50")])
def test_hours_quantity_examples(minutes, expected):
    assert str(money.hours_quantity(minutes)) == expected
