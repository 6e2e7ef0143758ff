"""The two forms of the tenant setting (tenants.tenancy): `set_config(…, true)`, the default, and
`SET LOCAL`, which Citus forwards to its workers. Both run here on plain PostgreSQL, as the app
role, whatever form the rest of the run uses (TEST_DATABASE_TENANT_SETTING)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session

from tenants.config import ConfigError, load_config
from tenants.extensions import db
from tenants.models import Membership, Role
from tenants.tenancy import (SET_CONFIG, SET_LOCAL, configure_setting, expect_tenant,
                             send_settings, set_tenant, set_user, setting_mode)
from tests.helpers import ON_POSTGRES

MODES = [SET_CONFIG, SET_LOCAL]


def test_the_setting_form_is_configured_and_checked():
    assert load_config("testing", env={})["DATABASE_TENANT_SETTING"] == "set_config"
    env = {"DATABASE_TENANT_SETTING": "SET_LOCAL"}
    assert load_config("testing", env=env)["DATABASE_TENANT_SETTING"] == "set_local"
    with pytest.raises(ConfigError, match="DATABASE_TENANT_SETTING"):
        load_config("testing", env={"DATABASE_TENANT_SETTING": "set"})


def test_only_integers_go_into_set_local(app):
    from tenants.tenancy import _literal

    assert _literal("") == "''" and _literal("42") == "'42'"
    for bad in ("1'; RESET ALL; --", "4 2", "x", "1" * 20):
        with pytest.raises(ValueError):
            _literal(bad)


@pytest.fixture(params=MODES)
def engine(request, app):
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with app.app_context():
        url = db.engine.url
    eng = create_engine(url)
    configure_setting(eng, request.param)
    if request.param == SET_CONFIG and _citus(eng):
        eng.dispose()
        pytest.skip("set_config does not reach Citus workers: the reason for SET LOCAL")
    sent: list[str] = []
    event.listen(eng, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: sent.append(" ".join(statement.split())))
    eng.sent = sent
    yield eng
    eng.dispose()


def _citus(engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")).scalar())


def _setting(s, name="tenant_id"):
    return s.execute(text(f"SELECT current_setting('app.{name}', true)")).scalar()


@pytest.fixture
def a_and_b(make):
    a, b = make.tenant(), make.tenant()
    coach = make.member(a, Role.SUPERVISOR)
    make.member(a, Role.PARTICIPANT)
    make.member(b, Role.SUPERVISOR, user=coach)
    return a, b, coach


def test_one_round_trip_per_transaction_in_the_configured_form(engine, a_and_b):
    a, b, coach = a_and_b
    mode = getattr(engine, "_wijkwerk_tenant_setting")
    with Session(engine) as s:
        set_tenant(s, a.id)
        set_user(s, coach.id)
        engine.sent.clear()
        assert s.scalar(select(Membership.id).limit(1)) is not None
        setting, query = engine.sent
        if mode == SET_LOCAL:
            assert setting == (f"SET LOCAL app.tenant_id = '{a.id}'; "
                               f"SET LOCAL app.user_id = '{coach.id}'")
        else:
            assert setting.startswith("SELECT set_config('app.tenant_id'")
        assert "set_config" not in query and "SET LOCAL" not in query
        assert (_setting(s), _setting(s, "user_id")) == (str(a.id), str(coach.id))
        # row-level security reads both: a's two memberships, and of b's only the coach's own
        rows = s.execute(text("SELECT tenant_id, user_id FROM memberships")).all()
        assert len(rows) == 3
        assert {r.user_id for r in rows if r.tenant_id == b.id} == {coach.id}
        s.commit()
        # a new transaction starts without the setting of the last one
    with engine.connect() as conn:
        assert _setting(conn) in ("", None)


def test_a_slug_is_looked_up_and_set_for_the_first_transaction(engine, a_and_b):
    a, _b, _coach = a_and_b
    with Session(engine) as s:
        expect_tenant(s, a.slug)
        assert _setting(s) == str(a.id)
        assert s.execute(text("SELECT count(*) FROM memberships")).scalar() == 2
    with Session(engine) as s:
        expect_tenant(s, "geen-bestaande-organisatie")
        assert _setting(s) in ("", None)
        assert s.execute(text("SELECT count(*) FROM memberships")).scalar() == 0


def test_switching_tenants_and_a_rolled_back_savepoint(engine, a_and_b):
    a, b, _coach = a_and_b
    with Session(engine) as s:
        set_tenant(s, a.id)
        assert _setting(s) == str(a.id)
        savepoint = s.begin_nested()
        set_tenant(s, b.id)
        assert s.execute(text("SELECT count(*) FROM memberships")).scalar() == 1
        savepoint.rollback()
        assert _setting(s) == str(a.id)  # taken back by the database, in both forms
        set_tenant(s, b.id)
        assert _setting(s) == str(b.id)
        s.rollback()


def test_a_user_sees_their_own_memberships_in_both_forms(engine, a_and_b):
    a, b, coach = a_and_b
    with engine.begin() as conn:
        send_settings(conn, user_id=coach.id)
        rows = conn.execute(text("SELECT tenant_id, user_id FROM memberships")).all()
    assert {r.user_id for r in rows} == {coach.id}
    assert {r.tenant_id for r in rows} == {a.id, b.id}


def test_auto_picks_set_config_without_citus(app):
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with app.app_context():
        eng = create_engine(db.engine.url)
    try:
        configure_setting(eng, "auto")
        with eng.connect() as conn:
            citus = conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")).scalar()
            assert setting_mode(conn) == (SET_LOCAL if citus else SET_CONFIG)
    finally:
        eng.dispose()
