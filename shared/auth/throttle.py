"""Throttling of guesses (passwords, codes) per account and per client IP.

After ``free`` failures within the window the key must wait, for a delay that doubles with each further
failure (30 s, 1 min, 2 min, ... up to 15 min). Nothing locks for good: once the delay has passed the
rightful user gets in. The per-IP allowance is larger than the per-account one because many honest users
can share one address (a field office behind one NAT).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from psycopg import Connection

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
    return Limit(f"2fa:{user_id}", free=5)


def delay_for(failures: int, free: int) -> int:
    if failures < free:
        return 0
    return min(MAX_DELAY_S, BASE_DELAY_S * 2 ** (failures - free))


def check(conn: Connection[Any], limits: list[Limit | None]) -> None:
    """Raises TooManyRequests (with Retry-After) when any key is still waiting out its delay."""
    wait = 0
    for limit in filter(None, limits):
        row = conn.execute(
            "SELECT count(*) AS failures, extract(epoch FROM now() - max(at)) AS since_last"
            " FROM auth_failures WHERE key = %s AND at > now() - make_interval(secs => %s)",
            (limit.key, WINDOW_S),
        ).fetchone()
        if row is None or not row["failures"]:
            continue
        remaining = delay_for(int(row["failures"]), limit.free) - float(row["since_last"])
        wait = max(wait, math.ceil(remaining))
    if wait > 0:
        raise TooManyRequests("Too many failed attempts; wait before trying again.", retry_after=wait)


def record_failure(conn: Connection[Any], limits: list[Limit | None]) -> None:
    keys = [limit.key for limit in limits if limit]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO auth_failures (key) VALUES (%s)", [(k,) for k in keys])
    # Keep the table small without a separate job: old rows go out with new ones.
    conn.execute(
        "DELETE FROM auth_failures WHERE key = ANY(%s) AND at < now() - make_interval(secs => %s)",
        (keys, RETENTION_S),
    )


def clear(conn: Connection[Any], limit: Limit) -> None:
    conn.execute("DELETE FROM auth_failures WHERE key = %s", (limit.key,))
