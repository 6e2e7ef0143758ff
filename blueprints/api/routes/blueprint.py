"""The API blueprint (`/api/v1/`): bearer tokens, tenancy, limits, no caching, and how an
operation declares itself for the OpenAPI document.

The API authenticates with `Authorization: Bearer <token>` only. The session cookie is never a
credential here: before anything else, the request's user is set to anonymous, so neither the
views nor the app's hooks load the cookie's user. The API uses no cookies, so it is exempt from
CSRF. Every API view runs inside the token's tenant, like a tenant blueprint's: the token's
tenant and user are set before any tenant query, the slug in the URL must name that tenant (404
otherwise, the same answer as for an unknown tenant), and the membership's role is read live
(403 below supervisor; below admin for the views marked `admin_only`: invoices, customers,
budgets). Errors are problem details (problems.py), in Dutch; no API answer may be cached.

The municipal API's views (marked `municipal`, under /api/v1/gemeente/<cbs_code>/) take a
municipality's token instead (blueprints/municipality/tokens.py): no tenant is set, the CBS code
in the URL must be the token's municipality (404 otherwise), and there are no roles (no 403).

The blueprint is flask-smorest's: `query()` parses the query string with a schema (a bad value is
a 400 problem), `@bp.response` writes the answer with a schema, and `operation()` names the
operation and every error status it can give, for the document (openapi.py).
"""
from __future__ import annotations

from http import HTTPStatus

from flask import current_app, g, jsonify, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from werkzeug.routing import RequestRedirect

from blueprints.api import services
from blueprints.api.routes import problems
from blueprints.api.fields import MAX_ID
from blueprints.municipality import tokens as municipal_tokens
from tenants import audit, throttle
from tenants.actor import Actor
from tenants.errors import NotFound, PermissionDenied
from tenants.extensions import csrf, db, limiter, login_manager
from tenants.identity import sha256
from tenants.models import Role
from tenants.tenancy import set_tenant

API_PREFIX = "/api/v1"
API_ROLE = Role.SUPERVISOR

MISSING_TOKEN = _l("Stuur uw API-sleutel mee in de header 'Authorization: Bearer <sleutel>'.")
ADMIN_ONLY = ("Alleen voor beheerders: een sleutel van een begeleider krijgt 403, net als een "
              "sleutel waarvan de gebruiker geen beheerder meer is.")
#: the statuses every operation behind a token can give, besides its own
AUTHENTICATED = (401, 403, 404, 429, 500, 503)
#: the statuses of an operation open without a token
PUBLIC = (429, 500)
#: the statuses every operation of the municipal API can give (no roles: no 403)
MUNICIPAL = (401, 404, 429, 500, 503)
#: the municipality in every municipal URL, described once
MUNICIPALITY = [{"in": "path", "name": "cbs_code",
                 "description": "De CBS-gemeentecode; die van de sleutel."}]
#: the tenant in every tenant URL, described once
TENANT = [{"in": "path", "name": "tenant_slug",
           "description": "De korte naam van de organisatie; die van de sleutel."}]

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)
problems.register(bp)


# --- declaring an operation ----------------------------------------------------------------------

def operation(operation_id: str, tag: str, summary: str, description: str | None = None, *,
              errors: tuple[int, ...] = ()):
    """Name an operation for the document and list every error status it can give: those of
    every call behind a token and `errors` of its own (`query()` adds the 400). Apply it above
    `public`/`admin_only`, which it reads."""

    def decorate(view):
        public_view = getattr(view, "_public_api_view", False)
        municipal_view = getattr(view, "_municipal_api_view", False)
        statuses = set(errors) | set(PUBLIC if public_view else MUNICIPAL if municipal_view
                                     else AUTHENTICATED)
        doc = {"operationId": operation_id, "tags": [tag], "summary": summary}
        if description:
            doc["description"] = description
        if getattr(view, "_api_role", None) == Role.ADMIN:
            doc["x-required-role"] = Role.ADMIN.value  # tests/api checks it against the routes
            doc["description"] = f"{description} {ADMIN_ONLY}" if description else ADMIN_ONLY
        if public_view:
            doc["security"] = []
        if municipal_view:
            doc["security"] = [{"municipalBearer": []}]
        for status in sorted(statuses, reverse=True):
            view = bp.alt_response(status, response=problems_response_name(status))(view)
        return bp.doc(**doc)(view)  # functools.wraps carries the marks along

    return decorate


def problems_response_name(status: int) -> str:
    """The name under which openapi.py registers the problem answer of `status`."""
    return HTTPStatus(status).name


def query(schema):
    """Parse the query string with `schema`; the view gets a dict. A bad value: 400 problem."""
    return bp.arguments(schema, location="query", error_status_code=400, as_kwargs=False)


def public(view):
    """Mark an API view as open without a token (the OpenAPI document)."""
    view._public_api_view = True
    return view


def municipal(view):
    """Mark an API view as the municipal API's: a municipality's token (`wwg_…`), no tenant;
    the CBS code in the URL must be the token's municipality (404 otherwise)."""
    view._municipal_api_view = True
    return view


def admin_only(view):
    """Mark an API view as open to admins only (invoices, customers, budgets): a supervisor's
    token gets 403, like a participant's everywhere. The role is read live on every call."""
    view._api_role = Role.ADMIN
    return view


# --- plumbing: routing errors, no caching, no cookie ----------------------------------------

def _is_api_path() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


@bp.before_app_request
def _api_routing_errors():
    """A URL under /api/v1/ that matches no API route still answers with a problem."""
    if not _is_api_path():
        return None
    g._login_user = login_manager.anonymous_user()  # the cookie is no credential here
    exc = request.routing_exception
    if exc is None or isinstance(exc, RequestRedirect):
        return None
    return problems.http_problem(exc)


@bp.after_app_request
def _no_store(response):
    if _is_api_path():
        response.headers["Cache-Control"] = "no-store"
    return response


# --- plumbing: rate limits -----------------------------------------------------------------------

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


# --- plumbing: authentication and tenancy --------------------------------------------------------

def _log_refused(action: str, status: int, reason: str, user_id=None, email=None) -> None:
    audit.record_security(db.session, action, user_id=user_id, email=email,
                          ip=request.remote_addr, path=request.path, status=status,
                          reason=reason)
    db.session.commit()


@bp.url_value_preprocessor
def _pull_tenant_slug(endpoint, values):
    if values is not None:
        g.api_tenant_slug = values.pop("tenant_slug", None)
        g.api_cbs_code = values.pop("cbs_code", None)


def _authenticate_municipal(value: str):
    """The municipal API: the token's municipality must be the URL's (404 otherwise, the
    answer for an unknown municipality too). Sets g.api_municipal."""
    with force_locale(problems.API_LOCALE):
        try:
            access = municipal_tokens.authenticate(db.session, value)
        except municipal_tokens.TokenRejected as exc:
            db.session.rollback()
            _log_refused("api.municipal_token_refused", 401, exc.reason)
            if throttle.api_token_refused(request.remote_addr):
                return problems.problem(429, headers={"Retry-After": "60"})
            return problems.problem(401, exc.code, exc.message)
    user_id, email = access.user.id, access.user.email
    if g.get("api_cbs_code") != access.municipality.cbs_code:
        db.session.rollback()
        _log_refused("access.refused", 404, "municipal api token of another municipality",
                     user_id, email)
        return problems.problem(404)
    g.api_municipal = access
    g.api_actor = Actor(user_id=user_id, email=email, ip=request.remote_addr)
    if db.session.dirty:
        db.session.commit()  # the token's last use
    return None


@bp.before_request
def _authenticate():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "_public_api_view", False):
        return None
    value = _bearer()
    if value is None:
        return problems.problem(401, "missing_token", MISSING_TOKEN)
    if getattr(view, "_municipal_api_view", False):
        return _authenticate_municipal(value)
    with force_locale(problems.API_LOCALE):
        try:
            access = services.authenticate(db.session, value)
        except services.TokenRejected as exc:
            db.session.rollback()
            _log_refused("api.token_refused", 401, exc.reason)
            if throttle.api_token_refused(request.remote_addr):
                return problems.problem(429, headers={"Retry-After": "60"})
            return problems.problem(401, exc.code, exc.message)
        user_id, email = access.user.id, access.user.email
        slug = g.get("api_tenant_slug")
        if slug is not None and slug != access.tenant.slug:
            db.session.rollback()
            set_tenant(db.session, None)
            _log_refused("access.refused", 404, "api token of another tenant", user_id, email)
            return problems.problem(404)
        role = getattr(view, "_api_role", API_ROLE)
        try:
            services.require_role(access, role)
        except PermissionDenied as exc:
            db.session.rollback()
            set_tenant(db.session, None)
            _log_refused("access.refused", 403, f"api needs role {role.value}", user_id,
                         email)
            return problems.problem(403, "forbidden", exc.message)
    g.api = access
    g.api_actor = Actor(user_id=user_id, email=email, ip=request.remote_addr)
    g.tenant = access.tenant
    if db.session.dirty:
        db.session.commit()  # the token's last use
    return None


def commit_and_answer(schema, data):
    """Write the answer with `schema`, then commit (an audit event): afterwards the rows are
    expired, and reading them again would ask the database once more."""
    answer = jsonify(schema().dump(data))
    db.session.commit()
    return answer


def actor() -> Actor:
    return g.api_actor


def not_found() -> problems.ProblemError:
    return problems.ProblemError(404)


def found(load, object_id: int):
    """`load(object_id)` from the tenant, or a 404 problem (NotFound, or an id past 63 bits)."""
    if object_id > MAX_ID:
        raise not_found()
    try:
        return load(object_id)
    except NotFound:
        raise not_found() from None
