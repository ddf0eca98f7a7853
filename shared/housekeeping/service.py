"""Deletes what has outlived its purpose: idempotency records past their expiry (kept 48 h, promised 24 h),
failed-attempt records older than a day (throttling looks back 15 minutes), and sign-in attempts (mfa
challenges) a day after they expired."""

from __future__ import annotations

from typing import Any

from psycopg import Connection

from shared.db import Database

_STEPS = {
    "idempotency_keys": "DELETE FROM idempotency_keys WHERE expires_at < now()",
    "auth_failures": "DELETE FROM auth_failures WHERE at < now() - interval '24 hours'",
    "mfa_challenges": "DELETE FROM mfa_challenges WHERE expires_at < now() - interval '24 hours'",
}


def run(db: Database) -> dict[str, int]:
    """Rows deleted per table, each table in a transaction of its own."""
    deleted: dict[str, int] = {}
    for table, statement in _STEPS.items():

        def work(conn: Connection[Any], statement: str = statement) -> int:
            return conn.execute(statement).rowcount

        deleted[table] = db.run_in_transaction(work)
    return deleted
