"""The bank statement (CAMT.053): upload, preview, confirm."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.invoicing import bank
from blueprints.invoicing.forms import BankConfirmForm, BankUploadForm
from blueprints.invoicing.routes.blueprint import bp
from blueprints.invoicing.routes.configuration import _storage_root
from tenants.errors import DomainError, NotFound
from tenants.extensions import db
from tenants.models import Role
from tenants.web import current_actor, flash_form_errors, require_role


def _bank_page(form, error=None, status: int = 200):
    return render_template("invoicing/bank_upload.html", form=form, error=error,
                           max_mb=bank.MAX_BYTES // (1024 * 1024)), status


@bp.route("/bankafschrift", methods=["GET", "POST"], endpoint="bank_import")
@require_role(Role.ADMIN)
def bank_import():
    """GET: the upload form, or (with ?afschrift=<key>) the preview of a stored statement.
    POST: read the upload; a readable statement is stored under the tenant and previewed."""
    from tenants.tenancy import current_tenant_id

    tenant_id = current_tenant_id(db.session)
    if request.method == "GET":
        key = request.args.get("afschrift")
        if not key:
            return _bank_page(BankUploadForm())
        try:
            entries = bank.parse_statement(bank.load_statement(_storage_root(), tenant_id, key))
        except NotFound:
            abort(404)
        except DomainError as exc:
            return _bank_page(BankUploadForm(), error=exc.message, status=422)
        proposals = bank.match_entries(db.session, entries)
        linkable = any(p.linkable for p in proposals)
        return render_template("invoicing/bank_preview.html", proposals=proposals,
                               form=BankConfirmForm(afschrift=key),
                               matched=sum(1 for p in proposals if p.matched),
                               linkable=linkable, choices_for=bank.choices_for,
                               open_invoices=bank.open_invoices(db.session) if linkable else [])
    form = BankUploadForm()
    if not form.validate_on_submit():
        return _bank_page(form, status=422)
    # Read one byte past the limit: enough to refuse it, never more in memory.
    data = form.statement.data.read(bank.MAX_BYTES + 1)
    try:
        bank.parse_statement(data)
    except DomainError as exc:
        return _bank_page(form, error=exc.message, status=422)
    key = bank.store_statement(_storage_root(), tenant_id, data)
    return redirect(url_for("invoicing.bank_import", afschrift=key))


@bp.route("/bankafschrift/bevestigen", methods=["POST"], endpoint="bank_confirm")
@require_role(Role.ADMIN)
def bank_confirm():
    """Re-read the stored statement (amounts are never taken from the form), link the credits
    chosen by hand to their invoice (bank.link_by_hand), register the ticked matches in one
    transaction (bank.register_matches) and drop the file on commit."""
    from tenants import storage
    from tenants.tenancy import current_tenant_id

    form = BankConfirmForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("invoicing.bank_import"))
    tenant_id = current_tenant_id(db.session)
    key = form.afschrift.data or ""
    try:
        entries = bank.parse_statement(bank.load_statement(_storage_root(), tenant_id, key))
    except DomainError:  # NotFound included: processed already, or not this tenant's
        flash(_("Dit afschrift is al verwerkt of niet meer beschikbaar. Lees het opnieuw in; "
                "wat al is geregistreerd, wordt niet nog eens geregistreerd."), "warning")
        return redirect(url_for("invoicing.bank_import"))
    proposals = bank.match_entries(db.session, entries)
    links = {name[len("koppel-"):]: value for name, value in request.form.items()
             if name.startswith("koppel-")}
    linked = bank.link_by_hand(db.session, proposals, links)
    result = bank.register_matches(db.session, current_actor(), proposals,
                                   request.form.getlist("regel") + linked)
    storage.replace_on_commit(db.session, _storage_root(), tenant_id, None, key)
    db.session.commit()
    flash(_("%(n)s betalingen geregistreerd, %(m)s overgeslagen.", n=len(result.registered),
            m=len(result.skipped)), "success" if result.registered else "info")
    return render_template("invoicing/bank_result.html", result=result)
