"""Online payment pages: the administrator connects the cooperative's Stripe account; anyone
with an invoice's pay link pays it (no account); Stripe's webhook registers the payment.

Tenant pages (`/<tenant>/…`):
- GET  /online-betalen/             status and the connect button (admin)
- POST /online-betalen/koppelen     create the Stripe account once, go to Stripe (admin)
- GET  /online-betalen/terug        back from Stripe: read the account again (admin)
- GET  /online-betalen/vernieuwen   Stripe's link expired: a new one (admin)
- GET/POST /betalen/<token>         the public pay page; POST opens Stripe Checkout
Not under a tenant: POST /stripe/webhook (signed by Stripe; the only view without CSRF).

With no STRIPE_SECRET_KEY all of these answer 404: online payment is off.
"""
from __future__ import annotations

import logging

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

from blueprints.invoicing import settings as finance_settings
from blueprints.onlinepay import gateway, links, services
from blueprints.onlinepay.forms import ConnectForm, PayForm
from tenants.errors import DomainError
from tenants.extensions import db, limiter
from tenants.models import Role, TenantStatus
from tenants.web import current_actor, public_tenant_view, require_role, tenant_blueprint

bp = tenant_blueprint("onlinepay", __name__)
webhook_bp = Blueprint("stripe_webhook", __name__)
log = logging.getLogger(__name__)

CHECKOUT_ORIGIN = "https://checkout.stripe.com"
CONNECT_ORIGIN = "https://connect.stripe.com"
#: a Stripe event is a few kilobytes; the app-wide limit is for uploads
WEBHOOK_MAX_BYTES = 512 * 1024


def _require_online() -> None:
    if not gateway.enabled():
        abort(404)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- connecting the account (admin) ----------------------------------------------------------

@bp.route("/online-betalen/")
@require_role(Role.ADMIN)
def index():
    _require_online()
    settings = finance_settings.current_settings(db.session)
    return render_template("onlinepay/index.html", settings=settings, form=ConnectForm(),
                           ready=links.online_ready(settings))


def _to_stripe_onboarding(settings):
    url = services.onboarding_url(
        gateway.client(), settings,
        refresh_url=links.absolute_url("onlinepay.refresh", tenant_slug=g.tenant.slug),
        return_url=links.absolute_url("onlinepay.returned", tenant_slug=g.tenant.slug))
    return redirect(url, 303)


@bp.route("/online-betalen/koppelen", methods=["POST"])
@require_role(Role.ADMIN)
def connect():
    _require_online()
    form = ConnectForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        settings = services.connect_account(db.session, current_actor(), gateway.client(),
                                            current_user.email)
        db.session.commit()
        if links.online_ready(settings):
            flash(_("Online betalen staat al aan."), "info")
            return redirect(url_for("onlinepay.index"))
        return _to_stripe_onboarding(settings)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("onlinepay.index"))


@bp.route("/online-betalen/vernieuwen")
@require_role(Role.ADMIN)
def refresh():
    """Stripe sends the administrator here when its link has expired: make a new one (this
    changes nothing of ours)."""
    _require_online()
    settings = finance_settings.find_settings(db.session)
    if settings is None or not settings.stripe_account_id:
        return redirect(url_for("onlinepay.index"))
    try:
        return _to_stripe_onboarding(settings)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("onlinepay.index"))


@bp.route("/online-betalen/terug")
@require_role(Role.ADMIN)
def returned():
    """Back from Stripe: copy what Stripe says about the account (idempotent; Stripe's
    return link is a plain GET)."""
    _require_online()
    try:
        settings = services.refresh_account(db.session, current_actor(), gateway.client())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("onlinepay.index"))
    db.session.commit()
    if links.online_ready(settings):
        flash(_("Online betalen staat aan: klanten kunnen facturen betalen met iDEAL of kaart."),
              "success")
    else:
        flash(_("Stripe heeft uw account nog niet vrijgegeven voor betalingen. Rond de "
                "gegevens bij Stripe af, of kom later terug."), "info")
    return redirect(url_for("onlinepay.index"))


# --- the public pay page ---------------------------------------------------------------------

def _invoice_for(token: str):
    found = links.read_token(current_app.config["SECRET_KEY"], token)
    if found is None or found[0] != g.tenant.id:
        abort(404)
    invoice = services.payable_invoice(db.session, found[1])
    if invoice is None:
        abort(404)
    return invoice


@bp.route("/betalen/<string(maxlength=300):token>", methods=["GET", "POST"])
@public_tenant_view
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def pay(token: str):
    """Open to anyone with the link: the cooperative's name, the invoice number and date,
    what is open; the online button or the bank transfer."""
    invoice = _invoice_for(token)
    online = gateway.enabled() and g.tenant.status != TenantStatus.READ_ONLY
    page = services.pay_page(db.session, invoice, online)
    form = PayForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and page.online:
            here = links.absolute_url("onlinepay.pay", tenant_slug=g.tenant.slug, token=token)
            try:
                url = services.start_checkout(db.session, gateway.client(), invoice,
                                              success_url=f"{here}?betaling=klaar",
                                              cancel_url=f"{here}?betaling=afgebroken")
            except DomainError as exc:
                flash(exc.message, "error")
                status = 400
            else:
                return _no_store(redirect(url, 303))
        else:
            status = 400
    back = request.args.get("betaling")
    return _no_store(current_app.make_response((render_template(
        "onlinepay/pay.html", page=page, form=form,
        back=back if back in ("klaar", "afgebroken") else None), status)))


# --- the Stripe webhook ----------------------------------------------------------------------

@webhook_bp.before_request
def _limit_body():
    request.max_content_length = WEBHOOK_MAX_BYTES


@webhook_bp.route("/stripe/webhook", methods=["POST"])
def receive():
    """Stripe's events about payments on the cooperatives' accounts (a Connect endpoint).
    A bad signature or a malformed event: 400, nothing changed. A database hiccup: 500, and
    Stripe delivers again later. Everything else: 200, also a duplicate or an event that is
    not ours (Stripe must not retry it forever)."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not gateway.enabled() or not secret:
        abort(404)
    payload = request.get_data(cache=False)
    try:
        data = gateway.verified_event(payload, request.headers.get("Stripe-Signature"), secret)
    except gateway.BadEvent as exc:
        log.warning("Stripe webhook refused (%s) from %s", exc, request.remote_addr)
        return jsonify(error="bad request"), 400
    try:
        outcome = services.apply_event(
            db.session, data,
            read_account=lambda account: gateway.client().v1.accounts.retrieve(account),
            read_fee=_read_fee)
        db.session.commit()
    except services.BadEvent as exc:
        db.session.rollback()
        log.warning("Stripe event %s malformed: %s", data.get("id"), exc)
        return jsonify(error="bad request"), 400
    except stripe.StripeError as exc:
        db.session.rollback()
        log.warning("Stripe event %s: Stripe not reachable (%s); it will retry", data.get("id"),
                    type(exc).__name__)
        return jsonify(error="try again"), 503
    except services.RetryLater:
        db.session.rollback()
        log.info("Stripe event %s: its payment is not registered yet; Stripe will retry",
                 data.get("id"))
        return jsonify(error="try again"), 503
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Stripe event %s: database error; Stripe will retry", data.get("id"))
        return jsonify(error="try again"), 500
    log.info("Stripe event %s (%s): %s", data.get("id"), data.get("type"), outcome)
    return jsonify(received=True, outcome=outcome), 200


def _read_fee(account: str, intent: str) -> int | None:
    """Stripe's fee on a direct charge: the PaymentIntent on the cooperative's account with its
    charge's balance transaction expanded (one call)."""
    found = gateway.client().v1.payment_intents.retrieve(
        intent, params={"expand": ["latest_charge.balance_transaction"]},
        options={"stripe_account": account})
    return services.balance_fee(found)


# --- wiring ----------------------------------------------------------------------------------

def _pay_url_for_template(invoice):
    return links.pay_url(None, invoice)


def _with_form_action(app, origin: str) -> dict | None:
    talisman = app.extensions.get("talisman")
    policy = getattr(talisman, "content_security_policy", None)
    if not isinstance(policy, dict):
        return None
    policy = dict(policy)
    current = policy.get("form-action", "'self'")
    policy["form-action"] = f"{current} {origin}"
    return {"content_security_policy": policy}


@bp.record
def _wire(state) -> None:
    """Offer the pay link to other blueprints (invoice PDF) and templates, and let the two
    forms that lead to Stripe redirect there: browsers apply CSP form-action to the redirect
    after a form post too."""
    app = state.app
    app.extensions.setdefault(links.INVOICE_PAY_URL, links.pay_url)
    app.add_template_global(_pay_url_for_template, "invoice_pay_url")
    app.add_template_global(gateway.enabled, "online_payment_enabled")
    for endpoint, origin in (("onlinepay.pay", CHECKOUT_ORIGIN),
                             ("onlinepay.index", CONNECT_ORIGIN)):
        options = _with_form_action(app, origin)
        view = app.view_functions.get(endpoint)
        if options and view is not None:
            view.talisman_view_options = options
