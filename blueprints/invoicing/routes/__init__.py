"""Invoicing pages. Thin views: parse the form, call a service, render or redirect.

Invoices, lines, payments, credit notes, reminders, the overdue list and the customer
statement first; then the finance settings, the PDF and UBL downloads and the exports.

`bp` lives in `blueprint`; importing the view modules here registers their views on it.
"""
from __future__ import annotations

from blueprints.invoicing.routes import (  # noqa: F401  (each registers its views on bp)
    bank_statement,
    configuration,
    documents,
    invoices,
    payments,
)
from blueprints.invoicing.routes.blueprint import bp

__all__ = ["bp"]
