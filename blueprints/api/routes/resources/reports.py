"""The report's figures (admins only): the same sections and rows as /<tenant>/rapportage, for
a period beside its comparison period, with a report template, and the approved hours per
week; and the value estimate of /<tenant>/rapportage/waarde with its inputs, their sources and
the low–high band."""
from __future__ import annotations

from datetime import date

from blueprints.api import schemas
from blueprints.api.routes import problems
from blueprints.api.routes.blueprint import TENANT, admin_only, bp, operation, query
from blueprints.reports import periods, report_templates, services, value
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
    template = report_templates.find(args.get("template"))  # the schema allows known ones
    now, then = services.figures(db.session, period, compare, parts=template.parts)
    weeks = services.hours_per_week(db.session, period) if "weeks" in template.charts else []
    return {"period": _period_answer(period), "compare": _period_answer(compare),
            "template": template.key, "source": SOURCE,
            "sections": report_templates.apply(template, services.sections(now, then)),
            "hours_per_week": [
                {"week": f"{m.isocalendar().year}-W{m.isocalendar().week:02d}", "monday": m,
                 "minutes": minutes} for m, minutes in weeks]}


@bp.route("/<slug:tenant_slug>/reports/value", parameters=TENANT)
@operation("getReportValue", "rapportage",
           "De waardeschatting over een periode: bespaarde uitkeringen als bandbreedte, met "
           "elke invoer, zijn bron en de maatschappelijke waarde ernaast.",
           "Dezelfde schatting als de pagina Waarde van het werk. Nooit één los getal: laag, "
           "midden en hoog, de berekening, de gebruikte aannames (eigen waarde of de "
           "standaard van het platform, elk met bron en toegestane grenzen) en de gebruikte "
           "bijstandsnormen met hun ingangsdatum en bron. Bedragen in centen. Zonder namen. "
           "Bij period=eigen zijn start en end nodig; ontbreken ze of ligt end vóór start: "
           "400.")
@bp.response(200, schemas.ValueEstimate, description="De schatting met haar onderbouwing.")
@query(schemas.ValueQuery)
@admin_only
def report_value(args):
    period, _compare = _period(args)
    est = value.estimate(db.session, period)
    used = est.used
    durability = (f"{est.durability_still_off} van {est.durability_followed} "
                  "nazorgmomenten na 6 of 12 maanden nog uit de uitkering (eigen nazorg)"
                  if est.durability_followed else str(used["duurzaamheid_cbs"].source))
    return {
        "period": _period_answer(period),
        "source": "een schatting volgens registratie van de coöperatie, geen CBS-cijfer",
        "formula": str(value.FORMULA),
        "benefits_saved": {
            "low_cents": est.low_cents, "central_cents": est.central_cents,
            "high_cents": est.high_cents, "deadweight_low": est.deadweight_low,
            "deadweight": used["dode_last"].value, "deadweight_high": est.deadweight_high,
            "includes_admin_cost": est.include_admin},
        "working": {
            "outflows": len(est.lines),
            "confirmed_months": est.confirmed_months,
            "unconfirmed_months": est.unconfirmed_months,
            "gross_confirmed_cents": est.gross_confirmed_cents,
            "gross_unconfirmed_cents": est.gross_unconfirmed_cents,
            "durability_percent": round(float(est.durability * 100), 1),
            "durability_source": durability, "gross_cents": est.gross_cents,
            "admin_cents": est.admin_cents},
        "social_value": {
            "broad_cents": est.broad_cents, "person_years": round(float(est.person_years), 2),
            "volunteer_minutes": est.volunteer_minutes,
            "volunteer_cents": est.volunteer_cents},
        "inputs": [{"key": key, "label": str(u.assumption.label), "unit": u.assumption.unit,
                    "value": u.value, "source": u.source, "own": u.own is not None,
                    "default": u.assumption.default,
                    "default_source": str(u.assumption.source), "low": u.assumption.low,
                    "high": u.assumption.high} for key, u in used.items()],
        "norms": [{"category": n.category,
                   "label": str(value.CATEGORY_LABELS.get(n.category, n.category)),
                   "valid_from": n.valid_from, "monthly_cents": n.monthly_cents,
                   "source": n.source} for n in est.norms],
    }
