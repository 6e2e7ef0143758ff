"""The finance settings page and the logo."""
from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.customers.identifiers import format_iban
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.forms import FinanceSettingsForm, LogoForm, RemoveLogoForm
from blueprints.invoicing.routes.blueprint import bp
from tenants.errors import NotFound
from tenants.extensions import db
from tenants.models import Role
from tenants.money import amount_text
from tenants.web import current_actor, flash_form_errors, require_role, run_service, submit


def _storage_root():
    from tenants.storage import uploads_root

    return uploads_root(current_app.instance_path)


def _fill_settings_form(form, s) -> None:
    form.legal_name.data = s.legal_name
    form.street.data, form.postcode.data, form.city.data = s.street, s.postcode, s.city
    form.kvk_number.data, form.vat_id.data = s.kvk_number, s.vat_id
    form.tax_number.data = s.tax_number
    form.iban.data, form.bic.data = format_iban(s.iban) or None, s.bic
    form.email.data, form.phone.data = s.email, s.phone
    form.recognition.data = getattr(s.recognition, "value", s.recognition)
    form.recognition_reference.data = s.recognition_reference
    form.vat_regime.data = getattr(s.vat_regime, "value", s.vat_regime)
    form.default_vat_rate.data = s.default_vat_rate
    cents = s.hourly_rate_cents or 0
    form.hourly_rate.data = amount_text(cents)
    form.payment_term_days.data = s.payment_term_days
    form.invoice_prefix.data, form.credit_prefix.data = s.invoice_prefix, s.credit_prefix
    form.footer_text.data = s.footer_text


def _settings_data(form) -> finance_settings.SettingsData:
    return finance_settings.SettingsData(
        legal_name=form.legal_name.data, street=form.street.data, postcode=form.postcode.data,
        city=form.city.data, kvk_number=form.kvk_number.data, vat_id=form.vat_id.data,
        tax_number=form.tax_number.data,
        iban=form.iban.data, bic=form.bic.data, email=form.email.data, phone=form.phone.data,
        recognition=form.recognition.data,
        recognition_reference=form.recognition_reference.data,
        vat_regime=form.vat_regime.data, default_vat_rate=form.default_vat_rate.data,
        hourly_rate=form.hourly_rate.data, invoice_prefix=form.invoice_prefix.data,
        credit_prefix=form.credit_prefix.data, payment_term_days=form.payment_term_days.data,
        footer_text=form.footer_text.data)


def _logo_size(s) -> tuple[int, int] | None:
    """The logo's size on the page (at most 240 × 120 pixels), None without a logo."""
    if not s.logo_file:
        return None
    from io import BytesIO

    from reportlab.lib.utils import ImageReader

    try:
        width, height = ImageReader(BytesIO(
            finance_settings.logo_bytes(db.session, _storage_root(), s.logo_file))).getSize()
    except Exception:  # noqa: BLE001 - a missing or unreadable file: show no preview
        return None
    scale = min(1.0, 240 / width, 120 / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


@bp.route("/instellingen", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def settings():
    current = finance_settings.current_settings(db.session)
    form = FinanceSettingsForm()
    if request.method == "GET":
        _fill_settings_form(form, current)
    elif form.validate_on_submit():
        _result, ok = run_service(
            lambda: finance_settings.save_settings(db.session, current_actor(), _settings_data(form)),
            _("De financiële instellingen zijn opgeslagen."))
        if ok:
            return redirect(url_for("invoicing.settings"))
        current = finance_settings.current_settings(db.session)
    else:
        flash_form_errors(form)
    return render_template(
        "invoicing/settings.html", form=form, settings=current,
        missing=finance_settings.missing_for_invoicing(current), logo_size=_logo_size(current),
        einvoice_notice=finance_settings.einvoice_notice(current),
        logo_form=LogoForm(), remove_logo_form=RemoveLogoForm(),
        max_logo_mb=finance_settings.LOGO_MAX_BYTES // (1024 * 1024),
    ), 400 if request.method == "POST" else 200


@bp.route("/instellingen/logo", methods=["POST"])
@require_role(Role.ADMIN)
def upload_logo():
    form = LogoForm()
    if form.validate_on_submit():
        upload = form.logo.data
        limit = finance_settings.LOGO_MAX_BYTES
        # Read one byte past the limit: enough to refuse it, never more in memory.
        data = upload.read(limit + 1) if upload and getattr(upload, "filename", "") else None
        run_service(lambda: finance_settings.save_logo(db.session, current_actor(), data,
                                                _storage_root()),
                     _("Het logo is opgeslagen. Het staat op facturen die u vanaf nu "
                         "verstuurt."))
    else:
        flash_form_errors(form)
    return redirect(url_for("invoicing.settings") + "#logo")


@bp.route("/instellingen/logo/verwijderen", methods=["POST"])
@require_role(Role.ADMIN)
def remove_logo():
    form = RemoveLogoForm()
    submit(form, lambda: finance_settings.remove_logo(db.session, current_actor(), _storage_root()),
           _("Het logo is verwijderd. Verzonden facturen houden hun logo."))
    return redirect(url_for("invoicing.settings") + "#logo")


@bp.route("/instellingen/logo")
@require_role(Role.ADMIN)
def logo():
    """The tenant's current logo (only its own: the key is read from its settings row)."""
    current = finance_settings.find_settings(db.session)
    if current is None or not current.logo_file:
        abort(404)
    try:
        data = finance_settings.logo_bytes(db.session, _storage_root(), current.logo_file)
    except NotFound:
        abort(404)
    return Response(data, mimetype=finance_settings.logo_mimetype(current.logo_file), headers={
        "Cache-Control": "no-store", "Content-Disposition": "inline",
        "X-Content-Type-Options": "nosniff"})
