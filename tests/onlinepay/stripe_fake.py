"""A local Stripe: an HTTP server on 127.0.0.1 that speaks the few API calls the app makes,
records them (form parameters and the Stripe-Account and Idempotency-Key headers), and
answers like Stripe, idempotency included. The real `stripe` library talks to it; no request
leaves the machine."""
from __future__ import annotations

import itertools
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from tests.onlinepay import stripe_params


#: Stripe's fee on a payment unless a test sets one (iDEAL in the Netherlands: € 0,29)
DEFAULT_FEE = 29


@dataclass
class Call:
    method: str
    path: str
    params: dict
    stripe_account: str | None
    idempotency_key: str | None
    api_key: str | None


@dataclass
class FakeStripe:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    accounts: dict[str, dict] = field(default_factory=dict)
    #: the platform's own Billing objects (the subscription: tests/billing)
    customers: dict[str, dict] = field(default_factory=dict)
    subscriptions: dict[str, dict] = field(default_factory=dict)
    #: Stripe's fee per payment intent id (cents); any other intent: DEFAULT_FEE
    fees: dict[str, int] = field(default_factory=dict)
    #: answer the next calls with this HTTP status (an outage), then normally again
    fail: int | None = None
    _answers: dict = field(default_factory=dict)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Billing ids are unique across servers, like Stripe's (the test database is shared)
    _tag: str = field(default_factory=lambda: secrets.token_hex(4))

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]

    # --- the API -----------------------------------------------------------------------------

    def answer(self, call: Call) -> tuple[int, dict]:
        with self._lock:
            self.calls.append(call)
            if self.fail:
                return self.fail, {"error": {"type": "api_error", "message": "down"}}
            refused = stripe_params.validate(call.method, call.path, call.params)
            if refused is not None:  # what Stripe refuses, before anything else
                return 400, refused.body()
            if call.idempotency_key and (call.path, call.idempotency_key) in self._answers:
                return 200, self._answers[(call.path, call.idempotency_key)]
            status, body = self._route(call)
            if call.idempotency_key and status == 200:
                self._answers[(call.path, call.idempotency_key)] = body
            return status, body

    def _route(self, call: Call) -> tuple[int, dict]:
        p = call.params
        n = next(self._seq)
        if call.method == "POST" and call.path == "/v1/accounts":
            account = {"id": f"acct_fake{n}", "object": "account", "type": p.get("type"),
                       "country": p.get("country"), "email": p.get("email"),
                       "charges_enabled": False,
                       "metadata": {k[9:-1]: v for k, v in p.items()
                                    if k.startswith("metadata[")}}
            self.accounts[account["id"]] = account
            return 200, account
        if call.method == "GET" and call.path.startswith("/v1/accounts/"):
            account = self.accounts.get(call.path.rsplit("/", 1)[1])
            if account is None:
                return 404, {"error": {"type": "invalid_request_error",
                                       "message": "No such account"}}
            return 200, account
        if call.method == "POST" and call.path == "/v1/account_links":
            return 200, {"object": "account_link", "expires_at": 2000000000,
                         "url": f"https://connect.stripe.com/setup/s/{p.get('account')}/{n}"}
        if call.method == "POST" and call.path == "/v1/checkout/sessions" \
                and p.get("mode") == "subscription":
            return 200, {"id": f"cs_test_sub{self._tag}{n}", "object": "checkout.session",
                         "url": f"https://checkout.stripe.com/c/pay/cs_test_sub{self._tag}{n}",
                         "mode": "subscription", "customer": p.get("customer"),
                         "payment_status": "unpaid", "status": "open",
                         "metadata": _nested(p, "metadata")}
        billing = self._billing(call, n)
        if billing is not None:
            return billing
        if call.method == "POST" and call.path == "/v1/checkout/sessions":
            return 200, {"id": f"cs_test_fake{n}", "object": "checkout.session",
                         "url": f"https://checkout.stripe.com/c/pay/cs_test_fake{n}",
                         "mode": p.get("mode"), "payment_status": "unpaid",
                         "amount_total": int(p.get("line_items[0][price_data][unit_amount]", 0)),
                         "currency": p.get("line_items[0][price_data][currency]"),
                         "metadata": {k[9:-1]: v for k, v in p.items()
                                      if k.startswith("metadata[")}}
        if call.method == "GET" and call.path.startswith("/v1/payment_intents/"):
            return 200, self._payment_intent(call)
        return 404, {"error": {"type": "invalid_request_error", "message": "Unknown path"}}

    def _payment_intent(self, call: Call) -> dict:
        """A succeeded PaymentIntent; its charge and balance transaction expanded when asked
        (`expand[]=latest_charge.balance_transaction`), ids otherwise, as Stripe does."""
        intent = call.path.rsplit("/", 1)[1]
        fee = self.fees.get(intent, DEFAULT_FEE)
        expand = {v for k, v in call.params.items() if k.startswith("expand[")}
        transaction: dict | str = {"id": f"txn_{intent}", "object": "balance_transaction",
                                   "amount": 4840, "fee": fee, "net": 4840 - fee,
                                   "currency": "eur"}
        charge: dict | str = {"id": f"ch_{intent}", "object": "charge",
                              "payment_intent": intent,
                              "balance_transaction": transaction
                              if "latest_charge.balance_transaction" in expand
                              else f"txn_{intent}"}
        if not expand & {"latest_charge", "latest_charge.balance_transaction"}:
            charge = f"ch_{intent}"
        return {"id": intent, "object": "payment_intent", "status": "succeeded",
                "latest_charge": charge}


    def _billing(self, call: Call, n: int) -> tuple[int, dict] | None:
        """Customers, subscriptions and the customer portal of the platform account."""
        p = call.params
        if call.method == "POST" and call.path == "/v1/customers":
            customer = {"id": f"cus_fake{self._tag}{n}", "object": "customer", "name": p.get("name"),
                        "email": p.get("email"), "metadata": _nested(p, "metadata")}
            self.customers[customer["id"]] = customer
            return 200, customer
        if call.method == "POST" and call.path.startswith("/v1/customers/"):
            customer = self.customers.get(call.path.rsplit("/", 1)[1])
            if customer is None:
                return 404, {"error": {"type": "invalid_request_error",
                                       "message": "No such customer"}}
            customer.update(email=p.get("email", customer.get("email")),
                            invoice_settings={"custom_fields": [{
                                "name": p.get("invoice_settings[custom_fields][0][name]"),
                                "value": p.get("invoice_settings[custom_fields][0][value]")}]})
            return 200, customer
        if call.method == "POST" and call.path == "/v1/subscriptions":
            if p.get("customer") not in self.customers:
                return 400, {"error": {"type": "invalid_request_error",
                                       "message": "No such customer"}}
            subscription = subscription_object(
                f"sub_fake{self._tag}{n}", p.get("customer"), p.get("items[0][price]"), "active",
                metadata=_nested(p, "metadata"), collection_method=p.get("collection_method"))
            self.subscriptions[subscription["id"]] = subscription
            return 200, subscription
        if call.method == "GET" and call.path.startswith("/v1/subscriptions/"):
            subscription = self.subscriptions.get(call.path.rsplit("/", 1)[1])
            if subscription is None:
                return 404, {"error": {"type": "invalid_request_error",
                                       "message": "No such subscription"}}
            return 200, subscription
        if call.method == "POST" and call.path == "/v1/billing_portal/sessions":
            if p.get("customer") not in self.customers:
                return 400, {"error": {"type": "invalid_request_error",
                                       "message": "No such customer"}}
            return 200, {"id": f"bps_fake{n}", "object": "billing_portal.session",
                         "customer": p.get("customer"), "return_url": p.get("return_url"),
                         "url": f"https://billing.stripe.com/p/session/test_fake{n}"}
        return None


def _nested(params: dict, name: str) -> dict:
    prefix = f"{name}["
    return {k[len(prefix):-1]: v for k, v in params.items()
            if k.startswith(prefix) and k.endswith("]") and "][" not in k}


def subscription_object(sub_id: str, customer: str, price: str | None, status: str, *,
                        unit_amount: int = 4900, period_end: int = 1798761600,
                        metadata: dict | None = None, collection_method: str | None = None,
                        cancellation_reason: str | None = None) -> dict:
    """A subscription in Stripe's shape (API 2025: the period on the item)."""
    return {"id": sub_id, "object": "subscription", "customer": customer, "status": status,
            "collection_method": collection_method or "charge_automatically",
            "metadata": metadata or {},
            "cancellation_details": {"reason": cancellation_reason},
            "items": {"object": "list", "data": [{
                "id": f"si_{sub_id}", "object": "subscription_item", "quantity": 1,
                "current_period_end": period_end,
                "price": {"id": price, "object": "price", "currency": "eur",
                          "unit_amount": unit_amount,
                          "recurring": {"interval": "month", "interval_count": 1}}}]}}


def serve() -> tuple[FakeStripe, ThreadingHTTPServer]:
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            params = dict(parse_qsl(body if method == "POST" else query, keep_blank_values=True))
            auth = self.headers.get("Authorization") or ""
            status, answer = fake.answer(Call(
                method, path, params, self.headers.get("Stripe-Account"),
                self.headers.get("Idempotency-Key"),
                auth[7:] if auth.startswith("Bearer ") else None))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_fake_{id(answer)}")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server's names
            self._handle("GET")

        def do_POST(self):  # noqa: N802
            self._handle("POST")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
