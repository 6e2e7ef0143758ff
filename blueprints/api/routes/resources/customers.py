"""Customers (admins only): what bookkeeping needs, without e-mail address or phone number."""
from __future__ import annotations

from blueprints.api import schemas, services
from blueprints.api.routes.blueprint import TENANT, admin_only, bp, operation, query
from blueprints.api.schemas import meta
from tenants.extensions import db

ARCHIVED = {"true": True, "false": False}


@bp.route("/<slug:tenant_slug>/customers", parameters=TENANT)
@operation("listCustomers", "klanten", "Klanten (debiteuren), 25 per pagina, op naam.",
           "Zonder e-mailadres en telefoonnummer: de API geeft wat de boekhouding nodig heeft "
           "(dataminimalisatie). Zonder archived: huidige en gearchiveerde klanten.")
@bp.response(200, schemas.CustomerList, description="Eén pagina klanten.")
@query(schemas.CustomerQuery)
@admin_only
def customers(args):
    f = services.CustomerQuery(kind=args.get("kind"), archived=ARCHIVED.get(args.get("archived")))
    page, per_page = args["page"], services.CUSTOMER_PAGE_SIZE
    rows, total = services.list_customers(db.session, f, page=page, per_page=per_page)
    return {"data": rows, "meta": meta(page, per_page, total)}
