"""Users and invitations (super-admin): invite, list, change a role or disable an account."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.auth import repository
from shared.auth.common import (
    INVITATION_TTL_S,
    hash_token,
)
from shared.auth.models import (
    InvitationPublic,
    UserPage,
    UserPublic,
)
from shared.auth.permissions import Role
from shared.auth.principal import Principal
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.pagination import decode_cursor, page_of
from shared.request_context import RequestContext


def invite(db: Database, principal: Principal, email: str, role: Role, ctx: RequestContext) -> InvitationPublic:
    token = secrets.token_urlsafe(32)

    def work(conn: Connection[Any]) -> InvitationPublic:
        if repository.user_by_email(conn, email) is not None:
            raise Conflict("An account with this email already exists.")
        row = repository.insert_invitation(conn, email, role.value, hash_token(token), principal.id, INVITATION_TTL_S)
        audit.record(
            conn,
            AuditEntry(action="user.invite", actor_id=principal.id, actor_email=principal.email,
                       target_type="invitation", target_id=str(row.id), details={"email": email, "role": role.value}),
            ctx,
        )  # fmt: skip
        return InvitationPublic(id=row.id, email=row.email, role=Role(row.role), expires_at=row.expires_at, token=token)

    return db.run_in_transaction(work)


def list_users(db: Database, cursor: str | None, limit: int) -> UserPage:
    after = decode_cursor(cursor, str)
    with db.transaction(read_only=True) as conn:
        rows = repository.list_users(conn, after[0] if after else None, limit + 1)
    items, next_cursor = page_of(rows, limit, lambda r: (r.email.lower(),))
    return UserPage(items=[r.public() for r in items], next_cursor=next_cursor)


def update_user(
    db: Database, principal: Principal, user_id: UUID, role: Role | None, disabled: bool | None, ctx: RequestContext
) -> UserPublic:
    """Change a user's role or status; effective on their very next request.

    Raises NotFound, Conflict (it would leave no active super-admin)."""

    def work(conn: Connection[Any]) -> UserPublic:
        user = repository.user_by_id(conn, user_id, for_update=True)
        if user is None:
            raise NotFound("No such user.")
        repository.update_user(conn, user.id, role.value if role else None, disabled)
        if disabled:
            repository.revoke_all_sessions(conn, user.id)
        if repository.count_active_super_admins(conn) == 0:
            raise Conflict("At least one active super-admin must remain.")
        changes: dict[str, Any] = {}
        if role is not None and role.value != user.role:
            changes["role"] = {"from": user.role, "to": role.value}
        if disabled is not None and disabled != (user.disabled_at is not None):
            changes["disabled"] = disabled
        audit.record(
            conn,
            AuditEntry(action="user.update", actor_id=principal.id, actor_email=principal.email,
                       target_type="user", target_id=str(user.id), details=changes),
            ctx,
        )  # fmt: skip
        updated = repository.user_by_id(conn, user.id)
        assert updated is not None
        return updated.public()

    return db.run_in_transaction(work)
