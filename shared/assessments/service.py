"""The submission use case: the web path and the WhatsApp path both end here.

Answers, scores, recommendations, aggregates and the outbox event commit together or not at all. With an
Idempotency-Key, a retried submission never counts twice: same key and same body -> the stored response;
same key and another body -> 422; same key while the first is still running -> 409.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from shared.assessments import repository, scoring
from shared.assessments.models import (
    RecommendationOut,
    RespondentNew,
    RespondentRef,
    SkillScore,
    SubmissionCreate,
    SubmissionResult,
)
from shared.auth.permissions import Role, sees_only_own_records
from shared.db import Database
from shared.errors import BadRequest, Conflict, NotFound, ValidationFailed
from shared.errors import problem as _problem
from shared.questionnaires.repository import load_version
from shared.request_context import RequestContext


@dataclass(frozen=True)
class Caller:
    """Who submits: a signed-in user (web), or a channel such as WhatsApp acting for a respondent."""

    scope: str  # idempotency keys are scoped per caller
    user_id: UUID | None = None
    role: Role | None = None


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_hash(body: SubmissionCreate) -> bytes:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise BadRequest("The Idempotency-Key header is required.", details={"header": "Idempotency-Key"})
    if len(key) > 200 or not key.isprintable():
        raise BadRequest("The Idempotency-Key header must be 1-200 printable characters.")
    return key


def submit(db: Database, caller: Caller, key: str, body: SubmissionCreate, ctx: RequestContext) -> Outcome:
    """Raises BadRequest, Conflict (same key in flight), ValidationFailed (every problem, with its path;
    also for a key reused with another body), NotFound (respondent not visible to the caller)."""
    digest = request_hash(body)
    new = body.respondent if isinstance(body.respondent, RespondentNew) else None
    known = body.respondent.id if isinstance(body.respondent, RespondentRef) else None

    def work(conn: Connection[Any]) -> Outcome | Callable[[], Outcome]:
        locked, found = repository.lock_and_lookup(conn, caller.scope, key, new.sector if new else None, known)
        if not locked:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
        stored = found["stored"]
        if stored is not None:
            if bytes.fromhex(stored["hash"]) != digest:
                raise ValidationFailed(
                    "This Idempotency-Key was used with another request body.",
                    details=[_problem(["header", "Idempotency-Key"], "reused with a different body", "idempotency")],
                )
            return Outcome(int(stored["status"]), stored["response"], replayed=True)

        version = load_version(conn, body.questionnaire_version_id)
        problems: list[dict[str, Any]] = []
        if version is None or version.status != "published":
            problems.append(_problem(
                ["body", "questionnaire_version_id"], "not a published questionnaire version", "unknown_version"
            ))  # fmt: skip
        if new is not None and not found["sector_known"]:
            problems.append(_problem(["body", "respondent", "sector"], f"unknown sector {new.sector}", "unknown"))
        if known is not None:
            respondent = found["respondent"]
            own = caller.role is None or not sees_only_own_records(caller.role)
            if respondent is None or not (own or respondent["created_by"] == str(caller.user_id)):
                problems.append(_problem(["body", "respondent", "id"], "no such respondent", "unknown"))
        answers = [(a.question_id, a.value) for a in body.answers]
        if version is not None and version.status == "published":
            problems += scoring.validate(version, answers)
        if problems:
            raise ValidationFailed("The submission is invalid.", details=problems)
        assert version is not None

        scored = scoring.score(version, answers)
        lang = new.language if new else "en"
        recommendations = {(r.skill_id, r.band): r for r in version.recommendations}
        chosen = [recommendations[(s.skill_id, s.band.code)] for s in scored.skills
                  if (s.skill_id, s.band.code) in recommendations]  # fmt: skip
        assessment_id = uuid.uuid4()
        submitted_at = datetime.now(UTC)
        skill_codes = {s.id: s.code for s in version.skills}
        result = SubmissionResult(
            assessment_id=assessment_id,
            respondent_id=known or uuid.UUID(int=0),  # the real id is set by the statement for new respondents
            questionnaire_version_id=version.id,
            submitted_at=submitted_at,
            scores=[SkillScore(skill=s.code, label=s.label_fr if lang == "fr" else s.label_en, score=float(s.score),
                               band=s.band.code) for s in scored.skills],
            recommendations=sorted(
                (RecommendationOut(skill=skill_codes[r.skill_id], band=r.band, priority=r.priority,
                                   text=r.text_fr if lang == "fr" else r.text_en) for r in chosen),
                key=lambda r: (r.priority, r.skill),
            ),
        )  # fmt: skip
        response = result.model_dump(mode="json", exclude={"respondent_id"})
        sent = repository.submit(
            conn,
            {
                "id": assessment_id, "slot": assessment_id.int % 16, "version_id": version.id, "channel": body.channel,
                "enumerator": caller.user_id if caller.role is Role.ENUMERATOR else None,
                "actor": caller.user_id, "started_at": body.started_at, "submitted_at": submitted_at,
                "new_respondent_id": uuid.uuid4(), "respondent_id": known,
                "name": new.name if new else None, "phone": new.phone if new else None,
                "sector": new.sector if new else None, "region": new.region if new else None,
                "language": new.language if new else None,
                "question_ids": [q for q, _, _ in scored.answers],
                "values": [Jsonb(v) for _, v, _ in scored.answers],
                "fractions": [f for _, _, f in scored.answers],
                "skill_ids": [s.skill_id for s in scored.skills],
                "scores": [s.score for s in scored.skills],
                "bands": [s.band.code for s in scored.skills],
                "rec_skill_ids": [r.skill_id for r in chosen], "rec_bands": [r.band for r in chosen],
                "rec_priorities": [r.priority for r in chosen], "rec_en": [r.text_en for r in chosen],
                "rec_fr": [r.text_fr for r in chosen],
                "event": Jsonb({"assessment_id": str(assessment_id), "version_id": str(version.id),
                                "channel": body.channel,
                                "scores": {s.code: str(s.score) for s in scored.skills}}),
                "correlation_id": ctx.correlation_id,
                "scope": caller.scope, "key": key, "request_hash": digest, "response": Jsonb(response),
            },
        )  # fmt: skip

        def outcome() -> Outcome:
            row = sent.fetchone()
            if row is None:  # the respondent vanished between lookup and insert: nothing was written
                raise NotFound("No such respondent.")
            return Outcome(201, {**response, "respondent_id": str(row["respondent_id"])}, replayed=False)

        return outcome

    # Three round trips: BEGIN; key lock + lookup; the submission + COMMIT.
    result = db.run_in_transaction(work, pipeline=True)
    return result if isinstance(result, Outcome) else result()
