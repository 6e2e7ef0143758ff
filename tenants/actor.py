"""Who performs an action, passed from the web layer (or CLI) into services."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    email: str | None = None
    ip: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(user_id=None, email=name, ip=None)
