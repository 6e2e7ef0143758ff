"""Counting failed attempts (passwords, two-factor codes, API tokens) without locking anyone out.

Rules:
- A wrong password or code counts for the pair (account, address) and for the account alone.
- An address that failed too often for an account is refused for that account for a while
  (LIMIT_FAILURES_PER_ACCOUNT_AND_IP): that slows one attacker down.
- The account's ceiling (LIMIT_FAILURES_PER_ACCOUNT, counting all addresses together) refuses
  only addresses that have failed for that account themselves: the owner, from an address that
  made no mistakes, still logs in with the right password while the account is under attack.
- A refused API token counts for its address; only refused tokens are ever answered 429, so a
  valid token is never blocked by someone else's flood (LIMIT_API_FAILURES_PER_IP).

Counts live in the rate limiter's store (Redis when REDIS_URL is set, so all workers and hosts
share them). When that store does not answer, counting goes on in this process (logged), and
the store is tried again after FALLBACK_RETRY seconds: a Redis outage never fails a login.
"""
from __future__ import annotations

import logging
import time

from flask import current_app
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from tenants.extensions import limiter
from tenants.identity import sha256

log = logging.getLogger(__name__)
FALLBACK_RETRY = 30  # seconds before the shared store is tried again
_STATE = "wijkwerk.throttle"


class _State:
    def __init__(self):
        self.fallback = MovingWindowRateLimiter(MemoryStorage())
        self.dead_until = 0.0


def _state() -> _State:
    return current_app.extensions.setdefault(_STATE, _State())


def _run(operation):
    """Run `operation(strategy)` on the shared store, or in memory while it is unreachable."""
    state = _state()
    if time.monotonic() >= state.dead_until:
        try:
            return operation(MovingWindowRateLimiter(limiter.storage))
        except Exception:  # noqa: BLE001 - any storage error: count in memory instead
            log.warning("Rate-limit store unreachable: counting failed logins in this process "
                        "for %s s", FALLBACK_RETRY, exc_info=True)
            state.dead_until = time.monotonic() + FALLBACK_RETRY
    return operation(state.fallback)


def _account_key(kind: str, account: str) -> str:
    return f"wijkwerk-fail:{kind}:{sha256(str(account).strip().lower())[:32]}"


def _limits():
    cfg = current_app.config
    return (parse(cfg["LIMIT_FAILURES_PER_ACCOUNT_AND_IP"]),
            parse(cfg["LIMIT_FAILURES_PER_ACCOUNT"]))


def is_blocked(kind: str, account: str, source: str | None) -> bool:
    """True when `source` (an address, or a known device) may not try `account` now."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    pair, ceiling = _limits()
    key, addr = _account_key(kind, account), source or "-"

    def check(strategy) -> bool:
        if not strategy.test(pair, key, addr):
            return True
        if strategy.test(ceiling, key):
            return False
        # The account is under attack: only addresses without failures for it may try.
        return strategy.get_window_stats(pair, key, addr).remaining < pair.amount

    return _run(check)


def record_failure(kind: str, account: str, source: str | None) -> None:
    """Count one wrong password or code for `account` from `source`."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    pair, ceiling = _limits()
    key, addr = _account_key(kind, account), source or "-"

    def hit(strategy) -> None:
        strategy.hit(pair, key, addr)
        strategy.hit(ceiling, key)

    _run(hit)


def api_token_refused(ip: str | None) -> bool:
    """Count one refused API token from `ip`; True when that address has now been refused
    too often (answer 429 instead of 401). Valid tokens never come here."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    limit = parse(current_app.config["LIMIT_API_FAILURES_PER_IP"])
    return not _run(lambda strategy: strategy.hit(limit, "wijkwerk-fail:api", ip or "-"))


def store_state() -> str:
    """'shared' (Redis answers), 'degraded' (configured but unreachable: counting per process)
    or 'memory' (no shared store configured)."""
    if not current_app.config.get("REDIS_URL"):
        return "memory"
    try:
        healthy = limiter.storage.check()
    except Exception:  # noqa: BLE001
        healthy = False
    return "shared" if healthy else "degraded"
