"""The submission contract shared by the web, WhatsApp and any client (fields may be added, not renamed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AllowInfNan,
    AwareDatetime,
    BaseModel,
    Discriminator,
    Field,
    Strict,
    StrictInt,
    StrictStr,
    Tag,
    field_validator,
)

from shared.i18n import Lang
from shared.inputs import StrictModel
from shared.pagination import Page

CLOCK_SKEW = timedelta(minutes=5)  # a device's clock may run this far ahead
# Before any questionnaire could have been published: refused outright (the service bounds it more tightly,
# by the version's publication).
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)


class RespondentRef(StrictModel):
    id: UUID


class RespondentNew(StrictModel):
    phone: str = Field(pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, e.g. +2250700000000")
    name: str = Field(min_length=1, max_length=200, pattern=r"\S", description="Not blank.")
    sector: str = Field(min_length=1, max_length=40)
    region: str = Field(default="", max_length=100)
    language: Lang = "en"


def _respondent_shape(value: object) -> str:
    """Which shape a respondent was meant to be: a reference has an ``id``, anything else is a new one."""
    if isinstance(value, dict):
        return "<ref>" if "id" in value else "<new>"
    return "<ref>" if isinstance(value, RespondentRef) else "<new>"


# Errors are reported for the shape that was meant only (never "id: Field required" beside a bad phone);
# a tag in <angle brackets> names a union member and is left out of error paths (shared.web.errors).
Respondent = Annotated[
    Annotated[RespondentRef, Tag("<ref>")] | Annotated[RespondentNew, Tag("<new>")],
    Discriminator(_respondent_shape),
]

FiniteStrictFloat = Annotated[float, Strict(), AllowInfNan(False)]
AnswerValue = StrictStr | StrictInt | FiniteStrictFloat | list[StrictStr]


class AnswerIn(StrictModel):
    question_id: UUID
    value: AnswerValue = Field(
        description="An option code (single_choice), a list of option codes (multi_choice), a number (scale, "
        "numeric) or a string (text)."
    )


class SubmissionCreate(StrictModel):
    questionnaire_version_id: UUID
    respondent: Respondent
    answers: list[AnswerIn] = Field(max_length=500)
    channel: Literal["web", "whatsapp"] = "web"
    started_at: AwareDatetime | None = Field(
        default=None,
        description="When the respondent began; with a time zone. Not in the future, and not more than a day "
        "before the questionnaire version was published.",
    )

    @field_validator("started_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("must not be in the future")
        if value is not None and value < EARLIEST_START:
            raise ValueError(f"must not be before {EARLIEST_START.date().isoformat()}")
        return value


class SkillScore(BaseModel):
    skill: str
    label: str
    score: float = Field(description="0..100, two decimals")
    band: str


class RecommendationOut(BaseModel):
    skill: str
    band: str
    priority: int
    text: str


class SubmissionResult(BaseModel):
    assessment_id: UUID
    respondent_id: UUID
    questionnaire_version_id: UUID
    submitted_at: datetime
    scores: list[SkillScore]
    recommendations: list[RecommendationOut]


class AssessmentSummary(BaseModel):
    id: UUID
    respondent_id: UUID
    respondent_name: str
    sector: str
    questionnaire_version_id: UUID
    channel: str
    enumerator_id: UUID | None
    submitted_at: datetime
    scores: dict[str, float] = Field(description="Skill code -> score 0..100.")


class AssessmentPage(Page[AssessmentSummary]):
    pass


class AnswerOut(BaseModel):
    question_id: UUID
    code: str
    question: str
    value: str | int | float | list[str]
    value_labels: list[str] = Field(description="Labels of the chosen options (choice questions).")
    score: float | None = Field(description="0..1, null when not scored.")


class AssessmentDetail(BaseModel):
    id: UUID
    respondent: RespondentOut
    questionnaire_version_id: UUID
    channel: str
    enumerator_id: UUID | None
    started_at: datetime
    submitted_at: datetime
    answers: list[AnswerOut]
    scores: list[SkillScore]
    recommendations: list[RecommendationOut]


class RespondentOut(BaseModel):
    id: UUID
    name: str
    phone: str
    sector: str
    region: str
    language: str
    consent_at: datetime | None
    created_at: datetime
    assessments: int = 0


class RespondentPage(Page[RespondentOut]):
    pass


AssessmentDetail.model_rebuild()
