"""VAT rate codes (btw-tarieven): what a customer, a rate and an invoice line store.

In the kernel because customers (a customer's default rate, rates per job) and invoicing (the
arithmetic, UBL) both need them, and customers stands below invoicing.
`blueprints.invoicing.money` re-exports `VatRate` for its many callers.
"""
from __future__ import annotations

import enum
from decimal import Decimal


class VatRate(str, enum.Enum):
    """The VAT choice of a line. Codes are stored; the UBL category follows from them."""

    #: 21% (hoog tarief)
    HIGH = "21"
    #: 9% (laag tarief)
    LOW = "9"
    #: 0%
    ZERO = "0"
    #: vrijgesteld (Wet OB art. 11 lid 1 f: welfare / social work)
    EXEMPT = "vrijgesteld"
    #: kleineondernemersregeling (KOR): no VAT charged
    KOR = "kor"

    @property
    def percent(self) -> Decimal:
        return {"21": Decimal(21), "9": Decimal(9)}.get(self.value, Decimal(0))

    @property
    def ubl_category(self) -> str:
        """UNCL5305 category: S standard, Z zero rated, E exempt."""
        return {"21": "S", "9": "S", "0": "Z"}.get(self.value, "E")

    @property
    def mention(self) -> str | None:
        """The text an invoice must print for this rate (Wet OB art. 35a), Dutch."""
        if self is VatRate.EXEMPT:
            return "Vrijgesteld van btw op grond van art. 11 lid 1 onderdeel f Wet OB 1968"
        if self is VatRate.KOR:
            return "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR)"
        return None
