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
from tenants.transfer import TransferError, export_tenant, import_tenant


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


@tenant_cli.command("export")
@click.argument("slug")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(slug, target):
    """Write tenant SLUG's rows (every tenant table), the platform rows they need (the tenant,
    its users, its municipality) and its stored files to the zip archive TARGET."""
    try:
        counts = export_tenant(db.session, slug, target, current_app.instance_path)
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Tenant {slug} exported to {target}: {sum(counts.values())} rows in "
               f"{sum(1 for n in counts.values() if n)} tables. The archive holds personal "
               f"data: keep it encrypted and delete it after the move.")


@tenant_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(source):
    """Load a tenant exported with `tenant export` into this instance, ids and keys intact."""
    try:
        counts = import_tenant(db.session, source, current_app.instance_path)
    except TransferError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Imported {sum(counts.values())} rows from {source}.")
