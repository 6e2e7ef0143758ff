"""The audit log page of a tenant (admins only) and its CSV export: the same filters, the same
lines."""
from __future__ import annotations

from flask import Response, render_template, request

from blueprints.auditlog import services
from blueprints.auditlog.sentences import FAMILIES
from tenants import inputs
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.models import Role
from tenants.web import current_actor, require_role, tenant_blueprint

bp = tenant_blueprint("auditlog", __name__, url_prefix="/team/auditlog")


def _filter() -> tuple[services.AuditFilter, str | None]:
    f = services.AuditFilter(actor_id=inputs.arg_id("wie"),
                             family=inputs.arg_choice("soort", FAMILIES),
                             start=inputs.arg_date("van"), end=inputs.arg_date("tot"))
    try:
        return services.check_filter(f), None
    except DomainError as exc:
        return services.AuditFilter(actor_id=f.actor_id, family=f.family), exc.message


def _args(f: services.AuditFilter) -> dict:
    return {k: v for k, v in {"wie": f.actor_id, "soort": f.family,
                              "van": f.start.isoformat() if f.start else None,
                              "tot": f.end.isoformat() if f.end else None}.items() if v}


@bp.route("", endpoint="index")
@require_role(Role.ADMIN)
def index():
    f, error = _filter()
    page = services.audit_page(db.session, f, before_id=inputs.arg_id("voor"))
    return render_template("auditlog/index.html", lines=page.lines,
                           next_before=page.next_before, f=f, args=_args(f), error=error,
                           people=services.people(db.session), families=FAMILIES,
                           first_page=request.args.get("voor") is None)


@bp.route("/export.csv", endpoint="export")
@require_role(Role.ADMIN)
def export():
    f, _error = _filter()
    body = services.export_csv(db.session, current_actor(), f)
    db.session.commit()  # the audit event of the export
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="auditlog.csv"'})
