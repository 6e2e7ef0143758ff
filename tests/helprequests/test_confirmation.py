"""The resident's confirmation of a request from the public form: sent when they gave an
address, with the cooperative's phone number when its settings have one; never a second time
for the same form sent twice; on both databases."""
from __future__ import annotations

from sqlalchemy import select

from blueprints.invoicing.models import FinanceSettings
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token


def _outbox(app):
    return list(getattr(app.extensions["mailman"], "outbox", None) or [])


def _ask(app, tenant, email, key=None):
    client = app.test_client()
    path = f"/{tenant.slug}/hulp-vragen"
    data = {"csrf_token": csrf_token(client, path), "name": "Meneer De Wit",
            "street": "Kempenaar 12-03", "postcode": "8232 AB", "city": "Lelystad",
            "phone": "06 12345678", "email": email, "kind": "tuin",
            "description": "De heg moet geknipt worden.", "preferred_dates": "", "website": ""}
    if key:
        data["idempotency_key"] = key
    before = len(_outbox(app))
    assert client.post(path, data=data).status_code == 302
    return [m for m in _outbox(app)[before:] if m.to == [email]] if email else \
        _outbox(app)[before:]


def _phone(session, tenant, phone):
    with tenant_context(session, tenant.id):
        settings = session.scalar(select(FinanceSettings))
        if settings is None:
            settings = FinanceSettings(legal_name="Coöperatie")
            session.add(settings)
        settings.phone = phone
        session.commit()


def test_the_resident_gets_the_reference_and_the_phone_number(app, make, session):
    tenant = make.tenant(name="Coöperatie Het Hof")
    make.member(tenant, Role.ADMIN)
    _phone(session, tenant, "0320 - 12 34 56")
    [mail] = _ask(app, tenant, "dewit@example.org")
    assert mail.subject.startswith("Uw hulpvraag ")
    assert "Coöperatie Het Hof heeft uw hulpvraag ontvangen (Tuin)." in mail.body
    assert "Bel ons op 0320 - 12 34 56." in mail.body


def test_without_a_phone_number_or_an_address(app, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    [mail] = _ask(app, tenant, "zonder-nummer@example.org")
    assert "Bel ons" not in mail.body and "Uw kenmerk is" in mail.body
    mails = _ask(app, tenant, "")  # no address: only the cooperative's inbox hears of it
    assert [m.to for m in mails] == [[admin.email]]


def test_a_form_sent_twice_confirms_once(app, make, session):
    tenant = make.tenant()
    make.member(tenant, Role.ADMIN)
    key = "k" * 32
    assert len(_ask(app, tenant, "twee@example.org", key)) == 1
    assert _ask(app, tenant, "twee@example.org", key) == []
