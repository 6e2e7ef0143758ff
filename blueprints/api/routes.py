"""The API-token page (`/account/api-tokens`, a login session) and the JSON API (`/api/v1/`).

The API authenticates with `Authorization: Bearer <token>` only. The session cookie is never a
credential here: before anything else, the request's user is set to anonymous, so neither the
views nor the app's hooks load the cookie's user. The API uses no cookies, so it is exempt
from CSRF. Every API view runs inside the token's tenant, like a tenant blueprint's: the
token's tenant and user are set before any tenant query, the slug in the URL must name that
tenant (404 otherwise, the same answer as for an unknown tenant), and the membership's role is
read live (403 below supervisor; below admin for the views marked `admin_only`: invoices,
customers, budgets). Errors are JSON, `{"error": {"code", "message"}}`, in Dutch, and no API
response may be cached.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from math import ceil

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from blueprints.api import openapi, services
from blueprints.api.forms import CreateTokenForm, RevokeTokenForm
from blueprints.auth import services as auth_services
from blueprints.budgets import lists as budget_lists
from blueprints.budgets import services as budget_services
from blueprints.customers.models import Customer, CustomerKind
from blueprints.invoicing import money
from blueprints.invoicing import services as invoicing_services
from blueprints.invoicing.document import invoice_document
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, LineUnit
from blueprints.invoicing.pdf import file_name as pdf_file_name
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.ubl import problems as ubl_problems
from blueprints.invoicing.ubl import render_ubl, ubl_file_name
from blueprints.participants import services as participant_services
from blueprints.participants.models import ParticipantStatus
from blueprints.trajectories import services as trajectory_services
from tenants import audit, throttle
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.extensions import csrf, db, limiter, login_manager
from tenants.identity import sha256
from tenants.models import Role
from tenants.tenancy import set_tenant
from tenants.web import current_actor, get_or_404

API_PREFIX = "/api/v1"
API_LOCALE = "nl"
API_ROLE = Role.SUPERVISOR
MAX_ID = (1 << 63) - 1

NOT_FOUND = _l("Dit bestaat niet, of u heeft er geen toegang toe.")
MISSING_TOKEN = _l("Stuur uw API-sleutel mee in de header 'Authorization: Bearer <sleutel>'.")

tokens_bp = Blueprint("api_tokens", __name__)
bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)


# --- the token page ---------------------------------------------------------------------------

def _refused_page(status: int, message, reason: str):
    """Log refused access, then answer with the error page and `message`."""
    audit.record_security(db.session, "access.refused", user_id=current_user.id,
                          email=current_user.email, ip=request.remote_addr, path=request.path,
                          status=status, reason=reason)
    db.session.commit()
    return render_template("error.html", code=status, message=message), status


def _tokens_page(form: CreateTokenForm, status: int = 200):
    return render_template(
        "api/tokens.html", form=form, listings=services.tokens_of(db.session, current_user),
        now=utcnow(), can_create=bool(form.tenant.choices),
    ), status


@tokens_bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = CreateTokenForm()
    form.tenant.choices = [(str(m.tenant_id), m.tenant.name)
                           for m in services.eligible_memberships(db.session, current_user)]
    if request.method == "GET" or not form.validate_on_submit():
        return _tokens_page(form, 200 if request.method == "GET" else 400)
    days = int(form.lifetime.data)
    tenant_id = int(form.tenant.data) if form.tenant.data.isdigit() else 0
    try:
        token, tenant, value = services.create_token(
            db.session, current_actor(), current_user, tenant_id, form.name.data,
            lifetime=timedelta(days=days))
    except NotFound as exc:
        db.session.rollback()
        return _refused_page(404, exc.message, "api token for a tenant of someone else")
    except PermissionDenied as exc:
        db.session.rollback()
        return _refused_page(403, exc.message, "api token for a role below supervisor")
    except DomainError as exc:
        db.session.rollback()
        form.name.errors.append(exc.message)
        return _tokens_page(form, 400)
    # Read before the commit: afterwards the row is expired, and outside its tenant it cannot
    # be loaded again (row-level security).
    shown = {"name": token.name, "expires_at": token.expires_at, "tenant": tenant.name}
    auth_services.factor_changed(db.session, current_actor(), current_user, "api.token_created",
                                 keep_token=session.get("sid"))
    db.session.commit()
    return render_template("api/token_created.html", token=shown, value=value)


@tokens_bp.route("/account/api-tokens/<int:token_id>/intrekken", methods=["POST"])
@login_required
def revoke(token_id: int):
    if not RevokeTokenForm().validate_on_submit():
        return redirect(url_for("api_tokens.tokens"))
    if token_id > MAX_ID:
        abort(404)
    try:
        token = services.revoke_token(db.session, current_actor(), current_user, token_id)
    except NotFound:
        db.session.rollback()
        abort(404)
    name = token.name  # before the commit: see tokens()
    db.session.commit()
    flash(_("De API-sleutel %(name)s is ingetrokken.", name=name), "success")
    return redirect(url_for("api_tokens.tokens"))


# --- API plumbing: errors, no caching, no cookie --------------------------------------------

def _is_api_path() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def json_error(status: int, code: str, message, headers: dict | None = None):
    """A JSON error answer; the message is Dutch, whatever language a cookie asks for."""
    with force_locale(API_LOCALE):
        text = str(message)
    response = jsonify({"error": {"code": code, "message": text}})
    response.status_code = status
    if status == 401:
        challenge = 'Bearer realm="wijkwerk"'
        if code != "missing_token":
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


HTTP_ERRORS = {
    400: ("bad_request", _l("Het verzoek klopt niet.")),
    404: ("not_found", NOT_FOUND),
    405: ("method_not_allowed", _l("Deze methode is hier niet toegestaan.")),
    429: ("rate_limited", _l("Te veel verzoeken met deze sleutel. Wacht even en probeer het "
                             "dan opnieuw.")),
}


def _http_error(exc: HTTPException):
    db.session.rollback()
    code, message = HTTP_ERRORS.get(exc.code, ("error", _l("Dit verzoek lukte niet.")))
    headers = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    # A 429 gets Retry-After and the X-RateLimit headers from Flask-Limiter's after_request.
    return json_error(exc.code or 500, code, message, headers)


def _unexpected_error(exc: Exception):
    current_app.logger.exception("Unhandled API error on %s %s", request.method, request.path)
    db.session.rollback()
    return json_error(500, "internal_error",
                      _l("Er ging iets mis aan onze kant. Probeer het later opnieuw."))


bp.register_error_handler(HTTPException, _http_error)
bp.register_error_handler(Exception, _unexpected_error)


@bp.before_app_request
def _api_routing_errors():
    """A URL under /api/v1/ that matches no API route still answers in JSON."""
    if not _is_api_path():
        return None
    g._login_user = login_manager.anonymous_user()  # the cookie is no credential here
    exc = request.routing_exception
    if exc is None or isinstance(exc, RequestRedirect):
        return None
    return _http_error(exc)


@bp.after_app_request
def _no_store(response):
    if _is_api_path():
        response.headers["Cache-Control"] = "no-store"
    return response


# --- API plumbing: rate limits ---------------------------------------------------------------

def _bearer() -> str | None:
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _limit_key() -> str:
    """Per token (by its hash: no secret in the limiter's storage); per address without one."""
    value = _bearer()
    return f"api-token:{sha256(value)[:32]}" if value else f"api-ip:{get_remote_address()}"


limiter.shared_limit(lambda: current_app.config.get("LIMIT_API", "300 per minute"),
                     scope="api", key_func=_limit_key)(bp)
# Guessing tokens costs as much as guessing passwords: refused tokens count per address
# (tenants.throttle), and only refused tokens are answered 429, never a valid one.


# --- API plumbing: authentication and tenancy ------------------------------------------------

def public(view):
    """Mark an API view as open without a token (the OpenAPI document)."""
    view._public_api_view = True
    return view


def admin_only(view):
    """Mark an API view as open to admins only (invoices, customers, budgets): a supervisor's
    token gets 403, like a participant's everywhere. The role is read live on every call."""
    view._api_role = Role.ADMIN
    return view


def _log_refused(action: str, status: int, reason: str, user_id=None, email=None) -> None:
    audit.record_security(db.session, action, user_id=user_id, email=email,
                          ip=request.remote_addr, path=request.path, status=status,
                          reason=reason)
    db.session.commit()


@bp.url_value_preprocessor
def _pull_tenant_slug(endpoint, values):
    if values is not None:
        g.api_tenant_slug = values.pop("tenant_slug", None)


@bp.before_request
def _authenticate():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "_public_api_view", False):
        return None
    value = _bearer()
    if value is None:
        return json_error(401, "missing_token", MISSING_TOKEN)
    with force_locale(API_LOCALE):
        try:
            access = services.authenticate(db.session, value)
        except services.TokenRejected as exc:
            db.session.rollback()
            _log_refused("api.token_refused", 401, exc.reason)
            if throttle.api_token_refused(request.remote_addr):
                return json_error(429, *HTTP_ERRORS[429], {"Retry-After": "60"})
            return json_error(401, exc.code, exc.message)
        user_id, email = access.user.id, access.user.email
        slug = g.get("api_tenant_slug")
        if slug is not None and slug != access.tenant.slug:
            db.session.rollback()
            set_tenant(db.session, None)
            _log_refused("access.refused", 404, "api token of another tenant", user_id, email)
            return json_error(404, "not_found", NOT_FOUND)
        role = getattr(view, "_api_role", API_ROLE)
        try:
            services.require_role(access, role)
        except PermissionDenied as exc:
            db.session.rollback()
            set_tenant(db.session, None)
            _log_refused("access.refused", 403, f"api needs role {role.value}", user_id,
                         email)
            return json_error(403, "forbidden", exc.message)
    g.api = access
    g.api_actor = Actor(user_id=user_id, email=email, ip=request.remote_addr)
    g.tenant = access.tenant
    if db.session.dirty:
        db.session.commit()  # the token's last use
    return None


def _actor() -> Actor:
    return g.api_actor


class InvalidParameter(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@bp.errorhandler(InvalidParameter)
def _invalid_parameter(exc: InvalidParameter):
    return json_error(400, "invalid_parameter",
                      _l("De parameter %(name)s heeft een ongeldige waarde.", name=exc.name))


def _load_participant(participant_id: int):
    if participant_id > MAX_ID:
        abort(404)
    try:
        return participant_services.get_participant(db.session, participant_id)
    except NotFound:
        abort(404)


# --- API: representations ---------------------------------------------------------------------
# Ids are strings: they are 63-bit, more than a JavaScript number holds exactly.

def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _ref(object_id, name) -> dict | None:
    return {"id": str(object_id), "name": name} if object_id else None


def _participant_summary(row, today: date) -> dict:
    p = row.participant
    return {
        "id": str(p.id), "first_name": p.first_name, "last_name": p.last_name,
        "status": p.status.value,
        "neighbourhood": _ref(p.neighbourhood_id, row.neighbourhood),
        "supervisor": _ref(p.supervisor_id, row.supervisor),
        "target_groups": participant_services.target_groups(p, today),
    }


def _participant_detail(file: services.ParticipantFile, today: date) -> dict:
    p = file.participant
    municipality = file.municipality
    return {
        "id": str(p.id), "first_name": p.first_name, "last_name": p.last_name,
        "status": p.status.value, "date_of_birth": _day(p.date_of_birth), "age": p.age_on(today),
        "address": {"street": p.street, "postcode": p.postcode, "city": p.city},
        "neighbourhood": _ref(p.neighbourhood_id, file.neighbourhood),
        "phone": p.phone, "email": p.email,
        "target_groups": participant_services.target_groups(p, today),
        "supervisor": _ref(p.supervisor_id, file.supervisor),
        "emergency_contact": {"name": p.emergency_name, "relation": p.emergency_relation,
                              "phone": p.emergency_phone},
        "skills": list(p.skills or []), "languages": list(p.languages or []),
        "availability": {"hours_per_week": p.available_hours,
                         "days": list(p.available_days or [])},
        "vog": {"present": p.vog_present, "date": _day(p.vog_date),
                "renewal_due": _day(p.vog_renewal_due)},
        "benefit": p.benefit.value,
        "paying_municipality": {"cbs_code": municipality.cbs_code, "name": municipality.name}
        if municipality else None,
        "notes": p.notes,
        "has_account": p.user_id is not None,
        "exemptions": [{
            "id": str(e.id), "article": e.article, "obligations": list(e.obligations or []),
            "starts_on": _day(e.starts_on), "ends_on": _day(e.ends_on),
            "review_on": _day(e.review_on), "decided_by": e.decided_by,
        } for e in file.exemptions],
        "consents": [{
            "id": str(c.id), "kind": c.kind, "recipient": c.recipient,
            "given_on": _day(c.given_on), "withdrawn_on": _day(c.withdrawn_on),
        } for c in file.consents],
        "created_at": _moment(p.created_at),
    }


def _trajectory(t, hosts: dict, coaches: dict) -> dict:
    return {
        "id": str(t.id), "kind": t.kind.value, "status": t.status.value,
        "funding": t.funding.value, "starts_on": _day(t.starts_on),
        "planned_end_on": _day(t.planned_end_on), "hours_per_week": float(t.hours_per_week),
        "build_up": [{"from": step["from"], "hours": float(step["hours"])}
                     for step in (t.build_up or [])],
        "host_organisation": _ref(t.host_organisation_id, hosts.get(t.host_organisation_id)),
        "job_coach": _ref(t.job_coach_id, coaches.get(t.job_coach_id)),
        "agreement_signed_on": _day(t.agreement_signed_on),
        "outcome": t.outcome.value if t.outcome else None, "outcome_on": _day(t.outcome_on),
        "created_at": _moment(t.created_at),
    }


# --- API: views --------------------------------------------------------------------------------

@bp.route("/openapi.json")
@public
def openapi_document():
    return jsonify(openapi.document())


@bp.route("/me")
def me():
    access = g.api
    return jsonify({"data": {
        "user": {"id": str(access.user.id), "name": access.user.name,
                 "email": access.user.email},
        "tenant": {"id": str(access.tenant.id), "slug": access.tenant.slug,
                   "name": access.tenant.name},
        "role": access.membership.role.value,
        "token": {"id": str(access.token.id), "name": access.token.name,
                  "created_at": _moment(access.token.created_at),
                  "expires_at": _moment(access.token.expires_at)},
    }})


STATUSES = {s.value for s in ParticipantStatus}


def _participant_filter() -> tuple[participant_services.ParticipantFilter, int]:
    args = request.args
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        raise InvalidParameter("status")
    wijk = args.get("wijk") or None
    if wijk is not None and not (wijk.isdigit() and int(wijk) <= MAX_ID):
        raise InvalidParameter("wijk")
    page = args.get("page") or "1"
    if not (page.isdigit() and 1 <= int(page) <= 100_000):
        raise InvalidParameter("page")
    q = (args.get("q") or "").strip()
    if len(q) > 100:
        raise InvalidParameter("q")
    return participant_services.ParticipantFilter(
        q=q or None, status=status, neighbourhood_id=int(wijk) if wijk else None), int(page)


@bp.route("/<slug:tenant_slug>/participants")
def participants():
    f, page = _participant_filter()
    per_page = participant_services.PAGE_SIZE
    rows, total = participant_services.list_participants(db.session, f, page=page,
                                                         per_page=per_page)
    today = date.today()
    return jsonify({
        "data": [_participant_summary(row, today) for row in rows],
        "meta": {"page": page, "per_page": per_page, "total": total,
                 "pages": max(1, ceil(total / per_page))},
    })


@bp.route("/<slug:tenant_slug>/participants/<int:participant_id>")
def participant(participant_id: int):
    person = _load_participant(participant_id)
    data = _participant_detail(services.participant_file(db.session, person), date.today())
    participant_services.record_view(db.session, _actor(), person, "api")
    db.session.commit()
    return jsonify({"data": data})


@bp.route("/<slug:tenant_slug>/participants/<int:participant_id>/trajectories")
def participant_trajectories(participant_id: int):
    person = _load_participant(participant_id)
    rows = trajectory_services.trajectories_of(db.session, person)
    hosts, coaches = services.names_for_trajectories(db.session, rows)
    data = [_trajectory(t, hosts, coaches) for t in rows]
    participant_services.record_view(db.session, _actor(), person, "api trajectories")
    db.session.commit()
    return jsonify({"data": data})


# --- API: invoices, customers and budgets (admins only) ---------------------------------------
# Amounts are integer cents; a credit note's amounts are positive, as on the document (its kind
# says it is a credit). Links are paths on this server, under the API (usable with the token).

INVOICE_STATUSES = {s.value: s for s in InvoiceStatus}
INVOICE_KINDS = {k.value: k for k in InvoiceKind}
CUSTOMER_KINDS = {k.value: k for k in CustomerKind}
FIRST_YEAR = 2000


def _page_arg() -> int:
    page = request.args.get("page") or "1"
    if not (page.isdigit() and 1 <= int(page) <= 100_000):
        raise InvalidParameter("page")
    return int(page)


def _meta(page: int, per_page: int, total: int) -> dict:
    return {"page": page, "per_page": per_page, "total": total,
            "pages": max(1, ceil(total / per_page))}


def _choice_arg(name: str, choices: dict):
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        raise InvalidParameter(name)
    return choices[value] if value is not None else None


def _id_arg(name: str) -> int | None:
    value = request.args.get(name) or None
    if value is None:
        return None
    if not (value.isdigit() and int(value) <= MAX_ID):
        raise InvalidParameter(name)
    return int(value)


def _year_arg(last: int, default: int | None = None) -> int | None:
    value = request.args.get("year") or None
    if value is None:
        return default
    if not (value.isdigit() and len(value) == 4 and FIRST_YEAR <= int(value) <= last):
        raise InvalidParameter("year")
    return int(value)


def _date_arg(name: str) -> date | None:
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(name) from None


def _moment_arg(name: str) -> datetime | None:
    """An ISO 8601 moment; without an offset it is UTC, a date alone is midnight UTC."""
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    # A '+' of the offset that was not URL-encoded arrives as a space.
    value = value.replace(" ", "+")
    try:
        if len(value) > 40:
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _load_invoice(invoice_id: int) -> Invoice:
    if invoice_id > MAX_ID:
        abort(404)
    return get_or_404(Invoice, invoice_id)


def _invoice_links(invoice: Invoice) -> dict:
    slug = g.tenant.slug
    sent = invoice.status != InvoiceStatus.DRAFT
    return {
        "self": url_for("api.invoice", tenant_slug=slug, invoice_id=invoice.id),
        "pdf": url_for("api.invoice_pdf", tenant_slug=slug, invoice_id=invoice.id)
        if sent else None,
        "ubl": url_for("api.invoice_ubl", tenant_slug=slug, invoice_id=invoice.id)
        if services.ubl_offered(invoice) else None,
    }


def _invoice_summary(invoice: Invoice, customer_name: str, today: date) -> dict:
    sent = invoice.status != InvoiceStatus.DRAFT
    return {
        "id": str(invoice.id), "number": invoice.number_text if sent else None,
        "kind": invoice.kind.value, "status": invoice.status.value,
        "customer": {"id": str(invoice.customer_id), "name": customer_name},
        "issue_date": _day(invoice.issue_date), "due_date": _day(invoice.due_date),
        "period": {"start": _day(invoice.period_start), "end": _day(invoice.period_end)},
        "totals": {
            "excl_cents": invoice.total_excl_cents, "vat_cents": invoice.total_vat_cents,
            "incl_cents": invoice.total_incl_cents, "paid_cents": invoice.paid_cents,
            "credited_cents": invoice.credited_cents,
            "open_cents": invoicing_services.open_cents(invoice),
        },
        "currency": "EUR",
        "overdue": invoicing_services.is_overdue(invoice, today),
        "credits_invoice_id": str(invoice.credits_invoice_id)
        if invoice.credits_invoice_id else None,
        "links": _invoice_links(invoice),
    }


def _invoice_detail(view: invoicing_services.InvoiceView, today: date) -> dict:
    data = _invoice_summary(view.invoice, view.customer.name, today)
    # In the order of the page, the PDF and the UBL: grouped by job, other lines last.
    lines = [line for group in view.groups for line in group.lines]
    data.update({
        "buyer_reference": view.invoice.buyer_reference,
        "order_reference": view.invoice.order_reference,
        "lines": [{
            "position": n, "description": line.description,
            "quantity": format(money.quantity(line.quantity), "f"),
            "unit": LineUnit(line.unit).value, "unit_price_cents": line.unit_price_cents,
            "vat_rate": line.vat_rate, "net_cents": line.net_cents,
            "supply_date": _day(line.supply_date),
            "participant_id": str(line.participant_id) if line.participant_id else None,
        } for n, line in enumerate(lines, start=1)],
        "vat_breakdown": [{
            "vat_rate": rate.rate.value, "percent": f"{rate.rate.percent:.2f}",
            "base_cents": rate.base_cents, "vat_cents": rate.vat_cents,
            "mention": rate.rate.mention,
        } for rate in view.totals.per_rate],
        "payments": [{
            "id": str(p.id), "date": _day(p.paid_on), "amount_cents": p.amount_cents,
            "method": p.method.value, "reference": p.reference,
        } for p in view.payments],
        "credit_notes": [{"id": str(c.id), "number": c.number_text}
                         for c in view.credit_notes if c.status != InvoiceStatus.DRAFT],
    })
    return data


def _invoice_query() -> services.InvoiceQuery:
    return services.InvoiceQuery(
        status=_choice_arg("status", INVOICE_STATUSES),
        kind=_choice_arg("kind", INVOICE_KINDS),
        year=_year_arg(2100),
        customer_id=_id_arg("customer_id"),
        issued_since=_date_arg("issued_since"),
        updated_since=_moment_arg("updated_since"))


@bp.route("/<slug:tenant_slug>/invoices")
@admin_only
def invoices():
    f, page = _invoice_query(), _page_arg()
    per_page = services.INVOICE_PAGE_SIZE
    rows, total = services.list_invoices(db.session, f, page=page, per_page=per_page)
    today = date.today()
    return jsonify({"data": [_invoice_summary(i, name, today) for i, name in rows],
                    "meta": _meta(page, per_page, total)})


@bp.route("/<slug:tenant_slug>/invoices/<int:invoice_id>")
@admin_only
def invoice(invoice_id: int):
    view = invoicing_services.invoice_view(db.session, _load_invoice(invoice_id))
    return jsonify({"data": _invoice_detail(view, date.today())})


@bp.route("/<slug:tenant_slug>/invoices/<int:invoice_id>/pdf")
@admin_only
def invoice_pdf(invoice_id: int):
    """The PDF of a sent invoice or credit note (a draft has none here: 404)."""
    invoice = _load_invoice(invoice_id)
    if invoice.status == InvoiceStatus.DRAFT:
        abort(404)
    data = render_invoice_pdf(db.session, invoice)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{pdf_file_name(invoice)}"'})


@bp.route("/<slug:tenant_slug>/invoices/<int:invoice_id>/ubl")
@admin_only
def invoice_ubl(invoice_id: int):
    """The e-invoice (SI-UBL 2.0) of a sent invoice or credit note. A draft: 404. A customer
    that cannot receive one (no OIN or KvK), or details missing when it was sent: 422."""
    invoice = _load_invoice(invoice_id)
    if invoice.status == InvoiceStatus.DRAFT:
        abort(404)
    with force_locale(API_LOCALE):
        try:
            data = render_ubl(db.session, invoice)
        except DomainError as exc:
            found = ubl_problems(invoice_document(db.session, invoice))
            return json_error(422, "ubl_unavailable", " ".join(found) or exc.message)
    return Response(data, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{ubl_file_name(invoice)}"'})


def _customer(c: Customer) -> dict:
    """What bookkeeping needs of a customer; no e-mail address or phone number (data
    minimisation)."""
    return {
        "id": str(c.id), "kind": c.kind.value, "name": c.name, "city": c.city,
        "kvk_number": c.kvk_number, "oin": c.oin, "vat_id": c.vat_id,
        "buyer_reference": c.buyer_reference, "wants_ubl": bool(c.wants_ubl),
        "archived": c.archived_at is not None,
    }


BOOLEANS = {"true": True, "false": False}


@bp.route("/<slug:tenant_slug>/customers")
@admin_only
def customers():
    f = services.CustomerQuery(kind=_choice_arg("kind", CUSTOMER_KINDS),
                               archived=_choice_arg("archived", BOOLEANS))
    page = _page_arg()
    per_page = services.CUSTOMER_PAGE_SIZE
    rows, total = services.list_customers(db.session, f, page=page, per_page=per_page)
    return jsonify({"data": [_customer(c) for c in rows], "meta": _meta(page, per_page, total)})


@bp.route("/<slug:tenant_slug>/budgets")
@admin_only
def budgets():
    year = _year_arg(date.today().year + 1, default=date.today().year)
    page = _page_arg()
    rows, total = budget_lists.overview(db.session, year, page=page)
    pool = budget_lists.pool_balance(db.session)
    data = [{"participant_id": str(r.participant.id), "balance_cents": r.balance,
             "earned_cents": r.earned, "spent_cents": r.spent} for r in rows]
    services.record_budgets_read(db.session, _actor(), year, page, len(rows))
    db.session.commit()  # the audit event; read everything before: the commit expires rows
    return jsonify({
        "data": data,
        "year": year,
        "pool": {"balance_cents": pool},
        "meta": _meta(page, budget_services.PAGE_SIZE, total),
    })
