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
from shared.housekeeping import repository


def run(db: Database) -> dict[str, int]:
    """Rows deleted (or, for overdue exports, failed) per step, each step in a transaction of its own."""
    deleted: dict[str, int] = {}
    for step in repository.STEPS:

        def work(conn: Connection[Any], step: str = step) -> int:
            return repository.purge(conn, step)

        deleted[step] = db.run_in_transaction(work)
    return deleted
