"""Reading the audit log (super-admin)."""

from __future__ import annotations

from dataclasses import replace

from shared.audit import repository
from shared.audit.models import AuditPage
from shared.audit.repository import AuditFilter
from shared.db import Database
from shared.pagination import decode_cursor, page_of


def list_audit(db: Database, where: AuditFilter, cursor: str | None, limit: int) -> AuditPage:
    after = decode_cursor(cursor, int)
    where = replace(where, before_id=after[0] if after else None)
    with db.transaction(read_only=True) as conn:
        rows = repository.list_entries(conn, where, limit + 1)
    items, next_cursor = page_of(rows, limit, lambda entry: (entry.id,))
    return AuditPage(items=items, next_cursor=next_cursor)
