"""Readiness: the database answers, and which migration it is at."""

from __future__ import annotations

from shared.db import Database
from shared.db.migrate import latest_applied
from shared.health.models import HealthPublic


def check(db: Database) -> HealthPublic:
    """Raises DatabaseUnavailable when the database cannot be reached."""
    with db.transaction(read_only=True) as conn:
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").fetchone()
        migration = latest_applied(conn) if exists and exists["present"] else None
    return HealthPublic(migration=migration)
