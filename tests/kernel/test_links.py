"""Links leave the app built from BASE_URL only: every mail sent while an attacker forges the
Host header carries the configured address, never theirs (issue #9, finding 1)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from blueprints.digests.jobs import send_daily_digests
from blueprints.reports.jobs import send_scheduled_report
from tenants.actor import Actor
from tenants.config import ConfigError, load_config
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.billing.conftest import billing  # noqa: F401  (fixture)
from tests.digests.builders import DAY, build
from tests.helpers import csrf_token, login, post, unique
from tests.helprequests.builders import job, person
from tests.hours.builders import add_person, entry
from tests.invoicing.invoice_world import coop  # noqa: F401  (fixture)
from tests.onlinepay.conftest import checkout_session, deliver, event
from tests.onlinepay.conftest import sent_invoice, stripe_server  # noqa: F401  (fixture)

EVIL = "evil.example"
MAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
#: every mail template, and the test below that sends it with a forged Host
COVERED = {
    "password_reset": "test_reset_mail",
    "invitation": "test_invitation_mails",
    "help_request_received": "test_help_request_mails",
    "help_request_planned": "test_help_request_mails",
    "help_request_declined": "test_help_request_mails",
    "hours_returned": "test_hours_returned_mail",
    "invoice_reminder": "test_invoice_reminder_mail",
    "invoice": "test_invoice_mail",
    "security_change": "test_security_notice_mail",
    "scheduled_report": "test_scheduled_report_mail",
    "help_request_confirmation": "test_help_request_confirmation_mail",
    "daily_digest": "test_daily_digest_mail",
    "network_invitation": "test_network_mails",
    "network_confirmed": "test_network_mails",
    "network_waiting": "test_network_mails",
    "network_offer": "test_network_mails",
    "network_reminder": "test_network_mails",
    "billing_payment": "test_billing_payment_mails",
    "online_payment_notice": "test_online_payment_notice_mails",
}
URL = re.compile(r"https?://[^\s)>\"']+")


@pytest.fixture
def forged(app):
    """Every request of the test arrives with `Host: evil.example`."""
    inner = app.wsgi_app

    def forge(environ, start_response):
        environ["HTTP_HOST"] = EVIL
        environ["SERVER_NAME"] = EVIL
        return inner(environ, start_response)

    app.wsgi_app = forge
    try:
        yield
    finally:
        app.wsgi_app = inner


def outbox(app):
    return list(getattr(app.extensions["mailman"], "outbox", None) or [])


def check_mails(app, before: int, *, expect: int | None = None, links: bool = True):
    """The mails sent since `before`: none names the forged host, each link is BASE_URL's."""
    mails = outbox(app)[before:]
    assert mails, "no mail was sent"
    if expect is not None:
        assert len(mails) == expect
    base = app.config["BASE_URL"]
    for mail in mails:
        assert EVIL not in mail.body and EVIL not in mail.subject
        urls = URL.findall(mail.body)
        if links:
            assert urls, mail.body
        assert all(u.startswith(base + "/") for u in urls), (urls, base)
    return mails


def test_every_mail_template_is_covered_by_a_forged_host_test():
    assert {p.stem for p in MAIL_TEMPLATES.glob("*.txt")} == set(COVERED)


def test_reset_mail(app, make, forged):
    user = make.user()
    client = app.test_client()
    before = len(outbox(app))
    response = client.post("/wachtwoord-vergeten", data={
        "csrf_token": csrf_token(client, "/wachtwoord-vergeten"), "email": user.email})
    assert response.status_code == 302
    [mail] = check_mails(app, before, expect=1)
    assert "http://localhost/wachtwoord-herstellen/" in mail.body


def test_invitation_mails(app, make, forged):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    client = app.test_client()
    login(client, admin)
    before = len(outbox(app))
    post(client, f"/{tenant.slug}/team/uitnodigen",
         {"email": f"{unique('collega')}@example.org", "role": "supervisor"},
         token_from=f"/{tenant.slug}/team/")
    [mail] = check_mails(app, before, expect=1)
    assert f"http://localhost/uitnodiging/{tenant.slug}/" in mail.body

    operator = make.user(operator=True, totp=True)
    ops = app.test_client()
    login(ops, operator)
    before = len(outbox(app))
    slug = unique("bw")
    post(ops, "/beheer/organisaties", {
        "name": "Buurtwerk Hoogvliet", "slug": slug, "kind": "bewonersinitiatief",
        "municipality": "0599", "admin_email": f"{unique('coord')}@example.org"},
        token_from="/beheer/")
    [mail] = check_mails(app, before, expect=1)
    assert f"http://localhost/uitnodiging/{slug}/" in mail.body


def test_municipal_invitation_mails(app, make, session, forged):
    """The invitation template also invites to a municipality: by the operator (the first
    officer) and by an officer (a colleague)."""
    from sqlalchemy import select

    from tenants.models import Municipality, MunicipalityMembership, MunicipalRole

    operator = make.user(operator=True, totp=True)
    ops = app.test_client()
    login(ops, operator)
    taken = set(session.scalars(select(Municipality.cbs_code)))
    code = next(f"{n:04d}" for n in range(9899, 0, -1) if f"{n:04d}" not in taken)
    before = len(outbox(app))
    post(ops, "/beheer/gemeenten", {"cbs_code": code, "name": f"Linkgemeente {code}",
                                    "officer_email": f"{unique('eerste')}@example.org",
                                    "role": "consulent"}, token_from="/beheer/gemeenten")
    [mail] = check_mails(app, before, expect=1)
    assert "http://localhost/uitnodiging/gemeente/" in mail.body

    officer = make.user(totp=True)
    breda = session.scalar(select(Municipality).where(Municipality.cbs_code == "0758"))
    session.add(MunicipalityMembership(user_id=officer.id, municipality_id=breda.id,
                                       role=MunicipalRole.CONSULENT))
    session.commit()
    client = app.test_client()
    login(client, officer)
    before = len(outbox(app))
    post(client, "/gemeente/0758/collegas", {"email": f"{unique('collega')}@example.org",
                                             "role": "beleid"},
         token_from="/gemeente/0758/collegas")
    [mail] = check_mails(app, before, expect=1)
    assert "http://localhost/uitnodiging/gemeente/" in mail.body

def test_help_request_mails(app, make, session, forged):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    coach = make.member(tenant, Role.SUPERVISOR)
    account = make.member(tenant, Role.PARTICIPANT)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        worker = person(session, actor, "Fatma", "Yilmaz")
        worker.user_id = account.id
        planned = job(session, actor)
        declined = job(session, actor, email="bewoner@example.org", name="Mevrouw Bos")
        session.commit()
        ids = worker.id, planned.id, declined.id
    # the public form mails the cooperative's inbox (its admins)
    resident = app.test_client()
    before = len(outbox(app))
    resident.post(f"/{tenant.slug}/hulp-vragen", data={
        "csrf_token": csrf_token(resident, f"/{tenant.slug}/hulp-vragen"),
        "name": "Mevrouw Jansen", "street": "Kempenaar 12-03", "postcode": "8232 AB",
        "city": "Lelystad", "phone": "06 12345678", "email": "", "kind": "tuin",
        "description": "De heg moet geknipt worden.", "preferred_dates": "", "website": ""})
    [mail] = check_mails(app, before, expect=1)
    assert mail.to == [admin.email] and f"http://localhost/{tenant.slug}/hulpvragen/" in mail.body

    client = app.test_client()
    login(client, coach)
    tomorrow = date.today() + timedelta(days=1)
    before = len(outbox(app))
    post(client, f"/{tenant.slug}/hulpvragen/{ids[1]}/plannen",
         {"planned_on": tomorrow.isoformat(), "participants": [str(ids[0])], "other": ""})
    [mail] = check_mails(app, before, expect=1)
    assert mail.to == [account.email]
    before = len(outbox(app))
    post(client, f"/{tenant.slug}/hulpvragen/{ids[2]}/afwijzen",
         {"reason": "Dit is werk voor een vakman."})
    check_mails(app, before, expect=1, links=False)


def test_hours_returned_mail(app, make, session, forged):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    user = make.member(tenant, Role.PARTICIPANT)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        participant, trajectory = add_person(session, actor, user=user, supervisor_id=coach.id)
        e = entry(session, participant, trajectory, date.today(), 120)
        session.commit()
        entry_id = e.id
    client = app.test_client()
    login(client, coach)
    before = len(outbox(app))
    post(client, f"/{tenant.slug}/uren/{entry_id}/terugsturen",
         {"reason": "Graag de juiste dag invullen.", "version": "1"},
         token_from=f"/{tenant.slug}/uren/")
    [mail] = check_mails(app, before, expect=1)
    assert f"http://localhost/{tenant.slug}/uren/mijn" in mail.body


def _mail_with_pay_link(app, coop, invoice, action: str):
    """An admin of a cooperative that takes online payments posts `action` on `invoice`: one
    mail, whose pay link is BASE_URL's."""
    coop.settings.stripe_account_id = "acct_coop_vaart"
    coop.settings.stripe_charges_enabled = True
    coop.session.commit()
    client = app.test_client()
    login(client, coop.admin)
    before = len(outbox(app))
    post(client, f"/{coop.tenant.slug}/facturen/{invoice.id}/{action}")
    [mail] = check_mails(app, before, expect=1)
    assert f"http://localhost/{coop.tenant.slug}/betalen/" in mail.body


def test_invoice_reminder_mail(app, coop, stripe_server, forged):  # noqa: F811
    late = sent_invoice(coop, issue=date.today() - timedelta(days=60))
    _mail_with_pay_link(app, coop, late, "herinnering")


def test_invoice_mail(app, coop, stripe_server, forged):  # noqa: F811
    _mail_with_pay_link(app, coop, sent_invoice(coop), "opnieuw-versturen")


def test_online_payment_notice_mails(app, coop, stripe_server, forged):  # noqa: F811
    """Stripe's webhook, delivered with a forged Host: the dispute mail and the mail that
    online payment is off link to BASE_URL's invoice and online-payment pages."""
    from tests.onlinepay.conftest import Shop

    account = f"acct_links{coop.tenant.id}"
    invoice = sent_invoice(coop)
    coop.settings.stripe_account_id = account
    coop.settings.stripe_charges_enabled = True
    coop.session.commit()
    shop = Shop(coop, invoice, coop.tenant.id, coop.tenant.slug)
    client = app.test_client()
    deliver(client, event("checkout.session.completed", checkout_session(shop),
                          account=account))
    before = len(outbox(app))
    deliver(client, event("charge.dispute.created", {
        "id": "dp_links", "object": "dispute", "amount": 4840, "payment_intent": "pi_test_a1",
        "status": "needs_response", "reason": "fraudulent"}, account=account))
    [mail] = check_mails(app, before, expect=1)
    assert f"http://localhost/{coop.tenant.slug}/facturen/{invoice.id}" in mail.body
    before = len(outbox(app))
    deliver(client, event("account.application.deauthorized",
                          {"id": "ca_platform", "object": "application"}, account=account))
    [mail] = check_mails(app, before, expect=1)
    assert f"http://localhost/{coop.tenant.slug}/online-betalen/" in mail.body


def test_security_notice_mail(app, make, forged):
    user = make.user()
    client = app.test_client()
    login(client, user)
    before = len(outbox(app))
    post(client, "/account/wachtwoord", {"current": "correct-horse-battery",
         "password": "een nieuw lang wachtwoord", "confirm": "een nieuw lang wachtwoord"})
    [mail] = check_mails(app, before, expect=1, links=False)
    assert mail.to == [user.email] and "wachtwoord is gewijzigd" in mail.body


def test_the_pay_link_on_a_page_ignores_the_host_header(app, coop, stripe_server, forged):  # noqa: F811
    invoice = sent_invoice(coop)
    coop.settings.stripe_account_id = "acct_coop_vaart"
    coop.settings.stripe_charges_enabled = True
    coop.session.commit()
    client = app.test_client()
    login(client, coop.admin)
    html = client.get(f"/{coop.tenant.slug}/facturen/{invoice.id}").get_data(as_text=True)
    assert "Betaallink" in html and EVIL not in html
    assert f'value="http://localhost/{coop.tenant.slug}/betalen/' in html


# --- production: BASE_URL required, only its host answered ---------------------------------

PRODUCTION = {"SECRET_KEY": "x" * 48, "DATABASE_URL": "postgres://u:p@db/wijkwerk",
              "REDIS_URL": "redis://redis:6379/0", "BASE_URL": "https://wijkwerk.example.nl"}


def test_production_refuses_to_start_without_base_url():
    env = dict(PRODUCTION)
    del env["BASE_URL"]
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config("production", env=env)
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config("production", env={**env, "BASE_URL": "http://wijkwerk.example.nl"})
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config("production", env={**env, "BASE_URL": "wijkwerk.example.nl"})


def test_production_trusts_only_the_base_url_host():
    cfg = load_config("production", env={**PRODUCTION, "TRUSTED_HOSTS": "intern.example.nl"})
    assert cfg["BASE_URL"] == "https://wijkwerk.example.nl"
    assert cfg["TRUSTED_HOSTS"][:2] == ["wijkwerk.example.nl", "intern.example.nl"]
    assert EVIL not in cfg["TRUSTED_HOSTS"]


def test_a_forged_host_is_refused_when_trusted_hosts_are_set(db_dir):
    from app import create_app
    from tests.helpers import test_config

    app = create_app(test_config(db_dir, TRUSTED_HOSTS=["wijkwerk.example.nl", "127.0.0.1"]))
    client = app.test_client()
    assert client.get("/login", headers={"Host": "wijkwerk.example.nl"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    forged = client.get("/login", headers={"Host": EVIL})
    assert forged.status_code == 400
    reset = client.post("/wachtwoord-vergeten", headers={"Host": EVIL},
                        data={"email": "iemand@example.org"})
    assert reset.status_code == 400


def test_no_url_for_external_left_in_the_code():
    root = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for folder in ("blueprints", "tenants", "templates")
                 for p in (root / folder).rglob("*") if p.suffix in {".py", ".html", ".txt"}
                 and re.search(r"(?<!force)_external", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_scheduled_report_mail(app, coop, forged):  # noqa: F811
    """Planned on a page reached under a forged Host, sent by the job: no link, no forged host."""
    client = app.test_client()
    login(client, coop.admin)
    post(client, f"/{coop.tenant.slug}/rapportage/planning",
         {"frequency": "maand", "recipients": f"bestuur-{coop.tenant.slug}@example.org"})
    before = len(outbox(app))
    with app.app_context():
        send_scheduled_report(coop.tenant.id, "2026-07-02").get()
    [mail] = check_mails(app, before, expect=1, links=False)
    assert mail.to == [f"bestuur-{coop.tenant.slug}@example.org"]


def test_help_request_confirmation_mail(app, make, session, forged):
    """The resident who gave an address gets a confirmation with the cooperative's phone
    number and no link; the inbox notice goes as before."""
    w = build(make, session, "L", phone="0320-123456")
    resident = app.test_client()
    before = len(outbox(app))
    resident.post(f"/{w.tenant.slug}/hulp-vragen", data={
        "csrf_token": csrf_token(resident, f"/{w.tenant.slug}/hulp-vragen"),
        "name": "Mevrouw Jansen", "street": "Kempenaar 12-03", "postcode": "8232 AB",
        "city": "Lelystad", "phone": "", "email": "jansen@example.org", "kind": "tuin",
        "description": "De heg moet geknipt worden.", "preferred_dates": "", "website": ""})
    mails = check_mails(app, before, expect=2, links=False)
    [confirmation] = [m for m in mails if m.to == ["jansen@example.org"]]
    assert [m.to for m in mails if m is not confirmation] == [[w.admin.email]]
    assert not URL.findall(confirmation.body)
    assert "Beste Mevrouw Jansen," in confirmation.body
    assert "Bel ons op 0320-123456." in confirmation.body
    assert confirmation.subject.startswith("Uw hulpvraag 2026-")
    session.rollback()


def test_daily_digest_mail(app, make, session, forged):
    """Choices saved on a page reached under a forged Host, the digest sent by the job: every
    link is BASE_URL's."""
    w = build(make, session, "M")
    client = app.test_client()
    login(client, w.supervisor)
    path = f"/{w.tenant.slug}/dagelijkse-mail/"
    post(client, path, {"kinds": ["evaluaties", "vog", "uren", "trajecten"]}, token_from=path)
    before = len(outbox(app))
    with app.app_context():
        send_daily_digests(w.tenant.id, DAY.isoformat()).get()
    mails = [m for m in check_mails(app, before)
             if m.to[0] in {w.supervisor.email, w.admin.email}]
    assert len(mails) == 2
    session.rollback()
def test_network_mails(app, make, forged):
    from datetime import timedelta

    from blueprints.network import services
    from blueprints.network.models import Meeting, RegistrationStatus
    from tenants.extensions import db
    from tenants.models import NetworkRole
    from tests.network.builders import meeting, network_member

    admin = network_member(app, make, NetworkRole.ADMIN)
    client = app.test_client()
    login(client, admin)
    before = len(outbox(app))
    post(client, "/netwerk/leden/uitnodigen", {"email": f"{unique('lid')}@example.org",
                                              "role": "member"}, token_from="/netwerk/leden")
    [mail] = check_mails(app, before, expect=1)
    assert "http://localhost/netwerk/uitnodiging/" in mail.body
    m = meeting(app, capacity=1)
    path = f"/netwerk/bijeenkomsten/{m}/aanmelden"
    before = len(outbox(app))
    post(client, path, {"name": "Henk Postma", "email": admin.email,
                        "colleague_1_name": "Sanne Kok",
                        "colleague_1_email": f"{unique('sanne')}@example.org"}, token_from=path)
    confirmed, waiting = check_mails(app, before, expect=2)
    assert "/netwerk/aanmelding/" in confirmed.body and "wachtlijst" in waiting.body
    with app.app_context():
        mine = services.own_registrations(db.session, db.session.get(Meeting, m),
                                          db.session.get(type(admin), admin.id))[0].id
    before = len(outbox(app))
    post(client, f"/netwerk/aanmelding/{mine}/afmelden", token_from="/netwerk/")
    [offer] = check_mails(app, before, expect=1)
    assert "/aannemen" in offer.body
    with app.app_context():
        meeting_row = db.session.get(Meeting, m)
        [offered] = services.registrations(db.session, meeting_row,
                                           RegistrationStatus.OFFERED)
        services.accept_offer(db.session, offered.id)
        db.session.commit()
        day = meeting_row.day
    before = len(outbox(app))
    with app.app_context():
        services.send_reminders(db.session, today=day - timedelta(days=1))
        db.session.commit()
    mails = check_mails(app, before)
    assert any(x.subject.startswith("Herinnering") for x in mails)


@pytest.fixture
def billing_coop(make, session, billing):  # noqa: F811
    from tests.billing.conftest import _coop

    return _coop(make, session, billing)


def test_billing_payment_mails(app, billing_coop, forged):
    """The dunning mails (payment failed; read-only): the page link is BASE_URL's, the only
    other link Stripe's own hosted invoice page."""
    from tests.billing.conftest import deliver as deliver_billing
    from tests.billing.conftest import event as billing_event
    from tests.billing.conftest import invoice, subscription

    coop = billing_coop
    client = app.test_client()
    before = len(outbox(app))
    deliver_billing(client, billing_event("customer.subscription.created", subscription(coop)))
    deliver_billing(client, billing_event("invoice.payment_failed", invoice(coop)))
    deliver_billing(client, billing_event("customer.subscription.updated",
                                          subscription(coop, "unpaid")))
    mails = [m for m in outbox(app)[before:] if coop.admin.email in m.to]
    assert len(mails) == 2
    base = app.config["BASE_URL"]
    for mail in mails:
        assert EVIL not in mail.body and EVIL not in mail.subject
        urls = URL.findall(mail.body)
        assert f"{base}/{coop.slug}/abonnement/" in urls
        assert all(u.startswith(base + "/") or u.startswith("https://invoice.stripe.com/")
                   for u in urls), urls
