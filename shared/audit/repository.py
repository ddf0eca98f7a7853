"""Audit log SQL. ``record`` takes the caller's connection: it joins the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from shared.audit.models import AuditEntry, AuditPublic
from shared.request_context import RequestContext

_INSERT = """
INSERT INTO audit_log
    (action, outcome, actor_id, actor_email, target_type, target_id, source_ip, correlation_id, details)
VALUES (%(action)s, %(outcome)s, %(actor_id)s, %(actor_email)s, %(target_type)s, %(target_id)s, %(source_ip)s,
        %(correlation_id)s, %(details)s)
"""


def record(conn: Connection[Any], entry: AuditEntry, context: RequestContext) -> None:
    conn.execute(
        _INSERT,
        {
            **entry.model_dump(exclude={"details"}),
            "details": Jsonb(entry.details),
            "source_ip": context.source_ip,
            "correlation_id": context.correlation_id,
        },
    )


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_id: UUID | None = None
    outcome: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # keyset cursor: newest first


_LIST = """
SELECT id, at, action, outcome, actor_id, actor_email, target_type, target_id, source_ip, correlation_id, details
FROM audit_log
WHERE (%(action)s::text IS NULL OR action = %(action)s OR action LIKE %(action)s || '.%%')
  AND (%(actor_id)s::uuid IS NULL OR actor_id = %(actor_id)s)
  AND (%(outcome)s::text IS NULL OR outcome = %(outcome)s)
  AND (%(target_id)s::text IS NULL OR target_id = %(target_id)s)
  AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR at < %(until)s)
  AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s)
ORDER BY id DESC
LIMIT %(limit)s
"""


def list_entries(conn: Connection[Any], where: AuditFilter, limit: int) -> list[AuditPublic]:
    with conn.cursor(row_factory=class_row(AuditPublic)) as cur:
        return cur.execute(_LIST, {**where.__dict__, "limit": limit}).fetchall()
