"""The invoicing blueprint and the small helpers its views share."""
from __future__ import annotations

from datetime import date, timedelta

from flask import redirect, url_for

from blueprints.invoicing import services
from tenants import inputs
from tenants.web import tenant_blueprint

bp = tenant_blueprint("invoicing", __name__, url_prefix="/facturen")


def _show(invoice, anchor: str = ""):
    return redirect(url_for("invoicing.show", invoice_id=invoice.id) + anchor)


def _arg_date(name: str) -> date | None:
    return inputs.arg_date(name)


def _previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _labels() -> dict:
    return {"status_labels": services.STATUS_LABELS, "kind_labels": services.KIND_LABELS,
            "unit_labels": services.UNIT_LABELS, "vat_labels": services.VAT_LABELS,
            "method_labels": services.METHOD_LABELS}
