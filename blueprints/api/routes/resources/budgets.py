"""Training budgets (admins only): every participant's balance, earned and spent in a year, and
the pool. Each call is written to the tenant's audit log (budgets.read), like the export."""
from __future__ import annotations

from datetime import date

from blueprints.api import schemas, services
from blueprints.api.routes.blueprint import (
    TENANT,
    actor,
    admin_only,
    bp,
    commit_and_answer,
    operation,
    query,
)
from blueprints.api.schemas import meta
from blueprints.budgets import lists as budget_lists
from blueprints.budgets import services as budget_services
from tenants.extensions import db


@bp.route("/<slug:tenant_slug>/budgets", parameters=TENANT)
@operation("listBudgets", "budgetten",
           "Opleidingsbudgetten per deelnemer, 50 per pagina, op naam; en de pot.",
           "Saldo nu; verdiend en besteed in het gevraagde jaar. Elke opvraging komt in het "
           "auditlog van de organisatie (budgets.read), zoals de export van de budgetten.")
@bp.response(200, schemas.BudgetList, description="Eén pagina budgetten.")
@query(schemas.BudgetQuery)
@admin_only
def budgets(args):
    year = args.get("year") or date.today().year
    page = args["page"]
    rows, total = budget_lists.overview(db.session, year, page=page)
    pool = budget_lists.pool_balance(db.session)
    services.record_budgets_read(db.session, actor(), year, page, len(rows))
    return commit_and_answer(schemas.BudgetList, {
        "data": rows, "year": year, "pool": {"balance_cents": pool},
        "meta": meta(page, budget_services.PAGE_SIZE, total)})
