"""Fixtures of the privacy tests: two tenants, each with an admin."""
from __future__ import annotations

import pytest

from tenants.models import Role


@pytest.fixture
def world(make):
    """A tenant with an admin (two-factor) and a second tenant with its own admin."""
    tenant, other = make.tenant(name="Buurtcoöperatie Geeren"), make.tenant()
    return tenant, make.member(tenant, Role.ADMIN), other, make.member(other, Role.ADMIN)
