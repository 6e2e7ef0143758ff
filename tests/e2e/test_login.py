"""Logging in through the browser: password only, password and code, under the real CSP."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import (
    assert_fits_the_screen,
    field,
    log_in,
    path_of,
    submit_code,
    submit_password,
    url_path,
    wrong_code,
)
from tests.helpers import totp_now

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_supervisor_logs_in_to_the_tenant_start_page(request, make, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)

    page.goto("/")
    expect(page).to_have_url(url_path("/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    check_accessibility(page, f"login page ({device})")
    assert_fits_the_screen(page, f"login page ({device})")

    submit_password(page, user.email)
    expect(page).to_have_url(url_path(f"/{tenant.slug}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    expect(page.locator(".site-header__context")).to_have_text(tenant.name)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    check_accessibility(page, f"tenant start page ({device})")
    assert_fits_the_screen(page, f"tenant start page ({device})")


def test_wrong_password_is_refused(page, make):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)

    submit_password(page, user.email, "not-the-password")
    expect(page).to_have_url(url_path("/login"))
    expect(field(page, "Wachtwoord")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    check_accessibility(page, "login page with an error")


def test_admin_logs_in_with_a_two_factor_code(page, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)

    submit_password(page, admin.email)
    expect(page).to_have_url(url_path("/login/code"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie")
    check_accessibility(page, "two-factor code page")

    # A wrong code: a Dutch error on the field, and no session.
    submit_code(page, wrong_code(admin.totp_secret))
    expect(page).to_have_url(url_path("/login/code"))
    expect(page.get_by_text("klopt niet")).to_be_visible()
    expect(field(page, "Code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    check_accessibility(page, "two-factor code page with an error")
    response = page.goto(f"/{tenant.slug}/")
    assert path_of(page) == "/login", page.url
    assert response is not None and response.ok
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")

    # The password step is still pending (for a few minutes): the right code logs in.
    page.goto("/login/code")
    submit_code(page, totp_now(admin))
    expect(page).to_have_url(url_path(f"/{tenant.slug}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_pages_work_under_the_strict_content_security_policy(new_context, make):
    """Without bypass_csp: the CSP (script-src 'self', style-src 'self') blocks nothing we use."""
    page = new_context(bypass_csp=False).new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)

    response = page.goto("/login")
    assert response is not None and response.ok
    assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    expect(field(page, "E-mailadres")).to_be_visible()
    # All three stylesheets loaded (same origin, so their rules are readable).
    sheets = page.evaluate("""() => Array.from(document.styleSheets)
        .filter((s) => s.href).map((s) => ({href: s.href, rules: s.cssRules.length}))""")
    assert len(sheets) == 3 and all(s["rules"] > 0 for s in sheets), sheets
    log_in(page, user)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    csp = [p for p in problems if "Content Security Policy" in p]
    assert not csp, csp
    assert not problems, problems

    # Control: the listener does see the policy at work (an inline script is refused).
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true'; document.body.append(s); }""")
    assert page.evaluate("() => window.inlineRan === undefined")
    page.wait_for_timeout(100)
    assert any("Content Security Policy" in p for p in problems), problems
