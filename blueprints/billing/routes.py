"""Subscription pages (admin) and Stripe's Billing webhook.

Tenant pages (`/<tenant>/…`):
- GET  /abonnement/               plan, state, limits; the choices (admin)
- POST /abonnement/kiezen         Stripe Checkout in subscription mode (iDEAL or card)
- POST /abonnement/op-factuur     a subscription paid on invoice, with a purchase-order number
- POST /abonnement/portaal        Stripe's customer portal (details, invoices, cancellation)
The POSTs work for a read-only tenant too: that is how it pays again.
Not under a tenant: POST /stripe/billing-webhook (signed; its own secret; no CSRF).
With no STRIPE_SECRET_KEY the page shows the plan the operator assigned and nothing else.
"""
from __future__ import annotations

import logging
from datetime import date

import stripe
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from blueprints.billing import gateway, services
from blueprints.billing import jobs as _jobs  # noqa: F401  (registers the reconciliation)
from blueprints.billing.forms import ChooseForm, InvoiceForm, PortalForm
from tenants import plans
from tenants.extensions import db
from tenants.models import Role
from tenants.urls import absolute_url
from tenants.web import (
    allowed_when_read_only,
    current_actor,
    flash_form_errors,
    require_role,
    run_service,
    tenant_blueprint,
)

bp = tenant_blueprint("billing", __name__, url_prefix="/abonnement")
webhook_bp = Blueprint("billing_webhook", __name__)
log = logging.getLogger(__name__)

STRIPE_ORIGINS = "https://checkout.stripe.com https://billing.stripe.com"
WEBHOOK_MAX_BYTES = 512 * 1024


def _require_billing() -> None:
    if not gateway.enabled():
        abort(404)


@bp.route("/")
@require_role(Role.ADMIN)
def index():
    back = request.args.get("terug")
    return render_template(
        "billing/index.html", view=services.overview(g.tenant, current_app.config),
        billing=gateway.enabled(), choose_form=ChooseForm(), invoice_form=InvoiceForm(),
        portal_form=PortalForm(), back=back if back in ("klaar", "afgebroken") else None)


@bp.route("/kiezen", methods=["POST"])
@allowed_when_read_only
@require_role(Role.ADMIN)
def choose():
    _require_billing()
    form = ChooseForm()
    if not form.validate_on_submit():
        abort(400)
    url, ok = run_service(lambda: services.start_checkout(
        db.session, current_actor(), gateway.client(), current_app.config, g.tenant.id,
        form.plan.data or "", success_url=absolute_url("billing.index", terug="klaar"),
        cancel_url=absolute_url("billing.index", terug="afgebroken"),
        today=date.today().isoformat()), None)
    return redirect(url, 303) if ok else redirect(url_for("billing.index"))


@bp.route("/op-factuur", methods=["POST"])
@allowed_when_read_only
@require_role(Role.ADMIN)
def on_invoice():
    _require_billing()
    form = InvoiceForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("billing.index"))
    run_service(lambda: services.subscribe_on_invoice(
        db.session, current_actor(), gateway.client(), current_app.config, g.tenant.id,
        form.plan.data or "", form.purchase_order.data, current_user.email),
        _("Het abonnement is afgesloten. Stripe stuurt de factuur met het inkoopordernummer "
          "naar %(email)s; de betaaltermijn is 30 dagen.", email=current_user.email))
    return redirect(url_for("billing.index"))


@bp.route("/portaal", methods=["POST"])
@allowed_when_read_only
@require_role(Role.ADMIN)
def portal():
    _require_billing()
    form = PortalForm()
    if not form.validate_on_submit():
        abort(400)
    url, ok = run_service(lambda: services.portal_url(
        gateway.client(), g.tenant, absolute_url("billing.index")), None)
    return redirect(url, 303) if ok else redirect(url_for("billing.index"))


# --- the webhook -----------------------------------------------------------------------------

@webhook_bp.before_request
def _limit_body():
    request.max_content_length = WEBHOOK_MAX_BYTES


@webhook_bp.route("/stripe/billing-webhook", methods=["POST"])
def receive():
    """Stripe's events about the platform's subscriptions. A bad signature or a malformed
    event: 400, nothing changed. A database hiccup: 500 (Stripe delivers again). Everything
    else: 200, also a duplicate or an event about a customer we do not know."""
    secret = current_app.config.get("STRIPE_BILLING_WEBHOOK_SECRET")
    if not gateway.enabled() or not secret:
        abort(404)
    payload = request.get_data(cache=False)
    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature"), secret)
        data = current_app.json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, AttributeError, TypeError) as exc:
        log.warning("Billing webhook refused (%s) from %s", type(exc).__name__,
                    request.remote_addr)
        return jsonify(error="bad request"), 400
    if not isinstance(data, dict) or data.get("object") != "event":
        return jsonify(error="bad request"), 400
    try:
        outcome = services.apply_event(db.session, data, current_app.config)
        db.session.commit()
    except services.BadEvent as exc:
        db.session.rollback()
        log.warning("Billing event %s malformed: %s", data.get("id"), exc)
        return jsonify(error="bad request"), 400
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Billing event %s: database error; Stripe will retry", data.get("id"))
        return jsonify(error="try again"), 500
    log.info("Billing event %s (%s): %s", data.get("id"), data.get("type"), outcome)
    return jsonify(received=True, outcome=outcome), 200


@bp.record
def _wire(state) -> None:
    """The forms that lead to Stripe may redirect there (CSP form-action applies to the
    redirect after a form post too)."""
    app = state.app
    app.add_template_global(plans.state_label, "subscription_state_label")
    talisman = app.extensions.get("talisman")
    policy = getattr(talisman, "content_security_policy", None)
    if not isinstance(policy, dict):
        return
    policy = dict(policy)
    policy["form-action"] = f"{policy.get('form-action', chr(39) + 'self' + chr(39))} " \
                            f"{STRIPE_ORIGINS}"
    for endpoint in ("billing.choose", "billing.portal", "billing.index"):
        view = app.view_functions.get(endpoint)
        if view is not None:
            view.talisman_view_options = {"content_security_policy": policy}
