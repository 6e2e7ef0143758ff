"""The help-request blueprint and what its views share: mail in the recipient's language, the
way back to a request."""
from __future__ import annotations

import logging

from flask import g, redirect, url_for
from flask_babel import force_locale

from blueprints.helprequests.models import HelpRequest
from tenants.mail import send_mail
from tenants.web import tenant_blueprint

bp = tenant_blueprint("helprequests", __name__)
log = logging.getLogger(__name__)


def _mail(address: str, locale: str | None, subject_fn, template: str, **context) -> None:
    """Send one notification in the recipient's language; a mail failure never breaks a page
    (what it reports on is saved already; the log shows the mail problem)."""
    try:
        with force_locale(locale or "nl"):
            send_mail(address, subject_fn(), template, tenant=g.tenant, **context)
    except Exception:
        log.exception("Sending %s failed", template)


def _show(help_request: HelpRequest, anchor: str = "", **args):
    return redirect(url_for("helprequests.show", help_request_id=help_request.id, **args) + anchor)
