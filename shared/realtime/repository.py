"""WebSocket SQL: tickets (stored hashed, single use), connections and their topics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.db import Database

_ISSUE = """
INSERT INTO ws_tickets (token_hash, user_id, expires_at)
VALUES (%(hash)s, %(user_id)s, now() + make_interval(secs => %(ttl_s)s))
RETURNING expires_at
"""

# Consumed in the same statement that checks it: a ticket opens at most one connection. A disabled user's
# ticket opens none.
_REDEEM = """
UPDATE ws_tickets t SET used_at = now()
FROM users u
WHERE t.token_hash = %(hash)s AND t.used_at IS NULL AND t.expires_at > now()
  AND u.id = t.user_id AND u.disabled_at IS NULL
RETURNING t.user_id, u.role
"""

_ADD = """
INSERT INTO ws_connections (connection_id, user_id, role, source_ip, connected_at)
VALUES (%(id)s, %(user_id)s, %(role)s, %(source_ip)s, coalesce(%(connected_at)s, now()))
ON CONFLICT (connection_id) DO NOTHING
RETURNING connection_id
"""

# The role as the database holds it now: a role changed or an account disabled after connecting counts.
_USER = """
SELECT c.user_id, u.role FROM ws_connections c JOIN users u ON u.id = c.user_id AND u.disabled_at IS NULL
WHERE c.connection_id = %(id)s
"""

_SET_TOPICS = """
UPDATE ws_connections
SET topics = CASE WHEN %(add)s
                  THEN ARRAY(SELECT DISTINCT t FROM unnest(topics || %(topics)s::text[]) AS t ORDER BY t)
                  ELSE ARRAY(SELECT t FROM unnest(topics) AS t WHERE t <> ALL(%(topics)s::text[]) ORDER BY t) END
WHERE connection_id = %(id)s
RETURNING topics
"""

_SUBSCRIBERS = """
SELECT c.connection_id, c.user_id, u.role
FROM ws_connections c JOIN users u ON u.id = c.user_id AND u.disabled_at IS NULL
WHERE %(topic)s = ANY(c.topics)
"""

_OF_USER = """
SELECT c.connection_id FROM ws_connections c JOIN users u ON u.id = c.user_id AND u.disabled_at IS NULL
WHERE c.user_id = %(user_id)s
"""


def issue_ticket(db: Database, token_hash: bytes, user_id: UUID, ttl_s: int) -> datetime:
    with db.transaction() as conn:
        row = conn.execute(_ISSUE, {"hash": token_hash, "user_id": user_id, "ttl_s": ttl_s}).fetchone()
    assert row is not None
    expires_at: datetime = row["expires_at"]
    return expires_at


def redeem_ticket(db: Database, token_hash: bytes) -> dict[str, Any] | None:
    """The ticket's user and current role, marking it used; None if unknown, used, expired or disabled."""
    return db.run_statement(_REDEEM, {"hash": token_hash}, idempotent=False)


def add_connection(
    db: Database, connection_id: str, user_id: UUID, role: str, source_ip: str | None, connected_at: datetime | None
) -> None:
    params = {"id": connection_id, "user_id": user_id, "role": role, "source_ip": source_ip,
              "connected_at": connected_at}  # fmt: skip
    db.run_statement(_ADD, params, idempotent=True)


def connection_user(db: Database, connection_id: str) -> dict[str, Any] | None:
    return db.fetch_one(_USER, {"id": connection_id})


def delete_connection(db: Database, connection_id: str) -> None:
    db.run_statement(
        "DELETE FROM ws_connections WHERE connection_id = %(id)s RETURNING connection_id",
        {"id": connection_id},
        idempotent=True,
    )


def set_topics(db: Database, connection_id: str, topics: Sequence[str], *, add: bool) -> list[str] | None:
    """Add or remove topics; every topic now subscribed, or None when the connection is unknown."""
    row = db.run_statement(_SET_TOPICS, {"id": connection_id, "topics": list(topics), "add": add}, idempotent=True)
    return list(row["topics"]) if row else None


def subscribers(conn: Connection[Any], topic: str) -> list[dict[str, Any]]:
    return conn.execute(_SUBSCRIBERS, {"topic": topic}).fetchall()


def connections_of(conn: Connection[Any], user_id: UUID) -> list[str]:
    return [row["connection_id"] for row in conn.execute(_OF_USER, {"user_id": user_id})]


def delete_connections(conn: Connection[Any], connection_ids: Sequence[str]) -> None:
    if connection_ids:
        conn.execute("DELETE FROM ws_connections WHERE connection_id = ANY(%(ids)s)", {"ids": list(connection_ids)})
