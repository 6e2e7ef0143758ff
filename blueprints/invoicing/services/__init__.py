"""Invoice rules: drafts built from hours, help requests, fixed items and trajectory fees;
finalising with a gapless number; credit notes; payments; overdue invoices and reminders; the
customer statement.

- A draft has no number and can be changed freely; every service that changes an invoice
  refuses anything but a draft. `finalise` locks the invoice row, checks everything an invoice
  must say (supplier, customer, Dutch e-invoice rules for public customers), and draws the
  number from the per-tenant counter of the series and year in the same transaction
  (tenants.counters): consecutive, no gaps, never twice. From then on an invoice is only paid or
  credited.
- Hours: an approved time entry is billed once. `InvoiceHour` is UNIQUE per entry, so two
  drafts (or two admins at once) can never bill the same hours; the loser gets a Dutch message.
  Only hours of hourly-priced jobs of this customer are billed as hours (and, when asked, hours
  without a job); a fixed-price job is billed at its price, a free or punch-card job not at all;
  training hours (scholing) are never billed.
- Amounts: integer cents, computed only by `blueprints.invoicing.money`.
- Credit notes have their own series; their lines mirror the credited lines with positive
  amounts. Together they never credit more than the invoice's total.
- Payments are registered once per idempotency key, under the invoice's row lock.
- Every change goes to the audit log; a refused action changes nothing.
"""
from __future__ import annotations

from blueprints.invoicing.services.credits import (
    CreditableLine,
    create_credit_note,
    creditable_lines,
)
from blueprints.invoicing.services.delivery import (
    invoice_address,
    no_address_message,
    resend_invoice,
    send_invoice,
)
from blueprints.invoicing.services.drafts import create_draft, delete_draft, update_draft
from blueprints.invoicing.services.lines import (
    add_fixed_line,
    add_trajectory_fees,
    fee_trajectories,
    get_line,
    remove_line,
    set_invoice_allowance,
    update_line,
)
from blueprints.invoicing.services.payments import register_payment, register_refund
from blueprints.invoicing.services.prices import rate_for
from blueprints.customers.services import (  # the customer pickers, shared
    CUSTOMER_SEARCH_LIMIT,
    CUSTOMER_SELECT_LIMIT,
    customers_for_choice,
    search_customers,
)
from blueprints.invoicing.services.queries import (
    InvoiceFilter,
    InvoiceList,
    InvoiceRow,
    InvoiceView,
    LineGroup,
    invoice_view,
    invoice_years,
    list_invoices,
)
from blueprints.invoicing.services.reminders import (
    OVERDUE_PAGE_SIZE,
    OverdueList,
    OverdueRow,
    is_overdue,
    overdue,
    overdue_page,
    record_posted_reminder,
    reminder_context,
    reminder_level,
    send_reminder,
)
from blueprints.invoicing.services.rules import (
    ALREADY_INVOICED,
    CREDITABLE,
    FEE_KINDS,
    FEE_LABELS,
    HOURLY,
    KIND_LABELS,
    MAX_MONTHS,
    MAX_QUANTITY,
    MAX_UNIT_PRICE_CENTS,
    METHOD_LABELS,
    OPEN,
    PAGE_SIZE,
    STATUS_LABELS,
    UNIT_LABELS,
    VAT_LABELS,
    current_settings,
    get_customer,
    line_totals,
    missing_settings,
    open_cents,
    parse_quantity,
    recalc,
)
from blueprints.invoicing.services.sending import finalise, is_public
from blueprints.invoicing.services.statements import Statement, StatementRow, customer_statement
from blueprints.invoicing.services.work import (
    HoursOffer,
    JobHours,
    ParticipantHours,
    add_help_request,
    add_hour_group,
    add_hours,
    invoiceable_requests,
    uninvoiced_hours,
)

__all__ = [
    "ALREADY_INVOICED",
    "CREDITABLE",
    "FEE_KINDS",
    "FEE_LABELS",
    "HOURLY",
    "KIND_LABELS",
    "MAX_MONTHS",
    "MAX_QUANTITY",
    "MAX_UNIT_PRICE_CENTS",
    "METHOD_LABELS",
    "OPEN",
    "PAGE_SIZE",
    "STATUS_LABELS",
    "UNIT_LABELS",
    "VAT_LABELS",
    "CreditableLine",
    "InvoiceFilter",
    "InvoiceList",
    "InvoiceRow",
    "InvoiceView",
    "HoursOffer",
    "JobHours",
    "add_hour_group",
    "LineGroup",
    "OVERDUE_PAGE_SIZE",
    "OverdueList",
    "OverdueRow",
    "ParticipantHours",
    "Statement",
    "StatementRow",
    "add_fixed_line",
    "add_help_request",
    "add_hours",
    "add_trajectory_fees",
    "create_credit_note",
    "create_draft",
    "creditable_lines",
    "current_settings",
    "customer_statement",
    "CUSTOMER_SEARCH_LIMIT",
    "CUSTOMER_SELECT_LIMIT",
    "customers_for_choice",
    "search_customers",
    "delete_draft",
    "fee_trajectories",
    "finalise",
    "get_customer",
    "get_line",
    "invoice_address",
    "invoice_view",
    "invoice_years",
    "invoiceable_requests",
    "is_overdue",
    "is_public",
    "line_totals",
    "list_invoices",
    "missing_settings",
    "no_address_message",
    "open_cents",
    "overdue",
    "overdue_page",
    "parse_quantity",
    "recalc",
    "record_posted_reminder",
    "rate_for",
    "register_payment",
    "register_refund",
    "reminder_context",
    "reminder_level",
    "remove_line",
    "set_invoice_allowance",
    "resend_invoice",
    "send_invoice",
    "send_reminder",
    "uninvoiced_hours",
    "update_draft",
    "update_line",
]
