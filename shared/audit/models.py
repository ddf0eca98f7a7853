from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.pagination import Page


class AuditEntry(BaseModel):
    """What happened, to what, by whom; written by services through shared.audit.repository.record."""

    action: str
    outcome: Literal["success", "failure"] = "success"
    actor_id: UUID | None = None
    actor_email: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class AuditPublic(AuditEntry):
    id: int
    at: datetime
    source_ip: str | None
    correlation_id: str | None


class AuditPage(Page[AuditPublic]):
    pass
