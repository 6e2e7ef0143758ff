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


def submit_password(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()


def submit_code(page: Page, code: str) -> None:
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Bevestigen", exact=True).click()


def log_in(page: Page, user, password: str = PASSWORD) -> None:
    """Log in as `user` (with the code step when two-factor is on); waits until it is done."""
    submit_password(page, user.email, password)
    if getattr(user, "totp_secret", None):
        expect(page).to_have_url(url_path("/login/code"))
        submit_code(page, pyotp.TOTP(user.totp_secret).now())
        expect(page).not_to_have_url(url_path("/login/code"))
    else:
        expect(page).not_to_have_url(url_path("/login"))


def wrong_code(secret: str) -> str:
    """A six-digit code that the app will certainly refuse (not valid in any nearby step)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + 30 * step) for step in range(-3, 4)}
    return next(code for code in ("000000", "123456", "999999", "424242") if code not in valid)
