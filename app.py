"""Wijkwerk: the application factory. Reads like a table of contents.

`create_app(config)` binds the extensions, blueprints, CLI commands, error pages and template
helpers; `app = create_app()` is what `gunicorn app:app` and `flask --app app` use.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from tenants import fieldhtml, formatting, i18n, jobs, logs, metrics, tenancy, web, widgets
from tenants.application import SecurityHeaders, Wijkwerk
from tenants.config import load_config
from tenants.db import ping_when_idle, private_sqlite_file, use_real_sqlite_transactions

from tenants.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config: str | dict | None = None) -> Flask:
    """Build the app. `config` is an environment name or a dict of overrides."""
    app = Wijkwerk(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    if isinstance(config, dict):
        app.config.update(load_config(config.get("ENV_NAME", "testing")))
        app.config.update(config)
    else:
        app.config.update(load_config(config))
    logs.configure(app)
    logs.install_error_reporter(app)

    register_extensions(app)
    register_blueprints(app)
    register_subscribers(app)
    register_cli(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    return app


def select_locale() -> str:
    if not has_request_context():
        return "nl"  # CLI and jobs speak Dutch
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    lang = session.get("lang")
    return lang if lang in ("nl", "en") else "nl"


def register_extensions(app: Flask) -> None:
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)
    db.init_app(app)
    with app.app_context():
        use_real_sqlite_transactions(db.engine)
        private_sqlite_file(db.engine)
        ping_when_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
        tenancy.configure_setting(db.engine, app.config["DATABASE_TENANT_SETTING"])
    tenancy.install(Session)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    mail.init_app(app)
    jobs.init_app(app)  # the job queue: all outgoing mail, periodic clean-ups
    limiter.init_app(app)
    # One Talisman per app: it keeps its options on the instance.
    app.extensions["talisman"] = SecurityHeaders(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["HSTS"],
        strict_transport_security_max_age=63072000,
        strict_transport_security_include_subdomains=True,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    web.init_app(app)
    metrics.init_app(app)  # /metrics and the request timings (Prometheus)

    @app.after_request
    def no_store_personal_pages(response):
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


def register_blueprints(app: Flask) -> None:
    from blueprints.api.routes import bp as api_bp
    from blueprints.api.routes import tokens_bp as api_tokens_bp
    from blueprints.auditlog.routes import bp as auditlog_bp
    from blueprints.auth.routes import bp as auth_bp
    from blueprints.billing.routes import bp as billing_bp
    from blueprints.billing.routes import webhook_bp as billing_webhook_bp
    from blueprints.budgets.routes import bp as budgets_bp
    from blueprints.core.routes import bp as core_bp
    from blueprints.customers.routes import bp as customers_bp
    from blueprints.dashboard.routes import bp as dashboard_bp
    from blueprints.digests.routes import bp as digests_bp
    from blueprints.helprequests.routes import bp as helprequests_bp
    from blueprints.hours.routes import bp as hours_bp
    from blueprints.imports.routes import bp as imports_bp
    from blueprints.invoicing.routes import bp as invoicing_bp
    from blueprints.municipality.clients.routes import bp as municipality_clients_bp
    from blueprints.municipality.clients.routes import shares_bp as municipality_shares_bp
    from blueprints.knowledge.routes import bp as knowledge_bp
    from blueprints.municipality.routes import bp as municipality_bp
    from blueprints.network.routes import bp as network_bp
    from blueprints.network.routes import join as network_join_bp
    from blueprints.network.routes import links as network_links_bp
    from blueprints.onlinepay.routes import bp as onlinepay_bp
    from blueprints.onlinepay.routes import webhook_bp as stripe_webhook_bp
    from blueprints.operator.routes import bp as operator_bp
    from blueprints.participants.routes import bp as participants_bp
    from blueprints.punchcards.routes import bp as punchcards_bp
    from blueprints.privacy.routes import bp as privacy_bp
    from blueprints.reports.routes import bp as reports_bp
    from blueprints.team.routes import bp as team_bp
    from blueprints.trajectories.routes import bp as trajectories_bp

    for bp in (core_bp, auth_bp, operator_bp, municipality_bp, network_bp, network_links_bp,
               network_join_bp, knowledge_bp, dashboard_bp,
               team_bp, participants_bp, trajectories_bp, privacy_bp, imports_bp,
               helprequests_bp, hours_bp, customers_bp, invoicing_bp, punchcards_bp,
               budgets_bp, onlinepay_bp, reports_bp, municipality_clients_bp,
               municipality_shares_bp, digests_bp, auditlog_bp, stripe_webhook_bp,
               billing_bp, billing_webhook_bp, api_tokens_bp, api_bp):
        app.register_blueprint(bp)
    # The only views without a CSRF token: Stripe signs its webhooks instead.
    csrf.exempt(stripe_webhook_bp)
    csrf.exempt(billing_webhook_bp)


def register_subscribers(app: Flask) -> None:
    """Connect each feature to the features below it: its reactions to the kernel's events
    (tenants/events.py), its answers to their questions (tenants/hooks.py), its sections on
    their pages (tenants/sections.py). The web app, the CLI and jobs all come through
    create_app(), so all of them react alike."""
    from blueprints.budgets import subscribers as budgets
    from blueprints.customers import subscribers as customers
    from blueprints.digests import subscribers as digests
    from blueprints.helprequests import subscribers as helprequests
    from blueprints.hours import subscribers as hours
    from blueprints.municipality import subscribers as municipality
    from blueprints.punchcards import subscribers as punchcards
    from blueprints.reports import subscribers as reports
    from blueprints.trajectories import subscribers as trajectories

    for feature in (trajectories, customers, helprequests, hours, budgets, punchcards, reports,
                    municipality, digests):
        feature.connect()


def register_cli(app: Flask) -> None:
    from blueprints.demo.cli import seed_demo
    from blueprints.imports.cli import import_participants
    from blueprints.operator.cli import tenant_cli
    from blueprints.reports.cli import reports_cli

    from tenants.citus import citus_cli

    app.cli.add_command(seed_demo)
    app.cli.add_command(citus_cli)
    app.cli.add_command(tenant_cli)
    app.cli.add_command(import_participants)
    app.cli.add_command(reports_cli)


ERROR_TEXT = {
    400: _l("Het verzoek klopt niet. Controleer wat u invulde en probeer het opnieuw."),
    403: _l("U heeft geen toegang tot deze pagina."),
    404: _l("Deze pagina bestaat niet, of u heeft er geen toegang toe."),
    405: _l("Deze actie kan hier niet."),
    413: _l("Het bestand of formulier is te groot."),
    429: _l("Te veel pogingen. Wacht enkele minuten en probeer het dan opnieuw."),
    500: _l("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


#: The database cannot be reached (down, restarting, connection dropped, pool exhausted):
#: a moment's trouble, not a bug. Other database errors stay 500s.
DATABASE_UNAVAILABLE = (sqlalchemy_exc.OperationalError, sqlalchemy_exc.InterfaceError,
                        sqlalchemy_exc.TimeoutError, sqlalchemy_exc.DisconnectionError)
RETRY_AFTER_SECONDS = 30


def database_unavailable(exc):
    """503 with Retry-After: a Dutch page, or under /api/ an RFC 9457 problem. Nothing here
    touches the database: the user counts as logged out for this answer, the tenant as unknown
    (their objects were expired by the rollback)."""
    from flask import current_app, g

    from tenants.extensions import login_manager

    current_app.logger.warning("Database unavailable on %s %s: %s", request.method,
                               request.path, exc.__class__.__name__)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it later
        current_app.logger.info("Rollback after a lost connection failed", exc_info=True)
    g._login_user = login_manager.anonymous_user()
    for name in ("tenant", "membership", "municipality"):
        g.pop(name, None)
    retry = str(current_app.config.get("RETRY_AFTER_SECONDS", RETRY_AFTER_SECONDS))
    headers = {"Retry-After": retry, "Cache-Control": "no-store"}
    title = _l("Tijdelijk niet beschikbaar")
    detail = _l("Wijkwerk kan zijn gegevens even niet bereiken. Probeer het over %(seconds)s "
                "seconden opnieuw.", seconds=retry)
    if request.path == "/api" or request.path.startswith("/api/"):
        # The API's own RFC 9457 problem (its table, its OpenAPI schema), Dutch as always.
        from blueprints.api.routes.problems import problem

        return problem(503, headers=headers)
    try:
        page = render_template("errors/503.html", title=title, message=detail)
    except Exception:  # noqa: BLE001 - never a 500 from the error page itself
        current_app.logger.exception("The 503 page failed")
        return str(detail), 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}
    return page, 503, headers


def register_errorhandlers(app: Flask) -> None:
    def database_error(exc):
        """Any other driver error: a dropped connection is an outage too; the rest is a bug
        and goes to the catch-all handler of where it happened (the API's or the app's)."""
        if getattr(exc, "connection_invalidated", False):
            return database_unavailable(exc)
        for name in (*request.blueprints, None):
            handler = app.error_handler_spec[name][None].get(Exception)
            if handler is not None:
                return handler(exc)
        raise exc

    # One rule for the whole app. Flask asks a blueprint's own handlers first, even a
    # catch-all `Exception` one (the API has one): so it is set for every blueprint too.
    handlers = {cls: database_unavailable for cls in DATABASE_UNAVAILABLE}
    handlers[sqlalchemy_exc.DBAPIError] = database_error
    for cls, handler in handlers.items():
        app.register_error_handler(cls, handler)
        for name in app.blueprints:
            app.error_handler_spec[name][None][cls] = handler

    def render_error(code: int, message=None):
        if message is None:
            message = ERROR_TEXT.get(code, ERROR_TEXT[500])
        try:
            db.session.rollback()
            return render_template("error.html", code=code, message=message), code
        except DATABASE_UNAVAILABLE as exc:  # the page needs the user, the user the database
            return database_unavailable(exc)
        except Exception:  # noqa: BLE001 - the error page itself failed: answer plainly
            app.logger.exception("Error page failed")
            return str(message), code, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _l(
            "Het formulier is verlopen of mist zijn beveiligingscode. Laad de pagina opnieuw "
            "en probeer het nog eens."))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code and exc.code < 400:
            return exc
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(exc):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        logs.report_error(app, exc)
        return render_error(500)


def register_template_helpers(app: Flask) -> None:
    from blueprints.core.navigation import navigation

    formatting.register(app)
    i18n.install(app, babel)
    widgets.install()
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(fieldhtml.render_field, "render_field")

    @app.context_processor
    def inject():
        return {"navigation": navigation, "languages": app.config["LANGUAGES"],
                "get_locale": get_locale,
                "endpoint_exists": lambda name: name in app.view_functions}


app = create_app()
