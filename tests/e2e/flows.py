"""Steps the browser tests share: logging in through the real forms, reading the URL."""
from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pyotp
from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def url_path(path: str) -> re.Pattern:
    """A URL pattern matching exactly `path` on any host, with or without a query."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$")


def field(page: Page, label: str):
    """The form field labelled `label` (the label may go on, e.g. "E-mailadres (verplicht)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s|$)"))


def submit_password(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    field(page, "E-mailadres").fill(email)
    field(page, "Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()


def submit_code(page: Page, code: str) -> None:
    field(page, "Code").fill(code)
    page.get_by_role("button", name="Bevestigen", exact=True).click()


#: the last time step whose code a test typed, per secret: the app takes a code once
_typed_steps: dict[str, int] = {}


def _fresh_code(secret: str) -> str:
    """A code this run has not typed yet: as a person would, wait for the app's next code when
    the current one was used (the app refuses a code twice, as it should)."""
    step = int(time.time() // 30)
    if _typed_steps.get(secret, -1) >= step:
        time.sleep((step + 1) * 30 - time.time() + 0.2)
        step = int(time.time() // 30)
    _typed_steps[secret] = step
    return pyotp.TOTP(secret).at(step * 30)


def log_in(page: Page, user, password: str = PASSWORD) -> None:
    """Log in as `user` (with the code step when two-factor is on); waits until it is done."""
    submit_password(page, user.email, password)
    if getattr(user, "totp_secret", None):
        expect(page).to_have_url(url_path("/login/code"))
        submit_code(page, _fresh_code(user.totp_secret))
        expect(page).not_to_have_url(url_path("/login/code"))
    else:
        expect(page).not_to_have_url(url_path("/login"))


def wrong_code(secret: str) -> str:
    """A six-digit code that the app will certainly refuse (not valid in any nearby step)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + 30 * step) for step in range(-3, 4)}
    return next(code for code in ("000000", "123456", "999999", "424242") if code not in valid)


def assert_fits_the_screen(page: Page, label: str) -> None:
    """Nothing wider than the viewport (WCAG 1.4.10 reflow): no sideways scrolling."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (
        f"{label}: the page is {width}px wide on a {page.viewport_size['width']}px screen")


def nav_link(page: Page, name: str, exact: bool = False):
    """The main-menu link `name`; on a phone the folded menu is opened first (its "Menu")."""
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    toggle = nav.locator("summary")
    # Decided by the viewport, not by whether "Menu" is visible right now: just after a
    # navigation the style sheets may still be loading, and an unstyled page shows both menus.
    phone = (page.viewport_size or {}).get("width", 1280) < 768  # the menu folds below 48em
    if phone and not nav.locator("details[open]").count():
        toggle.click()
    return nav.get_by_role("link", name=name, exact=exact)
