"""Municipalities for tests: each with its own unused four-digit CBS code."""
from __future__ import annotations

import itertools
import random

from tenants.models import Municipality

_codes = itertools.count(random.SystemRandom().randrange(1000, 8000))


def municipality_row(name: str | None = None, **kw) -> Municipality:
    """A new (unsaved) municipality; codes start at a random point so that runs sharing one
    database do not collide, and never reuse the demo's 0758, 0995 and 0882, nor 1234: the
    code tests type as an unknown municipality."""
    code = next(_codes)
    while f"{code:04d}" in ("0758", "0995", "0882", "1234"):
        code = next(_codes)
    return Municipality(cbs_code=f"{code:04d}", name=name or f"Gemeente {code}", **kw)
