"""What functions do with the outbox besides writing to it: kick the relay after a commit, and the super-admin's
view of events (failed ones above all) and their retry."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.errors import Conflict, NotFound
from shared.outbox import repository
from shared.outbox.models import OutboxEventPublic, OutboxPage, OutboxStatus
from shared.pagination import decode_cursor, page_of
from shared.request_context import RequestContext
from shared.runtime import Runtime

logger = logging.getLogger(__name__)

RELAY = "relay"


def kick_relay(rt: Runtime, reason: str) -> None:
    """Start the relay now (an asynchronous invoke), after the commit that wrote events. Never fails the
    caller: if the invoke fails, the relay's one-minute sweep delivers the events."""
    try:
        rt.invoke.invoke_async(RELAY, {"source": "outbox.kick"})
    except Exception as exc:
        logger.warning(
            "could not kick the outbox relay; the sweep will deliver", extra={"reason": reason, "error": repr(exc)}
        )


def list_events(
    rt: Runtime, status: OutboxStatus, event_type: str | None, cursor: str | None, limit: int
) -> OutboxPage:
    after = decode_cursor(cursor, datetime.fromisoformat, UUID)
    with rt.db.transaction(read_only=True) as conn:
        rows = repository.list_events(conn, status, event_type, after, limit + 1)
    items, next_cursor = page_of(rows, limit, key=_sort_key(status))
    return OutboxPage(items=items, next_cursor=next_cursor)


def _sort_key(status: OutboxStatus) -> Any:
    if status == "failed":
        return lambda e: (e.parked_at, e.id)
    return lambda e: (e.next_attempt_at, e.id)


def retry(rt: Runtime, event_id: UUID, actor_id: UUID, ctx: RequestContext) -> OutboxEventPublic:
    """Make a failed (parked) event pending again with its attempts reset, and kick the relay. Raises
    NotFound, and Conflict for an event that is not failed."""
    with rt.db.transaction() as conn:
        event = repository.unpark(conn, event_id)
        if event is None:
            if repository.get_event(conn, event_id) is None:
                raise NotFound("No such outbox event.")
            raise Conflict("Only a failed event can be retried; this one is pending or dispatched.")
        audit.record(
            conn,
            AuditEntry(action="outbox.retry", actor_id=actor_id, target_type="outbox_event", target_id=str(event_id),
                       details={"event_type": event.event_type}),
            ctx,
        )  # fmt: skip
    kick_relay(rt, "retry")
    return event
