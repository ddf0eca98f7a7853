"""Dashboard SQL. The summary is one statement (the function dashboard_summary), so one snapshot: the totals
(dashboard_* tables) plus what is not folded yet: submissions whose assessment.submitted events are still due
(an event is folded in the transaction that delivers or parks it, migration 0042) and abandoned conversations.
It never reads answers, skill scores or more than 20 assessments, whatever their number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.db import Database

FOLD_BATCH = 20_000

_RECORD_ABANDONED = """
SELECT dashboard_record_abandoned(%(version)s, %(channel)s, %(reached)s::uuid[], %(answered)s::uuid[],
                                  coalesce(%(at)s, now()))
"""


def summary(db: Database, only: UUID | None, version: UUID | None) -> dict[str, Any]:
    """The summary's figures (dashboard_summary, migration 0011); ``only``: an enumerator's own."""
    row = db.fetch_one("SELECT dashboard_summary(%s, %s) AS summary", (only, version))
    assert row is not None
    summary: dict[str, Any] = row["summary"]
    return summary


def fold(db: Database, limit: int = FOLD_BATCH) -> int:
    """Move abandoned conversations' deltas into the totals (0 when another fold is running); submissions are
    folded as the relay takes their events off its list."""
    row = db.run_statement("SELECT dashboard_fold(%s) AS moved", (limit,), idempotent=True)
    return int(row["moved"]) if row else 0


def record_abandoned(
    conn: Connection[Any],
    *,
    version_id: UUID,
    channel: str,
    reached: Sequence[UUID],
    answered: Sequence[UUID],
    at: datetime | None = None,
) -> None:
    """Count a conversation abandoned before its end in the funnel (see migration 0011): ``reached``, the questions
    it was asked; ``answered``, those it answered (a subset). In the caller's transaction: the one that closes the
    conversation, so that it counts once. Raises ValidationFailed (via the schema) for a question not of the
    version or an answered one not reached."""
    params = {"version": version_id, "channel": channel, "reached": list(reached), "answered": list(answered), "at": at}
    conn.execute(_RECORD_ABANDONED, params)
