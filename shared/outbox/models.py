from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

OutboxStatus = Literal["pending", "failed", "dispatched"]


class OutboxEvent(BaseModel):
    """An event as the relay sees it."""

    id: UUID
    event_type: str
    aggregate_id: str
    payload: dict[str, Any]
    correlation_id: str | None
    created_at: datetime
    attempts: int


class OutboxEventPublic(OutboxEvent):
    status: OutboxStatus
    last_error: str | None = Field(description="Why the last delivery failed, if it did.")
    next_attempt_at: datetime | None = Field(description="When a pending event is tried next.")
    dispatched_at: datetime | None
    parked_at: datetime | None = Field(description="When the relay gave up on it (status failed).")


class OutboxPage(BaseModel):
    items: list[OutboxEventPublic]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
