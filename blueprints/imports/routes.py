"""Import and export pages of a tenant, for supervisors and admins.

GET  /<tenant>/import/                           choose what to import, upload; exports
POST /<tenant>/import/                           read the file, check the first rows
GET  /<tenant>/import/<token>                    progress, preview or result of one import
POST /<tenant>/import/<token>/controleren        check the next chunk of rows
POST /<tenant>/import/<token>/bevestigen         import the next chunk of valid rows
POST /<tenant>/import/<token>/annuleren          drop the upload (imported rows stay)
GET  /<tenant>/import/<token>/fouten.csv         the failed rows with a `fout` column
GET  /<tenant>/import/voorbeeld/<kind>.csv       an empty file with the column names
GET  /<tenant>/import/export/deelnemers.<fmt>    participants (the list's filter), csv/xlsx
GET  /<tenant>/import/export/inzetorganisaties.<fmt>

A large file is checked and imported in chunks: each chunk is one POST (with CSRF) and one
transaction; the progress page shows a <progress> bar and a "Verder" button, which a small
script presses by itself. Nothing changes state on GET.
"""
from __future__ import annotations

import os
from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from blueprints.imports.forms import CancelForm, ConfirmForm, ExportFilterForm, UploadForm
from blueprints.imports.services import (
    CHECK_CHUNK_SIZE,
    CHUNK_SIZE,
    KINDS,
    MAX_ROWS,
    ImportBusy,
    ImportStore,
    check_rows,
    checking_done,
    counts,
    export_hosts,
    export_participants,
    failed_rows,
    failed_rows_csv,
    prepare_import,
    preview,
    run_chunk,
    template_csv,
)
from blueprints.participants.services import neighbourhoods, staff
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.models import Role
from tenants.web import current_actor, require_role, tenant_blueprint

bp = tenant_blueprint("imports", __name__, url_prefix="/import")

MIMETYPES = {"csv": "text/csv",  # Werkzeug adds "; charset=utf-8" (once)
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _store() -> ImportStore:
    folder = current_app.config.get("IMPORT_FOLDER") or os.path.join(
        current_app.instance_path, "imports")
    return ImportStore(folder, g.tenant.id)


def _load(token: str) -> dict:
    state = _store().load(token)
    if state is None:
        abort(404)
    return state


def _download(body: bytes, filename: str, fmt: str) -> Response:
    return Response(body, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _index_page(form: UploadForm, error=None, status: int = 200):
    filter_form = ExportFilterForm(request.args, neighbourhoods(db.session), staff(db.session))
    return render_template("imports/index.html", form=form, error=error, kinds=KINDS,
                           filter_form=filter_form, max_rows=MAX_ROWS), status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    db.session.rollback()
    megabytes = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    message = _("Het bestand is te groot: een upload mag hoogstens %(mb)s MB zijn. Er is niets "
                "geïmporteerd. Splits het bestand in kleinere delen en importeer ze na elkaar.",
                mb=megabytes)
    return render_template("error.html", code=413, message=message), 413


@bp.route("/", endpoint="index")
@require_role(Role.SUPERVISOR)
def index():
    return _index_page(UploadForm())


@bp.route("/", methods=["POST"], endpoint="upload")
@require_role(Role.SUPERVISOR)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index_page(form, status=422)
    file = form.file.data
    try:
        state = prepare_import(form.kind.data, file.filename or "", file.read())
        state = check_rows(db.session, current_actor(), state, _size("CHECK", CHECK_CHUNK_SIZE))
    except DomainError as exc:
        db.session.rollback()
        # str(): a lazy message counts as safe HTML to Jinja, and this one may quote the file
        return _index_page(form, error=str(exc.message), status=422)
    db.session.commit()  # the check rolled itself back: this keeps nothing of the file
    return redirect(url_for("imports.show", token=_store().create(state)))


@bp.route("/<token>", endpoint="show")
@require_role(Role.SUPERVISOR)
def show(token: str):
    state = _load(token)
    page = dict(state=state, token=token, counts=counts(state), kind=KINDS[state["kind"]])
    if state["finished"]:
        return render_template("imports/result.html", failures=failed_rows(state), **page)
    if state["started"] or not checking_done(state):
        checking = not state["started"]
        return render_template("imports/progress.html", checking=checking,
                               form=ConfirmForm(vanaf=state["checked" if checking else "done"]),
                               cancel_form=CancelForm(), **page)
    return render_template("imports/preview.html", preview=preview(state),
                           form=ConfirmForm(vanaf=0), cancel_form=CancelForm(), **page)


def _size(step: str, default: int) -> int:
    return current_app.config.get(f"IMPORT_{step}_SIZE", default)


def _next_chunk(token: str, work) -> Response:
    """Run `work(state)` under the import's lock when the posted `vanaf` is where it stands."""
    _load(token)
    form, store = ConfirmForm(), _store()
    if form.validate_on_submit():
        try:
            with store.lock(token):
                state = store.load(token)
                new = work(state, form.start()) if state and not state["finished"] else None
                if new is not None:
                    db.session.commit()
                    store.save(token, new)
                # else: a repeated or stale click, nothing to do
        except ImportBusy as exc:
            db.session.rollback()
            flash(str(exc.message), "warning")
    return redirect(url_for("imports.show", token=token))


@bp.route("/<token>/controleren", methods=["POST"], endpoint="check")
@require_role(Role.SUPERVISOR)
def check(token: str):
    def work(state, start):
        if checking_done(state) or start != state["checked"]:
            return None
        return check_rows(db.session, current_actor(), state, _size("CHECK", CHECK_CHUNK_SIZE))
    return _next_chunk(token, work)


@bp.route("/<token>/bevestigen", methods=["POST"], endpoint="confirm")
@require_role(Role.SUPERVISOR)
def confirm(token: str):
    def work(state, start):
        if not checking_done(state) or start != state["done"]:
            return None
        return run_chunk(db.session, current_actor(), state, token, _size("CHUNK", CHUNK_SIZE))
    return _next_chunk(token, work)


@bp.route("/<token>/annuleren", methods=["POST"], endpoint="cancel")
@require_role(Role.SUPERVISOR)
def cancel(token: str):
    state = _load(token)
    if not CancelForm().validate_on_submit():
        return redirect(url_for("imports.show", token=token))
    try:
        with _store().lock(token):
            _store().delete(token)
    except ImportBusy as exc:
        flash(str(exc.message), "warning")
        return redirect(url_for("imports.show", token=token))
    if state["imported"]:
        flash(_("De import is gestopt. De %(n)s rijen die al waren geïmporteerd, blijven bestaan.",
                n=state["imported"]), "warning")
    else:
        flash(_("De import is geannuleerd: er is niets geïmporteerd."), "success")
    return redirect(url_for("imports.index"))


@bp.route("/<token>/fouten.csv", endpoint="errors")
@require_role(Role.SUPERVISOR)
def errors(token: str):
    state = _load(token)
    return _download(failed_rows_csv(state), f"{state['kind']}-fouten.csv", "csv")


@bp.route("/voorbeeld/<kind>.csv", endpoint="template")
@require_role(Role.SUPERVISOR)
def template(kind: str):
    if kind not in KINDS:
        abort(404)
    return _download(template_csv(kind), f"{kind}-voorbeeld.csv", "csv")


@bp.route("/export/deelnemers.<fmt>", endpoint="export_participants")
@require_role(Role.SUPERVISOR)
def export_participants_file(fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    body = export_participants(db.session, current_actor(),
                               ExportFilterForm(request.args).to_filter(), fmt)
    db.session.commit()
    return _download(body, f"deelnemers-{date.today():%Y-%m-%d}.{fmt}", fmt)


@bp.route("/export/inzetorganisaties.<fmt>", endpoint="export_hosts")
@require_role(Role.SUPERVISOR)
def export_hosts_file(fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    body = export_hosts(db.session, current_actor(), fmt)
    db.session.commit()
    return _download(body, f"inzetorganisaties-{date.today():%Y-%m-%d}.{fmt}", fmt)
