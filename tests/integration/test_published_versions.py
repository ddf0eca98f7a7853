"""A published questionnaire version is for good: its rows can be neither changed nor deleted, whoever tries (the
schema refuses, not only the API). That is what lets a submission check its questions and skills once, in its
statement, instead of a foreign key per row: what was checked cannot stop being true."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import errors

from bench.submissions import _definition
from shared.assessments.service import pg_array
from shared.auth.permissions import Role
from shared.auth.principal import Principal
from shared.db import Database
from shared.questionnaires.service import import_definition, new_draft, publish, published_version
from shared.request_context import RequestContext
from shared.runtime import Runtime
from tests.integration.questionnaire_helpers import add_test_sectors


@pytest.fixture
def published(db: Database) -> dict[str, Any]:
    add_test_sectors(db)
    imported = import_definition(db, None, _definition(), RequestContext(), publish=True)
    with db.transaction(read_only=True) as conn:
        version = str(imported.version_id)
        found = conn.execute(
            "SELECT (SELECT id FROM questions WHERE version_id = %(v)s ORDER BY position LIMIT 1) AS question,"
            " (SELECT id FROM skills WHERE version_id = %(v)s ORDER BY position LIMIT 1) AS skill,"
            " (SELECT o.id FROM question_options o JOIN questions q ON q.id = o.question_id"
            "  WHERE q.version_id = %(v)s LIMIT 1) AS option",
            {"v": version},
        ).fetchone()
    assert found is not None
    ids = {k: str(v) for k, v in found.items()}
    return {"version": version, "questionnaire": str(imported.questionnaire_id), **ids}


ATTEMPTS = {
    "change a question": "UPDATE questions SET label_en = 'x' WHERE id = %(question)s",
    "move a question's id": "UPDATE questions SET id = gen_random_uuid() WHERE id = %(question)s",
    "delete a question": "DELETE FROM questions WHERE id = %(question)s",
    "add a question": "INSERT INTO questions (version_id, skill_id, code, type, label_en, label_fr, position)"
    " VALUES (%(version)s, %(skill)s, 'late', 'text', 'x', 'x', 99)",
    "change a skill": "UPDATE skills SET code = 'other' WHERE id = %(skill)s",
    "delete a skill": "DELETE FROM skills WHERE id = %(skill)s",
    "change an option's score": "UPDATE question_options SET score = 999 WHERE id = %(option)s",
    "delete an option": "DELETE FROM question_options WHERE id = %(option)s",
    "change a band": "UPDATE rubric_bands SET max_score = 99 WHERE version_id = %(version)s",
    "delete a recommendation": "DELETE FROM rubric_recommendations WHERE version_id = %(version)s",
    "unpublish the version": "UPDATE questionnaire_versions SET status = 'draft', published_at = NULL"
    " WHERE id = %(version)s",
    "delete the version": "DELETE FROM questionnaire_versions WHERE id = %(version)s",
    "add to the question ids it was published with": "UPDATE questionnaire_versions"
    " SET question_ids = question_ids || gen_random_uuid() WHERE id = %(version)s",
    "drop the skill ids it was published with": "UPDATE questionnaire_versions SET skill_ids = '{}'"
    " WHERE id = %(version)s",
    "delete the questionnaire": "DELETE FROM questionnaires WHERE id = %(questionnaire)s",
}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_every_change_to_a_published_version_is_refused(
    published: dict[str, Any], database_url: str, attempt: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn, pytest.raises(errors.CheckViolation) as refused:
        conn.execute(ATTEMPTS[attempt], published)
    assert refused.value.diag.constraint_name == "published_version_immutable"


def _document(published: dict[str, Any], **changes: Any) -> dict[str, Any]:
    document = {
        "scope": "test", "key": str(uuid.uuid4()), "request_hash": "00", "id": str(uuid.uuid4()),
        "version_id": published["version"], "channel": "web", "submitted_at": "2026-01-01T00:00:00Z",
        "respondent": {"new_id": str(uuid.uuid4()), "name": "A", "phone": "+2250700000009", "sector": "ict",
                       "region": "", "language": "en"},
        "answer_question_ids": pg_array([published["question"]]), "answer_values": ["some"],
        "answer_scores": pg_array(["0.5"]),
        "score_skill_ids": pg_array([published["skill"]]), "score_values": pg_array(["50"]),
        "score_bands": pg_array(["high"]),
        "event": {}, "response": {},
    }  # fmt: skip
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"version_id": str(uuid.uuid4())}, "unknown_version"),
        ({"answer_question_ids": pg_array([uuid.uuid4()])}, "invalid_references"),
        ({"score_skill_ids": pg_array([uuid.uuid4()])}, "invalid_references"),
        ({}, "created"),
    ],
    ids=["no such version", "a question of no version", "a foreign skill", "valid"],
)
def test_the_statement_checks_what_its_foreign_keys_did(
    published: dict[str, Any], db: Database, change: dict[str, Any], outcome: str
) -> None:
    row = db.run_statement(
        "SELECT submit_assessment(%s::jsonb) AS r", (json.dumps(_document(published, **change)),), idempotent=False
    )
    assert row is not None
    assert row["r"]["outcome"] == outcome
    with db.transaction(read_only=True) as conn:
        stored = conn.execute("SELECT count(*) AS n FROM assessments").fetchone()
    assert stored == {"n": 1 if outcome == "created" else 0}


def test_a_draft_version_is_refused_by_the_statement(published: dict[str, Any], db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO questionnaire_versions (questionnaire_id, version, title_en, title_fr)"
            " VALUES (%s, 2, 'D', 'D') RETURNING id",
            (published["questionnaire"],),
        )
        draft = conn.execute("SELECT id FROM questionnaire_versions WHERE status = 'draft'").fetchone()
    assert draft is not None
    row = db.run_statement(
        "SELECT submit_assessment(%s::jsonb) AS r",
        (json.dumps(_document(published, version_id=str(draft["id"]))),),
        idempotent=False,
    )
    assert row is not None
    assert row["r"]["outcome"] == "unknown_version"


def test_an_environment_keeps_a_published_version_it_read_and_never_a_draft(
    published: dict[str, Any], runtime: Runtime, db: Database
) -> None:
    rt = runtime.replace()  # this environment's memos, empty
    version_id = uuid.UUID(published["version"])
    first = published_version(rt, version_id)
    assert first is not None
    assert first.status == "published"
    assert published_version(rt, version_id) is first  # from the memo: the repository builds a new one per read
    with db.transaction(read_only=True) as conn:
        assert published_version(rt, version_id, conn) is first
    assert published_version(runtime.replace(), version_id) is not first  # another environment reads its own

    with db.transaction() as conn:
        user = conn.execute(
            "INSERT INTO users (email, password_hash, role) VALUES ('editor@example.org', '$argon2id$x', %s)"
            " RETURNING id",
            (Role.SUPER_ADMIN.value,),
        ).fetchone()
    assert user is not None
    editor = Principal(user["id"], "editor@example.org", Role.SUPER_ADMIN, None)
    draft = new_draft(db, editor, uuid.UUID(published["questionnaire"]), version_id, RequestContext())
    assert published_version(rt, draft.version_id) is None
    assert published_version(rt, uuid.uuid4()) is None
    publish(db, editor, draft.questionnaire_id, draft.version_id, RequestContext())
    # The draft was not kept as "not published": once published, the same environment sees it.
    now_published = published_version(rt, draft.version_id)
    assert now_published is not None
    assert now_published.status == "published"
