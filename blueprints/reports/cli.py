"""`flask --app app reports rebuild [--tenant SLUG]`: recount the report summaries from the raw
rows (after a restore, a data repair, or to check them: it prints what it wrote)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from blueprints.reports import summaries
from tenants.extensions import db
from tenants.models import Tenant
from tenants.tenancy import tenant_context


@click.group("reports")
def reports_cli():
    """Report summaries."""


@reports_cli.command("rebuild")
@click.option("--tenant", "slug", help="Only this tenant (slug); all tenants when left out")
@with_appcontext
def rebuild_command(slug):
    """Rebuild the summaries of one tenant or of all, one transaction per tenant."""
    query = select(Tenant).order_by(Tenant.id)
    if slug:
        query = query.where(Tenant.slug == slug)
    tenants = list(db.session.scalars(query))
    if slug and not tenants:
        raise click.ClickException(f"No tenant {slug}.")
    for tenant in tenants:
        with tenant_context(db.session, tenant.id):
            written = summaries.rebuild(db.session)
        db.session.commit()
        click.echo(f"{tenant.slug}: " + ", ".join(f"{k} {v}" for k, v in written.items()))
