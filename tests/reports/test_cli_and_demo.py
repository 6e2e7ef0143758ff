"""`flask reports rebuild` and the demo: the demo's history (written straight to the tables)
is counted into the summaries at the end of seeding, so the demo report has content."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from blueprints.reports import summaries
from blueprints.reports.models import HoursDaily, MoneyDaily
from tenants.models import Tenant
from tenants.tenancy import tenant_context
from tests.reports.builders import log


def test_the_demo_report_has_content(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    tenant = session.scalar(select(Tenant).where(Tenant.slug == "ons-breda"))
    with tenant_context(session, tenant.id):
        stored = summaries.stored(session)
        assert stored == summaries.counted(session)
        assert stored[HoursDaily] and stored[MoneyDaily]
    session.rollback()


def test_rebuild_command_repairs_a_tenant(app, coop):
    s = coop.session
    log(coop, 0, date(2026, 3, 2), "3")
    s.execute(HoursDaily.__table__.delete().where(HoursDaily.tenant_id == coop.tenant.id))
    s.commit()
    with tenant_context(s, coop.tenant.id):
        assert summaries.stored(s)[HoursDaily] == {}
    s.rollback()
    result = app.test_cli_runner().invoke(args=["reports", "rebuild", "--tenant",
                                                coop.tenant.slug])
    assert result.exit_code == 0, result.output
    assert f"{coop.tenant.slug}: report_hours_daily 1" in result.output
    with tenant_context(s, coop.tenant.id):
        assert summaries.stored(s)[HoursDaily] == {(date(2026, 3, 2), "traject"): (180,)}
    s.rollback()
    missing = app.test_cli_runner().invoke(args=["reports", "rebuild", "--tenant", "geen-idee"])
    assert missing.exit_code != 0 and "No tenant geen-idee" in missing.output
