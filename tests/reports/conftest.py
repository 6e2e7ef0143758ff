from tests.reports.builders import coop  # noqa: F401  (the fixture)
