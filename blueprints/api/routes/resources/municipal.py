"""The municipal API (`/api/v1/gemeente/<cbs_code>/…`, a municipality's token): exactly what the
portal /gemeente/<cbs_code>/ shows — the cooperatives that share with the municipality, and the
shared tables per cooperative and in total for a period beside its comparison, protected the
same way (a hidden cell is `{"value": null, "suppressed": "klein"}`). Every table read goes
through the portal's service, so through tenants/aggregates.py, with an audit record per call
(requester the municipality, user the token's maker). Client progress is not in the API, for
either role."""
from __future__ import annotations

from datetime import date

from flask import current_app, g

from blueprints.api import schemas
from blueprints.api.routes.blueprint import MUNICIPALITY, bp, municipal, operation, query
from blueprints.municipality import services
from blueprints.reports import periods
from tenants.extensions import db
from tenants.suppression import PLATFORM_THRESHOLD, TOTAL

SOURCE = "volgens registratie van de organisaties"
TOTAL_KEY = "totaal"
TOTAL_LABEL = "Totaal"


def _threshold() -> int:
    return current_app.config.get("SUPPRESSION_THRESHOLD", PLATFORM_THRESHOLD)


def _municipality_answer(municipality) -> dict:
    return {"cbs_code": municipality.cbs_code, "name": municipality.name}


def _period(args) -> tuple[periods.Period, periods.Period]:
    """The portal's choice (periode, jaar, maand, kwartaal, vergelijk), from the API's names."""
    page_args = {"periode": args.get("period"), "jaar": args.get("year"),
                 "maand": args.get("month"), "kwartaal": args.get("quarter")}
    period = periods.choose({k: v for k, v in page_args.items() if v is not None},
                            date.today())
    return period, periods.compared(period, args.get("compare") or "vorige")


def _period_answer(period: periods.Period) -> dict:
    return {"kind": period.kind, "label": period.label, "start": period.start,
            "end": period.end}


def _cell(cell) -> dict:
    if cell is None:  # pragma: no cover - every row and column has a cell
        return {"value": None, "suppressed": None}
    if cell.hidden:
        return {"value": None, "suppressed": cell.hidden}
    return {"value": cell.value, "suppressed": None}


def _block(shared, table, cooperatives, with_share: bool) -> dict:
    rows = []
    for key, label in [*shared.rows, (TOTAL, TOTAL_LABEL)]:
        share = shared.share(table, key, TOTAL) if with_share and shared.unit == "count" \
            else None
        rows.append({
            "key": TOTAL_KEY if key == TOTAL else key, "label": label,
            "cells": [_cell(table.cells.get((key, c.id))) for c in cooperatives],
            "total": _cell(table.cells.get((key, TOTAL))), "share": share})
    return {"cooperatives": [{"id": c.id, "name": c.name} for c in cooperatives],
            "rows": rows}


@bp.route("/gemeente/<cbs:cbs_code>/cooperatives", parameters=MUNICIPALITY)
@operation("getMunicipalCooperatives", "gemeente",
           "De organisaties die met de gemeente delen, en wat ze delen.",
           "Zoals het portaal: een organisatie die niets deelt staat er niet in (ook niet dat "
           "ze bestaat). Met de drempel die de gemeente gebruikt.")
@bp.response(200, schemas.MunicipalCooperatives, description="De delende organisaties.")
@municipal
def municipal_cooperatives():
    municipality = g.api_municipal.municipality
    active, cooperatives, _lines = services.sharing(db.session, municipality)
    data = []
    for cooperative in sorted(cooperatives.values(), key=lambda c: c.name):
        shares = [{"template": template, "label": str(services.TEMPLATE_LABELS[template]),
                   "from_month": tenants[cooperative.id]}
                  for template, tenants in active.items() if cooperative.id in tenants]
        data.append({"id": cooperative.id, "name": cooperative.name, "shares": shares})
    answer = {"municipality": _municipality_answer(municipality),
              "threshold": services.threshold(municipality, _threshold()), "data": data}
    db.session.commit()
    return answer


@bp.route("/gemeente/<cbs:cbs_code>/reports", parameters=MUNICIPALITY)
@operation("getMunicipalReports", "gemeente",
           "De gedeelde tabellen over een periode, naast een vergelijkingsperiode.",
           "Precies wat het portaal toont: per tabel (uren in minuten, uitstroom in aantallen) "
           "de cellen per organisatie en het totaal van alle organisaties die delen, beschermd "
           "zodat niemand te herleiden is. Een verborgen cel is value null met suppressed "
           "klein, aanvullend of periode. Elke opvraging wordt vastgelegd, zoals in het "
           "portaal. Hele maanden, kwartalen of jaren.")
@bp.response(200, schemas.MunicipalReport, description="De beschermde tabellen.")
@query(schemas.MunicipalQuery)
@municipal
def municipal_reports(args):
    access = g.api_municipal
    municipality = access.municipality
    period, compare = _period(args)
    portal = services.portal(db.session, municipality, access.user.id, period, compare,
                             _threshold())
    tables = [{
        "template": shared.template, "label": shared.label, "definition": shared.definition,
        "unit": shared.unit,
        "period": _block(shared, shared.now, shared.cooperatives, True),
        "compare": _block(shared, shared.then, shared.compare_cooperatives, False),
    } for shared in portal.tables]
    answer = {"municipality": _municipality_answer(municipality),
              "period": _period_answer(period), "compare": _period_answer(compare),
              "threshold": portal.threshold, "source": SOURCE,
              "cooperatives": [{"id": c.id, "name": c.name} for c in portal.cooperatives],
              "tables": tables}
    db.session.commit()  # the aggregate reads' audit records
    return answer
