from tests.municipality.world import world  # noqa: F401  (the fixture)
