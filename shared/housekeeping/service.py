"""Deletes what has outlived its purpose: idempotency records past their expiry (kept 48 h, promised 24 h),
failed-attempt records older than a day (throttling looks back 15 minutes), sign-in attempts (mfa
challenges) a day after they expired, request-rate windows older than an hour (they last a minute), outbox events
a week after they were delivered (failed ones stay until a super-admin sends them again), WebSocket tickets an
hour after they expired, and connections older than API Gateway lets one live (2 hours) whose $disconnect never
came; and fails for good the exports Lambda stopped before they finished (still running past their deadline)."""

from __future__ import annotations

from typing import Any

from psycopg import Connection

from shared.db import Database

_STEPS = {
    "idempotency_keys": "DELETE FROM idempotency_keys WHERE expires_at < now()",
    "auth_failures": "DELETE FROM auth_failures WHERE at < now() - interval '24 hours'",
    "mfa_challenges": "DELETE FROM mfa_challenges WHERE expires_at < now() - interval '24 hours'",
    "outbox": "DELETE FROM outbox WHERE dispatched_at < now() - interval '7 days'",
    "ws_tickets": "DELETE FROM ws_tickets WHERE expires_at < now() - interval '1 hour'",
    "ws_connections": "DELETE FROM ws_connections WHERE connected_at < now() - interval '3 hours'",
    "request_rates": "DELETE FROM request_rates WHERE window_start < now() - interval '1 hour'",
    # Failed with the event its owner's WebSocket hears (delivered by the relay's next sweep).
    "overdue_exports": """
        WITH failed AS (
            UPDATE exports SET status = 'failed', error = 'The export did not finish in time.', finished_at = now()
            WHERE status = 'running' AND deadline_at <= now()
            RETURNING id, owner_id, coalesce(rows, 0) AS done, coalesce(rows_total, rows, 0) AS total, error
        )
        INSERT INTO outbox (event_type, aggregate_id, payload)
        SELECT 'export.failed', id::text, jsonb_build_object('export_id', id::text, 'owner_id', owner_id::text,
                                                             'done', done, 'total', total, 'error', error)
        FROM failed""",
}


def run(db: Database) -> dict[str, int]:
    """Rows deleted (or, for overdue exports, failed) per step, each step in a transaction of its own."""
    deleted: dict[str, int] = {}
    for table, statement in _STEPS.items():

        def work(conn: Connection[Any], statement: str = statement) -> int:
            return conn.execute(statement).rowcount

        deleted[table] = db.run_in_transaction(work)
    return deleted
