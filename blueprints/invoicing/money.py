"""Invoice arithmetic, in integer cents. The one place where amounts are computed.

Rules (EN 16931 / Peppol BIS 3.0, which the Dutch tax rules accept):
- a line's net amount is quantity × unit price, rounded half away from zero to a cent, minus
  its discount (line allowance) (PEPPOL-EN16931-R120, BR-24); a quantity has at most two
  decimals (hours in hundredths);
- a discount on the whole invoice (document allowance) belongs to one VAT rate and lowers the
  base of that rate (BR-32, BR-S-08);
- VAT is computed per rate on the sum of the lines at that rate, rounded half away from zero
  (BR-S-09, BR-CO-17), never per line;
- total excl. VAT = Σ line amounts − document allowances (BR-CO-10, BR-CO-13), total VAT =
  Σ VAT per rate (BR-CO-14),
  total incl. VAT = excl + VAT (BR-CO-15).
Amounts of a credit note are stored positive; `sign` is applied where totals are reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from tenants.vat import VatRate  # noqa: F401  (re-exported: the codes live in the kernel)

CENT = Decimal("1")
HUNDREDTH = Decimal("0.01")


def round_cents(value: Decimal) -> int:
    """Round a Decimal amount of cents half away from zero to whole cents."""
    return int(value.quantize(CENT, rounding=ROUND_HALF_UP))


def quantity(value) -> Decimal:
    """A line quantity with two decimals (raises decimal.InvalidOperation on garbage)."""
    return Decimal(str(value)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def hours_quantity(minutes: int) -> Decimal:
    """Minutes as hours with two decimals (90 → 1.50, 20 → 0.33)."""
    return (Decimal(minutes) / Decimal(60)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def line_total_cents(qty: Decimal, unit_price_cents: int, allowance_cents: int = 0) -> int:
    return round_cents(quantity(qty) * Decimal(unit_price_cents)) - int(allowance_cents or 0)


def vat_cents(base_cents: int, rate: VatRate) -> int:
    return round_cents(Decimal(base_cents) * rate.percent / Decimal(100))


@dataclass(frozen=True)
class RateTotal:
    rate: VatRate
    base_cents: int
    vat_cents: int


@dataclass(frozen=True)
class Totals:
    excl_cents: int
    vat_cents: int
    incl_cents: int
    per_rate: tuple[RateTotal, ...]
    #: Σ line amounts (BT-106) and the document allowances (BT-107); excl = lines − allowances
    lines_cents: int = 0
    allowance_cents: int = 0


_ORDER = [VatRate.HIGH, VatRate.LOW, VatRate.ZERO, VatRate.EXEMPT, VatRate.KOR,
          VatRate.REVERSE_CHARGE, VatRate.INTRA_COMMUNITY]


def totals(lines: Iterable[tuple[int, VatRate]],
           allowances: Iterable[tuple[int, VatRate]] = ()) -> Totals:
    """Totals of (net line amount in cents, VAT rate) pairs, less document allowances
    ((amount in cents, VAT rate) pairs: each lowers the base of its rate)."""
    bases: dict[VatRate, int] = {}
    lines_cents = allowance_cents = 0
    for net, rate in lines:
        rate = VatRate(rate)
        bases[rate] = bases.get(rate, 0) + int(net)
        lines_cents += int(net)
    for cents, rate in allowances:
        if cents:
            rate = VatRate(rate)
            bases[rate] = bases.get(rate, 0) - int(cents)
            allowance_cents += int(cents)
    per_rate = tuple(RateTotal(r, bases[r], vat_cents(bases[r], r)) for r in _ORDER if r in bases)
    excl = sum(t.base_cents for t in per_rate)
    vat = sum(t.vat_cents for t in per_rate)
    return Totals(excl, vat, excl + vat, per_rate, lines_cents, allowance_cents)


def invoice_allowances(invoice) -> list[tuple[int, VatRate]]:
    """The document allowance of an Invoice (row) as totals() takes it."""
    cents = int(getattr(invoice, "allowance_cents", 0) or 0)
    if not cents or not invoice.allowance_vat_rate:
        return []
    return [(cents, VatRate(invoice.allowance_vat_rate))]
