"""Questionnaire API models. The questions contract (fields may be added, never renamed) is shared by the
web, WhatsApp and any client."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.questionnaires.definition import QuestionDef


class QuestionnaireRef(BaseModel):
    id: UUID
    version_id: UUID
    title: str
    version: int
    status: Literal["draft", "published"]


class OptionPublic(BaseModel):
    code: str
    label: str
    score: Decimal | None = Field(default=None, description="Present for those who may edit questionnaires.")


class QuestionPublic(BaseModel):
    id: UUID
    code: str
    skill: str
    type: str
    label: str
    required: bool
    min: float | None
    max: float | None
    options: list[OptionPublic]
    show_if: dict[str, Any] | None
    weight: Decimal | None = Field(default=None, description="Present for those who may edit questionnaires.")


class QuestionsPublic(BaseModel):
    questionnaire: QuestionnaireRef
    questions: list[QuestionPublic]


class VersionSummary(BaseModel):
    id: UUID
    version: int
    status: Literal["draft", "published"]
    title_en: str
    title_fr: str
    created_at: datetime
    published_at: datetime | None
    questions: int


class QuestionnairePublic(BaseModel):
    id: UUID
    code: str
    created_at: datetime
    versions: list[VersionSummary]


class QuestionnaireList(BaseModel):
    items: list[QuestionnairePublic]


class ImportResult(BaseModel):
    questionnaire_id: UUID
    version_id: UUID
    version: int
    status: Literal["draft", "published"]
    skills: int
    questions: int


class QuestionCreate(BaseModel):
    """A question to add to a draft version."""

    version_id: UUID
    question: QuestionDef
    position: int | None = Field(default=None, ge=0, le=10_000, description="Where to insert it; default: last.")


class SectorPublic(BaseModel):
    code: str
    label: str
    label_en: str
    label_fr: str


class SectorList(BaseModel):
    items: list[SectorPublic]
