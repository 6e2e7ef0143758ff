"""Sending an invoice by e-mail (issue 12): "Definitief maken en versturen" mails the PDF (and
the UBL for e-invoice customers) to the customer's address, from the platform's sender with the
cooperative's name, Reply-To the cooperative; the invoice page says what happened; SMTP down →
"verzending mislukt" after the retries, and a retry delivers; "zonder versturen" sends nothing;
resend and reminders carry the PDF; a customer without an address can only be handed over
otherwise."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import select

from blueprints.invoicing import services
from blueprints.invoicing.models import DeliveryStatus, Invoice, InvoiceStatus
from tenants import jobs
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.invoicing.invoice_world import customer, finance, municipality
from tests.kernel.test_jobs import later, queued_app
from tests.kernel.test_mail_queue import _mail_config, smtp  # noqa: F401  (fixture)

TODAY = date.today()
COOP = "Bewonerscoöperatie De Vaart U.A."
COOP_MAIL = "facturen@devaart.example.org"


def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


def _drafts(session, tenant, actor, cust, n=1):
    ids = []
    for _ in range(n):
        draft = services.create_draft(session, actor, cust, order_reference="PO-77")
        services.add_fixed_line(session, actor, draft, "Tuinonderhoud", "2", "uur", 2500, "21")
        ids.append(draft.id)
    return ids


@pytest.fixture
def world(make, session):
    """A cooperative with complete settings; drafts for a resident with an address, for a
    municipality (e-invoice) and for a customer without an e-mail address."""
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance(session)
        resident = customer(session)
        city = municipality(session)
        nobody = customer(session, name="Meneer Zonder Mail", email=None)
        ids = {"resident": _drafts(session, tenant, actor, resident)[0],
               "city": _drafts(session, tenant, actor, city)[0],
               "nobody": _drafts(session, tenant, actor, nobody)[0]}
        session.commit()
    yield tenant, admin, actor, ids
    session.rollback()


def _url(tenant, path=""):
    return f"/{tenant.slug}/facturen{path}"


def _invoice(session, tenant, invoice_id) -> Invoice:
    session.expire_all()
    with tenant_context(session, tenant.id):
        return session.scalar(select(Invoice).where(Invoice.id == invoice_id))


def _send(client, tenant, invoice_id, button="versturen"):
    return post(client, _url(tenant, f"/{invoice_id}/verzenden"),
                {"issue_date": TODAY.isoformat(), "confirm": "y", button: "1"},
                follow_redirects=True)


def _files(message):
    return {name: (content, mimetype) for name, content, mimetype in message.attachments}


def test_sending_mails_the_pdf_to_the_customer_from_the_platform_with_reply_to_the_coop(
        app, client, session, world):
    tenant, admin, _actor, ids = world
    login(client, admin)
    page = client.get(_url(tenant, f"/{ids['resident']}")).get_data(as_text=True)
    assert "Definitief maken en versturen" in page and "Definitief maken zonder versturen" in page
    assert "peters@example.org" in page

    before = len(_outbox(app))
    response = _send(client, tenant, ids["resident"])
    page = response.get_data(as_text=True)
    assert "wordt per e-mail verstuurd aan peters@example.org" in page

    [mail] = _outbox(app)[before:]
    invoice = _invoice(session, tenant, ids["resident"])
    assert mail.to == ["peters@example.org"]
    assert mail.reply_to == [COOP_MAIL]
    name, address = parseaddr(mail.from_email)
    assert name == COOP
    assert address == parseaddr(app.config["MAIL_DEFAULT_SENDER"])[1] != COOP_MAIL
    assert mail.subject == f"Factuur {invoice.number_text} van {COOP}"
    assert invoice.number_text in mail.body and "€\xa060,50" in mail.body
    files = _files(mail)
    assert list(files) == [f"factuur-{invoice.number_text}.pdf"]
    pdf, mimetype = files[f"factuur-{invoice.number_text}.pdf"]
    assert mimetype == "application/pdf" and pdf.startswith(b"%PDF")

    # The mail server took it (inline in tests): the invoice says so, with date and address.
    assert invoice.status == InvoiceStatus.SENT
    assert invoice.delivery_status == DeliveryStatus.SENT
    assert invoice.delivered_to == "peters@example.org" and invoice.delivered_at is not None
    page = client.get(_url(tenant, f"/{ids['resident']}")).get_data(as_text=True)
    assert "Verzonden op " in page and "aan peters@example.org." in page
    assert "Opnieuw versturen aan peters@example.org" in page


def test_an_e_invoice_customer_gets_the_pdf_and_the_ubl(app, client, session, world):
    tenant, admin, _actor, ids = world
    login(client, admin)
    before = len(_outbox(app))
    _send(client, tenant, ids["city"])
    [mail] = _outbox(app)[before:]
    invoice = _invoice(session, tenant, ids["city"])
    assert mail.to == ["crediteuren@lelystad.example.org"]
    files = _files(mail)
    assert sorted(files) == sorted([f"factuur-{invoice.number_text}.pdf",
                                    f"factuur-{invoice.number_text}.xml"])
    xml, mimetype = files[f"factuur-{invoice.number_text}.xml"]
    assert mimetype == "application/xml"
    assert f"<cbc:ID>{invoice.number_text}</cbc:ID>".encode() in xml
    assert "e-factuur (UBL)" in mail.body


def test_finalising_without_sending_sends_nothing(app, client, session, world):
    tenant, admin, _actor, ids = world
    login(client, admin)
    before = len(_outbox(app))
    page = _send(client, tenant, ids["resident"], "zonder_versturen").get_data(as_text=True)
    assert "Er is niets verstuurd." in page
    assert len(_outbox(app)) == before
    invoice = _invoice(session, tenant, ids["resident"])
    assert invoice.status == InvoiceStatus.SENT and invoice.number_text
    assert invoice.delivery_status is None and invoice.delivered_to is None
    page = client.get(_url(tenant, f"/{ids['resident']}")).get_data(as_text=True)
    assert "Definitief gemaakt zonder versturen" in page
    assert "Per e-mail versturen aan peters@example.org" in page


def test_a_customer_without_an_address_can_only_be_finalised_without_sending(
        app, client, session, world):
    tenant, admin, _actor, ids = world
    login(client, admin)
    page = client.get(_url(tenant, f"/{ids['nobody']}")).get_data(as_text=True)
    assert "Meneer Zonder Mail heeft geen e-mailadres" in page
    assert 'name="versturen"' not in page and "Definitief maken zonder versturen" in page

    before = len(_outbox(app))
    page = _send(client, tenant, ids["nobody"]).get_data(as_text=True)  # a forged post
    assert "Meneer Zonder Mail heeft geen e-mailadres" in page
    assert _invoice(session, tenant, ids["nobody"]).status == InvoiceStatus.DRAFT
    assert len(_outbox(app)) == before  # nothing, and no number drawn

    _send(client, tenant, ids["nobody"], "zonder_versturen")
    invoice = _invoice(session, tenant, ids["nobody"])
    assert invoice.status == InvoiceStatus.SENT and invoice.delivery_status is None
    response = post(client, _url(tenant, f"/{ids['nobody']}/opnieuw-versturen"),
                    follow_redirects=True)
    assert "Meneer Zonder Mail heeft geen e-mailadres" in response.get_data(as_text=True)
    assert len(_outbox(app)) == before


def test_resend_and_reminders_carry_the_pdf(app, client, session, world):
    tenant, admin, actor, ids = world
    with tenant_context(session, tenant.id):
        late = session.scalar(select(Invoice).where(Invoice.id == ids["resident"]))
        services.finalise(session, actor, late, TODAY - timedelta(days=40))
        session.commit()
    login(client, admin)
    before = len(_outbox(app))
    response = post(client, _url(tenant, f"/{ids['resident']}/opnieuw-versturen"),
                    follow_redirects=True)
    assert "wordt per e-mail verstuurd aan peters@example.org" in response.get_data(as_text=True)
    invoice = _invoice(session, tenant, ids["resident"])
    [mail] = _outbox(app)[before:]
    assert list(_files(mail)) == [f"factuur-{invoice.number_text}.pdf"]
    assert invoice.delivery_status == DeliveryStatus.SENT

    post(client, _url(tenant, f"/{ids['resident']}/herinnering"), follow_redirects=True)
    [reminder] = _outbox(app)[before + 1:]
    assert reminder.subject == f"Herinnering: factuur {invoice.number_text}"
    assert reminder.to == ["peters@example.org"] and reminder.reply_to == [COOP_MAIL]
    assert parseaddr(reminder.from_email)[0] == COOP
    pdf, mimetype = _files(reminder)[f"factuur-{invoice.number_text}.pdf"]
    assert mimetype == "application/pdf" and pdf.startswith(b"%PDF")


def test_smtp_down_the_invoice_says_verzending_mislukt_and_a_retry_delivers(
        app, client, session, world, db_dir, tmp_path, smtp, caplog):  # noqa: F811
    tenant, admin, actor, ids = world
    with queued_app(db_dir, tmp_path, MAIL_RETRIES=1, **_mail_config(smtp)) as queued:
        with queued.test_request_context():
            with tenant_context(session, tenant.id):
                invoice = session.scalar(select(Invoice).where(Invoice.id == ids["resident"]))
                services.send_invoice(session, actor, invoice)
                session.commit()
        assert jobs.huey.pending_count() == 1  # queued at commit, not yet tried
        assert _invoice(session, tenant, ids["resident"]).delivery_status \
            == DeliveryStatus.QUEUED
        with caplog.at_level(logging.WARNING, logger="tenants.mail"):
            assert jobs.run_pending() == 1  # SMTP is down: a retry is scheduled
            assert _invoice(session, tenant, ids["resident"]).delivery_status \
                == DeliveryStatus.QUEUED
            assert jobs.run_pending(later(minutes=1)) == 1  # the last try fails too
        invoice = _invoice(session, tenant, ids["resident"])
        assert invoice.delivery_status == DeliveryStatus.FAILED
        assert invoice.delivered_to == "peters@example.org" and invoice.delivery_error
        number = invoice.number_text
        assert any("given up" in r.getMessage() for r in caplog.records)

        login(client, admin)
        page = client.get(_url(tenant, f"/{ids['resident']}")).get_data(as_text=True)
        assert "Verzending mislukt" in page
        assert "Opnieuw proberen te versturen aan peters@example.org" in page

        smtp.start()
        with queued.test_request_context():
            with tenant_context(session, tenant.id):
                services.resend_invoice(session, actor, invoice)
                session.commit()
        assert jobs.run_pending() == 1
    [message] = smtp.inbox.messages
    assert message["To"] == "peters@example.org" and message["Reply-To"] == COOP_MAIL
    [attachment] = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == f"factuur-{number}.pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")
    invoice = _invoice(session, tenant, ids["resident"])
    assert invoice.delivery_status == DeliveryStatus.SENT and invoice.delivery_error is None
    page = client.get(_url(tenant, f"/{ids['resident']}")).get_data(as_text=True)
    assert "Verzonden op " in page and "Verzending mislukt" not in page


def test_a_rolled_back_send_mails_nothing(app, session, world):
    tenant, _admin, actor, ids = world
    before = len(_outbox(app))
    with app.test_request_context():
        with tenant_context(session, tenant.id):
            invoice = session.scalar(select(Invoice).where(Invoice.id == ids["resident"]))
            services.send_invoice(session, actor, invoice)
            session.rollback()
    assert len(_outbox(app)) == before
    assert _invoice(session, tenant, ids["resident"]).status == InvoiceStatus.DRAFT
