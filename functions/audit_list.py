"""GET /api/v1/audit."""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.audit import service
from shared.audit.models import AuditPage
from shared.audit.repository import AuditFilter
from shared.pagination import CURSOR_PATTERN
from shared.web import Db, create_app, error_responses, make_handler
from shared.web.guards import Timestamp

router = APIRouter(tags=["audit"])


@router.get("/api/v1/audit", response_model=AuditPage, responses=error_responses(401, 403, 422))
async def list_audit(
    db: Db,
    action: str | None = Query(
        default=None, pattern=r"^[a-z_]+(\.[a-z_0-9]+)*$", description="e.g. auth or auth.login"
    ),
    actor_id: UUID | None = None,
    outcome: Literal["success", "failure"] | None = None,
    target_id: str | None = Query(default=None, max_length=100),
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    cursor: str | None = Query(default=None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page."),
    limit: int = Query(default=50, ge=1, le=500),
) -> AuditPage:
    """Security and data events, newest first (super-admin): logins ok and failed, 2FA changes, role
    changes, invitations, exports, share-link downloads."""
    where = AuditFilter(action, actor_id, outcome, target_id, since, until)
    return service.list_audit(db, where, cursor, limit)


app = create_app(router, entry(__name__))
handler = make_handler(app)
