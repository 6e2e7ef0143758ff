"""Demo money: finance settings, customers, three years of invoices and payments, training
budgets and courses in each demo tenant.

Everything goes through the real services (customers, invoicing, budgets), so numbers are
gapless, the ledger balances, budgets are credited by paid invoices and every step is in the
audit log. Deterministic (a fixed random seed per tenant, dates relative to today) and
idempotent: a tenant that already has customers or invoices is left alone.

Per tenant with the demo's history (blueprints.demo.history, three years; not the benchmark's
tenants), first its two earlier years per calendar quarter, every invoice paid: the
municipality's fees for the months each trajectory on a municipal contract ran, the housing
corporation's garden round and the hours of the history's people whose work it paid for
(their trajectories paid from the cooperative's own means; their budgets earn from it, and
under "naar de pot" what they had not spent goes to the pool when their trajectory ends), and
the school's quarter. Then, for each of the last twelve full months (the current month is
left for the demo user to invoice), dated the first working day of the next month:
- the municipality: trajectory fees per participant per month for the trajectories on a
  municipal contract (UBL e-invoice: OIN and buyer reference);
- the housing corporation: green maintenance. In the months the demo hours cover
  (blueprints.demo.work), the hours it pays (blueprints.hours.services.payer): its hourly
  jobs, and the work of a small crew of participants whose trajectories it funds (whose
  budgets they earn); before that, a fixed line at the corporation's garden rate;
- residents: their done fixed-price and hourly jobs, and one resident's help each month
  (exempt from VAT: welfare work); one resident buys a punch card;
- each quarter, a school (in Lelystad a supermarket).
Most invoices are paid 10–30 days after issue (never in the future); two resident invoices are
overdue (one with a reminder letter), a school invoice is partly paid, and one corporation
invoice with a line billed twice is credited in full and invoiced again.
"""
from __future__ import annotations

from blueprints.demo.money.customers import valid_iban, valid_vat_id
from blueprints.demo.money.figures import (
    CORPORATION_GARDEN_RATE,
    COURSES,
    DOUBLE_BILLED_MONTH,
    FEE_PER_MONTH_CENTS,
    FINANCE,
    MONTHS,
    OVERDUE_MONTHS,
    PARTLY_PAID_MONTH,
    PUNCH_CARD_MONTH,
    PUNCH_CARD_USES,
    REMINDER_MONTH,
    RESIDENT_HELP,
    RESIDENT_NAMES,
    RESIDENT_RATE,
    SCHOOL_MONTHS,
    Book,
    Month,
)
from blueprints.demo.money.invoices import months_to_invoice
from blueprints.demo.money.seeding import seed_money

__all__ = [
    "CORPORATION_GARDEN_RATE",
    "COURSES",
    "DOUBLE_BILLED_MONTH",
    "FEE_PER_MONTH_CENTS",
    "FINANCE",
    "MONTHS",
    "OVERDUE_MONTHS",
    "PARTLY_PAID_MONTH",
    "PUNCH_CARD_MONTH",
    "PUNCH_CARD_USES",
    "REMINDER_MONTH",
    "RESIDENT_HELP",
    "RESIDENT_NAMES",
    "RESIDENT_RATE",
    "SCHOOL_MONTHS",
    "Book",
    "Month",
    "months_to_invoice",
    "seed_money",
    "valid_iban",
    "valid_vat_id",
]
