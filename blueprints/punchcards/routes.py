"""Punch-card actions (admins): sell a card (or sell it on a draft invoice), write hours off,
correct, and settle a done punch-card job. The pages they start from are the customer's and
the help request's, where this feature adds its sections (subscribers.py); the URLs stay under
theirs. Thin views: the rules are in services."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from blueprints.customers import services as customers
from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest
from blueprints.hours.formats import parse_minutes
from blueprints.punchcards import services
from blueprints.punchcards.forms import PunchCardForm, SettleForm, UseForm, correction_form
from tenants.errors import NotFound
from tenants.extensions import db
from tenants.models import Role
from tenants.money import parse_money
from tenants.web import current_actor, get_or_404, require_role, run_service, submit, \
    tenant_blueprint

bp = tenant_blueprint("punchcards", __name__)


def _load(customer_id: int) -> Customer:
    try:
        return customers.get_customer(db.session, customer_id)
    except NotFound:
        abort(404)


def _show(customer: Customer):
    return redirect(url_for("customers.show", customer_id=customer.id) + "#strippenkaarten")


@bp.route("/klanten/<int:customer_id>/strippenkaarten", methods=["POST"])
@require_role(Role.ADMIN)
def sell_card(customer_id: int):
    customer = _load(customer_id)
    form = PunchCardForm(prefix="kaart")
    if form.invoice.data and form.validate_on_submit():
        draft, ok = run_service(lambda: services.sell_punch_card_on_invoice(
            db.session, current_actor(), customer, form.hours.data,
            parse_money(form.price.data), form.bought_on.data,
            form.note.data), _("De strippenkaart is vastgelegd en staat op een conceptfactuur."))
        if ok:
            return redirect(url_for("invoicing.show", invoice_id=draft.id))
        return _show(customer)
    submit(form, lambda: services.sell_punch_card(
        db.session, current_actor(), customer, form.hours.data,
        parse_money(form.price.data), form.bought_on.data,
        form.note.data), _("De strippenkaart is vastgelegd."))
    return _show(customer)


@bp.route("/klanten/<int:customer_id>/strippenkaart/afschrijven", methods=["POST"])
@require_role(Role.ADMIN)
def use_card(customer_id: int):
    customer = _load(customer_id)
    form = UseForm(prefix="afschrijven")
    submit(form, lambda: services.use_punch_card(
        db.session, current_actor(), customer, parse_minutes(form.hours.data),
        form.used_on.data, note=form.note.data),
        _("De uren zijn van de strippenkaart afgeschreven."))
    return _show(customer)


@bp.route("/klanten/<int:customer_id>/strippenkaart/correctie", methods=["POST"])
@require_role(Role.ADMIN)
def correct_card(customer_id: int):
    customer = _load(customer_id)
    form = correction_form(services.cards_of(db.session, customer))
    submit(form, lambda: services.correct_punch_card(
        db.session, current_actor(), customer, int(form.card.data),
        parse_minutes(form.hours.data), form.used_on.data, form.note.data),
        _("De correctie is vastgelegd."))
    return _show(customer)


@bp.route("/hulpvragen/<int:help_request_id>/strippenkaart", methods=["POST"])
@require_role(Role.ADMIN)
def settle_help_request(help_request_id: int):
    """Pay a done punch-card job from the customer's punch cards (admins: it is invoicing)."""
    help_request = get_or_404(HelpRequest, help_request_id)
    if SettleForm().validate_on_submit():
        run_service(lambda: services.settle_help_request_with_card(
            db.session, current_actor(), help_request),
            _("De uren van klus %(ref)s zijn van de strippenkaart afgeschreven.",
              ref=help_request.reference))
    else:
        flash(_("Dat lukte niet. Probeer het opnieuw."), "error")
    return redirect(url_for("helprequests.show", help_request_id=help_request.id)
                    + "#strippenkaart")
