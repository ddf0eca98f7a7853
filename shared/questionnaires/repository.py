"""Questionnaire SQL."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb

from shared.questionnaires.content import Band, Option, Question, Recommendation, Skill, VersionContent
from shared.questionnaires.definition import QuestionDef, QuestionnaireDef


def questionnaire_by_code(conn: Connection[Any], code: str, *, for_update: bool = False) -> UUID | None:
    row = conn.execute(
        "SELECT id FROM questionnaires WHERE code = %s" + (" FOR UPDATE" if for_update else ""), (code,)
    ).fetchone()
    return row["id"] if row else None


def insert_questionnaire(conn: Connection[Any], code: str, created_by: UUID | None) -> UUID:
    row = conn.execute(
        "INSERT INTO questionnaires (code, created_by) VALUES (%s, %s) RETURNING id", (code, created_by)
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def next_version_number(conn: Connection[Any], questionnaire_id: UUID) -> int:
    row = conn.execute(
        "SELECT coalesce(max(version), 0) + 1 AS n FROM questionnaire_versions WHERE questionnaire_id = %s",
        (questionnaire_id,),
    ).fetchone()
    return int(row["n"]) if row else 1


def insert_version(
    conn: Connection[Any], questionnaire_id: UUID, number: int, d: QuestionnaireDef, based_on: UUID | None = None
) -> UUID:
    """Store a whole definition as a new draft version; returns its id."""
    version_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO questionnaire_versions (id, questionnaire_id, version, title_en, title_fr, based_on)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (version_id, questionnaire_id, number, d.title.en, d.title.fr, based_on),
    )
    skill_ids = {s.code: uuid.uuid4() for s in d.skills}
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO skills (id, version_id, code, label_en, label_fr, position) VALUES (%s, %s, %s, %s, %s, %s)",
            [(skill_ids[s.code], version_id, s.code, s.label.en, s.label.fr, i) for i, s in enumerate(d.skills)],
        )
        for position, question in enumerate(d.questions):
            insert_question(conn, version_id, skill_ids[question.skill], question, position)
        cur.executemany(
            "INSERT INTO rubric_bands (version_id, code, label_en, label_fr, min_score, max_score)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(version_id, b.code, b.label.en, b.label.fr, b.min, b.max) for b in d.rubric.bands],
        )
        cur.executemany(
            "INSERT INTO rubric_recommendations (version_id, skill_id, band, text_en, text_fr, priority)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (version_id, skill_ids[r.skill], r.band, r.text.en, r.text.fr, r.priority)
                for r in d.rubric.recommendations
            ],
        )
    return version_id


def insert_question(conn: Connection[Any], version_id: UUID, skill_id: UUID, q: QuestionDef, position: int) -> UUID:
    question_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO questions (id, version_id, skill_id, code, type, required, min_value, max_value, weight,"
        " label_en, label_fr, position, show_if) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            question_id, version_id, skill_id, q.code, q.type, q.required, q.min, q.max, q.weight,
            q.label.en, q.label.fr, position, Jsonb(q.show_if.dump()) if q.show_if else None,
        ),
    )  # fmt: skip
    _insert_options(conn, question_id, q)
    return question_id


def _insert_options(conn: Connection[Any], question_id: UUID, q: QuestionDef) -> None:
    if not q.options:
        return
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO question_options (question_id, code, label_en, label_fr, score, position)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(question_id, o.code, o.label.en, o.label.fr, o.score, i) for i, o in enumerate(q.options)],
        )


def shift_positions(conn: Connection[Any], version_id: UUID, from_position: int) -> None:
    conn.execute(
        "UPDATE questions SET position = position + 1 WHERE version_id = %s AND position >= %s",
        (version_id, from_position),
    )


def load_version(conn: Connection[Any], version_id: UUID) -> VersionContent | None:
    """The whole version, or None when there is no such version."""
    head = conn.execute(
        "SELECT v.id, v.questionnaire_id, q.code, v.version, v.status, v.title_en, v.title_fr, v.published_at"
        " FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id WHERE v.id = %s",
        (version_id,),
    ).fetchone()
    if head is None:
        return None
    skills = [
        Skill(r["id"], r["code"], r["label_en"], r["label_fr"], r["position"])
        for r in conn.execute(
            "SELECT id, code, label_en, label_fr, position FROM skills WHERE version_id = %s ORDER BY position",
            (version_id,),
        )
    ]
    skill_codes = {s.id: s.code for s in skills}
    options: dict[UUID, list[Option]] = defaultdict(list)
    for r in conn.execute(
        "SELECT o.id, o.question_id, o.code, o.label_en, o.label_fr, o.score FROM question_options o"
        " JOIN questions q ON q.id = o.question_id WHERE q.version_id = %s ORDER BY o.question_id, o.position",
        (version_id,),
    ):
        options[r["question_id"]].append(Option(r["id"], r["code"], r["label_en"], r["label_fr"], r["score"]))
    questions = [
        Question(
            r["id"], r["code"], r["skill_id"], skill_codes[r["skill_id"]], r["type"], r["required"], r["min_value"],
            r["max_value"], r["weight"], r["label_en"], r["label_fr"], r["position"], r["show_if"],
            tuple(options.get(r["id"], ())),
        )
        for r in conn.execute(
            "SELECT id, skill_id, code, type, required, min_value, max_value, weight, label_en, label_fr, position,"
            " show_if FROM questions WHERE version_id = %s ORDER BY position",
            (version_id,),
        )
    ]  # fmt: skip
    bands = [
        Band(r["code"], r["label_en"], r["label_fr"], r["min_score"], r["max_score"])
        for r in conn.execute(
            "SELECT code, label_en, label_fr, min_score, max_score FROM rubric_bands WHERE version_id = %s"
            " ORDER BY min_score",
            (version_id,),
        )
    ]
    recommendations = [
        Recommendation(r["skill_id"], r["band"], r["text_en"], r["text_fr"], r["priority"])
        for r in conn.execute(
            "SELECT skill_id, band, text_en, text_fr, priority FROM rubric_recommendations WHERE version_id = %s",
            (version_id,),
        )
    ]
    return VersionContent(
        head["id"], head["questionnaire_id"], head["code"], head["version"], head["status"], head["title_en"],
        head["title_fr"], head["published_at"], tuple(skills), tuple(questions), tuple(bands), tuple(recommendations),
    )  # fmt: skip


def version_head(conn: Connection[Any], version_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT id, questionnaire_id, version, status FROM questionnaire_versions WHERE id = %s"
        + (" FOR UPDATE" if for_update else ""),
        (version_id,),
    ).fetchone()


def publish(conn: Connection[Any], version_id: UUID) -> None:
    conn.execute(
        "UPDATE questionnaire_versions SET status = 'published', published_at = now() WHERE id = %s", (version_id,)
    )


def active_version_id(conn: Connection[Any], questionnaire_id: UUID | None, version: int | None) -> UUID | None:
    """The newest published version (of one questionnaire, or of all), or the given version number."""
    row = conn.execute(
        """
        SELECT id FROM questionnaire_versions
        WHERE (%(q)s::uuid IS NULL OR questionnaire_id = %(q)s)
          AND (%(v)s::int IS NULL OR version = %(v)s)
          AND (%(v)s::int IS NOT NULL OR status = 'published')
        ORDER BY published_at DESC NULLS LAST, version DESC
        LIMIT 1
        """,
        {"q": questionnaire_id, "v": version},
    ).fetchone()
    return row["id"] if row else None


def list_questionnaires(conn: Connection[Any], questionnaire_id: UUID | None = None) -> list[dict[str, Any]]:
    return conn.execute(
        """
        SELECT q.id, q.code, q.created_at,
               coalesce(json_agg(json_build_object(
                   'id', v.id, 'version', v.version, 'status', v.status, 'title_en', v.title_en,
                   'title_fr', v.title_fr, 'created_at', v.created_at, 'published_at', v.published_at,
                   'questions', (SELECT count(*) FROM questions x WHERE x.version_id = v.id))
                   ORDER BY v.version) FILTER (WHERE v.id IS NOT NULL), '[]') AS versions
        FROM questionnaires q LEFT JOIN questionnaire_versions v ON v.questionnaire_id = q.id
        WHERE %(q)s::uuid IS NULL OR q.id = %(q)s
        GROUP BY q.id ORDER BY q.code
        """,
        {"q": questionnaire_id},
    ).fetchall()


def question_head(conn: Connection[Any], question_id: UUID) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT q.id, q.version_id, q.position, v.status FROM questions q"
        " JOIN questionnaire_versions v ON v.id = q.version_id WHERE q.id = %s FOR UPDATE OF v",
        (question_id,),
    ).fetchone()


def delete_question(conn: Connection[Any], question_id: UUID) -> None:
    conn.execute("DELETE FROM questions WHERE id = %s", (question_id,))


def list_sectors(conn: Connection[Any]) -> list[dict[str, Any]]:
    return conn.execute("SELECT code, label_en, label_fr FROM sectors ORDER BY sort_order, code").fetchall()


def update_question(conn: Connection[Any], question_id: UUID, skill_id: UUID, q: QuestionDef) -> None:
    conn.execute(
        "UPDATE questions SET skill_id = %s, code = %s, type = %s, required = %s, min_value = %s, max_value = %s,"
        " weight = %s, label_en = %s, label_fr = %s, show_if = %s WHERE id = %s",
        (
            skill_id, q.code, q.type, q.required, q.min, q.max, q.weight, q.label.en, q.label.fr,
            Jsonb(q.show_if.dump()) if q.show_if else None, question_id,
        ),
    )  # fmt: skip
    conn.execute("DELETE FROM question_options WHERE question_id = %s", (question_id,))
    _insert_options(conn, question_id, q)
