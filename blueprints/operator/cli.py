"""`flask --app app tenant create …`: create a tenant from the command line."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.membership import NewTenant, create_tenant
from tenants.models import TenantKind


@click.group("tenant")
def tenant_cli():
    """Manage tenants (cooperatives)."""


@tenant_cli.command("create")
@click.option("--slug", required=True, help="Short name in URLs, e.g. ons-breda")
@click.option("--name", required=True, help="Display name")
@click.option("--kind", type=click.Choice([k.value for k in TenantKind]),
              default=TenantKind.BEWONERSINITIATIEF.value, show_default=True)
@click.option("--municipality", "municipality_code", help="CBS code, e.g. 0758")
@click.option("--admin-email", required=True, help="First admin; invited if new")
@with_appcontext
def create_command(slug, name, kind, municipality_code, admin_email):
    """Create a tenant and make ADMIN_EMAIL its admin (an invitation link for a new address)."""
    data = NewTenant(slug=slug, name=name, kind=TenantKind(kind),
                     municipality_code=municipality_code, admin_email=admin_email)
    try:
        tenant, token = create_tenant(db.session, Actor.system("cli"), data,
                                      current_app.config["INVITATION_MAX_AGE"])
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"Tenant {tenant.slug} created (id {tenant.id}).")
    if token:
        base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
        click.echo(f"Invitation for {admin_email}: {base}/uitnodiging/{tenant.slug}/{token}")
    else:
        click.echo(f"{admin_email} is now admin of {tenant.slug}.")
