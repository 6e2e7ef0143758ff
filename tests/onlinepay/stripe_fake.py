"""A local Stripe: an HTTP server on 127.0.0.1 that speaks the few API calls the app makes,
records them (form parameters and the Stripe-Account and Idempotency-Key headers), and
answers like Stripe, idempotency included. The real `stripe` library talks to it; no request
leaves the machine."""
from __future__ import annotations

import itertools
import json
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
    #: Stripe's fee per payment intent id (cents); any other intent: DEFAULT_FEE
    fees: dict[str, int] = field(default_factory=dict)
    #: answer the next calls with this HTTP status (an outage), then normally again
    fail: int | None = None
    _answers: dict = field(default_factory=dict)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

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
