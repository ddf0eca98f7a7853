"""Read side of assessments and respondents. Enumerators see only the records they entered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.assessments.models import (
    AnswerOut,
    AssessmentDetail,
    AssessmentPage,
    AssessmentSummary,
    RecommendationOut,
    RespondentOut,
    RespondentPage,
    SkillScore,
)
from shared.auth.permissions import Role, sees_only_own_records
from shared.db import Database
from shared.errors import NotFound
from shared.i18n import pick, pick_from
from shared.pagination import decode_cursor, page_of


@dataclass(frozen=True)
class Viewer:
    user_id: UUID
    role: Role

    @property
    def only(self) -> UUID | None:
        """The user whose records alone this viewer may see, or None for all."""
        return self.user_id if sees_only_own_records(self.role) else None


@dataclass(frozen=True)
class AssessmentFilter:
    sector: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    questionnaire_id: UUID | None = None
    version_id: UUID | None = None
    respondent_id: UUID | None = None

    def as_query(self) -> dict[str, Any]:
        """The filters by the names GET /api/v1/assessments takes them under (those an export stores)."""
        return {"sector": self.sector, "since": self.since, "until": self.until, "channel": self.channel,
                "questionnaire_id": self.questionnaire_id, "questionnaire_version_id": self.version_id,
                "respondent_id": self.respondent_id}  # fmt: skip


# The selection of GET /api/v1/assessments (and of its exports), on assessments ``a`` joined with their versions
# ``v``; ``only`` is the enumerator whose rows alone may be seen, if any.
SELECTION = """WHERE a.status = 'submitted'
  AND (%(only)s::uuid IS NULL OR a.enumerator_id = %(only)s)
  AND (%(sector)s::text IS NULL OR a.sector = %(sector)s)
  AND (%(since)s::timestamptz IS NULL OR a.submitted_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR a.submitted_at < %(until)s)
  AND (%(channel)s::text IS NULL OR a.channel = %(channel)s)
  AND (%(questionnaire_id)s::uuid IS NULL OR v.questionnaire_id = %(questionnaire_id)s)
  AND (%(version_id)s::uuid IS NULL OR a.version_id = %(version_id)s)
  AND (%(respondent_id)s::uuid IS NULL OR a.respondent_id = %(respondent_id)s)
"""

_LIST = (
    """
SELECT a.id, a.respondent_id, r.name AS respondent_name, a.sector, a.version_id AS questionnaire_version_id,
       a.channel, a.enumerator_id, a.submitted_at,
       coalesce((SELECT jsonb_object_agg(k.code, s.score) FROM skill_scores s JOIN skills k ON k.id = s.skill_id
                 WHERE s.assessment_id = a.id), '{}') AS scores
FROM assessments a
JOIN respondents r ON r.id = a.respondent_id
JOIN questionnaire_versions v ON v.id = a.version_id
"""
    + SELECTION
    + """  AND (%(after_at)s::timestamptz IS NULL OR (a.submitted_at, a.id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY a.submitted_at DESC, a.id DESC
LIMIT %(limit)s
"""
)


def list_assessments(
    db: Database, viewer: Viewer, where: AssessmentFilter, cursor: str | None, limit: int
) -> AssessmentPage:
    after = decode_cursor(cursor, datetime.fromisoformat, UUID)
    params = {**where.__dict__, "only": viewer.only, "limit": limit + 1,
              "after_at": after[0] if after else None, "after_id": after[1] if after else None}  # fmt: skip
    with db.transaction(read_only=True) as conn:
        rows = conn.execute(_LIST, params).fetchall()
    rows, next_cursor = page_of(rows, limit, lambda r: (r["submitted_at"], r["id"]))
    items = [AssessmentSummary(**{**r, "scores": {k: float(v) for k, v in r["scores"].items()}}) for r in rows]
    return AssessmentPage(items=items, next_cursor=next_cursor)


def get_assessment(db: Database, viewer: Viewer, assessment_id: UUID, lang: str) -> AssessmentDetail:
    """Raises NotFound, also for an assessment the viewer may not see."""
    with db.transaction(read_only=True) as conn:
        head = conn.execute(
            "SELECT a.*, r.id AS r_id FROM assessments a JOIN respondents r ON r.id = a.respondent_id"
            " WHERE a.id = %s AND (%s::uuid IS NULL OR a.enumerator_id = %s)",
            (assessment_id, viewer.only, viewer.only),
        ).fetchone()
        if head is None:
            raise NotFound("No such assessment.")
        respondent = _respondent(conn, head["respondent_id"], None)
        answers = conn.execute(
            """
            SELECT x.question_id, q.code, q.label_en, q.label_fr, q.type, x.value, x.score,
                   (SELECT coalesce(jsonb_agg(jsonb_build_object('en', o.label_en, 'fr', o.label_fr)
                                              ORDER BY o.position), '[]')
                    FROM question_options o WHERE o.question_id = q.id AND (
                        (jsonb_typeof(x.value) = 'string' AND o.code = x.value #>> '{}') OR
                        (jsonb_typeof(x.value) = 'array' AND x.value ? o.code))) AS labels
            FROM answers x JOIN questions q ON q.id = x.question_id
            WHERE x.assessment_id = %s ORDER BY q.position
            """,
            (assessment_id,),
        ).fetchall()
        scores = conn.execute(
            "SELECT k.code, k.label_en, k.label_fr, s.score, s.band FROM skill_scores s"
            " JOIN skills k ON k.id = s.skill_id WHERE s.assessment_id = %s ORDER BY k.position",
            (assessment_id,),
        ).fetchall()
        recommendations = conn.execute(
            "SELECT k.code, r.band, r.priority, r.text_en, r.text_fr FROM assessment_recommendations r"
            " JOIN skills k ON k.id = r.skill_id WHERE r.assessment_id = %s ORDER BY r.priority, k.code",
            (assessment_id,),
        ).fetchall()
    assert respondent is not None
    return AssessmentDetail(
        id=head["id"], respondent=respondent, questionnaire_version_id=head["version_id"], channel=head["channel"],
        enumerator_id=head["enumerator_id"], started_at=head["started_at"], submitted_at=head["submitted_at"],
        answers=[
            AnswerOut(question_id=a["question_id"], code=a["code"], question=pick_from(a, lang),
                      value=a["value"], value_labels=[pick(lang, lbl["en"], lbl["fr"]) for lbl in a["labels"]],
                      score=float(a["score"]) if a["score"] is not None else None)
            for a in answers
        ],
        scores=[SkillScore(skill=s["code"], label=pick_from(s, lang), score=float(s["score"]),
                           band=s["band"]) for s in scores],
        recommendations=[RecommendationOut(skill=r["code"], band=r["band"], priority=r["priority"],
                                           text=pick_from(r, lang, "text")) for r in recommendations],
    )  # fmt: skip


_RESPONDENTS = """
SELECT r.id, r.name, r.phone, r.sector, r.region, r.language, r.consent_at, r.created_at,
       (SELECT count(*) FROM assessments a WHERE a.respondent_id = r.id
            AND (%(only)s::uuid IS NULL OR a.enumerator_id = %(only)s)) AS assessments
FROM respondents r
WHERE (%(only)s::uuid IS NULL OR r.created_by = %(only)s
       OR EXISTS (SELECT 1 FROM assessments a WHERE a.respondent_id = r.id AND a.enumerator_id = %(only)s))
  AND (%(id)s::uuid IS NULL OR r.id = %(id)s)
  AND (%(sector)s::text IS NULL OR r.sector = %(sector)s)
  AND (%(after_at)s::timestamptz IS NULL OR (r.created_at, r.id) < (%(after_at)s, %(after_id)s::uuid))
ORDER BY r.created_at DESC, r.id DESC
LIMIT %(limit)s
"""


def _respondent(conn: Connection[Any], respondent_id: UUID, only: UUID | None) -> RespondentOut | None:
    rows = conn.execute(
        _RESPONDENTS,
        {"only": only, "id": respondent_id, "sector": None, "after_at": None, "after_id": None, "limit": 1},
    ).fetchall()
    return RespondentOut(**rows[0]) if rows else None


def list_respondents(
    db: Database, viewer: Viewer, sector: str | None, cursor: str | None, limit: int
) -> RespondentPage:
    after = decode_cursor(cursor, datetime.fromisoformat, UUID)
    with db.transaction(read_only=True) as conn:
        rows = conn.execute(
            _RESPONDENTS,
            {"only": viewer.only, "id": None, "sector": sector, "limit": limit + 1,
             "after_at": after[0] if after else None, "after_id": after[1] if after else None},
        ).fetchall()  # fmt: skip
    rows, next_cursor = page_of(rows, limit, lambda r: (r["created_at"], r["id"]))
    return RespondentPage(items=[RespondentOut(**r) for r in rows], next_cursor=next_cursor)


def get_respondent(db: Database, viewer: Viewer, respondent_id: UUID) -> RespondentOut:
    with db.transaction(read_only=True) as conn:
        found = _respondent(conn, respondent_id, viewer.only)
    if found is None:
        raise NotFound("No such respondent.")
    return found
