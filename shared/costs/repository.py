"""Cost ledger SQL: prices, ledger rows, and the aggregates finance reads. No decisions here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from shared.costs.pricing import PriceBook
from shared.db import Database

_PRICES = """
SELECT v.version, p.component, p.unit_price
FROM price_versions v JOIN prices p ON p.version = v.version AND p.region = %(region)s
WHERE v.version = (SELECT version FROM price_versions WHERE valid_from <= %(at)s ORDER BY valid_from DESC LIMIT 1)
"""


def price_book(db: Database, region: str, at: datetime) -> PriceBook:
    """The prices in force at ``at``. Raises LookupError when no version covers it."""
    with db.transaction(read_only=True) as conn:
        rows = conn.execute(_PRICES, {"region": region, "at": at}).fetchall()
    if not rows:
        raise LookupError(f"no price version covers {at.isoformat()} in {region}")
    return PriceBook(rows[0]["version"], region, {r["component"]: r["unit_price"] for r in rows})


_INSERT = """
INSERT INTO cost_requests (
    request_id, correlation_id, function_name, entry, kind, status, channel, actor, assessment_id, session_key,
    started_at, duration_ms, billed_ms, memory_mb, architecture, cold_start, init_ms, db_ms, db_statements,
    usage, region, price_version, items, lambda_usd, gateway_usd, s3_usd, twilio_usd, direct_usd)
VALUES (
    %(request_id)s, %(correlation_id)s, %(function)s, %(entry)s, %(kind)s, %(status)s, %(channel)s, %(actor)s,
    %(assessment_id)s, %(session_key)s, %(started_at)s, %(duration_ms)s, %(billed_ms)s, %(memory_mb)s,
    %(architecture)s, %(cold_start)s, %(init_ms)s, %(db_ms)s, %(db_statements)s, %(usage)s, %(region)s,
    %(price_version)s, %(items)s, %(lambda_usd)s, %(gateway_usd)s, %(s3_usd)s, %(twilio_usd)s, %(direct_usd)s)
ON CONFLICT (request_id) DO NOTHING
RETURNING request_id
"""


def _params(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "usage": Jsonb(row["usage"]), "items": Jsonb(row["items"])}


def insert_request(db: Database, row: dict[str, Any]) -> None:
    """One statement, one round trip, its own transaction; a repeated request id changes nothing."""
    db.run_statement(_INSERT, _params(row), idempotent=True)


def insert_requests(db: Database, rows: list[dict[str, Any]]) -> None:
    """Many rows in one transaction, pipelined (a writer catching up); a repeated request id changes nothing."""

    def work(conn: Connection[Any]) -> None:
        with conn.cursor() as cursor:
            cursor.executemany(_INSERT, [_params(row) for row in rows])

    db.run_in_transaction(work)


_RECONCILE = """
UPDATE cost_requests
SET billed_ms = %(billed_ms)s, max_memory_mb = %(max_memory_mb)s, init_ms = coalesce(%(init_ms)s, init_ms),
    cold_start = cold_start OR %(init_ms)s IS NOT NULL, usage = %(usage)s, items = %(items)s,
    lambda_usd = %(lambda_usd)s, direct_usd = %(direct_usd)s, reconciled_at = now()
WHERE request_id = %(request_id)s
"""


def ledger_row(conn: Connection[Any], request_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    sql = "SELECT * FROM cost_requests WHERE request_id = %(id)s" + (" FOR UPDATE" if for_update else "")
    return conn.execute(sql, {"id": request_id}).fetchone()


def prices_of_version(conn: Connection[Any], version: int, region: str) -> PriceBook:
    rows = conn.execute(
        "SELECT component, unit_price FROM prices WHERE version = %(v)s AND region = %(r)s", {"v": version, "r": region}
    ).fetchall()
    return PriceBook(version, region, {r["component"]: r["unit_price"] for r in rows})


def reconcile(conn: Connection[Any], row: dict[str, Any]) -> None:
    conn.execute(_RECONCILE, {**row, "usage": Jsonb(row["usage"]), "items": Jsonb(row["items"])})


# -- what finance reads ---------------------------------------------------------------------------------

# Requests of a conversation or form session that led to an assessment belong to that assessment too.
_ATTRIBUTED = """
WITH sessions AS (
    SELECT DISTINCT ON (session_key) session_key, assessment_id
    FROM cost_requests
    WHERE assessment_id IS NOT NULL AND session_key IS NOT NULL
    ORDER BY session_key, started_at
), attributed AS (
    SELECT c.*, coalesce(c.assessment_id, s.assessment_id) AS of_assessment
    FROM cost_requests c LEFT JOIN sessions s ON s.session_key = c.session_key
    WHERE c.started_at >= %(from)s AND c.started_at < %(to)s
)
"""

GROUP_KEYS = {
    "route": "r.entry",
    "function": "r.function_name",
    "channel": "r.channel",
    "day": "to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    "sector": "a.sector",
}


def grouped(db: Database, group_by: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Requests, direct cost and database time per group of the period."""
    key = GROUP_KEYS[group_by]  # one of a fixed set, never input
    sql = (
        _ATTRIBUTED
        + f"""
SELECT {key} AS key, count(*) AS requests, sum(r.direct_usd) AS direct_usd, sum(r.db_ms) AS db_ms
FROM attributed r LEFT JOIN assessments a ON a.id = r.of_assessment
GROUP BY 1
ORDER BY sum(r.direct_usd) DESC, 1
"""
    )
    with db.transaction(read_only=True) as conn:
        return conn.execute(sql, {"from": start, "to": end}).fetchall()


def shared_capacity(db: Database, profile: str) -> list[dict[str, Any]]:
    with db.transaction(read_only=True) as conn:
        return conn.execute(
            "SELECT component, quantity FROM shared_capacity WHERE profile = %(p)s ORDER BY component", {"p": profile}
        ).fetchall()


_LIST = """
SELECT * FROM cost_requests
WHERE started_at >= %(from)s AND started_at < %(to)s
  AND (%(route)s::text IS NULL OR entry = %(route)s)
  AND (%(function)s::text IS NULL OR function_name = %(function)s)
  AND (%(channel)s::text IS NULL OR channel = %(channel)s)
  AND (%(status)s::int IS NULL OR status = %(status)s)
  AND (%(actor)s::text IS NULL OR actor = %(actor)s)
  AND (%(assessment_id)s::uuid IS NULL OR assessment_id = %(assessment_id)s)
  AND (%(after_started)s::timestamptz IS NULL
       OR (started_at, request_id) < (%(after_started)s::timestamptz, %(after_id)s::text))
ORDER BY started_at DESC, request_id DESC
LIMIT %(limit)s
"""


def list_requests(db: Database, where: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    with db.transaction(read_only=True) as conn:
        return conn.execute(_LIST, {**where, "limit": limit}).fetchall()


def request_by_id(db: Database, request_id: str) -> dict[str, Any] | None:
    """By Lambda request id, or by the API Gateway request id a client saw."""
    return db.fetch_one(
        "SELECT * FROM cost_requests WHERE request_id = %(id)s OR correlation_id = %(id)s "
        "ORDER BY (request_id = %(id)s) DESC, started_at LIMIT 1",
        {"id": request_id},
    )


_PER_ASSESSMENT = """
WITH done AS (
    SELECT a.id, a.channel, a.sector FROM assessments a
    WHERE a.status = 'submitted' AND a.submitted_at >= %(from)s AND a.submitted_at < %(to)s
), sessions AS (
    SELECT DISTINCT c.assessment_id, c.session_key FROM cost_requests c
    JOIN done d ON d.id = c.assessment_id WHERE c.session_key IS NOT NULL
), each AS (
    SELECT d.id, d.channel, d.sector, sum(c.direct_usd + c.db_ms * %(shared_per_db_ms)s) AS total
    FROM done d
    JOIN cost_requests c ON c.assessment_id = d.id
        OR c.session_key IN (SELECT s.session_key FROM sessions s WHERE s.assessment_id = d.id)
    GROUP BY d.id, d.channel, d.sector
)
SELECT channel, sector, count(*) AS assessments, avg(total) AS mean, sum(total) AS total,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY total) AS median,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY total) AS p95
FROM each GROUP BY channel, sector ORDER BY channel, sector
"""


def per_assessment(db: Database, start: datetime, end: datetime, shared_per_db_ms: Decimal) -> list[dict[str, Any]]:
    with db.transaction(read_only=True) as conn:
        return conn.execute(
            _PER_ASSESSMENT, {"from": start, "to": end, "shared_per_db_ms": shared_per_db_ms}
        ).fetchall()


def total_db_ms(db: Database, start: datetime, end: datetime) -> Decimal:
    row = db.fetch_one(
        "SELECT coalesce(sum(db_ms), 0) AS db_ms FROM cost_requests WHERE started_at >= %(f)s AND started_at < %(t)s",
        {"f": start, "t": end},
    )
    return Decimal(row["db_ms"]) if row else Decimal(0)
