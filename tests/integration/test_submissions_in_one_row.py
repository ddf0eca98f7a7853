"""A submission in one row (migration 0041): what was stored as answer and skill score rows moves into the
assessments' rows with nothing lost, every reader answers exactly as before the move, and the row keeps the rules
the tables' keys and constraints held."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import errors

from bench.submissions import _definition
from shared.assessments.queries import AssessmentFilter, Viewer, get_assessment, list_assessments
from shared.auth.permissions import Role
from shared.db import Database
from shared.db.migrate import MigrationError, migrate
from shared.questionnaires.service import import_definition
from shared.reports.service import sector_reports, skill_reports
from shared.request_context import RequestContext

BEFORE = 40  # the last migration before the move


def _old_document(version: str, questions: list[dict[str, Any]], skills: list[str], n: int) -> dict[str, Any]:
    """A submission as the statement of 0012 took it: answers and scores as lists of objects."""
    answers = []
    for i, q in enumerate(questions):
        value: Any = {"single_choice": "some", "multi_choice": ["x", "z"], "scale": 1 + (n + i) % 5,
                      "numeric": (n * 7 + i) % 101}[q["type"]]  # fmt: skip
        answers.append({"q": q["id"], "v": value, "f": None if i % 7 == 3 else f"0.{(n + i) % 10}"})
    return {
        "scope": "test", "key": f"k{n}", "request_hash": "00", "id": str(uuid.uuid4()), "version_id": version,
        "channel": "web" if n % 2 else "whatsapp", "submitted_at": f"2026-03-{1 + n:02d}T10:00:00Z",
        "respondent": {"new_id": str(uuid.uuid4()), "name": f"R{n}", "phone": f"+22507000000{n:02d}",
                       "sector": "ict" if n % 3 else "agri", "region": "", "language": "en"},
        "answers": answers,
        "scores": [{"k": k, "s": f"{(n * 13 + j * 7) % 100}.5", "b": "low" if (n + j) % 2 else "high"}
                   for j, k in enumerate(skills)],
        "event": {}, "response": {},
    }  # fmt: skip


def _reads(db: Database, ids: list[uuid.UUID]) -> dict[str, Any]:
    """What the readers answer: assessments get (both languages) and list, the reports, and the rows of the
    answers, skill_scores and assessment_recommendations relations."""
    viewer = Viewer(uuid.uuid4(), Role.ANALYST)
    with db.transaction(read_only=True) as conn:
        rows = {
            name: conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall()
            for name in ("answers", "skill_scores", "assessment_recommendations")
        }
    return {
        "get": [get_assessment(db, viewer, i, lang).model_dump(mode="json") for i in ids for lang in ("en", "fr")],
        "list": list_assessments(db, viewer, AssessmentFilter(), None, 100).model_dump(mode="json"),
        "sectors": sector_reports(db, None, None, None, "en").model_dump(mode="json"),
        "skills": skill_reports(db, None, None, None, "fr").model_dump(mode="json"),
        **rows,
    }


def _seeded(url: str) -> tuple[Database, list[uuid.UUID]]:
    """A published questionnaire and eight submissions through the statement of 0012."""
    db = Database(lambda: url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO sectors (code, label_en, label_fr) VALUES ('ict', 'ICT', 'TIC'), ('agri', 'A', 'A')")
    imported = import_definition(db, None, _definition(), RequestContext(), publish=True)
    version = str(imported.version_id)
    with psycopg.connect(url, autocommit=True) as conn:
        questions = [{"id": str(r[0]), "type": r[1]} for r in conn.execute(
            "SELECT id, type FROM questions WHERE version_id = %s ORDER BY position DESC", (version,))]  # fmt: skip
        skills = [str(r[0]) for r in conn.execute("SELECT id FROM skills WHERE version_id = %s", (version,))]
        ids = []
        for n in range(8):
            document = _old_document(version, questions, skills, n)
            outcome = conn.execute("SELECT submit_assessment(%s::jsonb)", (json.dumps(document),)).fetchone()
            assert outcome is not None
            assert outcome[0]["outcome"] == "created"
            ids.append(uuid.UUID(document["id"]))
    return db, ids


def test_stored_answers_and_scores_move_into_their_rows_and_every_reader_answers_as_before(fresh_database: str) -> None:
    migrate(fresh_database, through=BEFORE)
    db, ids = _seeded(fresh_database)
    before = _reads(db, ids)
    assert len(before["answers"]) == 8 * 20
    assert len(before["skill_scores"]) == 8 * 5

    migrate(fresh_database)

    assert _reads(db, ids) == before
    with db.transaction(read_only=True) as conn:
        tables = conn.execute(
            "SELECT relname, relkind FROM pg_class WHERE relname IN ('answers', 'skill_scores') ORDER BY 1"
        ).fetchall()
        # In questionnaire order in the row, whatever order they were sent in.
        ordered = conn.execute(
            "SELECT bool_and(a.answer_question_ids = ARRAY(SELECT q.id FROM questions q"
            "  WHERE q.version_id = a.version_id ORDER BY q.position)) AS ok FROM assessments a"
        ).fetchone()
    assert tables == [{"relname": "answers", "relkind": "v"}, {"relname": "skill_scores", "relkind": "v"}]
    assert ordered == {"ok": True}
    db.close()


def test_the_move_is_refused_when_a_score_was_computed_with_another_versions_rubric(fresh_database: str) -> None:
    migrate(fresh_database, through=BEFORE)
    db, _ = _seeded(fresh_database)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        other = conn.execute(
            "INSERT INTO questionnaire_versions (questionnaire_id, version, title_en, title_fr)"
            " SELECT questionnaire_id, 2, 'B', 'B' FROM questionnaire_versions LIMIT 1 RETURNING id"
        ).fetchone()
        assert other is not None
        conn.execute(
            "UPDATE skill_scores SET rubric_version = %s WHERE ctid = (SELECT ctid FROM skill_scores LIMIT 1)",
            (other[0],),
        )

    with pytest.raises(MigrationError, match="rubric other than"):
        migrate(fresh_database)

    with psycopg.connect(fresh_database) as conn:  # nothing of 0041 stayed: the rows are where they were
        kind = conn.execute("SELECT relkind FROM pg_class WHERE relname = 'answers'").fetchone()
        moved = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'assessments'"
            " AND column_name = 'answer_question_ids'"
        ).fetchone()
    assert kind == ("r",)
    assert moved == (0,)
    db.close()


_ROW = """
INSERT INTO assessments (respondent_id, version_id, channel, sector, status, started_at, submitted_at,
                         answer_question_ids, answer_values, answer_scores, score_skill_ids, score_values, score_bands)
SELECT r.id, v.id, 'web', 'ict', 'submitted', now(), now(),
       %(questions)s, %(values)s, %(fractions)s, %(skills)s, %(scores)s, %(bands)s
FROM respondents r, questionnaire_versions v LIMIT 1
"""

Q1, Q2, K1, K2 = (uuid.uuid4() for _ in range(4))
VALID: dict[str, Any] = {
    "questions": [Q1, Q2], "values": json.dumps(["a", 3]), "fractions": [Decimal("0.5"), None],
    "skills": [K1, K2], "scores": [Decimal("10"), Decimal("99.99")], "bands": ["low", "high"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"questions": [Q1, Q1]}, "answers_one_per_question"),
        ({"skills": [K2, K2]}, "skill_scores_one_per_skill"),
        (
            {"questions": [Q1, Q2, Q1], "values": json.dumps(["a", 3, "b"]), "fractions": [None] * 3},
            "answers_one_per_question",
        ),
        ({"questions": f"[0:1]={{{Q1},{Q1}}}"}, "answers_one_per_question"),  # subscripts from 0
        ({"skills": f"[7:8]={{{K1},{K1}}}"}, "skill_scores_one_per_skill"),
        ({"values": json.dumps(["a"])}, "assessments_answers_shape"),
        ({"values": json.dumps({"a": 1})}, "assessments_answers_shape"),
        ({"fractions": [Decimal("0.5")]}, "assessments_answers_shape"),
        ({"questions": [Q1, None]}, "assessments_answers_shape"),
        ({"fractions": [Decimal("1.5"), None]}, "answers_score_fraction"),
        ({"fractions": [Decimal("-0.1"), Decimal(0)]}, "answers_score_fraction"),
        ({"bands": ["low"]}, "assessments_scores_shape"),
        ({"scores": [Decimal(10), None]}, "assessments_scores_shape"),
        ({"bands": ["low", None]}, "assessments_scores_shape"),
        ({"scores": [Decimal(10), Decimal("100.5")]}, "skill_scores_range"),
    ],
)
def test_an_assessment_row_keeps_the_rules_of_the_rows_it_replaces(
    db: Database, database_url: str, change: dict[str, Any], constraint: str
) -> None:
    import_definition(db, None, _definition(), RequestContext(), publish=True)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO sectors (code, label_en, label_fr) VALUES ('ict', 'ICT', 'TIC')")
        conn.execute("INSERT INTO respondents (name, phone, sector) VALUES ('A', '+22507000001', 'ict')")
        conn.execute(_ROW, VALID)  # the valid row is stored

        with pytest.raises(errors.CheckViolation) as refused:
            conn.execute(_ROW, {**VALID, **change})

        assert refused.value.diag.constraint_name == constraint
        assert conn.execute("SELECT count(*) FROM assessments").fetchone() == (1,)
