"""The web side of the kernel: tenant and municipality blueprints, roles, login sessions.

`tenant_blueprint()` makes a Blueprint under `/<tenant_slug>/`. Before any of its views run,
the tenant is taken from the URL and the user's membership checked: a logged-out user is sent
to /login, a non-member gets 404 (the same answer whether the tenant exists or not), and the
tenant is set for the ORM filter and PostgreSQL's row-level security. Scoping is by
construction: a view cannot forget it.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BaseConverter, IntegerConverter

from tenants import audit, inputs
from tenants.actor import Actor
from tenants.extensions import db, login_manager
from tenants.membership import membership_in, tenant_by_slug
from tenants.models import Municipality, MunicipalityMembership, Role, TenantStatus
from tenants.db import sqlite_write_pending, utcnow
from tenants.sessions import resolve_session, touch_session
from tenants.tenancy import expect_tenant, set_tenant, set_user
from tenants.urls import referrer_path

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SlugConverter(BaseConverter):
    """A tenant slug; anything else does not match (404)."""

    regex = r"[a-z0-9][a-z0-9-]{1,48}[a-z0-9]"


class IdConverter(IntegerConverter):
    """`<int:…>` limited to our 63-bit ids: a larger number does not match (404), instead of
    reaching the database as an out-of-range BIGINT."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


class CbsCodeConverter(BaseConverter):
    regex = r"[0-9]{4}"


def client_ip() -> str | None:
    return request.remote_addr


def current_actor() -> Actor:
    if current_user.is_authenticated:
        return Actor(user_id=current_user.id, email=current_user.email, ip=client_ip())
    return Actor(user_id=None, email=None, ip=client_ip())


def refuse(status: int, reason: str):
    """Log refused access to the security log, then abort with `status`."""
    audit.record_security(
        db.session, "access.refused",
        user_id=current_user.id if current_user.is_authenticated else None,
        email=current_user.email if current_user.is_authenticated else None,
        ip=client_ip(), path=request.path, status=status, reason=reason,
    )
    db.session.commit()
    abort(status)


# --- tenant blueprints ---------------------------------------------------------------------

def public_tenant_view(view):
    """Mark a tenant view as open to anyone (e.g. the public help-request form)."""
    view._public_tenant_view = True
    return view


def allowed_when_read_only(view):
    """Mark a POST view that must work for a lapsed tenant too (e.g. answering an access
    request with a data export): it reads, it changes nothing the subscription pays for."""
    view._allowed_when_read_only = True
    return view


def require_role(role: Role, *, board: bool = False):
    """Allow the view to members whose role is at least `role`; others get 403. With
    `board=True` a board member (bestuur) may see it too: only views that show nothing
    personal (the reports' figures); every other view refuses them (`_load_tenant`)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            membership = g.get("membership")
            if membership is None or (membership.role.rank < role.rank
                                      and not (board and membership.role == Role.BOARD)):
                refuse(403, f"role {role.value} required")
            return view(*args, **kwargs)

        wrapped._required_role = role
        wrapped._board_may_view = board
        if getattr(view, "_allowed_when_read_only", False):
            wrapped._allowed_when_read_only = True
        return wrapped

    return decorator


def _pull_tenant_slug(endpoint, values):
    if values is not None:
        g.tenant_slug = values.pop("tenant_slug", None)
        # Before anything is read: the first transaction sets this tenant in the database in
        # the statement it sends anyway, so the login's one query reads the membership too.
        expect_tenant(db.session, g.tenant_slug)


def _load_tenant():
    view = current_app.view_functions.get(request.endpoint)
    public = getattr(view, "_public_tenant_view", False)
    if not public and not current_user.is_authenticated:
        return login_manager.unauthorized()
    slug = g.get("tenant_slug") or ""
    # Read with the login's own query (_load_user) when the user is logged in.
    read_with_login = g.pop("_login_tenant", None)
    if read_with_login is not None and read_with_login[0] != slug:
        read_with_login = None
    tenant = read_with_login[1] if read_with_login else tenant_by_slug(db.session, slug)
    if tenant is None:
        if public:
            abort(404)
        refuse(404, "no such tenant")
    set_tenant(db.session, tenant.id)
    g.tenant = tenant
    if public:
        g.membership = None
        return None
    membership = (read_with_login[2] if read_with_login
                  else membership_in(db.session, tenant, current_user))
    if membership is None:
        set_tenant(db.session, None)
        g.tenant = None
        refuse(404, "not a member")
    g.membership = membership
    if session.get("last_tenant") != tenant.slug:
        # Only when it changes: writing the session marks it modified, and a modified session
        # is signed and sent again as a cookie with every answer.
        session["last_tenant"] = tenant.slug
    if membership.role == Role.BOARD and not getattr(view, "_board_may_view", False):
        # A board member reads the reports and nothing personal: every other page of the
        # tenant is refused here, whatever role the view itself asks for; the start page
        # leads to the reports; a report's drill-down to named records is not found.
        if request.endpoint == "dashboard.index":
            return redirect(url_for("reports.index", tenant_slug=tenant.slug))
        refuse(404 if request.blueprint == "reports" else 403, "board: reports only")
    if membership.role == Role.ADMIN and not current_user.has_totp:
        flash(_l("Als beheerder moet u eerst tweestapsverificatie instellen."), "warning")
        return redirect(url_for("auth.enrol_totp", next=request.path))
    if (request.method not in SAFE_METHODS and tenant.status == TenantStatus.READ_ONLY
            and not getattr(view, "_allowed_when_read_only", False)):
        flash(_l("Het abonnement van deze organisatie is verlopen: u kunt alles inzien, "
                 "maar niets wijzigen."), "error")
        return redirect(referrer_path() or url_for("dashboard.index", tenant_slug=tenant.slug))
    return None


def tenant_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A Blueprint whose every view runs inside the tenant named in its URL."""
    bp = Blueprint(name, import_name, url_prefix=f"/<slug:tenant_slug>{url_prefix}")
    bp.url_value_preprocessor(_pull_tenant_slug)
    bp.before_request(_load_tenant)
    return bp


def flash_form_errors(form) -> None:
    """Flash each field error as "Label: message" (for forms that redirect back)."""
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def run_service(action, success, *, refused=None, statuses=None, keep=None):
    """Call a service for a form POST: commit and flash `success` when it works; roll back and
    flash its Dutch message when a rule refuses; 404 when it finds nothing. Returns
    (result, ok). `success` is the message, or a function of the result that makes it (a
    message naming what was made, made before the commit), or None when the view says it
    itself.

    For the views that need more, all optional:
    - `refused`: where a refusal's message goes instead of the flash, e.g.
      `form.years.errors.append` to show it beside the field;
    - `statuses`: domain exceptions that answer with an HTTP status instead of a message,
      e.g. `{PermissionDenied: 403}` (NotFound always answers 404);
    - `keep`: a test of the result, for a service that reports its refusals in what it
      returns (a grid with an error per cell): when it says no, everything is rolled back,
      nothing is flashed and (result, False) comes back for the page to show the errors.
    """
    from tenants.errors import DomainError, NotFound

    try:
        result = action()
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        for exc_class, status in (statuses or {}).items():
            if isinstance(exc, exc_class):
                abort(status)
        (refused or (lambda message: flash(message, "error")))(exc.message)
        return None, False
    if keep is not None and not keep(result):
        db.session.rollback()
        return result, False
    # The message is made before the commit: the commit expires every loaded object, and
    # reading one afterwards asks a database that may be gone although the change is stored.
    message = success(result) if callable(success) else success
    db.session.commit()
    if message is not None:
        flash(message, "success")
    return result, True


def submit(form, action, success, **options) -> bool:
    """A form POST in one call: validate `form` (CSRF included) and run the service through
    `run_service` (with its `options`) when it is valid; flash its field errors when it is
    not. True when it worked."""
    if form.validate_on_submit():
        _result, ok = run_service(action, success, **options)
        return ok
    flash_form_errors(form)
    return False


def page_arg() -> int:
    """The ?page= number of a list, 1 when missing or not a positive whole number."""
    return inputs.page_arg()


def get_or_404(model, object_id):
    """Load a tenant object of the current tenant through the scoped query, or 404.

    Never `session.get()`: it answers from the identity map without the tenant filter.
    """
    object_id = inputs.to_id(object_id)
    if object_id is None:
        abort(404)
    obj = db.session.scalar(select(model).where(model.id == object_id))
    if obj is None:
        abort(404)
    return obj


# --- municipality blueprints ---------------------------------------------------------------

def _pull_cbs_code(endpoint, values):
    if values is not None:
        g.cbs_code = values.pop("cbs_code", None)


def _load_municipality():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    row = db.session.execute(
        select(Municipality, MunicipalityMembership.role)
        .join(MunicipalityMembership, MunicipalityMembership.municipality_id == Municipality.id)
        .where(Municipality.cbs_code == g.get("cbs_code"),
               MunicipalityMembership.user_id == current_user.id)
    ).first()
    if row is None:
        refuse(404, "not a municipality member")
    if not current_user.has_totp:
        flash(_l("Voor gemeentelijke toegang moet u eerst tweestapsverificatie instellen."),
              "warning")
        return redirect(url_for("auth.enrol_totp", next=request.path))
    g.municipality = row[0]
    #: the officer's MunicipalRole value: "beleid" (aggregates) or "consulent" (and clients)
    g.municipal_role = row[1].value
    return None


def municipality_blueprint(name: str, import_name: str) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix="/gemeente/<cbs:cbs_code>")
    bp.url_value_preprocessor(_pull_cbs_code)
    bp.before_request(_load_municipality)
    return bp


def require_operator(view):
    """Platform operator pages: others get 404 (the area does not exist for them)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_platform_operator:
            refuse(404, "not an operator")
        if not current_user.has_totp:
            flash(_l("Als platformbeheerder moet u eerst tweestapsverificatie instellen."),
                  "warning")
            return redirect(url_for("auth.enrol_totp", next=request.path))
        return view(*args, **kwargs)

    wrapped._operator_only = True
    return wrapped


# --- application wiring --------------------------------------------------------------------

#: an id no row has (the largest 63-bit number): where it lands in a built URL, the id goes
_ROW_ID = 2**63 - 1


def row_url(endpoint: str, key: str, **values):
    """A function id -> url_for(endpoint, key=id, **values), for the rows of a list: the URL is
    built once and the id put in its place, instead of Werkzeug building it again per row (a
    url_for costs about 25 µs; a page of 50 rows with two links each, 2–3 ms). Only for an
    `<int:…>` argument: a number needs no quoting in a path."""
    url = url_for(endpoint, **{key: _ROW_ID}, **values)
    head, found, tail = url.partition(str(_ROW_ID))
    if not found:  # pragma: no cover - the argument went into the query string
        raise ValueError(f"{endpoint} has no <int:{key}> in its path")

    def build(row_id: int) -> str:
        return f"{head}{int(row_id)}{tail}"
    return build


def _url_defaults(endpoint, values):
    """Fill in the current tenant / municipality in url_for() where the route needs it."""
    if "tenant_slug" not in values and g.get("tenant") is not None:
        if current_app.url_map.is_endpoint_expecting(endpoint, "tenant_slug"):
            values["tenant_slug"] = g.tenant.slug
    if "cbs_code" not in values and g.get("municipality") is not None:
        if current_app.url_map.is_endpoint_expecting(endpoint, "cbs_code"):
            values["cbs_code"] = g.municipality.cbs_code


#: it fills in values only for endpoints that take them: the URL of an endpoint without
#: arguments may be remembered (tenants.application.Wijkwerk.url_for)
_url_defaults.memo_safe = True


def _load_user(user_id: str):
    """The logged-in user of this request, from the server-side session (Flask-Login calls it
    at the first use of `current_user`). One query, with the tenant and membership on a tenant
    page; "last seen" moved forward at most once a minute, committed on its own."""
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    token = session.get("sid")
    if not token:
        return None
    cfg = current_app.config
    slug = g.get("tenant_slug")
    # The user id comes from the signed cookie; the row decides below. Set before the query,
    # it goes out with the tenant in the transaction's one set_config (PostgreSQL).
    set_user(db.session, uid)
    login = resolve_session(db.session, uid, token, tenant_slug=slug,
                            idle=cfg["SESSION_IDLE_TIMEOUT"],
                            absolute=cfg["SESSION_ABSOLUTE_TIMEOUT"])
    if login is None:
        set_user(db.session, None)
        session.pop("sid", None)
        return None
    if slug is not None:
        g._login_tenant = (slug, login.tenant, login.membership)
    now = utcnow()
    if login.touch_due(now) and not sqlite_write_pending(db.session()):
        touch_session(db.engine, login.session_id, now=now)
    return login.user


def init_app(app) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["cbs"] = CbsCodeConverter
    app.url_defaults(_url_defaults)
    app.add_template_global(row_url, "row_url")
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our server-side sessions do the work
