"""Configuration from the environment, with safe development defaults.

`load_config(name)` returns a plain dict for `app.config`. Production refuses to start
without a real SECRET_KEY, without BASE_URL (every mailed or printed link is built from it, and
only the hosts it names are accepted) and without REDIS_URL (rate limits must be shared by all
workers); development and tests run on SQLite in `instance/` with nothing else installed.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-not-secret-wijkwerk"


class ConfigError(RuntimeError):
    """The configuration cannot be used (e.g. production without SECRET_KEY)."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None) -> str:
    if not url:
        instance = ROOT / "instance"
        instance.mkdir(exist_ok=True)
        return f"sqlite:///{instance / 'wijkwerk.sqlite3'}"
    # Accept the common postgres:// form and pick psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


DEV_BASE_URL = "http://127.0.0.1:5000"
TEST_BASE_URL = "http://localhost"  # the test client's own address
# Loopback names stay trusted: the container's health check asks for 127.0.0.1:8000/healthz.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def base_url(value: str | None, production: bool, name: str) -> str:
    """The public address every absolute link is built from; checked, without a trailing /."""
    value = (value or "").strip()
    if not value:
        if production:
            raise ConfigError(
                "BASE_URL must be set in production to the public address, e.g. "
                "https://wijkwerk.example.nl: links in e-mails and PDFs are built from it, "
                "never from the request's Host header.")
        return TEST_BASE_URL if name == "testing" else DEV_BASE_URL
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"BASE_URL must be an http(s) address like https://wijkwerk.example.nl, "
                          f"not {value!r}.")
    if production and parts.scheme != "https":
        raise ConfigError("BASE_URL must start with https:// in production.")
    return value.rstrip("/")


def trusted_hosts(base: str, extra: str | None) -> list[str]:
    """Host names the app answers to: BASE_URL's, loopback, and TRUSTED_HOSTS (comma list)."""
    hosts = [urlsplit(base).hostname or ""]
    hosts += [h.strip() for h in (extra or "").split(",") if h.strip()]
    hosts += list(LOOPBACK_HOSTS)
    return list(dict.fromkeys(h for h in hosts if h))


def _tenant_setting(value: str | None) -> str:
    from tenants.tenancy import SETTING_MODES

    value = (value or "set_config").strip().lower()
    if value not in SETTING_MODES:
        raise ConfigError(f"DATABASE_TENANT_SETTING must be one of {', '.join(SETTING_MODES)}, "
                          f"not {value!r}.")
    return value


def load_config(name: str | None = None, env: dict[str, str] | None = None) -> dict:
    """Build the configuration for environment `name` (development, production, testing)."""
    env = dict(os.environ if env is None else env)
    name = name or env.get("WIJKWERK_ENV") or env.get("FLASK_ENV_NAME") or "development"
    if name not in {"development", "production", "testing"}:
        raise ConfigError(f"Unknown environment {name!r}")
    production = name == "production"

    secret = env.get("SECRET_KEY")
    if production and (not secret or secret == DEV_SECRET_KEY or len(secret) < 32):
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )

    db_url = database_url(env.get("DATABASE_URL"))
    redis_url = env.get("REDIS_URL") or None
    if production and not redis_url:
        raise ConfigError(
            "REDIS_URL must be set in production (e.g. redis://redis:6379/0): without a shared "
            "store every worker counts login attempts on its own. The app keeps working when "
            "Redis is down later (it falls back to counting in memory).")
    base = base_url(env.get("BASE_URL"), production, name)
    cfg: dict = {
        "ENV_NAME": name,
        "SECRET_KEY": secret or DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": db_url,
        # Migrations run as the owner role; the app connects as a role that owns nothing.
        "MIGRATIONS_DATABASE_URL": database_url(env["MIGRATIONS_DATABASE_URL"])
        if env.get("MIGRATIONS_DATABASE_URL")
        else None,
        # No pre-ping on every checkout (a round trip per request): a pooled connection is
        # pinged only after sitting unused (tenants.db.ping_when_idle); a connection lost
        # under use answers 503 once and the pool is renewed. LIFO keeps the busy connection
        # busy and lets the spare ones idle (and be pinged); recycle retires old ones.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800, "pool_use_lifo": True},
        "DATABASE_PING_AFTER_IDLE_SECONDS": float(env.get("DATABASE_PING_AFTER_IDLE_SECONDS",
                                                          "10")),
        # How the tenant and user reach PostgreSQL per transaction (tenants.tenancy): set_config
        # (default), set_local (Citus: forwarded to the workers) or auto (set_local when the
        # citus extension is present).
        "DATABASE_TENANT_SETTING": _tenant_setting(env.get("DATABASE_TENANT_SETTING")),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis unreachable: count in this process instead of failing the request (logged by
        # Flask-Limiter; /healthz says "degraded"). Fallback limits apply per endpoint and address.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_IN_MEMORY_FALLBACK": env.get("LIMIT_FALLBACK_PER_IP", "300 per minute"),
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Fail fast when Redis is gone instead of holding the request.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per client IP; failed attempts per account are counted by tenants.throttle.
        "LIMIT_LOGIN_PER_IP": env.get("LIMIT_LOGIN_PER_IP", "30 per minute"),
        # Wrong passwords or codes for one account from one address, and for one account from
        # all addresses together (see tenants.throttle: the ceiling never refuses an address
        # that has not failed, so it cannot lock the owner out).
        "LIMIT_FAILURES_PER_ACCOUNT_AND_IP": env.get("LIMIT_FAILURES_PER_ACCOUNT_AND_IP",
                                                     "10 per 15 minutes"),
        "LIMIT_FAILURES_PER_ACCOUNT": env.get("LIMIT_FAILURES_PER_ACCOUNT", "100 per hour"),
        # Refused API tokens per address; valid tokens are never counted or refused by it.
        "LIMIT_API_FAILURES_PER_IP": env.get("LIMIT_API_FAILURES_PER_IP", "30 per minute"),
        # How long a password (and code) typed again counts as "just now" for changing a
        # factor: two-factor, recovery codes, e-mail, password, API tokens.
        "RECENT_AUTH_SECONDS": int(env.get("RECENT_AUTH_SECONDS", "300")),
        "LIMIT_FORMS_PER_IP": env.get("LIMIT_FORMS_PER_IP", "10 per 15 minutes"),
        "RATELIMIT_KEY_PREFIX": "wijkwerk",
        # Sessions: signed cookie holding a server-side session id (tenants.sessions).
        "SESSION_COOKIE_NAME": "__Host-wijkwerk" if production else "wijkwerk_session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(env.get("SESSION_IDLE_MINUTES", "120"))),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=int(env.get("SESSION_ABSOLUTE_HOURS", "12"))),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_SSL_STRICT": production,
        "WTF_I18N_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "HSTS": production,
        "FORCE_HTTPS": _bool(env.get("FORCE_HTTPS"), False),
        "PROXY_FIX_X_FOR": int(env.get("PROXY_FIX_X_FOR", "0")),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=1),
        "INVITATION_MAX_AGE": timedelta(days=7),
        # A TOTP code is accepted once. The demo (development) lets scripted checks log in with
        # the same code more than once within its 30 seconds; production never does.
        "TOTP_REPLAY_PROTECTION": _bool(env.get("TOTP_REPLAY_PROTECTION"), name != "development"),
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,  # the whole request; Flask answers 413 above it
        "MAX_UPLOAD_BYTES": 8 * 1024 * 1024,  # one uploaded document (a signed agreement)
        "MAX_FORM_MEMORY_SIZE": 500 * 1024,
        # Mail: printed to the log in development, SMTP when MAIL_SERVER is set.
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Wijkwerk <noreply@wijkwerk.example.org>"),
        "MAIL_BACKEND": "smtp" if env.get("MAIL_SERVER") else "console",
        "BASE_URL": base,
        # Flask answers 400 to any other Host header (defence in depth: links never use it).
        "TRUSTED_HOSTS": trusted_hosts(base, env.get("TRUSTED_HOSTS")) if production else None,
        # Online payment of invoices (Stripe Connect). Without a secret key it is off: no pay
        # buttons or links, no webhook. Never logged or shown. STRIPE_API_BASE points the
        # client elsewhere (a local server in tests).
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        # The platform subscription (blueprints.billing), on with STRIPE_SECRET_KEY: its own
        # webhook endpoint and secret (not Connect's), and the Stripe price id per paid plan
        # (tenants/plans.py). Without a key every tenant is on the plan the operator assigns.
        "STRIPE_BILLING_WEBHOOK_SECRET": env.get("STRIPE_BILLING_WEBHOOK_SECRET") or None,
        "STRIPE_PRICE_BASIS": env.get("STRIPE_PRICE_BASIS") or None,
        "STRIPE_PRICE_PLUS": env.get("STRIPE_PRICE_PLUS") or None,
        "STRIPE_PRICE_GROOT": env.get("STRIPE_PRICE_GROOT") or None,
        "TESTING": name == "testing",
        # Logs: one JSON object per line without personal data (tenants/logs.py); plain text
        # in development when LOG_FORMAT=text.
        "LOG_FORMAT": env.get("LOG_FORMAT") or ("text" if name == "development" else "json"),
        # Unexpected errors go to this function ("package.module:function"), called with the
        # exception and a scrubbed context (tenants.logs.report_error). Off when unset.
        "ERROR_REPORTER": env.get("ERROR_REPORTER") or None,
        # /metrics (tenants.metrics): only with this bearer token; without one only from
        # loopback in development, and off elsewhere.
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "METRICS_ALLOW_LOOPBACK": name == "development",
        # Sentry (tenants.sentry): error reports through the ERROR_REPORTER hook, scrubbed;
        # off unless set.
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        "SENTRY_ENVIRONMENT": env.get("SENTRY_ENVIRONMENT") or name,
        "SENTRY_RELEASE": env.get("SENTRY_RELEASE") or None,
        # The operator's health page reads the backup scripts' status file (deploy/backup/).
        "BACKUP_STATUS_FILE": env.get("BACKUP_STATUS_FILE") or None,
    }
    cfg.update(job_settings(name, env, redis_url))
    if db_url.startswith("sqlite"):
        # Several threads (gunicorn, the test server) share the file: wait instead of failing.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if name == "testing":
        cfg.update(
            {
                # The suite logs in from one address many times a minute: per-IP limits are
                # raised; per-account limits stay as in production and are tested.
                "LIMIT_LOGIN_PER_IP": "10000 per minute",
                "LIMIT_FORMS_PER_IP": "10000 per minute",
                "LIMIT_API_FAILURES_PER_IP": "10000 per minute",
                "MAIL_BACKEND": "locmem",
                "WTF_CSRF_ENABLED": True,
                # Jobs run inline when enqueued, so tests see their effect (tenants.jobs).
                "JOBS_BACKEND": "memory",
                "JOBS_IMMEDIATE": True,
                "JOBS_IN_PROCESS": False,
            }
        )
    return cfg


# --- job queue (tenants.jobs) ------------------------------------------------------------

def job_settings(name: str, env: dict[str, str], redis_url: str | None) -> dict:
    """Where queued jobs (all outgoing mail, periodic clean-ups) wait and who runs them.

    Redis when REDIS_URL is set, else a SQLite file in `instance/`. In development a consumer
    thread runs in the web process, so `flask run` is all; elsewhere `deploy/worker.py` runs
    under `huey_consumer`. Testing overrides these to run jobs inline."""
    backend = env.get("JOBS_BACKEND") or ("redis" if redis_url else "sqlite")
    if backend not in {"redis", "sqlite", "memory"}:
        raise ConfigError(f"JOBS_BACKEND must be redis, sqlite or memory, not {backend!r}")
    if backend == "redis" and not redis_url:
        raise ConfigError("JOBS_BACKEND=redis needs REDIS_URL")
    return {
        "JOBS_BACKEND": backend,
        "JOBS_REDIS_URL": redis_url,
        "JOBS_SQLITE_PATH": env.get("JOBS_SQLITE_PATH") or None,  # None: instance/jobs.sqlite3
        "JOBS_IMMEDIATE": _bool(env.get("JOBS_IMMEDIATE"), False),
        "JOBS_IN_PROCESS": _bool(env.get("JOBS_IN_PROCESS"), name == "development"),
        # A mail that cannot be handed to SMTP is tried again after 30 s, 1, 2, 4 … minutes:
        # 8 retries cover about two hours of outage before it is given up (and logged).
        "MAIL_RETRIES": int(env.get("MAIL_RETRIES", "8")),
        "MAIL_RETRY_DELAY": int(env.get("MAIL_RETRY_DELAY", "30")),
        "MAIL_RETRY_BACKOFF": 2,
        # A mail server that accepts the connection and then hangs must not hold a worker.
        "MAIL_TIMEOUT": int(env.get("MAIL_TIMEOUT", "30")),
    }
