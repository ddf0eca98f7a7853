"""What each kind of export holds, read in one consistent snapshot (one read-only REPEATABLE READ
transaction) and handed on as a stream of events: the total to expect, then each sheet's columns and its
rows in batches. Rows come through a server-side cursor, so an export of any size holds one batch at a time.

- assessments: Assessments (one row per assessment: labels, not ids; score and band per skill;
  recommendations; the answer to each question, as people read it), Codebook, About.
- answers: Answers (one row per answer: question code and label, option codes and labels), Codebook, About.
- costs: Costs (one row per cost ledger request), About.

Times are written in UTC and say so in their headers.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from json import JSONDecoder
from json.scanner import make_scanner
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.assessments.queries import SELECTION
from shared.db import Database, IsolationLevel
from shared.exports.workbook import Column
from shared.exports.workbook import ColumnType as T

USD_FORMAT = "0.000000000000"

# The C scanner itself, without json.loads' checks: one JSON text per row and table, millions of rows.
_scan = make_scanner(JSONDecoder())  # type: ignore[arg-type]


def decode(text: str) -> Any:
    return _scan(text, 0)[0]


BATCH_ROWS = 2000


@dataclass(frozen=True)
class Total:
    """The rows the counted sheets will hold."""

    rows: int


@dataclass(frozen=True)
class StartSheet:
    name: str
    columns: list[Column]
    counted: bool  # its rows count towards the total (the data, not the codebook or the about sheet)


@dataclass(frozen=True)
class Rows:
    rows: list[list[Any]]


Event = Total | StartSheet | Rows


@dataclass(frozen=True)
class Request:
    """One export to read: what, with which (validated) filters, for whom."""

    export_id: UUID
    kind: str
    filters: dict[str, Any]  # as stored and shown: JSON values
    params: dict[str, Any]  # the SQL parameters the filters stand for
    requested_by: str
    requested_at: datetime
    only: UUID | None = None  # the user whose records alone may be read (enumerators), or None
    counts: dict[str, int] = field(default_factory=dict)


def read(db: Database, request: Request) -> Generator[Event, None, None]:
    """The events of ``request``'s workbook, from one snapshot of the database."""
    with db.transaction(IsolationLevel.REPEATABLE_READ, read_only=True) as conn:
        # Rows come one by one through index lookups: compiling the query (JIT) costs more than it saves.
        conn.execute("SET LOCAL jit = off")
        as_of = conn.execute("SELECT now() AS at").fetchone()["at"]  # type: ignore[index]
        match request.kind:
            case "assessments":
                yield from _assessments(db, conn, request)
                yield from _codebook(conn, request)
            case "answers":
                yield from _answers(db, conn, request)
                yield from _codebook(conn, request)
            case "costs":
                yield from _costs(db, conn, request)
            case _:
                raise ValueError(f"unknown export kind {request.kind!r}")
        yield from _about(request, as_of)


def _counted(request: Request, sheet: str, rows: Iterator[list[list[Any]]]) -> Iterator[Event]:
    for batch in rows:
        request.counts[sheet] = request.counts.get(sheet, 0) + len(batch)
        yield Rows(batch)


# -- assessments and answers ------------------------------------------------------------------------------

_SELECTED = "FROM assessments a JOIN questionnaire_versions v ON v.id = a.version_id\n" + SELECTION


def count_assessments(db: Database, params: dict[str, Any]) -> int:
    row = db.fetch_one(f"SELECT count(*) AS n {_SELECTED}", params)
    return int(row["n"]) if row else 0


# What explains the codes of the selected assessments: the skills, questions (with their options) and rubric
# bands of the versions they were made with. Rows carry ids and codes; these turn them into labels here, once,
# rather than in the database for every row.
_USED = f"WITH used AS (SELECT DISTINCT a.version_id {_SELECTED})"
_SKILLS = f"""{_USED}
SELECT k.id::text AS id, k.code, k.label_en AS label, k.position, qv.created_at,
       (SELECT jsonb_object_agg(b.code, b.label_en) FROM rubric_bands b WHERE b.version_id = k.version_id) AS bands
FROM skills k JOIN used u ON u.version_id = k.version_id JOIN questionnaire_versions qv ON qv.id = k.version_id
"""
_QUESTIONS = f"""{_USED}
SELECT q.id::text AS id, q.code, q.label_en AS label, q.type, q.position, qv.created_at, k.label_en AS skill,
       (SELECT jsonb_agg(jsonb_build_array(o.code, o.label_en) ORDER BY o.position)
        FROM question_options o WHERE o.question_id = q.id) AS options
FROM questions q JOIN used u ON u.version_id = q.version_id JOIN questionnaire_versions qv ON qv.id = q.version_id
JOIN skills k ON k.id = q.skill_id
"""
# The rubric's recommendation for each (skill, band) of those versions (a skill id belongs to one version).
_RUBRIC = f"""{_USED}
SELECT r.skill_id::text AS skill_id, r.band, r.priority, r.text_en AS text
FROM rubric_recommendations r JOIN used u ON u.version_id = r.version_id
"""


@dataclass(frozen=True)
class _Skill:
    column: int  # of its score; its band is the next one
    label: str
    position: int
    bands: dict[str, str]  # band code -> label


_CHOICES = ("single_choice", "multi_choice")


@dataclass
class _Question:
    column: int
    code: str
    label: str
    skill: str
    type: str
    options: list[tuple[str, str]]  # (code, label) in questionnaire order
    _chosen: dict[Any, tuple[str | None, str | None]] = field(default_factory=dict)

    def codes_and_labels(self, value: Any) -> tuple[str | None, str | None]:
        """The chosen options of a choice answer, in questionnaire order: codes and labels, "; "-joined. Answers
        repeat the same few choices: each is worked out once."""
        if self.type not in ("single_choice", "multi_choice"):
            return None, None
        key = tuple(value) if isinstance(value, list) else value
        found = self._chosen.get(key)
        if found is None:
            chosen = set(value) if isinstance(value, list) else {value}
            picked = [(code, label) for code, label in self.options if code in chosen]
            found = ("; ".join(c for c, _ in picked) or None, "; ".join(label for _, label in picked) or None)
            if len(self._chosen) < 10_000:
                self._chosen[key] = found
        return found

    def shown(self, value: Any) -> Any:
        """The answer as people read it: option labels for choices, the number or the text otherwise."""
        return self.codes_and_labels(value)[1] if self.type in ("single_choice", "multi_choice") else value


def _columns_by_code(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(code, label) per code, in questionnaire order, labelled as in the newest version that has it."""
    first: dict[str, int] = {}
    newest: dict[str, tuple[datetime, str]] = {}
    for r in rows:
        first[r["code"]] = min(first.get(r["code"], r["position"]), r["position"])
        if r["code"] not in newest or r["created_at"] > newest[r["code"]][0]:
            newest[r["code"]] = (r["created_at"], r["label"])
    return [(code, newest[code][1]) for code in sorted(first, key=lambda c: (first[c], c))]


# Newest first, as GET /api/v1/assessments lists them. Scores and answers come as one JSON text each, keyed by
# skill or question id, made from the assessment row's own arrays (migration 0041): no other row is read for
# them, and ids become labels in Python, from the codebook. An assessment's recommendations are its scores'
# (skill, band) in the published rubric, which never changes (what the assessment_recommendations view joins):
# looked up here, from the rubric read once. Times are UTC wall-clock times, as the file shows them.
_ASSESSMENTS = f"""
SELECT a.id::text, a.submitted_at AT TIME ZONE 'UTC', a.started_at AT TIME ZONE 'UTC', r.name, s.label_en, r.region,
       r.language, a.channel, v.title_en, v.version, coalesce(nullif(u.full_name, ''), u.email),
       (SELECT '{{' || string_agg('"' || ss.skill_id || '":[' || ss.score || ',' || to_json(ss.band)::text || ']', ',')
               || '}}'
        FROM unnest(a.score_skill_ids, a.score_values, a.score_bands) AS ss(skill_id, score, band)),
       (SELECT '{{' || string_agg('"' || x.question_id || '":' || x.value::text, ',') || '}}'
        FROM ROWS FROM (unnest(a.answer_question_ids), jsonb_array_elements(a.answer_values)) AS x(question_id, value))
FROM assessments a
JOIN questionnaire_versions v ON v.id = a.version_id
JOIN respondents r ON r.id = a.respondent_id
JOIN sectors s ON s.code = a.sector
LEFT JOIN users u ON u.id = a.enumerator_id
{SELECTION}
ORDER BY a.submitted_at DESC, a.id DESC
"""

_ASSESSMENT_COLUMNS = [
    Column("Assessment ID", width=38),
    Column("Submitted at (UTC)", T.DATETIME),
    Column("Started at (UTC)", T.DATETIME),
    Column("Respondent", width=24),
    Column("Sector", width=20),
    Column("Region"),
    Column("Language", width=9),
    Column("Channel", width=10),
    Column("Questionnaire", width=28),
    Column("Version", T.INTEGER, width=8),
    Column("Entered by", width=24),
]


def _assessments(db: Database, conn: Connection[Any], request: Request) -> Iterator[Event]:
    params = request.params
    total = conn.execute(f"SELECT count(*) AS n {_SELECTED}", params).fetchone()["n"]  # type: ignore[index]
    skill_rows = conn.execute(_SKILLS, params).fetchall()
    question_rows = conn.execute(_QUESTIONS, params).fetchall()
    columns = list(_ASSESSMENT_COLUMNS)
    skill_column: dict[str, int] = {}
    for code, label in _columns_by_code(skill_rows):
        skill_column[code] = len(columns)
        columns += [Column(f"{label} ({code}) score", T.NUMBER), Column(f"{label} ({code}) band", width=16)]
    recommendations = len(columns)
    columns.append(Column("Recommendations", width=60))
    question_column: dict[str, int] = {}
    for code, label in _columns_by_code(question_rows):
        question_column[code] = len(columns)
        columns.append(Column(f"{label} ({code})", T.VALUE, width=24))
    skills = {r["id"]: _Skill(skill_column[r["code"]], r["label"], r["position"], r["bands"] or {}) for r in skill_rows}
    questions = {r["id"]: _question(r, question_column[r["code"]]) for r in question_rows}
    # Per question: its column, and for a choice question the labels of each answer met so far (a choice answer is
    # one of a few: each is worked out once), None for an answer shown as it is.
    shown: dict[str, tuple[int, dict[Any, Any] | None, _Question]] = {
        k: (q.column, {} if q.type in _CHOICES else None, q) for k, q in questions.items()
    }
    yield Total(total)
    yield StartSheet("Assessments", columns, counted=True)
    width = len(columns)
    fixed = len(_ASSESSMENT_COLUMNS)

    # The rubric's (priority, skill position, skill label, text) per (skill id, band); an assessment's
    # recommendations are those of its scores, most urgent first. The same few sets recur: each is put
    # together once.
    rubric = {(r["skill_id"], r["band"]): (r["priority"], skills[r["skill_id"]].position, skills[r["skill_id"]].label,
                                           r["text"])
              for r in conn.execute(_RUBRIC, params) if r["skill_id"] in skills}  # fmt: skip
    advice: dict[tuple[tuple[str, str], ...], str | None] = {}

    def recommended(key: tuple[tuple[str, str], ...]) -> str | None:
        found = [rubric[pair] for pair in key if pair in rubric]
        return "\n".join(f"{label}: {words}" for _, _, label, words in sorted(found)) or None

    def cells(batch: list[tuple[Any, ...]]) -> list[list[Any]]:
        out = []
        blank = [None] * (width - fixed)
        for row in batch:
            values = [*row[:fixed], *blank]
            if row[11]:
                picked = []
                for skill_id, (score, band) in decode(row[11]).items():
                    skill = skills[skill_id]
                    values[skill.column] = score
                    values[skill.column + 1] = skill.bands.get(band, band)
                    picked.append((skill_id, band))
                key = tuple(picked)
                if key in advice:
                    values[recommendations] = advice[key]
                else:
                    values[recommendations] = found = recommended(key)
                    if len(advice) < 10_000:
                        advice[key] = found
            if row[12]:
                for question_id, value in decode(row[12]).items():
                    column, labels, question = shown[question_id]
                    if labels is None:
                        values[column] = value
                    else:
                        chosen = value if value.__class__ is str else tuple(value)
                        label = labels.get(chosen)
                        if label is None and chosen not in labels:
                            label = question.shown(value)
                            if len(labels) < 10_000:
                                labels[chosen] = label
                        values[column] = label
            out.append(values)
        return out

    yield from _counted(
        request, "Assessments", map(cells, db.stream(conn, _ASSESSMENTS, params, batch_rows=BATCH_ROWS))
    )


def _question(row: dict[str, Any], column: int) -> _Question:
    return _Question(column, row["code"], row["label"], row["skill"], row["type"],
                     [(code, label) for code, label in row["options"] or []])  # fmt: skip


_ANSWERS = f"""
SELECT a.id::text, a.submitted_at, r.name, s.label_en, v.title_en, v.version, x.question_id::text, x.value, x.score
FROM assessments a
JOIN questionnaire_versions v ON v.id = a.version_id
JOIN respondents r ON r.id = a.respondent_id
JOIN sectors s ON s.code = a.sector
CROSS JOIN LATERAL ROWS FROM (unnest(a.answer_question_ids), jsonb_array_elements(a.answer_values),
                             unnest(a.answer_scores)) AS x(question_id, value, score)
JOIN questions q ON q.id = x.question_id
{SELECTION}
ORDER BY a.submitted_at DESC, a.id DESC, q.position
"""

_ANSWER_COLUMNS = [
    Column("Assessment ID", width=38),
    Column("Submitted at (UTC)", T.DATETIME),
    Column("Respondent", width=24),
    Column("Sector", width=20),
    Column("Questionnaire", width=28),
    Column("Version", T.INTEGER, width=8),
    Column("Skill", width=20),
    Column("Question code", width=20),
    Column("Question", width=48),
    Column("Type", width=14),
    Column("Answer", T.VALUE, width=24),
    Column("Option codes", width=20),
    Column("Option labels", width=32),
    Column("Score (0-1)", T.NUMBER),
]


def _answers(db: Database, conn: Connection[Any], request: Request) -> Iterator[Event]:
    params = request.params
    total = conn.execute(
        f"SELECT coalesce(sum(cardinality(a.answer_question_ids)), 0) AS n FROM assessments a"
        f" JOIN questionnaire_versions v ON v.id = a.version_id {SELECTION}",
        params,
    ).fetchone()["n"]  # type: ignore[index]
    questions = {r["id"]: _question(r, 0) for r in conn.execute(_QUESTIONS, params)}
    yield Total(total)
    yield StartSheet("Answers", _ANSWER_COLUMNS, counted=True)

    def cells(batch: list[tuple[Any, ...]]) -> list[list[Any]]:
        out = []
        for assessment, submitted, name, sector, title, version, question_id, value, score in batch:
            q = questions[question_id]
            codes, labels = q.codes_and_labels(value)
            out.append([assessment, submitted, name, sector, title, version, q.skill, q.code, q.label, q.type,
                        None if codes or labels else value, codes, labels, score])  # fmt: skip
        return out

    yield from _counted(request, "Answers", map(cells, db.stream(conn, _ANSWERS, params, batch_rows=BATCH_ROWS)))


_CODEBOOK_COLUMNS = [
    Column("Questionnaire", width=20),
    Column("Version", T.INTEGER, width=8),
    Column("Item", width=15),
    Column("Code", width=20),
    Column("Belongs to", width=20),
    Column("Type", width=14),
    Column("Label (en)", width=48),
    Column("Label (fr)", width=48),
    Column("Min", T.NUMBER, width=8),
    Column("Max", T.NUMBER, width=8),
    Column("Score", T.NUMBER, width=8),
    Column("Weight", T.NUMBER, width=8),
    Column("Required", width=9),
    Column("Priority", T.INTEGER, width=8),
]

# Everything that explains the codes of the selected assessments' versions, in questionnaire order: skills,
# then each question followed by its options, then the rubric's bands and recommendations.
_CODEBOOK = f"""
WITH used AS (SELECT DISTINCT a.version_id {_SELECTED}),
ver AS (SELECT v.id, qn.code AS questionnaire, v.version FROM questionnaire_versions v
        JOIN questionnaires qn ON qn.id = v.questionnaire_id JOIN used u ON u.version_id = v.id)
SELECT questionnaire, version, item, code, belongs_to, type, label_en, label_fr, min, max, score, weight, required,
       priority
FROM (
    SELECT ver.questionnaire, ver.version, 1 AS part, k.position AS p1, 0 AS p2, 'skill' AS item, k.code,
           NULL AS belongs_to, NULL AS type, k.label_en, k.label_fr, NULL::numeric AS min, NULL::numeric AS max,
           NULL::numeric AS score, NULL::numeric AS weight, NULL AS required, NULL::int AS priority
    FROM skills k JOIN ver ON ver.id = k.version_id
    UNION ALL
    SELECT ver.questionnaire, ver.version, 2, q.position, -1, 'question', q.code, k.code, q.type, q.label_en,
           q.label_fr, q.min_value, q.max_value, NULL, q.weight, CASE WHEN q.required THEN 'yes' ELSE 'no' END, NULL
    FROM questions q JOIN ver ON ver.id = q.version_id JOIN skills k ON k.id = q.skill_id
    UNION ALL
    SELECT ver.questionnaire, ver.version, 2, q.position, o.position, 'option', o.code, q.code, NULL, o.label_en,
           o.label_fr, NULL, NULL, o.score, NULL, NULL, NULL
    FROM question_options o JOIN questions q ON q.id = o.question_id JOIN ver ON ver.id = q.version_id
    UNION ALL
    SELECT ver.questionnaire, ver.version, 3, b.min_score::int, 0, 'band', b.code, NULL, NULL, b.label_en,
           b.label_fr, b.min_score, b.max_score, NULL, NULL, NULL, NULL
    FROM rubric_bands b JOIN ver ON ver.id = b.version_id
    UNION ALL
    SELECT ver.questionnaire, ver.version, 4, k.position, rb.min_score::int, 'recommendation', r.band, k.code, NULL,
           r.text_en, r.text_fr, NULL, NULL, NULL, NULL, NULL, r.priority
    FROM rubric_recommendations r JOIN ver ON ver.id = r.version_id JOIN skills k ON k.id = r.skill_id
    JOIN rubric_bands rb ON rb.version_id = r.version_id AND rb.code = r.band
) c
ORDER BY questionnaire, version, part, p1, p2, code
"""


def _codebook(conn: Connection[Any], request: Request) -> Iterator[Event]:
    yield StartSheet("Codebook", _CODEBOOK_COLUMNS, counted=False)
    with conn.cursor() as cursor:
        rows = [list(r.values()) for r in cursor.execute(_CODEBOOK, request.params)]
    request.counts["Codebook"] = len(rows)
    yield Rows(rows)


# -- costs --------------------------------------------------------------------------------------------------

_COSTS_WHERE = """
FROM cost_requests
WHERE started_at >= %(from)s AND started_at < %(to)s
  AND (%(route)s::text IS NULL OR entry = %(route)s)
  AND (%(function)s::text IS NULL OR function_name = %(function)s)
  AND (%(channel)s::text IS NULL OR channel = %(channel)s)
  AND (%(status)s::int IS NULL OR status = %(status)s)
  AND (%(actor)s::text IS NULL OR actor = %(actor)s)
  AND (%(assessment_id)s::uuid IS NULL OR assessment_id = %(assessment_id)s)
"""
_COSTS = f"""
SELECT request_id, started_at, entry, function_name, kind, status, channel, actor, assessment_id::text, duration_ms,
       billed_ms, memory_mb, architecture, cold_start, init_ms, max_memory_mb, db_ms, db_statements, lambda_usd,
       gateway_usd, s3_usd, twilio_usd, twilio_actual_usd, direct_usd, price_version, region,
       CASE WHEN reconciled_at IS NULL THEN 'no' ELSE 'yes' END
{_COSTS_WHERE}
ORDER BY started_at DESC, request_id DESC
"""
_COST_COLUMNS = [
    Column("Request ID", width=38),
    Column("Started at (UTC)", T.DATETIME),
    Column("Route", width=36),
    Column("Function", width=28),
    Column("Kind", width=10),
    Column("Status", T.INTEGER, width=8),
    Column("Channel", width=10),
    Column("Actor", width=44),
    Column("Assessment ID", width=38),
    Column("Duration (ms)", T.NUMBER),
    Column("Billed (ms)", T.INTEGER),
    Column("Memory (MB)", T.INTEGER),
    Column("Architecture", width=12),
    Column("Cold start", T.NUMBER, width=10),
    Column("Init (ms)", T.NUMBER),
    Column("Max memory used (MB)", T.INTEGER),
    Column("Database (ms)", T.NUMBER),
    Column("Statements", T.INTEGER),
    Column("Lambda (USD)", T.NUMBER, number_format=USD_FORMAT, width=16),
    Column("API Gateway (USD)", T.NUMBER, number_format=USD_FORMAT, width=16),
    Column("S3 (USD)", T.NUMBER, number_format=USD_FORMAT, width=16),
    Column("Twilio (USD)", T.NUMBER, number_format=USD_FORMAT, width=16),
    Column("Twilio as reported (USD)", T.NUMBER, number_format=USD_FORMAT, width=16),
    Column("Direct (USD)", T.NUMBER, number_format=USD_FORMAT, width=16),
    Column("Price version", T.INTEGER),
    Column("Region", width=12),
    Column("Reconciled", width=10),
]


def _costs(db: Database, conn: Connection[Any], request: Request) -> Iterator[Event]:
    params = request.params
    total = conn.execute(f"SELECT count(*) AS n {_COSTS_WHERE}", params).fetchone()["n"]  # type: ignore[index]
    yield Total(total)
    yield StartSheet("Costs", _COST_COLUMNS, counted=True)

    def cells(batch: list[tuple[Any, ...]]) -> list[list[Any]]:
        return [list(row) for row in batch]

    yield from _counted(request, "Costs", map(cells, db.stream(conn, _COSTS, params, batch_rows=BATCH_ROWS)))


# -- about --------------------------------------------------------------------------------------------------

_NOTES = {
    "assessments": "One row per submitted assessment, newest first. Scores are 0-100 per skill; bands and "
    "recommendations follow the rubric of the assessment's questionnaire version. Answers are shown as people read "
    "them (option labels); the Codebook sheet gives every code.",
    "answers": "One row per answer, newest assessment first, in question order. Answer holds numbers and text; "
    "choices are in Option codes and Option labels. Score (0-1) is the answer's share of its question's weight.",
    "costs": "One row per invocation of the cost ledger, newest first, priced with the price version shown. "
    "Shared (fixed) costs are not in these rows.",
}


def _about(request: Request, as_of: datetime) -> Iterator[Event]:
    yield StartSheet("About", [Column("Field", width=26), Column("Value", T.VALUE, width=80)], counted=False)
    rows: list[list[Any]] = [
        ["Export", str(request.export_id)],
        ["Kind", request.kind],
        ["Filters", json.dumps(request.filters, sort_keys=True) if request.filters else "none"],
        ["Requested by", request.requested_by],
        ["Requested at (UTC)", request.requested_at],
        ["Data as of (UTC)", as_of],
        *([f"Rows in {sheet}", n] for sheet, n in request.counts.items()),
        ["Times", "All times are UTC."],
        ["Notes", _NOTES[request.kind]],
    ]
    yield Rows(rows)
