"""``AssessmentQuery``: the query parameters that select assessments, declared once for GET /api/v1/assessments
and GET /api/v1/exports/assessments.xlsx. A module of its own, not in shared.web's namespace: every function
imports that, and only these two need the assessments' read side."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Query

from shared.assessments.queries import AssessmentFilter
from shared.inputs import Timestamp


async def assessment_query(
    sector: str | None = Query(default=None, max_length=40),
    since: Timestamp | None = Query(default=None, description="Submitted at or after."),
    until: Timestamp | None = Query(default=None, description="Submitted before."),
    channel: Literal["web", "whatsapp"] | None = None,
    questionnaire_id: UUID | None = None,
    questionnaire_version_id: UUID | None = None,
    respondent_id: UUID | None = None,
) -> AssessmentFilter:
    return AssessmentFilter(sector, since, until, channel, questionnaire_id, questionnaire_version_id, respondent_id)


AssessmentQuery = Annotated[AssessmentFilter, Depends(assessment_query)]
