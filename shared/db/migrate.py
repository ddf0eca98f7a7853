"""The one migration runner: numbered .sql files applied in order, under an advisory lock, with checksums.

Used by ``make dev``, by the tests and by the migration Lambda that the deployment runs. Two runners
started at once serialize on the lock; the second finds nothing left to do. Editing a migration that was
already applied is refused: add a new one instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

import psycopg
from msgspec import Struct
from psycopg.rows import tuple_row

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any fixed 64-bit number shared by every runner of this schema.
ADVISORY_LOCK_KEY = 7_310_455_001
_FILE_NAME = r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$"  # compiled on first use (re caches it)


class MigrationError(Exception):
    """The migration files and the database disagree, or a migration failed."""


class Migration(Struct, frozen=True):
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationResult(Struct, frozen=True):
    applied: list[str]
    latest: str | None


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file in version order; raises MigrationError on a misnamed file or a repeated number."""
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = re.match(_FILE_NAME, path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_snake_case.sql")
        version = int(match["version"])
        if version in migrations:
            raise MigrationError(f"{path.name}: version {version:04d} is used twice")
        migrations[version] = Migration(version, match["name"], path.read_text(encoding="utf-8"))
    return [migrations[v] for v in sorted(migrations)]


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY CHECK (version > 0),
    name       text NOT NULL,
    checksum   text NOT NULL CHECK (length(checksum) = 64),
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def migrate(conninfo: str, directory: Path = MIGRATIONS_DIR, through: int | None = None) -> MigrationResult:
    """Apply every pending migration (up to version ``through`` if given: the schema as it was then), each in its
    own transaction, and return what was applied.

    Raises MigrationError when an applied migration was edited or removed, or one fails to apply.
    """
    migrations = discover(directory)
    with psycopg.connect(conninfo, autocommit=True, prepare_threshold=None) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        try:
            conn.execute(_CREATE_TABLE)
            applied = _applied(conn)
            _check_history(migrations, applied)
            done: list[str] = []
            for migration in migrations:
                if migration.version in applied or (through is not None and migration.version > through):
                    continue
                _apply(conn, migration)
                done.append(migration.label)
            return MigrationResult(applied=done, latest=latest_applied(conn))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))


def _applied(conn: psycopg.Connection[Any]) -> dict[int, tuple[str, str]]:
    with conn.cursor(row_factory=tuple_row) as cur:
        rows = cur.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
    return {version: (name, checksum) for version, name, checksum in rows}


def _check_history(migrations: list[Migration], applied: dict[int, tuple[str, str]]) -> None:
    by_version = {m.version: m for m in migrations}
    for version, (name, checksum) in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(f"migration {version:04d}_{name} is applied but its file is missing")
        if migration.checksum != checksum:
            raise MigrationError(
                f"migration {migration.label} was edited after it was applied; add a new migration instead"
            )


def _apply(conn: psycopg.Connection[Any], migration: Migration) -> None:
    logger.info("applying migration %s", migration.label)
    try:
        with conn.transaction():
            # No parameters: the file is sent as one simple query, so it may hold many statements.
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.checksum),
            )
    except psycopg.Error as exc:
        raise MigrationError(f"migration {migration.label} failed: {exc}") from exc


def latest_applied(conn: psycopg.Connection[Any]) -> str | None:
    """The label (``NNNN_name``) of the newest applied migration, or None on an empty database."""
    with conn.cursor(row_factory=tuple_row) as cur:
        row = cur.execute(
            "SELECT lpad(version::text, 4, '0') || '_' || name FROM schema_migrations ORDER BY version DESC LIMIT 1"
        ).fetchone()
    return None if row is None else str(row[0])
