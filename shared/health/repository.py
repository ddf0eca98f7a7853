"""Health SQL: which migration the database is at, if it has any."""

from __future__ import annotations

from shared.db import Database
from shared.db.migrate import latest_applied


def latest_migration(db: Database) -> str | None:
    """The latest applied migration, None on a database never migrated. Raises DatabaseUnavailable."""
    with db.transaction(read_only=True) as conn:
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").fetchone()
        return latest_applied(conn) if exists and exists["present"] else None
