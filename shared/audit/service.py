"""Reading the audit log (super-admin)."""

from __future__ import annotations

from shared.audit import repository
from shared.audit.models import AuditPage
from shared.audit.repository import AuditFilter
from shared.db import Database
from shared.errors import ValidationFailed, problem


def list_audit(db: Database, where: AuditFilter, limit: int) -> AuditPage:
    with db.transaction(read_only=True) as conn:
        items = repository.list_entries(conn, where, limit + 1)
    more = len(items) > limit
    items = items[:limit]
    return AuditPage(items=items, next_cursor=str(items[-1].id) if more else None)


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise ValidationFailed(details=[problem(["query", "cursor"], "invalid cursor", "cursor")])
    return int(cursor)
