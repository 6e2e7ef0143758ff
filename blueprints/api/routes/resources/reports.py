"""The report's figures (admins only): the same sections and rows as /<tenant>/rapportage, for
a period beside its comparison period, and the approved hours per week."""
from __future__ import annotations

from datetime import date

from blueprints.api import schemas
from blueprints.api.routes import problems
from blueprints.api.routes.blueprint import TENANT, admin_only, bp, operation, query
from blueprints.reports import periods, services
from tenants.errors import DomainError
from tenants.extensions import db

SOURCE = "volgens registratie van de coöperatie"


def _period(args) -> tuple[periods.Period, periods.Period]:
    page_args = {"periode": args.get("period"), "jaar": args.get("year"),
                 "maand": args.get("month"), "kwartaal": args.get("quarter"),
                 "van": args["start"].isoformat() if args.get("start") else None,
                 "tot": args["end"].isoformat() if args.get("end") else None}
    try:
        period = periods.choose(page_args, date.today())
    except DomainError as exc:
        name = "end" if args.get("start") and args.get("end") else "start"
        raise problems.ProblemError(400, "invalid_parameter", exc.message,
                                    invalid_params=[{"name": name,
                                                     "reason": str(exc.message)}]) from None
    return period, periods.compared(period, args.get("compare") or "vorige")


def _period_answer(period: periods.Period) -> dict:
    return {"kind": period.kind, "label": period.label, "start": period.start,
            "end": period.end}


@bp.route("/<slug:tenant_slug>/reports/figures", parameters=TENANT)
@operation("getReportFigures", "rapportage",
           "De cijfers van de rapportage over een periode, naast een vergelijkingsperiode.",
           "Dezelfde onderdelen en regels als de rapportagepagina, elk met zijn definitie; "
           "uren in minuten, bedragen in centen. Volgens registratie van de coöperatie, geen "
           "CBS-cijfers. Bij period=eigen zijn start en end nodig (hoogstens drie jaar); "
           "ontbreken ze of ligt end vóór start: 400.")
@bp.response(200, schemas.Report, description="De cijfers van beide perioden.")
@query(schemas.ReportQuery)
@admin_only
def report_figures(args):
    period, compare = _period(args)
    now, then = services.figures(db.session, period, compare)
    weeks = services.hours_per_week(db.session, period)
    return {"period": _period_answer(period), "compare": _period_answer(compare),
            "source": SOURCE, "sections": services.sections(now, then),
            "hours_per_week": [
                {"week": f"{m.isocalendar().year}-W{m.isocalendar().week:02d}", "monday": m,
                 "minutes": minutes} for m, minutes in weeks]}
