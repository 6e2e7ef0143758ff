"""VAT rate codes (btw-tarieven): what a customer, a rate and an invoice line store.

In the kernel because customers (a customer's default rate, rates per job) and invoicing (the
arithmetic, UBL) both need them, and customers stands below invoicing.
`blueprints.invoicing.money` re-exports `VatRate` for its many callers.

Every code at 0% names its legal ground: the VAT category of the e-invoice (UNCL5305) and the
mention the law asks on the invoice (Wet OB 1968 art. 35a), which the PDF prints and the UBL
carries as TaxExemptionReason (and TaxExemptionReasonCode, VATEX, where one exists):

| code | category | mention |
| --- | --- | --- |
| 0 | Z zero rated (nultarief, tabel II) | "Btw 0% (nultarief)" on the PDF; none in the UBL (BR-Z-10) |
| vrijgesteld | E exempt (art. 11 lid 1 f) | "Vrijgesteld van btw op grond van art. 11 …" |
| kor | E exempt (KOR, art. 25) | "Vrijgesteld van btw op grond van de kleineondernemersregeling" |
| verlegd | AE reverse charge (art. 12) | "Btw verlegd" (VATEX-EU-AE); the customer's VAT id required |
| icl | K intra-community supply (art. 9 lid 2 b) | "Intracommunautaire levering" (VATEX-EU-IC); the customer's VAT id required |
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
    #: 0% (nultarief, Wet OB tabel II: e.g. export)
    ZERO = "0"
    #: vrijgesteld (Wet OB art. 11 lid 1 f: welfare / social work)
    EXEMPT = "vrijgesteld"
    #: kleineondernemersregeling (KOR): no VAT charged
    KOR = "kor"
    #: btw verlegd (reverse charge, Wet OB art. 12): the customer pays the VAT
    REVERSE_CHARGE = "verlegd"
    #: intracommunautaire levering (to a business in another EU country, 0%)
    INTRA_COMMUNITY = "icl"

    @property
    def percent(self) -> Decimal:
        return {"21": Decimal(21), "9": Decimal(9)}.get(self.value, Decimal(0))

    @property
    def ubl_category(self) -> str:
        """UNCL5305 category: S standard, Z zero rated, E exempt, AE reverse charge,
        K intra-community supply."""
        return {"21": "S", "9": "S", "0": "Z", "verlegd": "AE", "icl": "K"}.get(self.value, "E")

    @property
    def mention(self) -> str | None:
        """The text an invoice must print for this rate (Wet OB art. 35a), Dutch."""
        return _MENTIONS.get(self.value)

    @property
    def exemption_reason(self) -> str | None:
        """TaxExemptionReason (BT-120) of the e-invoice: required for E, AE and K (BR-E-10,
        BR-AE-10, BR-IC-10), not allowed for S and Z (BR-S-10, BR-Z-10)."""
        return None if self.ubl_category in ("S", "Z") else self.mention

    @property
    def exemption_reason_code(self) -> str | None:
        """TaxExemptionReasonCode (BT-121, the VATEX list) where one fits this ground."""
        return {"verlegd": "VATEX-EU-AE", "icl": "VATEX-EU-IC"}.get(self.value)

    @property
    def needs_customer_vat_id(self) -> bool:
        """Reverse charge and an intra-community supply name the customer's VAT id (Wet OB
        art. 35a; BR-AE-02, BR-IC-02)."""
        return self in (VatRate.REVERSE_CHARGE, VatRate.INTRA_COMMUNITY)


_MENTIONS = {
    "0": "Btw 0% (nultarief)",
    "vrijgesteld": "Vrijgesteld van btw op grond van art. 11 lid 1 onderdeel f Wet OB 1968",
    "kor": "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR)",
    "verlegd": "Btw verlegd",
    "icl": "Intracommunautaire levering",
}
