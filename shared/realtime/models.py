"""The WebSocket API's contract: topics and who may hear them, tickets, and the messages both ways.

Client -> server (``$default``): ``{"type": "ping"}`` -> ``{"type": "pong"}``;
``{"type": "subscribe", "topics": [...]}`` / ``{"type": "unsubscribe", ...}`` -> ``{"type": "subscribed",
"topics": [every topic now subscribed]}``; anything else -> ``{"type": "error", "error": {"code", "message",
"details"}}`` (the API's one error body), and nothing changes.

Server -> client (posts through the management API): ``dashboard.delta`` to ``dashboard`` subscribers, at most
one a second; ``export.progress`` / ``export.ready`` / ``export.failed`` to the export's owner. Messages carry
event types, ids and changed figures, well under 32 KB; clients refetch details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.auth.permissions import PERMISSIONS, Role
from shared.inputs import StrictModel

# Topic -> the permission (shared/auth/permissions.py) a role needs to subscribe to it.
TOPICS: dict[str, str] = {
    "dashboard": "dashboard.read",
    # Every signed-in user: only messages about their own exports go to them.
    "exports": "self",
}
TICKET_TTL_S = 60  # at most 60 (the schema refuses longer)
MAX_TOPICS = 10


def may_subscribe(role: Role, topic: str) -> bool:
    permission = TOPICS.get(topic)
    return permission is not None and (role is Role.SUPER_ADMIN or role in PERMISSIONS[permission])


@dataclass(frozen=True)
class SocketUser:
    """The user a connection belongs to, with their role as the database holds it now."""

    user_id: UUID
    role: Role


class TicketOut(BaseModel):
    ticket: str = Field(description="Single use: connect with `?ticket=...` before it expires.")
    expires_at: datetime


class Ping(StrictModel):
    type: Literal["ping"]


TopicName = Annotated[str, Field(min_length=1, max_length=40)]


class Subscribe(StrictModel):
    type: Literal["subscribe", "unsubscribe"]
    topics: list[TopicName] = Field(min_length=1, max_length=MAX_TOPICS)


ClientMessage = Annotated[Ping | Subscribe, Field(discriminator="type")]
