"""Bank statements (CAMT.053): reading credit entries safely, matching invoice numbers of this
tenant only, registering payments once (idempotent per bank reference), and the admin flow
upload → preview → confirm through HTTP."""
from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from blueprints.customers.models import Customer, CustomerKind
from blueprints.invoicing import bank, services
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.invoicing.invoice_world import customer, finance

V02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
V08 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
BOOKED = date(2026, 11, 20)


def entry(ref, amount, text="", name="J. Peters", cd="CRDT", ccy="EUR", strd=None,
          booked=BOOKED, v08=False):
    debtor = (f"<Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>" if v08
              else f"<Dbtr><Nm>{name}</Nm></Dbtr>")
    rmt = (f"<Ustrd>{text}</Ustrd>" if text else "") + (
        f"<Strd><CdtrRefInf><Ref>{strd}</Ref></CdtrRefInf></Strd>" if strd else "")
    ref_xml = f"<AcctSvcrRef>{ref}</AcctSvcrRef>" if ref else ""
    return (f"<Ntry><Amt Ccy=\"{ccy}\">{amount}</Amt><CdtDbtInd>{cd}</CdtDbtInd>"
            f"<Sts>BOOK</Sts><BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>"
            f"<ValDt><Dt>{booked.isoformat()}</Dt></ValDt>{ref_xml}"
            f"<NtryDtls><TxDtls><RltdPties>{debtor}</RltdPties>"
            f"<RmtInf>{rmt}</RmtInf></TxDtls></NtryDtls></Ntry>")


IBAN = "NL91ABNA0417164300"


def camt(*entries, ns=V02, iban=IBAN) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{ns}"><BkToCstmrStmt>'
            f"<GrpHdr><MsgId>1</MsgId></GrpHdr><Stmt><Id>1</Id>"
            f"<Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{''.join(entries)}</Stmt>"
            f"</BkToCstmrStmt></Document>").encode()


def uids(proposals, *refs) -> list[str]:
    """The checkbox values (entry uids) of the proposals with these bank references."""
    by_ref = {getattr(p, "entry", p).ref: getattr(p, "entry", p).uid for p in proposals}
    return [by_ref[r] for r in refs]


def statement(v08=False) -> bytes:
    ns = V08 if v08 else V02
    return camt(
        entry("R1", "121.00", "Factuur F2026-00001 dank u", v08=v08),
        entry("R2", "50.00", "betaling f2026 00002", name="Gemeente", v08=v08),
        entry("R3", "10.00", "factuur F2026-00099", v08=v08),
        entry("R4", "80.00", "huur F2026-00001", cd="DBIT", v08=v08),
        entry("R5", "20.00", "F2026-00002", ccy="USD", v08=v08),
        entry("R6", "100.00", "", strd="F202600003", v08=v08),
        entry("R7", "50.00", "F2026-00009 (de andere coop)", v08=v08),
        entry("R8", "15.00", "voor F2026-00001 en F2026-00002", v08=v08),
        entry("R9", "12.00", "gift", v08=v08),
        ns=ns)


# --- reading --------------------------------------------------------------------------------

@pytest.mark.parametrize("v08", [False, True])
def test_credit_entries_are_read_in_both_namespace_versions(app, v08):
    with app.test_request_context():
        entries = bank.parse_statement(statement(v08))
    assert [e.ref for e in entries] == ["R1", "R2", "R3", "R5", "R6", "R7", "R8", "R9"]
    first = entries[0]
    assert (first.amount_cents, first.currency, first.booked_on, first.name, first.text) == (
        12100, "EUR", BOOKED, "J. Peters", "Factuur F2026-00001 dank u")
    assert entries[3].currency == "USD"
    assert entries[4].text == "F202600003"  # the structured reference
    assert first.account == IBAN
    assert first.idempotency_key == "bank:" + first.uid and len(first.idempotency_key) <= 80


def test_an_entry_without_a_bank_reference_gets_a_stable_hash(app):
    data = camt(entry(None, "5.00", "F2026-00001"))
    with app.test_request_context():
        once, again = bank.parse_statement(data), bank.parse_statement(data)
    assert once[0].ref == "" and len(once[0].uid) == 64 and once[0].uid == again[0].uid


@pytest.mark.parametrize("data, message", [
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>',
     "DOCTYPE- of ENTITY-declaratie"),
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><Document/>'.encode("utf-16"),
     "DOCTYPE- of ENTITY-declaratie"),
    (b"\x89PNG\r\n\x1a\n not xml at all", "geen geldig XML-bestand"),
    (b"<Document><Something/></Document>", "geen CAMT.053-bankafschrift"),
    (b"", "Het bestand is leeg"),
    (b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>", "groter dan 5 MB"),
])
def test_unsafe_or_unreadable_files_are_refused_in_dutch(app, data, message):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        bank.parse_statement(data)
    assert message in refused.value.message


def test_invoice_numbers_are_found_in_the_usual_spellings():
    text = "Fact f2026 00042, F202600043 en F2026-00044; niet XF2026-00045 of F2026-000461"
    assert bank.find_numbers(text, ["F"]) == ["F2026-00042", "F2026-00043", "F2026-00044"]
    assert bank.find_numbers("INV2026-00001", ["F", "INV"]) == ["INV2026-00001"]


# --- matching and registering ----------------------------------------------------------------

def _invoice(session, actor, cust, cents) -> Invoice:
    draft = services.create_draft(session, actor, cust)
    services.add_fixed_line(session, actor, draft, "Tuinonderhoud", "1", "stuk", cents,
                            "vrijgesteld")
    return services.finalise(session, actor, draft, issue_date=date(2026, 11, 2))


@pytest.fixture
def coop(make, session):
    """A cooperative with three sent invoices F2026-00001 (€ 121), -00002 (€ 200) and -00003
    (€ 60), and another cooperative whose F2026-00009 is open."""
    other = make.tenant(name="Andere coöperatie")
    with tenant_context(session, other.id):
        c = Customer(kind=CustomerKind.RESIDENT, name="Buiten", street="x 1", postcode="1234AB",
                     city="Lelystad")
        session.add(c)
        session.flush()
        session.add(Invoice(kind=InvoiceKind.INVOICE, status=InvoiceStatus.SENT,
                            customer_id=c.id, series="F", year=2026, number=9,
                            number_text="F2026-00009", total_incl_cents=5000,
                            total_excl_cents=5000, issue_date=date(2026, 11, 1),
                            due_date=date(2026, 11, 15)))
        session.commit()
    tenant = make.tenant(name="De Vaart")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance(session)
        cust = customer(session)
        ids = [_invoice(session, actor, cust, cents).id for cents in (12100, 20000, 6000)]
        session.commit()
    yield tenant, admin, actor, ids
    session.rollback()


def _by_id(session, invoice_id) -> Invoice:
    return session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                          .execution_options(populate_existing=True))


def test_matches_are_proposed_only_for_one_open_invoice_of_this_tenant(app, session, coop):
    tenant, _admin, actor, ids = coop
    with app.test_request_context(), tenant_context(session, tenant.id):
        proposals = bank.match_entries(session, bank.parse_statement(statement()))
        by_ref = {p.entry.ref: p for p in proposals}
        assert [r for r, p in by_ref.items() if p.matched] == ["R1", "R2", "R6"]
        assert (by_ref["R1"].amount_cents, by_ref["R1"].partial) == (12100, False)
        assert (by_ref["R2"].amount_cents, by_ref["R2"].partial) == (5000, True)
        assert (by_ref["R6"].amount_cents, by_ref["R6"].excess_cents) == (6000, 4000)
        assert "F2026-00099 is onbekend" in by_ref["R3"].reason
        assert "USD" in by_ref["R5"].reason
        assert "F2026-00009 is onbekend" in by_ref["R7"].reason  # the other coop's number
        assert "Meerdere factuurnummers" in by_ref["R8"].reason
        assert "Geen factuurnummer" in by_ref["R9"].reason

        result = bank.register_matches(session, actor, proposals,
                                       uids(proposals, "R1", "R2", "R6"))
        session.commit()
        assert (len(result.registered), len(result.skipped)) == (3, 5)
        first, second, third = (_by_id(session, i) for i in ids)
        assert first.status == InvoiceStatus.PAID and first.paid_cents == 12100
        assert second.status == InvoiceStatus.PARTLY_PAID and second.paid_cents == 5000
        assert third.status == InvoiceStatus.PAID and third.paid_cents == 6000
        payment = session.scalar(select(Payment).where(Payment.invoice_id == first.id))
        assert (payment.paid_on, payment.method, payment.idempotency_key) == (
            BOOKED, PaymentMethod.BANK_TRANSFER, by_ref["R1"].entry.idempotency_key)
        assert payment.reference == "J. Peters Factuur F2026-00001 dank u"

        # The same statement again: every entry is known, nothing is registered twice.
        again = bank.match_entries(session, bank.parse_statement(statement()))
        assert not any(p.matched for p in again)
        assert "Al geregistreerd" in {p.entry.ref: p for p in again}["R2"].reason
        redo = bank.register_matches(session, actor, again, uids(again, "R1", "R2", "R6"))
        session.commit()
        assert redo.registered == []
        assert session.scalar(select(func.count()).select_from(Payment)) == 3


def test_a_refused_row_is_reported_and_the_others_are_registered(app, session, coop):
    tenant, _admin, actor, ids = coop
    with app.test_request_context(), tenant_context(session, tenant.id):
        proposals = bank.match_entries(session, bank.parse_statement(statement()))
        # Meanwhile F2026-00001 is paid at the counter.
        services.register_payment(session, actor, _by_id(session, ids[0]), 12100,
                                  date(2026, 11, 19), PaymentMethod.CASH,
                                  idempotency_key="balie-1")
        session.commit()
        result = bank.register_matches(session, actor, proposals,
                                       uids(proposals, "R1", "R2", "R6"))
        session.commit()
        assert [p.entry.ref for p in result.registered] == ["R2", "R6"]
        refused = {p.entry.ref: reason for p, reason in result.skipped}
        assert "al helemaal betaald" in refused["R1"]
        assert _by_id(session, ids[0]).paid_cents == 12100


def test_two_entries_for_one_invoice_never_propose_more_than_is_open(app, session, coop):
    tenant, _admin, _actor, _ids = coop
    data = camt(entry("A", "100.00", "F2026-00001"), entry("B", "100.00", "F2026-00001"))
    with app.test_request_context(), tenant_context(session, tenant.id):
        a, b = bank.match_entries(session, bank.parse_statement(data))
    assert (a.amount_cents, b.amount_cents, b.excess_cents) == (10000, 2100, 7900)


# --- through HTTP ----------------------------------------------------------------------------

def _text(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def _upload(client, tenant, data, name="afschrift.xml"):
    return post(client, f"/{tenant.slug}/facturen/bankafschrift",
                {"statement": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_upload_preview_confirm_through_http(app, client, session, coop):
    tenant, admin, _actor, ids = coop
    login(client, admin)
    index = client.get(f"/{tenant.slug}/facturen/").get_data(as_text=True)
    assert "Bankafschrift inlezen" in index

    response = _upload(client, tenant, statement(v08=True))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"])
    html = _text(page)
    assert page.status_code == 200
    assert "F2026-00001" in html and "€ 121,00 registreren" in html
    assert "Te veel ontvangen: € 40,00" in html and "deelbetaling" in html
    assert "Niet gekoppeld" in html and "F2026-00099 is onbekend" in html
    assert "R4" not in html and "huur" not in html  # the debit entry
    key = re.search(r'name="afschrift" type="hidden" value="([^"]+)"', html).group(1)
    with app.test_request_context():
        expected = uids(bank.parse_statement(statement()), "R1", "R2", "R6")
    assert re.findall(r'name="regel" value="([^"]+)"', html) == expected

    # Amounts are never taken from the form: a posted amount is ignored.
    done = post(client, f"/{tenant.slug}/facturen/bankafschrift/bevestigen",
                {"afschrift": key, "regel": expected, "amount": "1"})
    text = _text(done)
    assert done.status_code == 200, text[:2000]
    assert "3 betalingen geregistreerd, 5 overgeslagen" in text
    session.expire_all()
    with tenant_context(session, tenant.id):
        first = _by_id(session, ids[0])
        assert first.status == InvoiceStatus.PAID
        assert session.scalar(select(func.count()).select_from(Payment)
                              .where(Payment.invoice_id == first.id)) == 1
        assert _by_id(session, ids[1]).paid_cents == 5000

    # A second click: the stored file is gone, nothing happens twice.
    twice = post(client, f"/{tenant.slug}/facturen/bankafschrift/bevestigen",
                 {"afschrift": key, "regel": expected[:1]}, follow_redirects=True)
    assert "al verwerkt" in _text(twice)
    # The same statement uploaded again: listed as already registered, nothing to tick.
    again = client.get(_upload(client, tenant, statement()).headers["Location"])
    html = _text(again)
    assert "Al geregistreerd" in html and 'name="regel"' not in html
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(Payment)) == 3


def test_a_bad_upload_is_refused_with_a_dutch_message(client, coop):
    tenant, admin, _actor, _ids = coop
    login(client, admin)
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "x">]><Document>&a;</Document>'
    response = _upload(client, tenant, bomb)
    assert response.status_code == 422
    assert "DOCTYPE- of ENTITY-declaratie" in _text(response)
    response = _upload(client, tenant, b"kolom1;kolom2\n1;2\n", "afschrift.csv")
    assert response.status_code == 422
    assert "geen geldig XML-bestand" in _text(response)


def test_participants_get_403_and_a_foreign_key_is_404(app, client, make, coop):
    tenant, admin, _actor, _ids = coop
    participant = make.member(tenant, Role.PARTICIPANT)
    other = app.test_client()
    login(other, participant)
    assert other.get(f"/{tenant.slug}/facturen/bankafschrift").status_code == 403
    assert post(other, f"/{tenant.slug}/facturen/bankafschrift/bevestigen",
                {"afschrift": "x"}).status_code == 403
    login(client, admin)
    foreign = "999999/bankafschriften/" + "a" * 32 + ".xml"
    assert client.get(f"/{tenant.slug}/facturen/bankafschrift",
                      query_string={"afschrift": foreign}).status_code == 404


# --- hostile and malformed files (hardening) -------------------------------------------------

def _nested(depth: int) -> str:
    return "<X>" * depth + "</X>" * depth


MALFORMED = [
    pytest.param(camt(entry("R1", "1.00", "F2026-00001")).replace(b"UTF-8", b"UTF-7"),
                 "tekenset 'UTF-7'", id="utf-7"),
    pytest.param(camt(entry("R1", "1E+50", "F2026-00001")), "bedrag", id="1E+50"),
    pytest.param(camt(entry("R1", "NaN", "F2026-00001")), "bedrag", id="nan"),
    pytest.param(camt(entry("R1", "Infinity", "F2026-00001")), "bedrag", id="inf"),
    pytest.param(camt(entry("R1", "-5.00", "F2026-00001")), "bedrag", id="negative"),
    pytest.param(camt(entry("R1", "5.001", "F2026-00001")), "bedrag", id="mills"),
    pytest.param(camt(entry("R1", "1.00", "F2026-00001").replace(
        "</Ntry>", _nested(3000) + "</Ntry>")), "dieper genest", id="3000-nested-in-entry"),
    pytest.param(camt(entry(None, "1.00", "F2026-00001").replace(
        "</Ntry>", "<AddtlNtryInf>" + _nested(3000) + "</AddtlNtryInf></Ntry>")),
        "dieper genest", id="3000-nested-without-reference"),
    pytest.param(camt(entry("R1", "1.00", "x"), ns="urn:evil"), "geen CAMT.053", id="evil-ns"),
    pytest.param(camt(entry("R1", "1.00", "x"),
                      ns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"),
                 "geen CAMT.053", id="camt.054"),
    pytest.param(camt(entry("R1", "1.00", "F2026-00001"))[:-40], "geen geldig XML", id="truncated"),
    pytest.param(b'<?xml version="1.0" encoding="UTF-8"?>' + "Ã©".encode("latin-1") * 3,
                 "geen geldig XML", id="garbage"),
    pytest.param(b'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "http://evil.example/x.dtd">'
                 b'<Document/>', "DOCTYPE", id="external-dtd"),
]


@pytest.mark.parametrize("data, message", MALFORMED)
def test_every_malformed_statement_gets_a_dutch_message(app, data, message):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        bank.parse_statement(data)
    assert message in refused.value.message


@pytest.mark.parametrize("data, message", MALFORMED)
def test_a_malformed_upload_answers_422_never_500(client, coop, data, message):
    tenant, admin, _actor, _ids = coop
    login(client, admin)
    response = _upload(client, tenant, data)
    assert response.status_code == 422, _text(response)[:500]
    assert message in _text(response)


# --- identity: account, reference, booking date and amount ----------------------------------

def test_two_payments_with_the_same_reference_are_both_registered(app, session, coop):
    """A bank that gives a second, different payment the reference of the first: the second
    is a payment too (it was skipped as "al geregistreerd")."""
    tenant, _admin, actor, ids = coop
    first = camt(entry("SEPA-1", "50.00", "F2026-00002"))
    second = camt(entry("SEPA-1", "30.00", "F2026-00002", booked=date(2026, 11, 25)))
    with app.test_request_context(), tenant_context(session, tenant.id):
        for data in (first, second):
            proposals = bank.match_entries(session, bank.parse_statement(data))
            assert proposals[0].matched, proposals[0].reason
            bank.register_matches(session, actor, proposals, uids(proposals, "SEPA-1"))
            session.commit()
        assert _by_id(session, ids[1]).paid_cents == 8000
        assert session.scalar(select(func.count()).select_from(Payment)) == 2


def test_the_same_entry_in_two_overlapping_statements_is_registered_once(app, session, coop):
    tenant, _admin, actor, ids = coop
    november = camt(entry("R1", "50.00", "F2026-00002"), entry("R2", "10.00", "F2026-00002"))
    overlap = camt(entry("R2", "10.00", "F2026-00002"), entry("R3", "20.00", "F2026-00002"))
    with app.test_request_context(), tenant_context(session, tenant.id):
        for data in (november, overlap):
            proposals = bank.match_entries(session, bank.parse_statement(data))
            chosen = [p.entry.uid for p in proposals if p.matched]
            bank.register_matches(session, actor, proposals, chosen)
            session.commit()
        assert _by_id(session, ids[1]).paid_cents == 8000
        again = bank.match_entries(session, bank.parse_statement(overlap))
        assert all("Al geregistreerd" in p.reason for p in again)


def test_identity_is_account_reference_date_and_amount():
    base = bank.BankEntry(ref="R1", booked_on=BOOKED, amount_cents=100, currency="EUR",
                          name="A", text="t", account=IBAN)
    same = bank.BankEntry(ref="R1", booked_on=BOOKED, amount_cents=100, currency="EUR",
                          name="other name", text="other text", account=IBAN)
    assert base.uid == same.uid
    from dataclasses import replace
    for changed in (replace(base, account="NL02RABO0123456789"), replace(base, ref="R2"),
                    replace(base, booked_on=date(2026, 11, 21)), replace(base, amount_cents=101)):
        assert changed.uid != base.uid


def test_payments_registered_under_the_old_reference_key_stay_registered(app, session, coop):
    """Before the identity, a bank payment was keyed "bank:<reference>"."""
    tenant, _admin, actor, ids = coop
    with app.test_request_context(), tenant_context(session, tenant.id):
        services.register_payment(session, actor, _by_id(session, ids[0]), 12100, BOOKED,
                                  PaymentMethod.BANK_TRANSFER,
                                  reference="J. Peters Factuur F2026-00001 dank u",
                                  idempotency_key="bank:R1")
        session.commit()
        by_ref = {p.entry.ref: p for p in bank.match_entries(
            session, bank.parse_statement(statement()))}
    assert "Al geregistreerd" in by_ref["R1"].reason
    assert by_ref["R2"].matched


# --- unconfirmed statements are purged after a day --------------------------------------------

def _age(app, key: str, hours: float) -> None:
    import os
    import time

    from tenants.storage import uploads_root

    path = uploads_root(app.instance_path) / key
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_an_unconfirmed_statement_is_gone_after_24_hours(app, client, make, coop):
    from tenants.storage import file_exists, uploads_root

    tenant, admin, _actor, _ids = coop
    login(client, admin)
    root = uploads_root(app.instance_path)
    location = _upload(client, tenant, statement()).headers["Location"]
    old_key = re.search(r"afschrift=([^&]+)", location).group(1).replace("%2F", "/")
    fresh_location = _upload(client, tenant, statement()).headers["Location"]
    fresh_key = re.search(r"afschrift=([^&]+)", fresh_location).group(1).replace("%2F", "/")
    _age(app, old_key, 23)
    assert client.get(location).status_code == 200  # a day is not over yet
    _age(app, old_key, 25)
    # Opening it after a day: gone, and it cannot be confirmed any more.
    assert client.get(location).status_code == 404
    assert not file_exists(root, tenant.id, old_key)
    confirm = post(client, f"/{tenant.slug}/facturen/bankafschrift/bevestigen",
                   {"afschrift": old_key, "regel": []}, follow_redirects=True)
    assert "niet meer beschikbaar" in _text(confirm)
    # A statement nobody opens again is removed by the next upload of any cooperative.
    _age(app, fresh_key, 25)
    other = make.tenant(name="Derde coöperatie")
    other_admin = make.member(other, Role.ADMIN)
    other_client = app.test_client()
    login(other_client, other_admin)
    assert _upload(other_client, other, statement()).status_code == 302
    assert not file_exists(root, tenant.id, fresh_key)


# --- issue 12: glued numbers, early payments, linking by hand ---------------------------------

def test_a_number_glued_to_a_word_is_found_but_not_one_glued_to_another_series():
    assert bank.find_numbers("Fact.nrF2026-00030", ["F"]) == ["F2026-00030"]
    assert bank.find_numbers("factuurF2026-00031 kenmerkF2026-00032", ["F"]) == [
        "F2026-00031", "F2026-00032"]
    assert bank.find_numbers("XF2026-00045 abcF2026-00046", ["F"]) == []


def test_a_payment_booked_long_before_the_invoice_date_is_flagged_and_not_ticked(
        app, client, session, coop):
    tenant, admin, _actor, _ids = coop  # invoices dated 02-11-2026
    data = camt(entry("E1", "121.00", "F2026-00001", booked=date(2026, 9, 1)),
                entry("E2", "60.00", "F2026-00003", booked=date(2026, 10, 20)))
    with app.test_request_context(), tenant_context(session, tenant.id):
        early, fine = bank.match_entries(session, bank.parse_statement(data))
    assert early.matched and "ruim vóór de factuurdatum 02-11-2026" in early.warning
    assert fine.matched and fine.warning is None  # 13 days before: a prepayment, not flagged
    login(client, admin)
    html = _text(client.get(_upload(client, tenant, data).headers["Location"]))
    assert "Let op" in html and "hoort deze betaling wel bij deze factuur" in html
    ticked = re.findall(r'name="regel" value="([^"]+)"[^>]*checked', html)
    assert ticked == [fine.entry.uid]


def test_an_unmatched_credit_is_linked_by_hand_to_an_open_invoice(app, client, session, coop):
    tenant, admin, _actor, ids = coop
    data = camt(entry("H1", "60.00", "voor de tuin, mevr. Peters"),
                entry("H2", "10.00", "factuur F2026-00099"),
                entry("H3", "5.00", "gift"))
    login(client, admin)
    page = client.get(_upload(client, tenant, data).headers["Location"])
    html = _text(page)
    key = re.search(r'name="afschrift" type="hidden" value="([^"]+)"', html).group(1)
    with app.test_request_context():
        h1, h2, h3 = bank.parse_statement(data)
    # Every open invoice is offered with number, customer and amount; the € 60 one first.
    select_h1 = re.search(rf'name="koppel-{h1.uid}"[^>]*>(.*?)</select>', html, re.S).group(1)
    offered = re.findall(r'<option value="(\d+)">([^<]+)</option>', select_h1)
    assert [int(i) for i, _label in offered] == [ids[2], ids[0], ids[1]]
    assert offered[0][1] == "F2026-00003 · Mevrouw Peters · open € 60,00"
    assert 'name="regel"' not in html and "Aangevinkte betalingen registreren" in html

    # Link H1 to F2026-00003 and H2 to F2026-00001; a foreign or made-up id is ignored.
    done = post(client, f"/{tenant.slug}/facturen/bankafschrift/bevestigen",
                {"afschrift": key, f"koppel-{h1.uid}": str(ids[2]),
                 f"koppel-{h2.uid}": str(ids[0]), f"koppel-{h3.uid}": "999999999",
                 "amount": "1"})
    text = _text(done)
    assert "2 betalingen geregistreerd, 1 overgeslagen" in text
    session.expire_all()
    with tenant_context(session, tenant.id):
        assert _by_id(session, ids[2]).status == InvoiceStatus.PAID
        assert _by_id(session, ids[0]).paid_cents == 1000
        payment = session.scalar(select(Payment).where(Payment.invoice_id == ids[2]))
        assert (payment.amount_cents, payment.paid_on, payment.idempotency_key) == (
            6000, BOOKED, h1.idempotency_key)
    # Read again: H1 and H2 are known, nothing is offered for them any more.
    html = _text(client.get(_upload(client, tenant, data).headers["Location"]))
    assert f"koppel-{h1.uid}" not in html and f"koppel-{h2.uid}" not in html


def test_linking_by_hand_never_takes_more_than_is_open(app, session, coop):
    tenant, _admin, _actor, ids = coop
    data = camt(entry("L1", "100.00", "a"), entry("L2", "100.00", "b"),
                entry("L3", "20.00", "F2026-00003"))
    with app.test_request_context(), tenant_context(session, tenant.id):
        proposals = bank.match_entries(session, bank.parse_statement(data))
        l1, l2, l3 = proposals
        linked = bank.link_by_hand(session, proposals, {l1.entry.uid: str(ids[2]),
                                                        l2.entry.uid: str(ids[2]),
                                                        l3.entry.uid: str(ids[0])})
    # F2026-00003 has € 60 open; L3 matched € 20 of it by number, so L1 takes € 40 and L2
    # nothing; L3 is matched already and is not relinked.
    assert linked == [l1.entry.uid]
    assert (l1.amount_cents, l1.excess_cents, l1.by_hand) == (4000, 6000, True)
    assert not l2.matched and l3.invoice.id == ids[2]
