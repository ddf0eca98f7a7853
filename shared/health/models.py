from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class HealthPublic(BaseModel):
    status: Literal["ok"] = "ok"
    database: Literal["ok"] = "ok"
    migration: str | None = Field(description="Newest applied migration, e.g. 0001_foundation; null if none.")
