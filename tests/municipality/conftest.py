from tests.municipality.share_world import world  # noqa: F401  (the fixture)
