"""Outbox SQL: claiming due events for the relay (FOR UPDATE SKIP LOCKED, so relays running at once never take
the same event), recording each delivery's outcome, the per-topic push lock, and the super-admin views."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import class_row

from shared.outbox.models import OutboxEvent, OutboxEventPublic, OutboxStatus

# Due as of this statement, not of the transaction's start: a relay claims again after waiting for a topic's slot,
# in the same transaction, and must see what was committed meanwhile.
_CLAIM = """
SELECT id, event_type, aggregate_id, payload, correlation_id, created_at, attempts
FROM outbox
WHERE dispatched_at IS NULL AND parked_at IS NULL AND next_attempt_at <= statement_timestamp()
  AND (event_type = ANY(%(types)s)) = %(of_types)s
ORDER BY next_attempt_at, created_at
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED
"""

_HAS_DUE = """
SELECT EXISTS (
    SELECT 1 FROM outbox
    WHERE dispatched_at IS NULL AND parked_at IS NULL AND next_attempt_at <= statement_timestamp()
      AND event_type = ANY(%(types)s)
) AS due
"""

_DISPATCHED = """
UPDATE outbox SET dispatched_at = now(), attempts = attempts + 1, last_error = NULL
WHERE id = ANY(%(ids)s) AND dispatched_at IS NULL
"""

# After its last allowed attempt an event is parked (status failed) instead of being scheduled again.
_FAILED = """
UPDATE outbox
SET attempts = attempts + 1,
    last_error = %(error)s,
    next_attempt_at = now() + make_interval(secs => %(delay_s)s),
    parked_at = CASE WHEN attempts + 1 >= %(max_attempts)s THEN now() END
WHERE id = ANY(%(ids)s) AND dispatched_at IS NULL
RETURNING parked_at IS NOT NULL AS parked
"""

_OLDEST_PENDING = """
SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age_s
FROM outbox WHERE dispatched_at IS NULL AND parked_at IS NULL
"""

# A transaction-scoped advisory lock per topic: one relay at a time pushes a topic; others skip it.
_TOPIC_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended('ws-topic' || chr(31) || %(topic)s, 0)) AS got"

_SECONDS_TO_NEXT_PUSH = """
SELECT greatest(0, extract(epoch FROM (t.last_push_at + make_interval(secs => %(every_s)s) - clock_timestamp())))::float
       AS wait_s
FROM ws_topics t WHERE t.topic = %(topic)s
"""

_PUSHED = """
INSERT INTO ws_topics (topic, last_push_at) VALUES (%(topic)s, clock_timestamp())
ON CONFLICT (topic) DO UPDATE SET last_push_at = EXCLUDED.last_push_at
"""


def claim(conn: Connection[Any], types: Collection[str], *, of_types: bool, limit: int) -> list[OutboxEvent]:
    """Due events whose type is (``of_types``) or is not among ``types``, oldest first, locked until the
    transaction ends; events another relay holds are skipped."""
    params = {"types": list(types), "of_types": of_types, "limit": limit}
    with conn.cursor(row_factory=class_row(OutboxEvent)) as cur:
        return cur.execute(_CLAIM, params).fetchall()


def has_due(conn: Connection[Any], types: Collection[str]) -> bool:
    row = conn.execute(_HAS_DUE, {"types": list(types)}).fetchone()
    return bool(row and row["due"])


def mark_dispatched(conn: Connection[Any], ids: Sequence[UUID]) -> None:
    if ids:
        conn.execute(_DISPATCHED, {"ids": list(ids)})


def mark_failed(conn: Connection[Any], ids: Sequence[UUID], error: str, delay_s: float, max_attempts: int) -> int:
    """Record a failed attempt; the number of events it parked (their last attempt)."""
    if not ids:
        return 0
    params = {"ids": list(ids), "error": error, "delay_s": delay_s, "max_attempts": max_attempts}
    return sum(1 for row in conn.execute(_FAILED, params).fetchall() if row["parked"])


def oldest_pending_age_s(conn: Connection[Any]) -> float:
    """How long the oldest event still to deliver has waited (0 when there is none)."""
    row = conn.execute(_OLDEST_PENDING).fetchone()
    return float(row["age_s"]) if row else 0.0


def try_topic_lock(conn: Connection[Any], topic: str) -> bool:
    row = conn.execute(_TOPIC_LOCK, {"topic": topic}).fetchone()
    return bool(row and row["got"])


def seconds_to_next_push(conn: Connection[Any], topic: str, every_s: float) -> float:
    row = conn.execute(_SECONDS_TO_NEXT_PUSH, {"topic": topic, "every_s": every_s}).fetchone()
    return float(row["wait_s"]) if row else 0.0


def record_push(conn: Connection[Any], topic: str) -> None:
    conn.execute(_PUSHED, {"topic": topic})


# -- the super-admin views ----------------------------------------------------------------------------------

_COLUMNS = """
id, event_type, aggregate_id, payload, correlation_id, created_at, attempts, last_error, dispatched_at, parked_at,
CASE WHEN dispatched_at IS NULL AND parked_at IS NULL THEN next_attempt_at END AS next_attempt_at,
CASE WHEN parked_at IS NOT NULL THEN 'failed' WHEN dispatched_at IS NOT NULL THEN 'dispatched' ELSE 'pending' END
    AS status
"""

# Each status is listed in the order of its own partial index: failed newest parked first, pending by due time.
_LIST_FAILED = f"""
SELECT {_COLUMNS} FROM outbox
WHERE parked_at IS NOT NULL
  AND (%(event_type)s::text IS NULL OR event_type = %(event_type)s)
  AND (%(after_at)s::timestamptz IS NULL OR (parked_at, id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY parked_at DESC, id DESC
LIMIT %(limit)s
"""

_LIST_PENDING = f"""
SELECT {_COLUMNS} FROM outbox
WHERE dispatched_at IS NULL AND parked_at IS NULL
  AND (%(event_type)s::text IS NULL OR event_type = %(event_type)s)
  AND (%(after_at)s::timestamptz IS NULL OR (next_attempt_at, id) > (%(after_at)s, %(after_id)s::uuid))
ORDER BY next_attempt_at, id
LIMIT %(limit)s
"""

_GET = f"SELECT {_COLUMNS} FROM outbox WHERE id = %(id)s"

_RETRY = f"""
UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt_at = now()
WHERE id = %(id)s AND parked_at IS NOT NULL
RETURNING {_COLUMNS}
"""


def list_events(
    conn: Connection[Any],
    status: OutboxStatus,
    event_type: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[OutboxEventPublic]:
    query = _LIST_FAILED if status == "failed" else _LIST_PENDING
    params = {"event_type": event_type, "after_at": after[0] if after else None,
              "after_id": after[1] if after else None, "limit": limit}  # fmt: skip
    with conn.cursor(row_factory=class_row(OutboxEventPublic)) as cur:
        return cur.execute(query, params).fetchall()


def get_event(conn: Connection[Any], event_id: UUID) -> OutboxEventPublic | None:
    with conn.cursor(row_factory=class_row(OutboxEventPublic)) as cur:
        return cur.execute(_GET, {"id": event_id}).fetchone()


def unpark(conn: Connection[Any], event_id: UUID) -> OutboxEventPublic | None:
    """Make a parked (failed) event due now with its attempts reset; None if it is not parked."""
    with conn.cursor(row_factory=class_row(OutboxEventPublic)) as cur:
        return cur.execute(_RETRY, {"id": event_id}).fetchone()
