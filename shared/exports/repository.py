"""Export, share-link and rate-window SQL. No decisions here: the service decides who may do what."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from shared.db import Database

# What the API shows as status: a run past its deadline has failed (Lambda stopped it), and a ready file
# past its expiry has been removed by the bucket's lifecycle.
_EFFECTIVE = """
CASE WHEN e.status = 'running' AND e.deadline_at <= now() THEN 'failed'
     WHEN e.status = 'ready' AND e.expires_at <= now() THEN 'expired'
     ELSE e.status END AS status,
CASE WHEN e.status = 'running' AND e.deadline_at <= now() THEN 'The export did not finish in time.'
     ELSE e.error END AS error
"""
_COLUMNS = f"""
e.id, e.owner_id, e.kind, e.filters, e.filename, e.object_key, e.rows, e.rows_total, e.bytes, e.sha256,
e.attempts, e.created_at, e.started_at, e.deadline_at, e.finished_at, e.expires_at, {_EFFECTIVE}
"""

# With ``timeout_s`` the export starts running at once (made within the request that asked for it).
_INSERT = f"""
INSERT INTO exports AS e (id, owner_id, kind, filters, filename, status, started_at, deadline_at, attempts)
SELECT %(id)s, %(owner_id)s, %(kind)s, %(filters)s, %(filename)s, t.status, t.started_at,
       t.started_at + make_interval(secs => %(timeout_s)s), (t.status = 'running')::int
FROM (SELECT CASE WHEN %(timeout_s)s::int IS NULL THEN 'pending' ELSE 'running' END AS status,
             CASE WHEN %(timeout_s)s::int IS NULL THEN NULL ELSE now() END AS started_at) t
RETURNING {_COLUMNS}
"""


def insert_export(conn: Connection[Any], row: dict[str, Any], timeout_s: int | None = None) -> dict[str, Any]:
    params = {**row, "filters": Jsonb(row["filters"]), "timeout_s": timeout_s}
    found = conn.execute(_INSERT, params).fetchone()
    assert found is not None
    return found


def get_export(conn: Connection[Any], export_id: UUID) -> dict[str, Any] | None:
    return conn.execute(f"SELECT {_COLUMNS} FROM exports e WHERE e.id = %s", (export_id,)).fetchone()


_LIST = f"""
SELECT {_COLUMNS} FROM exports e
WHERE (%(owner)s::uuid IS NULL OR e.owner_id = %(owner)s)
  AND (%(after_at)s::timestamptz IS NULL OR (e.created_at, e.id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY e.created_at DESC, e.id DESC
LIMIT %(limit)s
"""


def list_exports(db: Database, owner: UUID | None, after: tuple[Any, ...] | None, limit: int) -> list[dict[str, Any]]:
    params = {"owner": owner, "after_at": after[0] if after else None, "after_id": after[1] if after else None,
              "limit": limit}  # fmt: skip
    with db.transaction(read_only=True) as conn:
        return conn.execute(_LIST, params).fetchall()


_CLAIM = f"""
UPDATE exports AS e SET status = 'running', started_at = now(), deadline_at = now() + make_interval(secs => %(s)s),
       attempts = e.attempts + 1
WHERE e.id = %(id)s AND e.status = 'pending'
RETURNING {_COLUMNS}
"""


def claim(conn: Connection[Any], export_id: UUID, timeout_s: int) -> dict[str, Any] | None:
    """The export, now running, if it was pending; None if another delivery of its event took it already."""
    return conn.execute(_CLAIM, {"id": export_id, "s": timeout_s}).fetchone()


def record_progress(conn: Connection[Any], export_id: UUID, rows: int, rows_total: int | None) -> None:
    conn.execute(
        "UPDATE exports SET rows = %(rows)s, rows_total = coalesce(%(total)s, rows_total)"
        " WHERE id = %(id)s AND status = 'running'",
        {"id": export_id, "rows": rows, "total": rows_total},
    )


_READY = f"""
UPDATE exports AS e SET status = 'ready', object_key = %(key)s, rows = %(rows)s, rows_total = %(rows)s,
       bytes = %(bytes)s, sha256 = %(sha256)s, finished_at = now(),
       expires_at = now() + make_interval(days => %(keep_days)s)
WHERE e.id = %(id)s AND e.status = 'running'
RETURNING {_COLUMNS}
"""


def mark_ready(conn: Connection[Any], export_id: UUID, done: dict[str, Any], keep_days: int) -> dict[str, Any] | None:
    return conn.execute(_READY, {**done, "id": export_id, "keep_days": keep_days}).fetchone()


def mark_failed(conn: Connection[Any], export_id: UUID, error: str) -> dict[str, Any] | None:
    return conn.execute(
        f"UPDATE exports AS e SET status = 'failed', error = %(error)s, finished_at = now()"
        f" WHERE e.id = %(id)s AND e.status IN ('pending', 'running') RETURNING {_COLUMNS}",
        {"id": export_id, "error": error[:500]},
    ).fetchone()


def add_event(
    conn: Connection[Any], event_type: str, aggregate_id: UUID, payload: dict[str, Any], correlation_id: str | None
) -> UUID:
    """An outbox row, in the caller's transaction; the relay delivers it after commit."""
    row = conn.execute(
        "INSERT INTO outbox (event_type, aggregate_id, payload, correlation_id) VALUES (%s, %s, %s, %s) RETURNING id",
        (event_type, str(aggregate_id), Jsonb(payload), correlation_id),
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


# -- share links ------------------------------------------------------------------------------------------

_LINK_STATUS = """
CASE WHEN l.revoked_at IS NOT NULL THEN 'revoked'
     WHEN l.max_downloads IS NOT NULL AND l.downloads >= l.max_downloads THEN 'used_up'
     WHEN l.expires_at <= now() THEN 'expired'
     ELSE 'active' END AS status
"""
_LINK_COLUMNS = f"""
l.id, l.export_id, l.created_by, l.created_at, l.expires_at, l.max_downloads, l.downloads, l.last_download_at,
l.revoked_at, {_LINK_STATUS}
"""


def insert_link(conn: Connection[Any], row: dict[str, Any]) -> dict[str, Any]:
    found = conn.execute(
        f"""INSERT INTO export_links AS l (export_id, token_hash, created_by, created_at, expires_at, max_downloads)
            VALUES (%(export_id)s, %(token_hash)s, %(created_by)s, now(),
                    least(now() + make_interval(secs => %(expires_in)s), %(export_expires_at)s), %(max_downloads)s)
            RETURNING {_LINK_COLUMNS}""",
        row,
    ).fetchone()
    assert found is not None
    return found


def list_links(conn: Connection[Any], export_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(
        f"SELECT {_LINK_COLUMNS} FROM export_links l WHERE l.export_id = %s ORDER BY l.created_at DESC, l.id",
        (export_id,),
    ).fetchall()


def revoke_link(conn: Connection[Any], export_id: UUID, link_id: UUID, by: UUID) -> dict[str, Any] | None:
    """The link, revoked now or before (revoking twice changes nothing); None if the export has no such link."""
    conn.execute(
        "UPDATE export_links SET revoked_at = now(), revoked_by = %(by)s"
        " WHERE id = %(link)s AND export_id = %(export)s AND revoked_at IS NULL",
        {"link": link_id, "export": export_id, "by": by},
    )
    return conn.execute(
        f"SELECT {_LINK_COLUMNS} FROM export_links l WHERE l.id = %s AND l.export_id = %s", (link_id, export_id)
    ).fetchone()


_TAKE_DOWNLOAD = """
UPDATE export_links AS l SET downloads = l.downloads + 1, last_download_at = now()
FROM exports e
WHERE l.token_hash = %(hash)s AND e.id = l.export_id
  AND l.revoked_at IS NULL AND l.expires_at > now() AND (l.max_downloads IS NULL OR l.downloads < l.max_downloads)
  AND e.status = 'ready' AND e.expires_at > now()
RETURNING l.id, l.export_id, l.downloads, l.max_downloads, e.owner_id, e.object_key, e.filename, e.bytes
"""


def take_download(conn: Connection[Any], token_hash: bytes) -> dict[str, Any] | None:
    """Counts one download of the link if it is still good (atomically: a last allowed download is taken
    once); None otherwise."""
    return conn.execute(_TAKE_DOWNLOAD, {"hash": token_hash}).fetchone()


def link_by_hash(conn: Connection[Any], token_hash: bytes) -> dict[str, Any] | None:
    return conn.execute(f"SELECT {_LINK_COLUMNS} FROM export_links l WHERE l.token_hash = %s", (token_hash,)).fetchone()


# -- rate windows -------------------------------------------------------------------------------------------

_HIT = """
INSERT INTO request_rates AS r (key, window_start, hits) VALUES (%(key)s, date_trunc('minute', now()), 1)
ON CONFLICT (key, window_start) DO UPDATE SET hits = r.hits + 1
RETURNING hits, ceil(extract(epoch FROM r.window_start + interval '1 minute' - now()))::int AS resets_in
"""


def hit(db: Database, key: str) -> tuple[int, int]:
    """Counts a request in the current minute's window of ``key``, in a transaction of its own (counted even
    when the request then fails). Returns the window's hits so far and the seconds until the next window."""
    row = db.run_statement(_HIT, {"key": key}, idempotent=False)
    assert row is not None
    return int(row["hits"]), max(1, int(row["resets_in"]))
