from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field


class Totals(BaseModel):
    today: int = Field(description="Submitted since 00:00 UTC today.")
    last_7_days: int = Field(description="Submitted today and the 6 days before (UTC).")
    all_time: int


class SectorCount(BaseModel):
    sector: str
    label: str
    count: int


class ChannelCount(BaseModel):
    channel: str
    count: int


class SkillMean(BaseModel):
    skill: str = Field(description="Skill code; a skill of several questionnaire versions counts as one.")
    label: str
    mean: float = Field(description="Mean score 0..100, two decimals.")
    count: int = Field(description="Scores the mean is taken over.")


class FunnelStep(BaseModel):
    question_id: UUID
    code: str
    label: str
    position: int
    reached: int = Field(description="Sessions that were shown the question (submissions and abandoned ones).")
    answered: int = Field(description="Sessions that answered it; reached - answered is the drop-off.")


class LatestSubmission(BaseModel):
    id: UUID
    respondent_name: str
    sector: str
    channel: str
    submitted_at: datetime


class DashboardSummary(BaseModel):
    scope: Literal["all", "own"] = Field(description="own: an enumerator's figures cover what they entered.")
    generated_at: datetime
    totals: Totals
    by_sector: list[SectorCount]
    by_channel: list[ChannelCount]
    skills: list[SkillMean]
    funnel_version_id: UUID | None = Field(
        description="The questionnaire version of the funnel: as asked, or that of the latest submission."
    )
    funnel: list[FunnelStep]
    latest: list[LatestSubmission] = Field(description="The last 20 submissions, newest first.")
