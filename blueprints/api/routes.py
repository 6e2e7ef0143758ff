"""The API-token page (`/account/api-tokens`, a login session) and the JSON API (`/api/v1/`).

The API authenticates with `Authorization: Bearer <token>` only. The session cookie is never a
credential here: before anything else, the request's user is set to anonymous, so neither the
views nor the app's hooks load the cookie's user. The API uses no cookies, so it is exempt
from CSRF. Every API view runs inside the token's tenant, like a tenant blueprint's: the
token's tenant and user are set before any tenant query, the slug in the URL must name that
tenant (404 otherwise, the same answer as for an unknown tenant), and the membership's role is
read live (403 below supervisor). Errors are JSON, `{"error": {"code", "message"}}`, in Dutch,
and no API response may be cached.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from math import ceil

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
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
from blueprints.participants import services as participant_services
from blueprints.participants.models import ParticipantStatus
from blueprints.trajectories import services as trajectory_services
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.extensions import csrf, db, limiter, login_manager
from tenants.identity import sha256
from tenants.models import Role
from tenants.tenancy import set_tenant
from tenants.web import current_actor

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
# Guessing tokens costs as much as guessing passwords: refused calls count per address.
limiter.shared_limit(
    lambda: current_app.config.get("LIMIT_API_FAILURES_PER_IP",
                                   current_app.config["LIMIT_LOGIN_PER_IP"]),
    scope="api-refused", key_func=get_remote_address,
    deduct_when=lambda response: response.status_code == 401)(bp)


# --- API plumbing: authentication and tenancy ------------------------------------------------

def public(view):
    """Mark an API view as open without a token (the OpenAPI document)."""
    view._public_api_view = True
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
            return json_error(401, exc.code, exc.message)
        user_id, email = access.user.id, access.user.email
        slug = g.get("api_tenant_slug")
        if slug is not None and slug != access.tenant.slug:
            db.session.rollback()
            set_tenant(db.session, None)
            _log_refused("access.refused", 404, "api token of another tenant", user_id, email)
            return json_error(404, "not_found", NOT_FOUND)
        try:
            services.require_role(access, API_ROLE)
        except PermissionDenied as exc:
            db.session.rollback()
            set_tenant(db.session, None)
            _log_refused("access.refused", 403, f"api needs role {API_ROLE.value}", user_id,
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
