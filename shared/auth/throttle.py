"""Throttling of guesses (passwords, codes, invitations) per account, per second factor and per client IP.

Each guess is counted before it is checked (``reserve``: the check and the count are one atomic step, so
parallel guesses cannot all pass a check that none of them has counted yet), and given back when it was
right (``release``). After ``free`` failures within the window the key must wait, for a delay that doubles
with each further failure (30 s, 1 min, 2 min, ... up to 15 min). Nothing locks for good: once the delay
has passed the rightful user gets in. The per-IP allowance is larger than the per-account one because many
honest users can share one address (a field office behind one NAT).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import Connection

from shared.auth import repository
from shared.errors import TooManyRequests

WINDOW_S = 15 * 60
BASE_DELAY_S = 30
MAX_DELAY_S = 15 * 60
RETENTION_S = 24 * 3600


@dataclass(frozen=True)
class Limit:
    key: str
    free: int


def account_key(email: str) -> Limit:
    return Limit(f"account:{email.strip().lower()}", free=5)


def ip_key(ip: str | None) -> Limit | None:
    return Limit(f"ip:{ip}", free=50) if ip else None


def second_factor_key(user_id: object) -> Limit:
    """Second-factor codes of one user, across every sign-in attempt (mfa token) and 2FA change."""
    return Limit(f"2fa:{user_id}", free=5)


def signup_key(ip: str | None) -> Limit | None:
    """Refused signups (no, wrong, used or expired invitation) from one client."""
    return Limit(f"signup:{ip}", free=10) if ip else None


def delay_for(failures: int, free: int) -> int:
    if failures < free:
        return 0
    return min(MAX_DELAY_S, BASE_DELAY_S * 2 ** (failures - free))


def check(conn: Connection[Any], limits: Sequence[Limit | None]) -> None:
    """Raises TooManyRequests (with Retry-After) when any key is still waiting out its delay."""
    wait = 0
    for limit in filter(None, limits):
        count, since_last = repository.recent_failures(conn, limit.key, WINDOW_S)
        if not count:
            continue
        delay = delay_for(count, limit.free)
        remaining = delay - since_last if delay else 0
        wait = max(wait, math.ceil(remaining))
    if wait > 0:
        raise TooManyRequests("Too many failed attempts; wait before trying again.", retry_after=wait)


def reserve(conn: Connection[Any], limits: list[Limit | None]) -> list[int]:
    """Count one attempt as failed before it is made; returns the rows to ``release`` if it succeeds.

    Under a lock per key (held to the end of the caller's transaction), so concurrent attempts are counted
    one after the other. Raises TooManyRequests (nothing counted) while any key is waiting out its delay."""
    active = sorted({limit.key: limit for limit in limits if limit}.values(), key=lambda limit: limit.key)
    for limit in active:
        repository.lock_throttle_key(conn, limit.key)
    check(conn, active)
    keys = [limit.key for limit in active]
    ids = repository.insert_failures(conn, keys)
    # Keep the table small without a separate job: old rows go out with new ones.
    repository.delete_old_failures(conn, keys, RETENTION_S)
    return ids


def release(conn: Connection[Any], reserved: list[int]) -> None:
    """The reserved attempt succeeded: it is not a failure."""
    repository.delete_failures(conn, reserved)


def failures(conn: Connection[Any], limit: Limit) -> int:
    """Failures of ``limit`` within the window."""
    return repository.recent_failures(conn, limit.key, WINDOW_S)[0]


def clear(conn: Connection[Any], limit: Limit) -> None:
    repository.clear_failures(conn, limit.key)
