"""Validation of answers against a questionnaire version, and scoring with its rubric. Pure functions.

Per question, an answer scores a fraction 0..1: single_choice = option score / best option score;
multi_choice = chosen scores / all positive scores (at most 1); scale and numeric = (value - min) /
(max - min); text is not scored. A skill's score is 100 x the weighted mean of the fractions of its
shown, scored questions (a skipped optional question counts 0; a hidden one does not count).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from shared.errors import problem as _problem
from shared.questionnaires.content import Band, Question, VersionContent

MAX_TEXT = 2000
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScoredSkill:
    skill_id: UUID
    code: str
    label_en: str
    label_fr: str
    score: Decimal
    band: Band


@dataclass(frozen=True)
class Scored:
    answers: list[tuple[UUID, Any, Decimal | None]]  # question id, value, fraction
    skills: list[ScoredSkill]
    reached: list[UUID]  # the questions shown to the respondent (by their show-if rules), in order


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _shown(question: Question, given: dict[str, Any]) -> bool:
    rule = question.show_if
    if not rule:
        return True
    answer = given.get(rule["question"])
    if answer is None:
        return False
    if "equals" in rule:
        expected = rule["equals"]
        if isinstance(answer, str):
            return answer == str(expected)
        number = _number(answer)
        return number is not None and number == Decimal(str(expected))
    if "in" in rule:
        return isinstance(answer, str) and answer in rule["in"]
    if "includes" in rule:
        return isinstance(answer, list) and rule["includes"] in answer
    return False


def is_shown(question: Question, given: dict[str, Any]) -> bool:
    """Whether ``question``'s show-if rule holds for the answers given so far (question code -> value): the
    rule submissions are checked with, for clients that ask one question at a time (WhatsApp)."""
    return _shown(question, given)


def validate(version: VersionContent, answers: list[tuple[UUID, Any]]) -> list[dict[str, Any]]:
    """Every problem of the answers, each with its field path (empty when the answers are acceptable)."""
    problems: list[dict[str, Any]] = []
    by_code: dict[str, Any] = {}
    seen: set[UUID] = set()
    for i, (question_id, value) in enumerate(answers):
        question = version.by_id.get(question_id)
        if question is None:
            problems.append(
                _problem(["body", "answers", i, "question_id"], "not a question of this version", "unknown")
            )
            continue
        if question_id in seen:
            problems.append(_problem(["body", "answers", i, "question_id"], "answered twice", "duplicate"))
            continue
        seen.add(question_id)
        message = _value_problem(question, value)
        if message:
            problems.append(_problem(["body", "answers", i, "value"], message, "invalid_value"))
        else:
            by_code[question.code] = value
    index = {qid: i for i, (qid, _) in enumerate(answers)}
    for question in version.questions:
        shown = _shown(question, by_code)
        if question.id in index and not shown:
            problems.append(_problem(
                ["body", "answers", index[question.id], "question_id"],
                f"question {question.code} is hidden by its show-if rule and must not be answered", "hidden",
            ))  # fmt: skip
        if shown and question.required and question.id not in index:
            problems.append(_problem(["body", "answers"], f"question {question.code} is required", "missing"))
    return problems


def _value_problem(question: Question, value: Any) -> str | None:
    codes = question.option_codes
    if question.type == "single_choice":
        if not isinstance(value, str):
            return "expected one option code"
        return None if value in codes else f"{value!r} is not an option of question {question.code}"
    if question.type == "multi_choice":
        if not isinstance(value, list) or not value:
            return "expected a non-empty list of option codes"
        if len(set(value)) != len(value):
            return "an option is chosen twice"
        unknown = [v for v in value if v not in codes]
        return f"{unknown} are not options of question {question.code}" if unknown else None
    if question.type in ("scale", "numeric"):
        number = _number(value)
        if number is None:
            return "expected a number"
        if question.type == "scale" and number != number.to_integral_value():
            return "expected a whole number on the scale"
        assert question.min is not None
        assert question.max is not None
        if not question.min <= number <= question.max:
            return f"must be between {question.min} and {question.max}"
        return None
    if not isinstance(value, str) or not value.strip():
        return "expected text"
    return f"at most {MAX_TEXT} characters" if len(value) > MAX_TEXT else None


def _fraction(question: Question, value: Any) -> Decimal | None:
    if question.type == "text" or question.weight == 0:
        return None
    if question.type == "single_choice":
        best = question.best_option_score
        return question.option_codes[value].score / best if best > 0 else Decimal(0)
    if question.type == "multi_choice":
        total = question.positive_options_total
        chosen = sum((question.option_codes[v].score for v in value), Decimal(0))
        return min(Decimal(1), chosen / total) if total > 0 else Decimal(0)
    assert question.min is not None
    assert question.max is not None
    return (Decimal(str(value)) - question.min) / (question.max - question.min)


def band_for(bands: tuple[Band, ...], score: Decimal) -> Band:
    for band in bands:
        if band.min <= score < band.max:
            return band
    return bands[-1]  # 100 belongs to the top band


def score(version: VersionContent, answers: list[tuple[UUID, Any]]) -> Scored:
    """Scores of answers that ``validate`` accepted."""
    given = {version.by_id[qid].code: value for qid, value in answers}
    answered = dict(answers)
    rows: list[tuple[UUID, Any, Decimal | None]] = []
    weighted: dict[UUID, list[Decimal]] = {}
    reached = [question.id for question in version.questions if _shown(question, given)]
    for question in version.questions:
        if not _shown(question, given) or question.type == "text" or question.weight == 0:
            if question.id in answered:
                rows.append((question.id, answered[question.id], None))
            continue
        fraction = _fraction(question, answered[question.id]) if question.id in answered else Decimal(0)
        if question.id in answered:
            rows.append((question.id, answered[question.id], fraction))
        sums = weighted.setdefault(question.skill_id, [Decimal(0), Decimal(0)])
        sums[0] += question.weight * (fraction or Decimal(0))
        sums[1] += question.weight
    skills = []
    for skill in version.skills:
        if skill.id not in weighted or weighted[skill.id][1] == 0:
            continue
        value = (HUNDRED * weighted[skill.id][0] / weighted[skill.id][1]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        skills.append(
            ScoredSkill(skill.id, skill.code, skill.label_en, skill.label_fr, value, band_for(version.bands, value))
        )
    return Scored(rows, skills, reached)
