"""Invoice rules without HTTP: drafts from hours and jobs, lines, finalising with a gapless
number, credit notes, payments, overdue invoices and reminders, the customer statement."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from blueprints.customers.models import CustomerKind
from blueprints.helprequests.models import PriceAgreement, RequestStatus
from blueprints.hours.models import EntryStatus, HourType
from blueprints.invoicing import services
from blueprints.invoicing.models import (
    Invoice,
    InvoiceHour,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
    LineUnit,
    Payment,
    PaymentMethod,
    Reminder,
    VatRegime,
)
from blueprints.invoicing.money import VatRate
from tenants.errors import DomainError
from tenants.models import AuditEvent, Counter
from tests.hours.builders import add_person
from tests.invoicing.invoice_world import (  # noqa: F401  (fixture)
    PERIOD,
    TODAY,
    coop,
    customer,
    finance,
    hours,
    job,
    municipality,
)

DAY = date(2026, 11, 10)


def _draft(c, cust=None, **kw):
    return services.create_draft(c.session, c.actor, cust or c.customer, *PERIOD, **kw)


def _lines(c, invoice):
    return c.session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                             .order_by(InvoiceLine.position)).all()


def _events(c, action):
    return c.session.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == action))


def _sent(c, amount_cents=10000, cust=None, issue=TODAY, vat="21"):
    invoice = _draft(c, cust)
    services.add_fixed_line(c.session, c.actor, invoice, "Tuinonderhoud", "1", "stuk",
                            amount_cents, vat)
    return services.finalise(c.session, c.actor, invoice, issue, today=TODAY)


# --- drafts and hours ------------------------------------------------------------------------

def test_a_draft_has_no_number_and_takes_the_customers_buyer_reference(coop):
    c = coop
    town = municipality(c.session)
    draft = _draft(c, town, note="November")
    assert (draft.status, draft.number, draft.number_text) == (InvoiceStatus.DRAFT, None, None)
    assert draft.buyer_reference == "INK-2026-001"
    assert _draft(c, town, buyer_reference="PO 77").buyer_reference == "PO 77"
    assert _events(c, "invoice.draft_created") == 2


def test_uninvoiced_hours_are_approved_hours_of_this_customers_hourly_jobs(coop):
    c = coop
    s = c.session
    other = customer(s, "Woonstichting Thuis", CustomerKind.HOUSING)
    second, trajectory2 = add_person(s, c.actor, "Ahmed", "El Khatib")
    garden = job(s, c.customer, price=2000)
    hours(s, c.participant, c.trajectory, DAY, 90, garden)
    hours(s, c.participant, c.trajectory, DAY + timedelta(days=1), 30, garden)
    hours(s, second, trajectory2, DAY, 60, garden)
    hours(s, second, trajectory2, DAY, 45, garden, status=EntryStatus.SUBMITTED)
    hours(s, second, trajectory2, DAY, 45, garden, hour_type=HourType.TRAINING)
    hours(s, second, trajectory2, date(2026, 10, 31), 45, garden)  # before the period
    hours(s, c.participant, c.trajectory, DAY, 60, job(s, other))  # another customer
    hours(s, c.participant, c.trajectory, DAY, 60,
          job(s, c.customer, agreement=PriceAgreement.FIXED, price=5000))  # a fixed price
    loose = hours(s, c.participant, c.trajectory, DAY, 120)  # no job

    offer = services.uninvoiced_hours(s, c.customer, *PERIOD)
    jobs = offer.payer
    assert [j.help_request.id for j in jobs] == [garden.id]
    assert [(p.participant.last_name, p.minutes) for p in jobs[0].people] == \
        [("El Khatib", 60), ("Verhoeven", 120)]
    # the hours nobody pays: their own section (the trajectory has no funder)
    assert [j.help_request for j in offer.unpaid] == [None]
    assert [e.id for e in offer.unpaid[0].people[0].entries] == [loose.id]


def test_hours_become_one_line_per_job_and_participant_with_the_agreed_price(coop):
    c = coop
    s = c.session
    second, trajectory2 = add_person(s, c.actor, "Ahmed", "El Khatib")
    garden = job(s, c.customer, price=2000)
    a = hours(s, c.participant, c.trajectory, DAY, 90, garden)
    b = hours(s, c.participant, c.trajectory, DAY + timedelta(days=2), 30, garden)
    d = hours(s, second, trajectory2, DAY, 20, garden)
    draft = _draft(c)
    services.add_hours(s, c.actor, draft, [a.id, b.id, d.id])
    lines = _lines(c, draft)
    assert [(str(line.quantity), line.unit, line.unit_price_cents, line.net_cents,
             line.minutes, line.participant_id, line.help_request_id, line.supply_date)
            for line in lines] == [
        ("2.00", LineUnit.HOUR, 2000, 4000, 120, c.participant.id, garden.id,
         DAY + timedelta(days=2)),
        ("0.33", LineUnit.HOUR, 2000, 660, 20, second.id, garden.id, DAY)]
    assert lines[0].description == f"Tuin (hulpvraag {garden.reference}), Sandra"
    assert (draft.total_excl_cents, draft.total_vat_cents, draft.total_incl_cents) == \
        (4660, 979, 5639)
    assert s.scalar(select(func.count()).select_from(InvoiceHour)
                    .where(InvoiceHour.invoice_id == draft.id)) == 3
    assert not services.uninvoiced_hours(s, c.customer, *PERIOD)


def test_without_an_agreed_price_hours_take_the_customers_rate(coop):
    c = coop
    s = c.session
    c.customer.hourly_rate_cents = 1850
    c.customer.default_vat_rate = "9"
    e = hours(s, c.participant, c.trajectory, DAY, 60, job(s, c.customer))
    draft = _draft(c)
    services.add_hours(s, c.actor, draft, [e.id])
    assert [(line.unit_price_cents, line.vat_rate) for line in _lines(c, draft)] == [(1850, "9")]


def test_hours_are_invoiced_once_also_by_a_second_draft(coop):
    c = coop
    s = c.session
    garden = job(s, c.customer)
    e = hours(s, c.participant, c.trajectory, DAY, 60, garden)
    first = _draft(c)
    services.add_hours(s, c.actor, first, [e.id])
    second = _draft(c)
    with pytest.raises(DomainError, match="al op een \\(andere\\) conceptfactuur"):
        services.add_hours(s, c.actor, second, [e.id])
    services.finalise(s, c.actor, first, TODAY, today=TODAY)
    with pytest.raises(DomainError, match="al op factuur F2026-00001"):
        services.add_hours(s, c.actor, second, [e.id])
    assert _lines(c, second) == []


def test_adding_hours_twice_to_the_same_draft_merges_the_line(coop):
    c = coop
    s = c.session
    garden = job(s, c.customer, price=3000)
    a = hours(s, c.participant, c.trajectory, DAY, 60, garden)
    b = hours(s, c.participant, c.trajectory, DAY, 30, garden)
    draft = _draft(c)
    services.add_hours(s, c.actor, draft, [a.id])
    services.add_hours(s, c.actor, draft, [b.id])
    assert [(str(line.quantity), line.minutes, line.net_cents) for line in _lines(c, draft)] == \
        [("1.50", 90, 4500)]


@pytest.mark.parametrize("case, message", [
    ("submitted", "Alleen goedgekeurde uren"),
    ("other_customer", "klus van een andere klant"),
    ("fixed", "geen uurtarief"),
    ("training", "Scholingsuren"),
    ("negative", "geen uren\\s+over"),
    ("missing", "bestaat niet"),
])
def test_hours_that_cannot_be_invoiced_are_refused_and_nothing_changes(coop, case, message):
    c = coop
    s = c.session
    garden = job(s, c.customer)
    if case == "submitted":
        e = hours(s, c.participant, c.trajectory, DAY, 60, garden, status=EntryStatus.SUBMITTED)
    elif case == "other_customer":
        e = hours(s, c.participant, c.trajectory, DAY, 60,
                  job(s, customer(s, "Buurman"), price=1000))
    elif case == "fixed":
        e = hours(s, c.participant, c.trajectory, DAY, 60,
                  job(s, c.customer, agreement=PriceAgreement.FIXED, price=1000))
    elif case == "training":
        e = hours(s, c.participant, c.trajectory, DAY, 60, garden, hour_type=HourType.TRAINING)
    elif case == "negative":  # the original is billed already; only its correction is left
        original = hours(s, c.participant, c.trajectory, DAY, 120, garden)
        services.add_hours(s, c.actor, _draft(c), [original.id])
        e = hours(s, c.participant, c.trajectory, DAY, -60, garden, corrects_id=original.id)
    draft = _draft(c)
    ids = [e.id] if case != "missing" else [987654321]
    with pytest.raises(DomainError, match=message):
        services.add_hours(s, c.actor, draft, ids)
    assert _lines(c, draft) == []
    assert draft.total_incl_cents == 0


def test_a_correction_with_its_original_reduces_the_line(coop):
    c = coop
    s = c.session
    garden = job(s, c.customer, price=2000)
    original = hours(s, c.participant, c.trajectory, DAY, 180, garden)
    fix = hours(s, c.participant, c.trajectory, DAY, -60, garden, corrects_id=original.id)
    draft = _draft(c)
    services.add_hours(s, c.actor, draft, [original.id, fix.id])
    assert [(str(line.quantity), line.minutes) for line in _lines(c, draft)] == [("2.00", 120)]


def test_removing_an_hours_line_or_deleting_the_draft_releases_the_hours(coop):
    c = coop
    s = c.session
    garden = job(s, c.customer)
    e = hours(s, c.participant, c.trajectory, DAY, 60, garden)
    draft = _draft(c)
    services.add_hours(s, c.actor, draft, [e.id])
    services.remove_line(s, c.actor, _lines(c, draft)[0])
    assert draft.total_incl_cents == 0
    assert len(services.uninvoiced_hours(s, c.customer, *PERIOD).payer) == 1
    services.add_hours(s, c.actor, draft, [e.id])
    services.delete_draft(s, c.actor, draft)
    assert s.scalar(select(Invoice).where(Invoice.id == draft.id)) is None
    again = _draft(c)
    services.add_hours(s, c.actor, again, [e.id])
    assert len(_lines(c, again)) == 1


# --- lines typed by hand ---------------------------------------------------------------------

@pytest.mark.parametrize("quantity, unit, price, vat, message", [
    ("-2", "stuk", 1000, "21", "groter zijn dan nul"),
    ("0", "stuk", 1000, "21", "groter zijn dan nul"),
    ("1,555", "stuk", 1000, "21", "twee cijfers achter de komma"),
    ("twee", "stuk", 1000, "21", "als getal"),
    ("1", "kilo", 1000, "21", "eenheid"),
    ("1", "stuk", -100, "21", "niet negatief"),
    ("1", "stuk", 10_000_001, "21", "te hoog"),
    ("1", "stuk", None, "21", "prijs per eenheid"),
    ("1", "stuk", 1000, "17", "bestaand btw-tarief"),
    ("1", "stuk", 1000, "kor", "kleineondernemersregeling"),
])
def test_bad_line_input_is_refused_in_dutch_and_changes_nothing(coop, quantity, unit, price,
                                                                  vat, message):
    c = coop
    draft = _draft(c)
    before = _events(c, "invoice.line_added")
    with pytest.raises(DomainError, match=message):
        services.add_fixed_line(c.session, c.actor, draft, "Schoonmaak portiek", quantity, unit,
                                price, vat)
    assert _lines(c, draft) == []
    assert _events(c, "invoice.line_added") == before


def test_a_line_rounds_half_away_from_zero_and_vat_is_per_rate(coop):
    c = coop
    draft = _draft(c)
    services.add_fixed_line(c.session, c.actor, draft, "A", "1,5", "uur", 1001, "21")  # 1501.5
    services.add_fixed_line(c.session, c.actor, draft, "B", "0.33", "uur", 2550, "9")  # 841.5
    services.add_fixed_line(c.session, c.actor, draft, "C", "2", "stuk", 1000, "vrijgesteld")
    assert [line.net_cents for line in _lines(c, draft)] == [1502, 842, 2000]
    # VAT per rate on the sum: 21% of 1502 = 315.42 -> 315; 9% of 842 = 75.78 -> 76
    assert (draft.total_excl_cents, draft.total_vat_cents, draft.total_incl_cents) == \
        (4344, 391, 4735)


def test_under_the_kor_every_line_is_kor(coop):
    c = coop
    finance(c.session, vat_regime=VatRegime.KOR, vat_id=None)
    draft = _draft(c)
    services.add_fixed_line(c.session, c.actor, draft, "A", "1", "stuk", 1000, "21")
    e = hours(c.session, c.participant, c.trajectory, DAY, 60, job(c.session, c.customer))
    services.add_hours(c.session, c.actor, draft, [e.id])
    assert {line.vat_rate for line in _lines(c, draft)} == {VatRate.KOR.value}
    assert draft.total_vat_cents == 0
    sent = services.finalise(c.session, c.actor, draft, TODAY, today=TODAY)
    assert sent.number_text == "F2026-00001"


def test_update_line_changes_a_draft_line_but_not_the_hours_it_bills(coop):
    c = coop
    s = c.session
    draft = _draft(c)
    line = services.add_fixed_line(s, c.actor, draft, "A", "1", "stuk", 1000, "21")
    services.update_line(s, c.actor, line, "Schoonmaak", "3", "stuk", 1200, "9")
    assert (line.description, line.net_cents, draft.total_incl_cents) == ("Schoonmaak", 3600, 3924)
    e = hours(s, c.participant, c.trajectory, DAY, 60, job(s, c.customer))
    hours_line = services.add_hours(s, c.actor, draft, [e.id])[0]
    with pytest.raises(DomainError, match="volgt uit de goedgekeurde uren"):
        services.update_line(s, c.actor, hours_line, "Tuin", "5", "uur", 2500, "21")
    services.update_line(s, c.actor, hours_line, "Tuin, Sandra", "1", "uur", 2200, "21")
    assert hours_line.net_cents == 2200


# --- help requests and trajectory fees -------------------------------------------------------

def test_a_done_fixed_price_job_is_one_line_for_its_first_participant(coop):
    c = coop
    s = c.session
    second, _t = add_person(s, c.actor, "Ahmed", "El Khatib")
    fence = job(s, c.customer, agreement=PriceAgreement.FIXED, price=7500,
                people=[second, c.participant])
    draft = _draft(c)
    services.add_help_request(s, c.actor, draft, fence)
    [line] = _lines(c, draft)
    assert (line.source, line.quantity, line.net_cents, line.participant_id,
            line.help_request_id, line.supply_date) == \
        (LineSource.HELP_REQUEST, Decimal("1.00"), 7500, second.id, fence.id, DAY)
    other = _draft(c)
    with pytest.raises(DomainError, match="staat al op een conceptfactuur"):
        services.add_help_request(s, c.actor, other, fence)
    services.finalise(s, c.actor, draft, TODAY, today=TODAY)
    assert fence.status == RequestStatus.INVOICED
    with pytest.raises(DomainError, match="staat al op factuur F2026-00001"):
        services.add_help_request(s, c.actor, other, fence)


def test_help_requests_that_are_not_billed_as_a_line(coop):
    c = coop
    s = c.session
    draft = _draft(c)
    for kw, message in [
        ({"agreement": PriceAgreement.FREE}, "gratis"),
        ({"agreement": PriceAgreement.PUNCH_CARD}, "strippenkaart"),
        ({"agreement": PriceAgreement.FIXED, "price": 5000, "status": RequestStatus.PLANNED},
         "uitgevoerde klus"),
        ({"agreement": PriceAgreement.HOURLY}, "geen goedgekeurde uren"),
    ]:
        with pytest.raises(DomainError, match=message):
            services.add_help_request(s, c.actor, draft, job(s, c.customer, **kw))
    foreign = job(s, customer(s, "Buurman"), agreement=PriceAgreement.FIXED, price=100)
    with pytest.raises(DomainError, match="andere klant"):
        services.add_help_request(s, c.actor, draft, foreign)
    assert _lines(c, draft) == []


def test_an_hourly_job_adds_its_approved_hours(coop):
    c = coop
    s = c.session
    garden = job(s, None, price=2000)  # not linked to a customer yet
    hours(s, c.participant, c.trajectory, DAY, 120, garden)
    draft = _draft(c)
    services.add_help_request(s, c.actor, draft, garden)
    assert garden.customer_id == c.customer.id  # linked to the invoiced customer
    assert [(line.minutes, line.net_cents) for line in _lines(c, draft)] == [(120, 4000)]


def test_trajectory_fees_are_for_municipalities_one_line_per_participant(coop):
    c = coop
    s = c.session
    town = municipality(s)
    second, trajectory2 = add_person(s, c.actor, "Ahmed", "El Khatib")
    draft = _draft(c, town)
    lines = services.add_trajectory_fees(s, c.actor, draft, "per_maand",
                                         [c.trajectory.id, trajectory2.id], 45000, months=2)
    assert [(line.participant_id, line.trajectory_id, line.quantity, line.unit, line.net_cents)
            for line in lines] == [
        (second.id, trajectory2.id, Decimal(2), LineUnit.MONTH, 90000),
        (c.participant.id, c.trajectory.id, Decimal(2), LineUnit.MONTH, 90000)]
    assert lines[0].description == ("Trajectvergoeding maatschappelijke baan, Ahmed El Khatib, "
                                    "01-11-2026 t/m 30-11-2026")
    services.add_trajectory_fees(s, c.actor, draft, "per_plaatsing", [c.trajectory.id], 150000)
    assert draft.total_excl_cents == 330000
    with pytest.raises(DomainError, match="aan een gemeente"):
        services.add_trajectory_fees(s, c.actor, _draft(c), "per_maand", [c.trajectory.id], 100)
    with pytest.raises(DomainError, match="soort vergoeding"):
        services.add_trajectory_fees(s, c.actor, draft, "per_jaar", [c.trajectory.id], 100)
    with pytest.raises(DomainError, match="tussen 1 en 24"):
        services.add_trajectory_fees(s, c.actor, draft, "per_maand", [c.trajectory.id], 100,
                                     months=30)


# --- finalising ------------------------------------------------------------------------------

def test_finalising_draws_the_number_and_freezes_the_invoice(coop):
    c = coop
    s = c.session
    garden = job(s, c.customer, agreement=PriceAgreement.FIXED, price=4000,
                 people=[c.participant])
    draft = _draft(c)
    services.add_help_request(s, c.actor, draft, garden)
    sent = services.finalise(s, c.actor, draft, TODAY, today=TODAY)
    assert (sent.status, sent.series, sent.year, sent.number, sent.number_text) == \
        (InvoiceStatus.SENT, "F", 2026, 1, "F2026-00001")
    assert sent.due_date == TODAY + timedelta(days=14)
    assert sent.sent_by_id == c.admin.id and sent.sent_at is not None
    assert sent.supplier_snapshot["iban"] == "NL91ABNA0417164300"
    assert sent.customer_snapshot["name"] == "Mevrouw Peters"
    c.customer.street = "Elders 9"  # a later change does not change the sent invoice
    assert sent.customer_snapshot["street"] == "Lindenlaan 4"
    assert garden.status == RequestStatus.INVOICED
    c.customer.payment_term_days = 7
    second = _sent(c)
    assert (second.number_text, second.due_date) == ("F2026-00002", TODAY + timedelta(days=7))
    assert _events(c, "invoice.sent") == 2


def test_a_sent_invoice_is_never_edited_or_deleted(coop):
    c = coop
    s = c.session
    sent = _sent(c)
    [line] = _lines(c, sent)
    e = hours(s, c.participant, c.trajectory, DAY, 60, job(s, c.customer))
    for action in (
        lambda: services.add_fixed_line(s, c.actor, sent, "X", "1", "stuk", 100, "21"),
        lambda: services.update_line(s, c.actor, line, "X", "1", "stuk", 1, "21"),
        lambda: services.remove_line(s, c.actor, line),
        lambda: services.delete_draft(s, c.actor, sent),
        lambda: services.add_hours(s, c.actor, sent, [e.id]),
        lambda: services.update_draft(s, c.actor, sent, None, None, "x", None, None),
    ):
        with pytest.raises(DomainError, match="verzonden en kan niet meer worden gewijzigd"):
            action()
    with pytest.raises(DomainError, match="al verzonden"):
        services.finalise(s, c.actor, sent, TODAY, today=TODAY)
    assert (line.net_cents, sent.total_incl_cents, sent.number) == (10000, 12100, 1)


@pytest.mark.parametrize("case, message", [
    ("empty", "nog geen regels"),
    ("zero", "meer dan € 0,00"),
    ("settings", "IBAN"),
    ("address", "adres van Mevrouw Peters"),
    ("reference", "BR-NL-2"),
    ("oin", "BR-NL-10"),
    ("future", "toekomst"),
])
def test_finalising_refuses_what_an_invoice_cannot_be_and_draws_no_number(coop, case, message):
    c = coop
    s = c.session
    cust = c.customer
    if case in ("reference", "oin"):
        cust = municipality(s, buyer_reference=None, oin=None if case == "oin" else "0000")
    draft = _draft(c, cust)
    if case == "oin":
        draft.buyer_reference = "PO 1"
    if case != "empty":
        services.add_fixed_line(s, c.actor, draft, "Tuin", "1", "stuk",
                                0 if case == "zero" else 1000, "21")
    if case == "settings":
        finance(s, iban=None)
    if case == "address":
        cust.postcode = None
    with pytest.raises(DomainError, match=message):
        services.finalise(s, c.actor, draft, TODAY + timedelta(days=1) if case == "future"
                          else TODAY, today=TODAY)
    assert (draft.status, draft.number) == (InvoiceStatus.DRAFT, None)
    assert s.scalar(select(Counter.value).where(Counter.name == "invoice:F:2026")) is None


def test_numbers_follow_the_dates_within_a_series(coop):
    c = coop
    _sent(c, issue=TODAY)
    draft = _draft(c)
    services.add_fixed_line(c.session, c.actor, draft, "X", "1", "stuk", 100, "21")
    with pytest.raises(DomainError, match="vóór die van het vorige nummer"):
        services.finalise(c.session, c.actor, draft, TODAY - timedelta(days=3), today=TODAY)
    c.session.rollback()  # as the page does: the drawn number is given back


def test_each_year_and_series_counts_from_one(coop):
    c = coop
    assert _sent(c, issue=date(2025, 12, 31)).number_text == "F2025-00001"
    assert _sent(c, issue=date(2026, 1, 2)).number_text == "F2026-00001"
    finance(c.session, invoice_prefix="W")
    assert _sent(c, issue=date(2026, 1, 3)).number_text == "W2026-00001"


# --- credit notes ----------------------------------------------------------------------------

def _mixed(c):
    draft = _draft(c)
    services.add_fixed_line(c.session, c.actor, draft, "Tuin", "3", "uur", 2550, "21")
    services.add_fixed_line(c.session, c.actor, draft, "Boodschappen", "1,25", "uur", 1999, "9")
    services.add_fixed_line(c.session, c.actor, draft, "Gezelschap", "2", "uur", 1500,
                            "vrijgesteld")
    return services.finalise(c.session, c.actor, draft, TODAY, today=TODAY)


def test_a_full_credit_note_exactly_reverses_every_amount(coop):
    c = coop
    s = c.session
    invoice = _mixed(c)
    credit = services.create_credit_note(s, c.actor, invoice, full=True, reason="Dubbel",
                                         today=TODAY)
    assert (credit.kind, credit.status, credit.number_text, credit.credits_invoice_id) == \
        (InvoiceKind.CREDIT_NOTE, InvoiceStatus.SENT, "C2026-00001", invoice.id)
    assert (credit.total_excl_cents, credit.total_vat_cents, credit.total_incl_cents) == \
        (invoice.total_excl_cents, invoice.total_vat_cents, invoice.total_incl_cents)
    originals = _lines(c, invoice)
    mirrored = _lines(c, credit)
    assert [(m.credits_line_id, m.quantity, m.unit_price_cents, m.vat_rate, m.net_cents)
            for m in mirrored] == [(o.id, o.quantity, o.unit_price_cents, o.vat_rate, o.net_cents)
                                   for o in originals]
    assert (invoice.status, invoice.credited_cents) == (InvoiceStatus.CREDITED,
                                                        invoice.total_incl_cents)
    with pytest.raises(DomainError, match="al volledig gecrediteerd"):
        services.create_credit_note(s, c.actor, invoice, full=True, reason="Nog eens",
                                    today=TODAY)
    assert credit.note == "Dubbel"


def test_a_second_credit_note_beyond_the_invoices_total_is_refused(coop):
    c = coop
    s = c.session
    invoice = _mixed(c)
    tuin, boodschappen, _gezelschap = _lines(c, invoice)
    first = services.create_credit_note(s, c.actor, invoice, {tuin.id: "2"}, reason="Korter",
                                        today=TODAY)
    assert first.total_excl_cents == 5100 and invoice.status == InvoiceStatus.SENT
    with pytest.raises(DomainError, match="meer dan er nog openstaat"):
        services.create_credit_note(s, c.actor, invoice, {tuin.id: "1,5"}, reason="x",
                                    today=TODAY)
    with pytest.raises(DomainError, match="niet bij de factuur"):
        services.create_credit_note(s, c.actor, invoice, {123456789: "1"}, reason="x",
                                    today=TODAY)
    with pytest.raises(DomainError, match="minstens één regel"):
        services.create_credit_note(s, c.actor, invoice, {tuin.id: ""}, reason="x", today=TODAY)
    with pytest.raises(DomainError, match="reden"):
        services.create_credit_note(s, c.actor, invoice, {tuin.id: "1"}, reason=" ", today=TODAY)
    second = services.create_credit_note(s, c.actor, invoice, {tuin.id: "1",
                                                               boodschappen.id: "1,25"},
                                          reason="Rest", today=TODAY)
    assert second.number_text == "C2026-00002"
    assert invoice.credited_cents == first.total_incl_cents + second.total_incl_cents
    assert invoice.credited_cents <= invoice.total_incl_cents
    assert invoice.status == InvoiceStatus.SENT  # the exempt line is still open
    draft = _draft(c)
    with pytest.raises(DomainError, match="conceptfactuur crediteert u niet"):
        services.create_credit_note(s, c.actor, draft, full=True, reason="x", today=TODAY)
    with pytest.raises(DomainError, match="creditnota kan niet"):
        services.create_credit_note(s, c.actor, first, full=True, reason="x", today=TODAY)


def test_crediting_an_hours_line_fully_lets_its_hours_be_invoiced_again(coop):
    c = coop
    s = c.session
    e = hours(s, c.participant, c.trajectory, DAY, 60, job(s, c.customer, price=2000))
    draft = _draft(c)
    services.add_hours(s, c.actor, draft, [e.id])
    invoice = services.finalise(s, c.actor, draft, TODAY, today=TODAY)
    assert not services.uninvoiced_hours(s, c.customer, *PERIOD)
    credit = services.create_credit_note(s, c.actor, invoice, full=True,
                                         reason="Verkeerd tarief", today=TODAY)
    assert _lines(c, credit)[0].minutes == 60
    again = _draft(c)
    services.add_hours(s, c.actor, again, [e.id])
    assert len(_lines(c, again)) == 1


def test_a_credit_note_that_settles_the_rest_makes_a_partly_paid_invoice_paid(coop):
    c = coop
    s = c.session
    invoice = _sent(c, 10000)  # 121,00
    services.register_payment(s, c.actor, invoice, 6050, TODAY, "overboeking",
                              idempotency_key="k1", today=TODAY)
    [line] = _lines(c, invoice)
    services.create_credit_note(s, c.actor, invoice, {line.id: "0,5"}, reason="Halve klus",
                                today=TODAY)
    assert (invoice.status, invoice.paid_cents, invoice.credited_cents) == \
        (InvoiceStatus.PAID, 6050, 6050)
    assert services.open_cents(invoice) == 0


# --- payments --------------------------------------------------------------------------------

def test_payments_move_the_invoice_to_partly_paid_and_paid(coop):
    c = coop
    s = c.session
    invoice = _sent(c, 10000)
    first = services.register_payment(s, c.actor, invoice, 5000, TODAY, PaymentMethod.CASH,
                                      "kas", "key-1", today=TODAY)
    assert (invoice.status, invoice.paid_cents, services.open_cents(invoice)) == \
        (InvoiceStatus.PARTLY_PAID, 5000, 7100)
    again = services.register_payment(s, c.actor, invoice, 5000, TODAY, PaymentMethod.CASH,
                                      "kas", "key-1", today=TODAY)
    assert again.id == first.id and invoice.paid_cents == 5000  # a double submit counts once
    with pytest.raises(DomainError, match="hoger dan wat nog openstaat \\(€\xa071,00\\)"):
        services.register_payment(s, c.actor, invoice, 7101, TODAY, "overboeking",
                                  idempotency_key="key-2", today=TODAY)
    services.register_payment(s, c.actor, invoice, 7100, TODAY, "overboeking", "NL12",
                              "key-3", today=TODAY)
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PAID, 12100)
    assert invoice.paid_at is not None
    with pytest.raises(DomainError, match="al helemaal betaald"):
        services.register_payment(s, c.actor, invoice, 1, TODAY, "contant",
                                  idempotency_key="key-4", today=TODAY)
    assert s.scalar(select(func.count()).select_from(Payment)
                    .where(Payment.invoice_id == invoice.id)) == 2


@pytest.mark.parametrize("amount, paid_on, method, message", [
    (0, TODAY, "contant", "groter zijn dan"),
    (-100, TODAY, "contant", "groter zijn dan"),
    (None, TODAY, "contant", "betaalde bedrag"),
    (100, TODAY + timedelta(days=1), "contant", "toekomst"),
    (100, None, "contant", "datum"),
    (100, TODAY, "bitcoin", "hoe er is betaald"),
])
def test_bad_payments_are_refused_and_change_nothing(coop, amount, paid_on, method, message):
    c = coop
    invoice = _sent(c)
    with pytest.raises(DomainError, match=message):
        services.register_payment(c.session, c.actor, invoice, amount, paid_on, method,
                                  idempotency_key="x", today=TODAY)
    assert (invoice.paid_cents, invoice.status) == (0, InvoiceStatus.SENT)


def test_a_draft_gets_no_payment(coop):
    c = coop
    draft = _draft(c)
    services.add_fixed_line(c.session, c.actor, draft, "X", "1", "stuk", 100, "21")
    with pytest.raises(DomainError, match="Verzend de factuur eerst"):
        services.register_payment(c.session, c.actor, draft, 100, TODAY, "contant",
                                  idempotency_key="x", today=TODAY)


def test_a_paid_invoice_credits_the_training_budget_of_who_did_the_work(coop):
    from blueprints.budgets.models import LedgerTransaction

    c = coop
    s = c.session
    e = hours(s, c.participant, c.trajectory, DAY, 120, job(s, c.customer, price=2000))
    draft = _draft(c)
    services.add_hours(s, c.actor, draft, [e.id])
    invoice = services.finalise(s, c.actor, draft, TODAY, today=TODAY)
    services.register_payment(s, c.actor, invoice, invoice.total_incl_cents, TODAY, "pin",
                              idempotency_key="all", today=TODAY)
    allocation = s.scalar(select(LedgerTransaction).where(
        LedgerTransaction.idempotency_key == f"allocation:{invoice.id}"))
    assert allocation is not None


# --- overdue and reminders -------------------------------------------------------------------

def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


def test_overdue_invoices_get_a_reminder_by_mail_with_a_rising_level(app, coop):
    c = coop
    s = c.session
    late = _sent(c, 10000, issue=date(2026, 10, 1))  # due 15-10-2026
    services.register_payment(s, c.actor, late, 2100, date(2026, 10, 20), "contant",
                              idempotency_key="p", today=TODAY)
    _sent(c, 5000, issue=TODAY)  # not due yet
    rows = services.overdue(s, TODAY)
    assert [(r.invoice.id, r.days, r.open_cents, r.reminders) for r in rows] == \
        [(late.id, 41, 10000, 0)]
    before = len(_outbox(app))
    with app.app_context():
        first = services.send_reminder(s, c.actor, late, today=TODAY)
        second = services.send_reminder(s, c.actor, late, today=TODAY)
        levels = (first.level, second.level, first.sent_to)
        assert len(_outbox(app)) == before  # the mails leave when the reminders are committed
        s.commit()
    assert levels == (1, 2, "peters@example.org")
    mails = _outbox(app)[before:]
    assert len(mails) == 2 and mails[0].to == ["peters@example.org"]
    assert mails[0].attachments[0][0] == "factuur-F2026-00001.pdf"
    assert mails[0].subject == "Herinnering: factuur F2026-00001"
    body = mails[0].body
    for text in ("F2026-00001", "01-10-2026", "15-10-2026", "€\xa0100,00",
                 "NL91 ABNA 0417 1643 00", "Bewonerscoöperatie De Vaart U.A."):
        assert text in body, text
    assert services.overdue(s, TODAY)[0].reminders == 2


def test_no_reminder_when_not_overdue_or_without_an_email_address(app, coop):
    c = coop
    s = c.session
    fresh = _sent(c, issue=TODAY)
    with app.app_context():
        with pytest.raises(DomainError, match="niet achterstallig"):
            services.send_reminder(s, c.actor, fresh, today=TODAY)
        c.customer.email = None
        with pytest.raises(DomainError, match="herinneringsbrief af"):
            services.send_reminder(s, c.actor, fresh, today=TODAY + timedelta(days=60))
    assert s.scalar(select(func.count()).select_from(Reminder)) == 0


# --- statement and list ----------------------------------------------------------------------

def test_the_customer_statement_has_a_running_balance(coop):
    c = coop
    s = c.session
    old = _sent(c, 10000, issue=date(2026, 9, 15))  # 121,00 before the period
    services.register_payment(s, c.actor, old, 2100, date(2026, 9, 30), "contant",
                              idempotency_key="a", today=TODAY)
    november = _sent(c, 5000, issue=date(2026, 11, 2))  # 60,50
    services.register_payment(s, c.actor, november, 3000, date(2026, 11, 20), "overboeking",
                              "ref 7", idempotency_key="b", today=TODAY)
    [line] = _lines(c, old)
    services.create_credit_note(s, c.actor, old, {line.id: "0,5"}, reason="x",
                                issue_date=date(2026, 11, 10), today=TODAY)
    _sent(c, 1000, cust=customer(s, "Buurman"), issue=date(2026, 11, 3))  # someone else
    statement = services.customer_statement(s, c.customer, date(2026, 10, 1),
                                            date(2026, 11, 30))
    assert statement.opening_cents == 10000
    assert [(r.on, r.kind, r.amount_cents, r.balance_cents) for r in statement.rows] == [
        (date(2026, 11, 2), "factuur", 6050, 16050),
        (date(2026, 11, 10), "creditnota", -6050, 10000),
        (date(2026, 11, 20), "betaling", -3000, 7000),
    ]
    assert statement.rows[2].description == "Betaling F2026-00002 (ref 7)"
    assert statement.closing_cents == 7000


def test_list_invoices_filters_and_sums(coop):
    c = coop
    s = c.session
    a = _sent(c, 10000, issue=date(2026, 9, 1))
    b = _sent(c, 5000, cust=customer(s, "Woonstichting Thuis"), issue=TODAY)
    services.add_fixed_line(s, c.actor, _draft(c), "Nog niet verzonden", "1", "stuk", 999, "21")
    everything = services.list_invoices(s, services.InvoiceFilter(today=TODAY))
    assert everything.total == 3
    assert everything.rows[0].invoice.status == InvoiceStatus.DRAFT
    assert (everything.sum_incl_cents, everything.sum_open_cents) == (18150, 18150)  # no draft
    late = services.list_invoices(s, services.InvoiceFilter(overdue=True, today=TODAY))
    assert [r.invoice.id for r in late.rows] == [a.id] and late.rows[0].overdue
    found = services.list_invoices(s, services.InvoiceFilter(q="thuis", today=TODAY))
    assert [r.invoice.id for r in found.rows] == [b.id]
    by_number = services.list_invoices(s, services.InvoiceFilter(q="f2026-00001", today=TODAY))
    assert [r.invoice.id for r in by_number.rows] == [a.id]
    sent = services.list_invoices(s, services.InvoiceFilter(status=InvoiceStatus.SENT,
                                                            year=2026, today=TODAY))
    assert sent.total == 2


def test_a_customer_of_another_tenant_is_refused_in_dutch(make, coop):
    c = coop
    other = make.tenant()
    from tenants.tenancy import tenant_context

    with tenant_context(c.session, other.id):
        foreign = customer(c.session, "Elders")
        c.session.flush()
        foreign_id = foreign.id
    with pytest.raises(DomainError, match="bestaat niet"):
        services.get_customer(c.session, foreign_id)
