"""Housekeeping SQL: one statement per step, each answering how many rows it removed (or failed)."""

from __future__ import annotations

from typing import Any

from psycopg import Connection

STEPS = {
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


def purge(conn: Connection[Any], step: str) -> int:
    """Run one step's statement; the rows it deleted (or, for overdue exports, failed)."""
    return conn.execute(STEPS[step]).rowcount
