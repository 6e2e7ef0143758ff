"""After sending: payments and credit notes, overdue invoices and reminders, the customer
statement.
"""
from __future__ import annotations

import secrets
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.customers.models import Customer
from blueprints.invoicing import services
from blueprints.invoicing.forms import CreditForm, PaymentForm, StatementForm
from blueprints.invoicing.models import Invoice, InvoiceKind
from blueprints.invoicing.routes.blueprint import _arg_date, _labels, _show, bp
from tenants.extensions import db
from tenants.models import Role
from tenants.money import amount_text, parse_money
from tenants.web import (
    current_actor,
    flash_form_errors,
    get_or_404,
    page_arg,
    require_role,
    run_service,
)


@bp.route("/<int:invoice_id>/betaling", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def payment(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    if request.method == "GET" and not services.open_cents(invoice):
        flash(_("Op deze factuur staat niets open: een betaling registreren is niet nodig."),
              "info")
        return _show(invoice)
    form = PaymentForm()
    if request.method == "GET":
        # The key is made when the form is shown: a double submit registers once.
        form.key.data = secrets.token_urlsafe(24)
        form.amount.data = amount_text(services.open_cents(invoice))
        form.paid_on.data = date.today()
    if form.validate_on_submit():
        _result, ok = run_service(lambda: services.register_payment(
            db.session, current_actor(), invoice, parse_money(form.amount.data),
            form.paid_on.data, form.method.data, form.reference.data, form.key.data),
            _("De betaling is geregistreerd."))
        if ok:
            return _show(invoice, "#betalingen")
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("invoicing/payment.html", form=form, i=invoice,
                           open_cents=services.open_cents(invoice), **_labels()), \
        (400 if request.method == "POST" else 200)


@bp.route("/<int:invoice_id>/crediteren", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def credit(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in services.CREDITABLE:
        flash(_("Alleen een verzonden factuur die nog niet volledig is gecrediteerd, kan worden "
                "gecrediteerd."), "error")
        return _show(invoice)
    items = services.creditable_lines(db.session, invoice)
    form = CreditForm()
    if form.validate_on_submit():
        quantities = {item.line.id: request.form.get(f"aantal-{item.line.id}", "")
                      for item in items}
        credit_note, ok = run_service(lambda: services.create_credit_note(
            db.session, current_actor(), invoice, quantities, full=form.mode.data != "regels",
            reason=form.reason.data), _("De creditnota is gemaakt."))
        if ok:
            return _show(credit_note)
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("invoicing/credit.html", form=form, i=invoice, credit_items=items,
                           posted=request.form, **_labels()), \
        (400 if request.method == "POST" else 200)


# --- overdue invoices and reminders ----------------------------------------------------------

@bp.route("/achterstallig")
@require_role(Role.ADMIN)
def overdue():
    today = date.today()
    result = services.overdue_page(db.session, today, page_arg())
    pages = max(1, -(-result.total // services.OVERDUE_PAGE_SIZE))
    return render_template("invoicing/overdue.html", rows=result.rows, total=result.total,
                           open_total_cents=result.open_total_cents,
                           page=min(page_arg(), pages), pages=pages, today=today)


@bp.route("/<int:invoice_id>/herinnering", methods=["POST"])
@require_role(Role.ADMIN)
def remind(invoice_id: int):
    invoice = get_or_404(Invoice, invoice_id)
    if request.form.get("per_post") == "1":
        run_service(lambda: services.record_posted_reminder(db.session, current_actor(),
                                                            invoice),
                    _("De herinnering per post is vastgelegd."))
    else:
        run_service(lambda: services.send_reminder(db.session, current_actor(), invoice),
                    _("De herinnering is per e-mail verstuurd."))
    if request.form.get("terug") == "factuur":
        return _show(invoice, "#herinneringen")
    return redirect(url_for("invoicing.overdue"))


@bp.route("/<int:invoice_id>/herinneringsbrief")
@require_role(Role.ADMIN)
def reminder_letter(invoice_id: int):
    """A printable reminder letter (for customers without e-mail, or by post anyway)."""
    invoice = get_or_404(Invoice, invoice_id)
    today = date.today()
    if not services.is_overdue(invoice, today):
        flash(_("Factuur %(number)s is niet achterstallig: een herinnering is niet nodig.",
                number=invoice.number_text or ""), "error")
        return _show(invoice)
    with force_locale("nl"):  # a letter to the customer, in Dutch like the invoice
        return render_template("invoicing/reminder_letter.html", i=invoice,
                               **services.reminder_context(db.session, invoice, today))


# --- the customer statement ------------------------------------------------------------------

#: Rows of the customer statement per page (about 700 bytes of HTML each).
STATEMENT_PAGE_SIZE = 100


@bp.route("/klant/<int:customer_id>/overzicht")
@require_role(Role.ADMIN)
def statement(customer_id: int):
    customer = get_or_404(Customer, customer_id)
    today = date.today()
    start = _arg_date("van") or date(today.year, 1, 1)
    end = _arg_date("tot") or today
    if end < start:
        flash(_("Het einde van de periode ligt vóór het begin. Controleer de data."), "error")
        start, end = end, start
    form = StatementForm(formdata=None, van=start, tot=end)
    st = services.customer_statement(db.session, customer, start, end)
    # A long period is shown a page at a time, each page carrying the balance over.
    pages = max(1, -(-len(st.rows) // STATEMENT_PAGE_SIZE))
    page = min(page_arg(), pages)
    rows = st.rows[(page - 1) * STATEMENT_PAGE_SIZE:page * STATEMENT_PAGE_SIZE]
    carried = rows[0].balance_cents - rows[0].amount_cents if rows else st.opening_cents
    return render_template("invoicing/statement.html", form=form, st=st, rows=rows,
                           carried_cents=carried, page=page, pages=pages,
                           args={"customer_id": customer.id, "van": st.start.isoformat(),
                                 "tot": st.end.isoformat()})
