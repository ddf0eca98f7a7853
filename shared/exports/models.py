"""Exports and share links as the API shows them, and the filters each kind of export takes (those of the
matching list endpoint: GET /api/v1/assessments for assessments and answers, the cost ledger's request list
for costs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import StrictModel, Timestamp
from shared.pagination import Page

ExportKind = Literal["assessments", "answers", "costs"]
ExportStatus = Literal["pending", "running", "ready", "failed", "expired"]
LinkStatus = Literal["active", "expired", "revoked", "used_up"]
MAX_LINK_SECONDS = 7 * 24 * 3600


class ExportCreate(StrictModel):
    kind: ExportKind
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="assessments, answers: those of GET /api/v1/assessments (sector, since, until, channel, "
        "questionnaire_id, questionnaire_version_id, respondent_id); costs: those of the cost ledger's request list "
        "(from, to, route, function, channel, status, actor, assessment_id).",
    )


class AssessmentFilters(StrictModel):
    sector: str | None = Field(default=None, min_length=1, max_length=40)
    since: Timestamp | None = Field(default=None, description="Submitted at or after.")
    until: Timestamp | None = Field(default=None, description="Submitted before.")
    channel: Literal["web", "whatsapp"] | None = None
    questionnaire_id: UUID | None = None
    questionnaire_version_id: UUID | None = None
    respondent_id: UUID | None = None


class CostFilters(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Timestamp | None = Field(default=None, alias="from", description="Started at or after (30 days "
                                        "before `to` when left out).")  # fmt: skip
    to: Timestamp | None = Field(default=None, description="Started before (now when left out).")
    route: str | None = Field(default=None, max_length=200)
    function: str | None = Field(default=None, max_length=200)
    channel: Literal["web", "whatsapp", "websocket", "system"] | None = None
    status: int | None = Field(default=None, ge=100, le=599)
    actor: str | None = Field(default=None, max_length=200)
    assessment_id: UUID | None = None


class ExportCreated(BaseModel):
    export_id: UUID
    status: ExportStatus


class ExportPublic(BaseModel):
    id: UUID
    kind: ExportKind
    status: ExportStatus = Field(description="pending -> running -> ready | failed; a ready export whose file the "
                                 "bucket has removed (after 30 days) is expired.")  # fmt: skip
    filters: dict[str, Any]
    owner_id: UUID
    filename: str
    rows: int | None = Field(description="Rows written so far (running) or in the file (ready).")
    rows_total: int | None = Field(description="Rows to write, once the worker has counted them.")
    bytes: int | None
    sha256: str | None = Field(description="Hex SHA-256 of the file.")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="When the file is removed from storage.")


ExportPage = Page[ExportPublic]


class LinkCreate(StrictModel):
    expires_in: int = Field(default=24 * 3600, ge=1, le=MAX_LINK_SECONDS, description="Seconds; 7 days at most.")
    max_downloads: int | None = Field(default=None, ge=1, le=1_000_000, description="None: no limit.")


class DownloadUrl(BaseModel):
    url: str = Field(description="A presigned GET of the file (an attachment with its file name).")
    expires_at: datetime = Field(description="When the URL stops working: 5 minutes after it was made.")


class LinkCreated(BaseModel):
    id: UUID
    url: str = Field(description="The public download URL; its token is shown this once and never again.")
    expires_at: datetime
    max_downloads: int | None
    downloads: int


class LinkPublic(BaseModel):
    id: UUID
    export_id: UUID
    status: LinkStatus
    created_by: UUID
    created_at: datetime
    expires_at: datetime
    max_downloads: int | None
    downloads: int
    last_download_at: datetime | None
    revoked_at: datetime | None


class LinkList(BaseModel):
    items: list[LinkPublic]
