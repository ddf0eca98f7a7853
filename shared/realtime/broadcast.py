"""Sending to WebSocket connections through the management API (``post_to_connection``), as the outbox relay's
consumers: a coalesced dashboard delta to every ``dashboard`` subscriber, and export events to the export's
owner.

Posts go out in parallel on a bounded pool. A gone connection (410, GoneException) is deleted: that one, the
stale one, never the sender's. Other failures (429 LimitExceeded, 5xx, network) are retried with backoff;
a broadcast fails as a whole (and the relay retries its events) only when no post got through.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.auth.permissions import Role, sees_only_own_records
from shared.outbox.models import OutboxEvent
from shared.realtime import repository
from shared.runtime import Runtime
from shared.runtime.meter import WEBSOCKET_STEP_BYTES, Usage

logger = logging.getLogger(__name__)

POOL_SIZE = 16
POST_ATTEMPTS = 4
DETAILED = 100  # a delta lists at most this many assessments; its counts cover all of them
DASHBOARD_EVENTS = frozenset({"assessment.submitted"})
OWNER_EVENTS = ("export.progress", "export.ready", "export.failed")


@dataclass
class Delivery:
    sent: int = 0
    gone: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), default=str).encode()


def post_all(
    rt: Runtime,
    conn: Connection[Any],
    messages: Sequence[tuple[str, bytes]],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Post each (connection id, data); delete the connections that are gone. Every post is metered into the
    running invocation."""
    delivery = Delivery()
    if not messages:
        return delivery
    for _, data in messages:
        if len(data) > WEBSOCKET_STEP_BYTES:
            logger.warning("a WebSocket message of %d bytes is over one 32 KB frame", len(data))
    poster = rt.websockets
    usage = rt.meter.current

    def post(item: tuple[str, bytes]) -> tuple[str, str | None, Usage]:
        connection_id, data = item
        counted = Usage()
        with rt.meter.measure(counted):
            outcome = _post_with_retries(poster.post, connection_id, data, sleep)
        return connection_id, outcome, counted

    # The first post builds the client on this thread (boto3 clients are made one at a time), the rest fan out.
    results = [post(messages[0])]
    if len(messages) > 1:
        with ThreadPoolExecutor(min(POOL_SIZE, len(messages) - 1), thread_name_prefix="ws-post") as pool:
            results += list(pool.map(post, messages[1:]))
    for connection_id, outcome, counted in results:
        if usage is not None:
            for component, quantity in counted.counts.items():
                usage.add(component, quantity)
        if outcome is None:
            delivery.sent += 1
        elif outcome == "gone":
            delivery.gone.append(connection_id)
        else:
            delivery.failed[connection_id] = outcome
    repository.delete_connections(conn, delivery.gone)
    if delivery.failed:
        logger.warning("WebSocket posts failed", extra={"failed": delivery.failed, "sent": delivery.sent})
    return delivery


def _post_with_retries(
    post: Callable[[str, bytes], bool], connection_id: str, data: bytes, sleep: Callable[[float], None]
) -> str | None:
    """None when sent, "gone" for a gone connection, else the last error."""
    error = ""
    for attempt in range(POST_ATTEMPTS):
        try:
            return None if post(connection_id, data) else "gone"
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
            if attempt + 1 < POST_ATTEMPTS:
                sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not crypto
    return error


def _must_have_reached_someone(delivery: Delivery) -> None:
    if delivery.failed and not delivery.sent and not delivery.gone:
        raise RuntimeError(f"no post got through: {next(iter(delivery.failed.values()))}")


# -- the dashboard topic --------------------------------------------------------------------------------


def dashboard_delta(events: Sequence[OutboxEvent], at: datetime) -> dict[str, Any]:
    """What changed since the last push: how many submissions, by sector and channel, and which (the first
    DETAILED of them); clients refetch the summary for the rest."""
    payloads = [e.payload for e in events]
    return {
        "type": "dashboard.delta",
        "topic": "dashboard",
        "at": at.isoformat().replace("+00:00", "Z"),
        "submissions": len(events),
        "by_sector": dict(Counter(str(p.get("sector")) for p in payloads)),
        "by_channel": dict(Counter(str(p.get("channel")) for p in payloads)),
        "assessments": [
            {"event_id": str(e.id), "assessment_id": e.payload.get("assessment_id"), "sector": e.payload.get("sector"),
             "channel": e.payload.get("channel")}
            for e in events[:DETAILED]
        ],
        "truncated": len(events) > DETAILED,
    }  # fmt: skip


class DashboardTopic:
    """Pushes ``assessment.submitted`` events to ``dashboard`` subscribers: everything to those who see every
    submission, and to an enumerator only what they entered."""

    topic = "dashboard"
    event_types = DASHBOARD_EVENTS

    def push(self, rt: Runtime, conn: Connection[Any], events: Sequence[OutboxEvent]) -> None:
        subscribers = repository.subscribers(conn, self.topic)
        if not subscribers:
            return
        at = datetime.now(UTC)
        everything = encode(dashboard_delta(events, at))
        own: dict[UUID, bytes | None] = {}
        messages = []
        for row in subscribers:
            if not sees_only_own_records(Role(row["role"])):
                messages.append((row["connection_id"], everything))
                continue
            user = row["user_id"]
            if user not in own:
                theirs = [e for e in events if e.payload.get("enumerator_id") == str(user)]
                own[user] = encode(dashboard_delta(theirs, at)) if theirs else None
            data = own[user]
            if data is not None:
                messages.append((row["connection_id"], data))
        _must_have_reached_someone(post_all(rt, conn, messages))


# -- messages to one user -------------------------------------------------------------------------------


def to_owner(rt: Runtime, conn: Connection[Any], event: OutboxEvent) -> None:
    """An export's event to every connection of its owner (``payload.owner_id``); the message is the payload
    without the owner, with the event's type and id."""
    owner = event.payload.get("owner_id")
    if not owner:
        raise ValueError(f"{event.event_type} {event.id} names no owner_id")
    message = {"type": event.event_type, "event_id": str(event.id)}
    message.update({k: v for k, v in event.payload.items() if k not in ("owner_id", "type", "event_id")})
    data = encode(message)
    targets = repository.connections_of(conn, UUID(str(owner)))
    _must_have_reached_someone(post_all(rt, conn, [(c, data) for c in targets]))
