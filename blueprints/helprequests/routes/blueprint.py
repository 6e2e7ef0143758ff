"""The help-request blueprint and what its views share: mail in the recipient's language, the
way back to a request, the query arguments."""
from __future__ import annotations

import logging
from datetime import date

from flask import g, redirect, request, url_for
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


def _arg_date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _arg_int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None
