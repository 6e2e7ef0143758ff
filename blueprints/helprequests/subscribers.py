"""What help requests add to the features below them (tenants/sections.py): the customer
page's section "Recente hulpvragen". Connected by create_app() (app.py
`register_subscribers`)."""
from __future__ import annotations

from flask import render_template

from blueprints.helprequests import services
from tenants import sections
from tenants.extensions import db


def customer_section(*, customer, **_context) -> str:
    """The customer's most recent help requests (one query)."""
    return render_template(
        "helprequests/_customer_section.html",
        requests=services.help_requests_of(db.session, customer),
        status_labels=services.STATUS_LABELS)


def connect() -> None:
    sections.customer_page.add("helprequests", customer_section, order=20)
