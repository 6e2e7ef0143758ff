"""Test fixtures: one schema per run, built by the migrations; each test makes its own tenants.

The database is SQLite (a file in a temporary folder) unless TEST_DATABASE_URL names a
PostgreSQL database. There the app connects as the app role (TEST_DATABASE_URL) and the
migrations run as the owner role (TEST_MIGRATIONS_DATABASE_URL), as in production, so that the
row-level security tests prove something. Tests do not clean up: every test creates tenants and
users with unique names, and everything it reads is scoped to them.
"""
from __future__ import annotations

from contextlib import contextmanager

import flask_migrate
import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app
from tenants.extensions import db
from tests.helpers import ON_POSTGRES, Factory, test_config


@pytest.fixture(scope="session")
def db_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("db")


@pytest.fixture(scope="session")
def app(db_dir):
    application = create_app(test_config(db_dir))
    with application.app_context():
        flask_migrate.upgrade()
    return application


@pytest.fixture
def session(app):
    """A SQLAlchemy session on the app's database, for arranging and checking data.

    Deliberately not Flask-SQLAlchemy's `db.session` inside a pushed app context: a test client
    request reuses a pushed app context, and with it `g` (the logged-in user, the tenant).
    """
    with app.app_context():
        engine = db.engine
    with Session(engine) as s:
        yield s


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    return Factory(app)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as n: ...; n()` counts SQL statements sent to the database."""

    @contextmanager
    def counter():
        count = [0]

        def on_execute(*args, **kwargs):
            count[0] += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            yield lambda: count[0]
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)

    return counter


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
