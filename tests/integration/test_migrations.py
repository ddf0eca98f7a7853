"""Migrations: applied once, serialized by the advisory lock, and an edited migration is refused."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from shared.db.migrate import ADVISORY_LOCK_KEY, MigrationError, MigrationResult, discover, migrate

MakeMigrations = Callable[[dict[str, str]], Path]

FILES = {
    "0001_people.sql": "CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL);",
    "0002_pets.sql": "CREATE TABLE pets (id serial PRIMARY KEY, owner integer REFERENCES people);\n"
    "INSERT INTO people (name) VALUES ('seed');",
}


def _count(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
        assert row is not None
        return int(row[0])


def test_project_migrations_apply_and_reapply_as_a_no_op(fresh_database: str) -> None:
    first = migrate(fresh_database)
    second = migrate(fresh_database)
    assert first.applied == [m.label for m in discover()]
    assert second.applied == []
    assert second.latest == first.latest == discover()[-1].label


def test_migrations_are_idempotent(fresh_database: str, make_migrations: MakeMigrations) -> None:
    folder = make_migrations(FILES)
    assert migrate(fresh_database, folder).applied == ["0001_people", "0002_pets"]
    assert migrate(fresh_database, folder) == MigrationResult(applied=[], latest="0002_pets")
    assert _count(fresh_database, "SELECT count(*) FROM people") == 1


def test_an_edited_migration_is_refused(fresh_database: str, make_migrations: MakeMigrations) -> None:
    folder = make_migrations(FILES)
    migrate(fresh_database, folder)
    (folder / "0001_people.sql").write_text(FILES["0001_people.sql"] + "\n-- tweaked")
    (folder / "0003_more.sql").write_text("CREATE TABLE more (id int);")

    with pytest.raises(MigrationError, match="0001_people was edited"):
        migrate(fresh_database, folder)
    # Refused before anything ran: the new migration was not applied.
    assert _count(fresh_database, "SELECT count(*) FROM schema_migrations") == 2


def test_a_removed_applied_migration_is_refused(fresh_database: str, make_migrations: MakeMigrations) -> None:
    folder = make_migrations(FILES)
    migrate(fresh_database, folder)
    (folder / "0002_pets.sql").unlink()
    with pytest.raises(MigrationError, match="file is missing"):
        migrate(fresh_database, folder)


def test_a_failing_migration_leaves_no_trace(fresh_database: str, make_migrations: MakeMigrations) -> None:
    folder = make_migrations({**FILES, "0003_broken.sql": "CREATE TABLE ok3 (id int);\nSELECT * FROM nowhere;"})
    with pytest.raises(MigrationError, match="0003_broken failed"):
        migrate(fresh_database, folder)
    assert _count(fresh_database, "SELECT count(*) FROM schema_migrations") == 2
    assert _count(fresh_database, "SELECT count(*) FROM pg_tables WHERE tablename = 'ok3'") == 0


def test_misnamed_files_are_refused(make_migrations: MakeMigrations) -> None:
    folder = make_migrations({"1_people.sql": "SELECT 1;"})
    with pytest.raises(MigrationError, match="NNNN_snake_case"):
        discover(folder)


def test_concurrent_runners_are_serialized_by_the_lock(fresh_database: str, make_migrations: MakeMigrations) -> None:
    # Non-idempotent DDL: two runners applying it at once would fail. Hold the lock so that both runners
    # are queued on it, then let them go.
    folder = make_migrations(FILES)
    results: list[MigrationResult] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            results.append(migrate(fresh_database, folder))
        except BaseException as exc:
            failures.append(exc)

    with psycopg.connect(fresh_database, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        _wait_for_lock_waiters(holder, 2)
        holder.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        for thread in threads:
            thread.join(timeout=60)

    assert failures == []
    assert sorted(len(r.applied) for r in results) == [0, 2]
    assert _count(fresh_database, "SELECT count(*) FROM schema_migrations") == 2


def _wait_for_lock_waiters(conn: psycopg.Connection[tuple[int]], expected: int) -> None:
    """Block until ``expected`` sessions wait on the advisory lock (both runners are really queued)."""
    event = threading.Event()
    for _ in range(2000):
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
            (ADVISORY_LOCK_KEY & 0xFFFFFFFF,),
        ).fetchone()
        if row is not None and row[0] >= expected:
            return
        event.wait(0.01)
    raise AssertionError(f"fewer than {expected} runners waited on the migration lock")
