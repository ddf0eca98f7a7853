"""Readiness: the database answers, and which migration it is at."""

from __future__ import annotations

from shared.db import Database
from shared.health import repository
from shared.health.models import HealthPublic


def check(db: Database) -> HealthPublic:
    """Raises DatabaseUnavailable when the database cannot be reached."""
    return HealthPublic(migration=repository.latest_migration(db))
