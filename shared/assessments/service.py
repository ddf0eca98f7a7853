"""The submission use case: the web path and the WhatsApp path both end here.

Answers, scores, recommendations, aggregates and the outbox event commit together or not at all. With an
Idempotency-Key, a retried submission never counts twice: same key and same body -> the stored response;
same key and another body -> 422; same key while the first is still running -> 409.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from shared.assessments import repository, scoring
from shared.assessments.models import (
    RespondentNew,
    RespondentRef,
    SubmissionCreate,
)
from shared.auth.permissions import Role, sees_only_own_records
from shared.db import Database
from shared.errors import BadRequest, Conflict, ValidationFailed
from shared.errors import problem as _problem
from shared.i18n import pick
from shared.questionnaires.service import published_version
from shared.request_context import RequestContext
from shared.runtime import Runtime


class RespondentExists(Conflict):
    """A "new" respondent whose phone is that of a respondent the caller may already see."""

    code = "respondent_exists"


class StillProcessing(Conflict):
    """Another request with the same Idempotency-Key is still running; retry after ``retry_after`` seconds."""

    retry_after = 1


@dataclass(frozen=True)
class Caller:
    """Who submits: a signed-in user (web), or a channel such as WhatsApp acting for a respondent."""

    scope: str  # idempotency keys are scoped per caller
    user_id: UUID | None = None
    role: Role | None = None

    @property
    def own_records_only(self) -> bool:
        """Whether the caller may refer only to respondents it entered (enumerators)."""
        return self.role is not None and sees_only_own_records(self.role)


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_hash(body: SubmissionCreate) -> bytes:
    # Canonical: fields in the model's order, no whitespace, and no free-form objects anywhere in the body.
    return hashlib.sha256(body.model_dump_json().encode()).digest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise BadRequest("The Idempotency-Key header is required.", details={"header": "Idempotency-Key"})
    if len(key) > 200 or not key.isprintable():
        raise BadRequest("The Idempotency-Key header must be 1-200 printable characters.")
    return key


def submit(rt: Runtime, caller: Caller, key: str, body: SubmissionCreate, ctx: RequestContext) -> Outcome:
    """Raises BadRequest, Conflict (same key in flight), RespondentExists (a new respondent's phone is that
    of one the caller may see), ValidationFailed (every problem, with its path; also for a key reused with
    another body).

    The body is validated and scored here against the cached questionnaire version, then one statement in
    one round trip (``submit_assessment``, migrations 0007, 0012, 0041 and 0042) does the rest: the key's lock and
    lookup, the checks of version, sector and respondent, and every write (the outbox event, which is also the
    dashboard's delta), as its own transaction."""
    document = statement_document(rt, caller, key, body, ctx)
    # Not sent again by the driver layer if the connection is lost on the way: the outcome is then unknown to
    # this request, which answers 503, and the caller's retry with the same key stores it once or replays it.
    row = rt.db.run_statement(repository.SUBMIT, statement_parameters(document), idempotent=False)
    assert row is not None
    return _outcome(rt, key, body, row["result"])


def statement_parameters(document: dict[str, Any]) -> tuple[Jsonb]:
    """The parameters of ``repository.SUBMIT`` for a document of ``statement_document``."""
    return (Jsonb(document, dumps=_dumps),)


def statement_document(
    rt: Runtime, caller: Caller, key: str, body: SubmissionCreate, ctx: RequestContext
) -> dict[str, Any]:
    """What the submission statement is sent: the body validated and scored, with fresh ids and the time.
    Raises ValidationFailed."""
    digest = request_hash(body)
    new = body.respondent if isinstance(body.respondent, RespondentNew) else None
    known = body.respondent.id if isinstance(body.respondent, RespondentRef) else None

    version = published_version(rt, body.questionnaire_version_id)
    answers = [(a.question_id, a.value) for a in body.answers]
    if version is None:
        problems = [_problem(
            ["body", "questionnaire_version_id"], "not a published questionnaire version", "unknown_version"
        )]  # fmt: skip
    else:
        problems = scoring.validate(version, answers) + _started_problems(version.published_at, body.started_at)
    if problems:  # also report what the database would have refused, so the caller sees every problem at once
        raise ValidationFailed(
            "The submission is invalid.", details=problems + _reference_problems(rt.db, caller, new, known)
        )
    assert version is not None

    scored = scoring.score(version, answers)
    lang = new.language if new else "en"
    chosen = [version.recommendation_for[(s.skill_id, s.band.code)] for s in scored.skills
              if (s.skill_id, s.band.code) in version.recommendation_for]  # fmt: skip
    skill_codes = {s.id: s.code for s in version.skills}
    assessment_id = uuid.uuid4()
    submitted_at = datetime.now(UTC)
    # The response as stored for replays (the statement adds respondent_id); shaped as SubmissionResult.
    response = {
        "assessment_id": str(assessment_id),
        "questionnaire_version_id": str(version.id),
        "submitted_at": submitted_at.isoformat().replace("+00:00", "Z"),
        "scores": [{"skill": s.code, "label": pick(lang, s.label_en, s.label_fr), "score": float(s.score),
                    "band": s.band.code} for s in scored.skills],
        "recommendations": [
            {"skill": skill_codes[r.skill_id], "band": r.band, "priority": r.priority,
             "text": pick(lang, r.text_en, r.text_fr)}
            for r in sorted(chosen, key=lambda r: (r.priority, skill_codes[r.skill_id]))
        ],
    }  # fmt: skip
    document = {
        "scope": caller.scope, "key": key, "request_hash": digest.hex(),
        "id": assessment_id, "version_id": version.id, "channel": body.channel, "submitted_at": submitted_at,
        "started_at": body.started_at, "actor": caller.user_id, "own_records_only": caller.own_records_only,
        "enumerator": caller.user_id if caller.role is Role.ENUMERATOR else None,
        "respondent": _respondent_document(new, known),
        # The assessment row's arrays (migration 0041), aligned: array literals the statement casts as they are.
        "answer_question_ids": pg_array(q for q, _, _ in scored.answers),
        "answer_values": [v for _, v, _ in scored.answers],
        "answer_scores": pg_array(f for _, _, f in scored.answers),
        "score_skill_ids": pg_array(s.skill_id for s in scored.skills),
        "score_values": pg_array(s.score for s in scored.skills),
        "score_bands": pg_array(s.band.code for s in scored.skills),
        "event": {"assessment_id": str(assessment_id), "version_id": str(version.id), "channel": body.channel,
                  "enumerator_id": str(caller.user_id) if caller.role is Role.ENUMERATOR else None,
                  "scores": {s.code: str(s.score) for s in scored.skills}},
        "correlation_id": ctx.correlation_id,
        "response": response,
    }  # fmt: skip
    return document


def _outcome(rt: Runtime, key: str, body: SubmissionCreate, result: dict[str, Any]) -> Outcome:
    new = body.respondent if isinstance(body.respondent, RespondentNew) else None
    if result["outcome"] in ("created", "replayed"):
        # The cost ledger counts every request of this submission's session towards its assessment.
        rt.meter.attribute(assessment_id=result["response"]["assessment_id"], session_key=f"web:{key}")
    match result["outcome"]:
        case "created":
            return Outcome(201, result["response"], replayed=False)
        case "replayed":
            return Outcome(int(result["status"]), result["response"], replayed=True)
        case "in_flight":
            raise StillProcessing("A request with this Idempotency-Key is still being processed; retry shortly.")
        case "key_reused":
            raise ValidationFailed(
                "This Idempotency-Key was used with another request body.",
                details=[_problem(["header", "Idempotency-Key"], "reused with a different body", "idempotency")],
            )
        case "unknown_sector":
            raise ValidationFailed("The submission is invalid.", details=[_unknown_sector(new)])
        case "unknown_respondent":
            raise ValidationFailed("The submission is invalid.", details=[_unknown_respondent()])
        case "respondent_exists":
            raise RespondentExists(
                'A respondent with this phone already exists; submit with respondent {"id": respondent_id}.',
                details={"respondent_id": result["respondent_id"], "path": "body.respondent.phone"},
            )
        case "unknown_version":  # unpublished since it was cached: never, a published version is for good
            raise ValidationFailed("The submission is invalid.", details=[_problem(
                ["body", "questionnaire_version_id"], "not a published questionnaire version", "unknown_version"
            )])  # fmt: skip
        case "invalid_references":  # what validation against the same published version already refused
            raise ValidationFailed("The submission is invalid.", details=[_problem(
                ["body", "answers"], "a question is not of this questionnaire version", "unknown"
            )])  # fmt: skip
    raise AssertionError(f"unexpected outcome {result['outcome']}")


# A respondent may begin on a device that only learns of the publication later, but not before it.
START_BEFORE_PUBLICATION = timedelta(days=1)


def _started_problems(published_at: datetime | None, started_at: datetime | None) -> list[dict[str, Any]]:
    """A start the respondent cannot have made: more than a day before the version was published."""
    if started_at is None or published_at is None or started_at >= published_at - START_BEFORE_PUBLICATION:
        return []
    earliest = (published_at - START_BEFORE_PUBLICATION).isoformat()
    return [_problem(["body", "started_at"], f"must not be before {earliest} (a day before publication)", "range")]


def _respondent_document(new: RespondentNew | None, known: UUID | None) -> dict[str, Any]:
    if known is not None:
        return {"id": known}
    assert new is not None
    return {"new_id": uuid.uuid4(), "name": new.name, "phone": new.phone, "sector": new.sector, "region": new.region,
            "language": new.language}  # fmt: skip


def pg_array(items: Iterable[Any]) -> str:
    """A PostgreSQL array literal of the items as text (None: NULL), each quoted."""
    quoted = ("NULL" if i is None else '"' + str(i).replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items)
    return "{" + ",".join(quoted) + "}"


def _json_value(value: Any) -> str:
    """Ids and exact numbers (Decimal) as text, times in ISO 8601."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=_json_value, separators=(",", ":"))


def _unknown_respondent() -> dict[str, Any]:
    return _problem(["body", "respondent", "id"], "no such respondent", "unknown")


def _unknown_sector(new: RespondentNew | None) -> dict[str, Any]:
    return _problem(["body", "respondent", "sector"], f"unknown sector {new.sector if new else ''}", "unknown")


def _reference_problems(
    db: Database, caller: Caller, new: RespondentNew | None, known: UUID | None
) -> list[dict[str, Any]]:
    """What the submission refers to that is unknown to this caller: the sector, or the respondent."""
    found = repository.references(db, new.sector if new else None, known)
    if new is not None and not found["sector_known"]:
        return [_unknown_sector(new)]
    if known is not None:
        respondent = found["respondent"]
        if respondent is None or (caller.own_records_only and respondent["created_by"] != str(caller.user_id)):
            return [_unknown_respondent()]
    return []
