"""Invoicing pages. Thin views: parse the form, call a service, render or redirect.

Sections are owned by different authors: edit only your own section (never rewrite the file).
"""
from __future__ import annotations

from blueprints.invoicing import models  # noqa: F401  (registers the tables)
from tenants.web import tenant_blueprint

bp = tenant_blueprint("invoicing", __name__, url_prefix="/facturen")

# --- invoices, lines, payments, credit notes, reminders, overdue, customer statement ------

# --- finance settings, PDF and UBL downloads, exports --------------------------------------
