"""The parameters Stripe accepts on the endpoints online payment calls, and a checker that refuses
the rest the way Stripe does (HTTP 400, `{"error": {"type": "invalid_request_error", "code": ...,
"param": ..., "message": ...}}`).

Derived by hand from Stripe's OpenAPI description (github.com/stripe/openapi, `spec3.json`,
the request bodies of the operations below) for the parameters the app sends and their
neighbours; a parameter the spec does not list for an operation is unknown
(`parameter_unknown`), a value outside a spec enum is refused (`parameter_invalid_string` is
what Stripe answers for a string that fails its enum), an integer field takes ASCII digits
only (`parameter_invalid_integer`, so "52,50" fails), and `metadata` is a flat map of strings
(at most 50 keys of 40 characters, values of 500: Stripe's documented limits).

Only the operations listed in `SCHEMAS` are checked; any other path the fake serves (Billing,
added separately) passes through unchanged, so this layer is additive.

Schema notation: a dict is an object of named fields, `[x]` an array of `x`, `Enum(...)` a
string from a set, and the names STR, INT, BOOL, META, URL the scalar kinds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Enum:
    values: tuple[str, ...]


STR, INT, BOOL, META, URL = "string", "integer", "boolean", "metadata", "url"

#: spec3.json: PostCheckoutSessions.payment_method_types.items.enum
CHECKOUT_PAYMENT_METHOD_TYPES = Enum((
    "acss_debit", "affirm", "afterpay_clearpay", "alipay", "alma", "amazon_pay",
    "au_becs_debit", "bacs_debit", "bancontact", "billie", "blik", "boleto", "card", "cashapp",
    "crypto", "customer_balance", "eps", "fpx", "giropay", "grabpay", "ideal", "kakao_pay",
    "klarna", "konbini", "kr_card", "link", "mb_way", "mobilepay", "multibanco", "naver_pay",
    "nz_bank_account", "oxxo", "p24", "pay_by_bank", "payco", "paynow", "paypal", "pix",
    "promptpay", "revolut_pay", "samsung_pay", "satispay", "sepa_debit", "sofort", "swish",
    "twint", "us_bank_account", "wechat_pay", "zip"))

EXPAND = [STR]

_PRODUCT_DATA = {"name": STR, "description": STR, "images": [STR], "metadata": META,
                 "tax_code": STR, "unit_label": STR}
_PRICE_DATA = {"currency": STR, "product": STR, "product_data": _PRODUCT_DATA,
               "recurring": {"interval": Enum(("day", "week", "month", "year")),
                             "interval_count": INT},
               "tax_behavior": Enum(("exclusive", "inclusive", "unspecified")),
               "unit_amount": INT, "unit_amount_decimal": STR}
_LINE_ITEM = {"adjustable_quantity": {"enabled": BOOL, "maximum": INT, "minimum": INT},
              "dynamic_tax_rates": [STR], "metadata": META, "price": STR,
              "price_data": _PRICE_DATA, "quantity": INT, "tax_rates": [STR]}
_PAYMENT_INTENT_DATA = {
    "application_fee_amount": INT,
    "capture_method": Enum(("automatic", "automatic_async", "manual")),
    "description": STR, "metadata": META, "on_behalf_of": STR, "receipt_email": STR,
    "setup_future_usage": Enum(("off_session", "on_session")),
    "statement_descriptor": STR, "statement_descriptor_suffix": STR,
    "transfer_data": {"amount": INT, "destination": STR}, "transfer_group": STR}

#: (method, path pattern) -> the parameters that operation takes
SCHEMAS: dict[tuple[str, str], dict] = {
    # PostAccounts
    ("POST", r"/v1/accounts"): {
        "type": Enum(("custom", "express", "standard")), "country": STR, "email": STR,
        "metadata": META, "business_type": Enum(("company", "government_entity", "individual",
                                                 "non_profit")),
        "default_currency": STR, "expand": EXPAND,
        "capabilities": {name: {"requested": BOOL} for name in (
            "card_payments", "ideal_payments", "bancontact_payments", "sepa_debit_payments",
            "transfers")},
        "controller": {"fees": {"payer": Enum(("account", "application"))},
                       "losses": {"payments": Enum(("application", "stripe"))},
                       "requirement_collection": Enum(("application", "stripe")),
                       "stripe_dashboard": {"type": Enum(("express", "full", "none"))}},
    },
    # GetAccountsAccount
    ("GET", r"/v1/accounts/[^/]+"): {"expand": EXPAND},
    # PostAccountLinks
    ("POST", r"/v1/account_links"): {
        "account": STR, "refresh_url": URL, "return_url": URL,
        "type": Enum(("account_onboarding", "account_update")),
        "collect": Enum(("currently_due", "eventually_due")),
        "collection_options": {"fields": Enum(("currently_due", "eventually_due")),
                               "future_requirements": Enum(("include", "omit"))},
        "expand": EXPAND},
    # PostCheckoutSessions (the parameters of a one-off payment)
    ("POST", r"/v1/checkout/sessions"): {
        "mode": Enum(("payment", "setup", "subscription")),
        "payment_method_types": [CHECKOUT_PAYMENT_METHOD_TYPES],
        "line_items": [_LINE_ITEM], "client_reference_id": STR, "metadata": META,
        "payment_intent_data": _PAYMENT_INTENT_DATA, "success_url": URL, "cancel_url": URL,
        "customer": STR, "customer_email": STR, "currency": STR, "expand": EXPAND,
        "expires_at": INT, "locale": STR,
        # subscription mode (the platform's own plan: blueprints/billing)
        "subscription_data": {"metadata": META, "description": STR, "trial_period_days": INT,
                              "billing_cycle_anchor": INT},
        "discounts": [{"coupon": STR, "promotion_code": STR}],
        "submit_type": Enum(("auto", "book", "donate", "pay", "subscribe")),
        "ui_mode": Enum(("custom", "embedded", "hosted"))},
    # GetPaymentIntentsIntent
    ("GET", r"/v1/payment_intents/[^/]+"): {"client_secret": STR, "expand": EXPAND},
    # GetChargesCharge
    ("GET", r"/v1/charges/[^/]+"): {"expand": EXPAND},
    # GetBalanceTransactionsId
    ("GET", r"/v1/balance_transactions/[^/]+"): {"expand": EXPAND},
}

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class Refused(Exception):
    def __init__(self, code: str, param: str, message: str):
        super().__init__(message)
        self.code, self.param, self.message = code, param, message

    def body(self) -> dict:
        return {"error": {"type": "invalid_request_error", "code": self.code,
                          "param": self.param, "message": self.message,
                          "doc_url": f"https://stripe.com/docs/error-codes/"
                                     f"{self.code.replace('_', '-')}"}}


def schema_for(method: str, path: str) -> dict | None:
    for (m, pattern), schema in SCHEMAS.items():
        if m == method and re.fullmatch(pattern, path):
            return schema
    return None


def nest(params: dict[str, str]) -> dict:
    """Form keys (`a[b][0][c]`) into nested dicts; array indexes stay dict keys ("0")."""
    root: dict = {}
    for key, value in params.items():
        match = _KEY.match(key)
        if not match:
            raise Refused("parameter_invalid", key, f"Invalid parameter name: {key}")
        parts = [match.group(1)] + re.findall(r"\[([^\[\]]*)\]", match.group(2))
        node = root
        for i, part in enumerate(parts[:-1]):
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise Refused("parameter_invalid", _name(parts[:i + 1]),
                              f"Invalid object: {_name(parts[:i + 1])}")
            node = nxt
        if isinstance(node.get(parts[-1]), dict):
            raise Refused("parameter_invalid", key, f"Invalid value for {key}")
        node[parts[-1]] = value
    return root


def _name(parts: list[str]) -> str:
    if not parts:
        return ""
    return parts[0] + "".join(f"[{p}]" for p in parts[1:])


def check(schema, value, path: list[str]) -> None:
    name = _name(path)
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise Refused("parameter_invalid", name, f"Invalid object: {name}")
        for key, sub in value.items():
            if key not in schema:
                raise Refused("parameter_unknown", _name(path + [key]),
                              f"Received unknown parameter: {_name(path + [key])}")
            check(schema[key], sub, path + [key])
    elif isinstance(schema, list):
        if value == "":  # Stripe's way of sending an empty list
            return
        if not isinstance(value, dict) or not all(k.isascii() and k.isdigit() for k in value):
            raise Refused("parameter_invalid", name, f"Invalid array: {name}")
        for key in sorted(value, key=int):
            check(schema[0], value[key], path + [key])
    elif isinstance(schema, Enum):
        if not isinstance(value, str) or value not in schema.values:
            raise Refused("parameter_invalid_string", name,
                          f"Invalid {name}: must be one of {', '.join(schema.values)}")
    elif schema == INT:
        if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]+", value):
            raise Refused("parameter_invalid_integer", name, f"Invalid integer: {value!r}")
    elif schema == BOOL:
        if value not in ("true", "false"):
            raise Refused("parameter_invalid", name, f"Invalid boolean: {value!r}")
    elif schema == META:
        if value == "":
            return
        if not isinstance(value, dict):
            raise Refused("parameter_invalid", name, "Invalid metadata: must be a hash")
        if len(value) > 50:
            raise Refused("parameter_invalid", name, "Metadata may have at most 50 keys")
        for key, sub in value.items():
            if not isinstance(sub, str):
                raise Refused("parameter_invalid", _name(path + [key]),
                              f"Invalid value type: {_name(path + [key])} must be a string")
            if len(key) > 40 or len(sub) > 500:
                raise Refused("parameter_invalid", _name(path + [key]),
                              "Metadata keys are at most 40 characters, values at most 500")
    elif schema == URL:
        if not isinstance(value, str) or not re.match(r"^https?://[^\s]+$", value):
            raise Refused("url_invalid", name, f"Not a valid URL: {name}")
    else:  # STR
        if not isinstance(value, str):
            raise Refused("parameter_invalid", name, f"Invalid string: {name}")


def validate(method: str, path: str, params: dict[str, str]) -> Refused | None:
    """None when Stripe would accept the call's parameters, else why it would not."""
    schema = schema_for(method, path)
    if schema is None:
        return None
    try:
        check(schema, nest(params), [])
    except Refused as refused:
        return refused
    return None
