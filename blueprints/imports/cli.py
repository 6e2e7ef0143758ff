"""`flask --app app import-participants --tenant <slug> FILE`: the page's import, from a shell.

The same services as the page: every row is checked first, then the valid rows are imported,
each in its own SAVEPOINT. Errors are printed per row; the exit code is 1 when any row failed.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from blueprints.imports.services import (
    KINDS,
    check_rows,
    failed_rows,
    prepare_import,
    run_chunk,
)
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.membership import tenant_by_slug
from tenants.tenancy import tenant_context


@click.command("import-participants")
@click.option("--tenant", "slug", required=True, help="Slug of the cooperative, e.g. ons-breda")
@click.option("--soort", "kind", type=click.Choice(sorted(KINDS)), default="deelnemers",
              show_default=True, help="What the file holds")
@click.option("--dry-run", is_flag=True, help="Only check the rows; import nothing")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_participants(slug: str, kind: str, dry_run: bool, file: Path):
    """Import participants (or host organisations) from a CSV or XLSX FILE."""
    tenant = tenant_by_slug(db.session, slug)
    if tenant is None:
        raise click.ClickException(f"Onbekende organisatie: {slug}")
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if limit and file.stat().st_size > limit:
        raise click.ClickException(
            f"Het bestand is groter dan {limit // (1024 * 1024)} MB. Splits het in delen.")
    actor = Actor.system("cli")
    try:
        with tenant_context(db.session, tenant.id):
            state = prepare_import(kind, file.name, file.read_bytes())
            state = check_rows(db.session, actor, state, size=len(state["rows"]))
            if not dry_run:
                state = run_chunk(db.session, actor, state, None, size=len(state["rows"]))
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    failures = failed_rows(state)
    for line, _cells, error in failures:
        click.echo(f"rij {line}: {error}", err=True)
    if dry_run:
        valid = sum(1 for row in state["rows"] if row["error"] is None)
        click.echo(f"{valid} van {len(state['rows'])} rijen zijn goed; er is niets geïmporteerd.")
    else:
        click.echo(f"{state['imported']} rijen geïmporteerd, {len(failures)} niet.")
    if failures:
        raise SystemExit(1)
