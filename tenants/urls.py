"""Links that leave the app (mails, PDFs, Stripe return addresses) and redirects that stay in it.

`absolute_url(endpoint, **values)` builds an absolute link from the configured BASE_URL only,
never from the request's Host header: a forged `Host: evil.example` would otherwise put an
attacker's domain into a genuine reset or invitation mail. Production refuses to start without
BASE_URL (tenants.config); development and tests have a default.

`safe_redirect_target(target)` is the one rule for a user-supplied "where next" (login `next`,
the language switch, the tenant switch): only a same-site relative path without control
characters, backslashes or a second slash at the start; anything else is None, and the caller
sends the user to the start page.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import current_app, request

# C0 and C1 control characters, DEL, and Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class BaseUrlMissing(RuntimeError):
    """No BASE_URL is configured, so no absolute link can be made."""


def base_url() -> str | None:
    return (current_app.config.get("BASE_URL") or "").strip() or None


def absolute_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` under BASE_URL (scheme, host and path prefix from the
    configuration). The current tenant is filled in like url_for() does. Raises BaseUrlMissing
    when BASE_URL is not set."""
    base = base_url()
    if not base:
        raise BaseUrlMissing("BASE_URL is not configured")
    parts = urlsplit(base)
    app = current_app._get_current_object()
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/",
                               url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def safe_redirect_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None.

    Browsers strip tabs and newlines from URLs and treat a backslash as a slash, so
    `/\\t/evil.example` and `/\\\\evil.example` both mean `//evil.example`: refused, as is
    anything with a scheme or host, and anything whose percent-decoded form has control
    characters (a `%0A` would otherwise split the Location header).
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    decoded = unquote(target)
    for text in (target, decoded):
        if _CONTROL.search(text) or "\\" in text:
            return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if decoded.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def referrer_path() -> str | None:
    """The path of the page the request came from, when it is a page of this site."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_redirect_target(path)
