"""Scoring by the rubric, worked out by hand: each question type's fraction, weights, show-if rules, skipped
optional questions, bands at their edges, and validation problems with their paths."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from shared.assessments import scoring
from shared.questionnaires.content import Band, Option, Question, Skill, VersionContent

DIGITAL, NUMERACY = uuid.uuid4(), uuid.uuid4()
BANDS = (
    Band("basic", "Basic", "Base", Decimal(0), Decimal(40)),
    Band("intermediate", "Intermediate", "Intermédiaire", Decimal(40), Decimal(70)),
    Band("advanced", "Advanced", "Avancé", Decimal(70), Decimal(100)),
)


def _question(code: str, kind: str, skill: uuid.UUID, position: int, **extra: Any) -> Question:
    options = tuple(
        Option(uuid.uuid4(), c, c, c, Decimal(s)) for c, s in extra.pop("options", {}).items()
    )  # fmt: skip
    return Question(
        id=uuid.uuid4(), code=code, skill_id=skill, skill_code="digital" if skill == DIGITAL else "numeracy",
        type=kind, required=extra.pop("required", True), min=extra.pop("min", None), max=extra.pop("max", None),
        weight=Decimal(extra.pop("weight", 1)), label_en=code, label_fr=code, position=position,
        show_if=extra.pop("show_if", None), options=options,
    )  # fmt: skip


QUESTIONS = (
    _question("has_phone", "single_choice", DIGITAL, 1, options={"yes": 2, "no": 0}),
    _question("apps", "multi_choice", DIGITAL, 2, weight=2, options={"wa": 1, "email": 2, "bank": 1, "none": 0},
              show_if={"question": "has_phone", "equals": "yes"}),
    _question("confidence", "scale", DIGITAL, 3, min=Decimal(1), max=Decimal(5)),
    _question("sums", "numeric", NUMERACY, 4, min=Decimal(0), max=Decimal(10)),
    _question("budget", "numeric", NUMERACY, 5, min=Decimal(0), max=Decimal(4), required=False),
    _question("comment", "text", NUMERACY, 6, required=False),
)  # fmt: skip
VERSION = VersionContent(
    id=uuid.uuid4(), questionnaire_id=uuid.uuid4(), code="t", version=1, status="published", title_en="T",
    title_fr="T", published_at=None,
    skills=(Skill(DIGITAL, "digital", "Digital", "Numérique", 1), Skill(NUMERACY, "numeracy", "Numeracy", "Calcul", 2)),
    questions=QUESTIONS, bands=BANDS, recommendations=(),
)  # fmt: skip
Q = {q.code: q.id for q in QUESTIONS}


def answers(**values: Any) -> list[tuple[uuid.UUID, Any]]:
    return [(Q[code], value) for code, value in values.items()]


def scores(**values: Any) -> dict[str, tuple[Decimal, str]]:
    given = answers(**values)
    assert scoring.validate(VERSION, given) == []
    return {s.code: (s.score, s.band.code) for s in scoring.score(VERSION, given).skills}


def test_each_question_type_scores_its_fraction_and_weights_count() -> None:
    # digital: has_phone 2/2 = 1 (w1), apps (1+2)/4 = 0.75 (w2), confidence (4-1)/4 = 0.75 (w1)
    #   -> (1 + 1.5 + 0.75) / 4 = 81.25
    # numeracy: sums 7/10 = 0.7, budget (3-0)/4 = 0.75, text not scored -> (0.7 + 0.75) / 2 = 72.50
    assert scores(has_phone="yes", apps=["wa", "email"], confidence=4, sums=7, budget=3, comment="ok") == {
        "digital": (Decimal("81.25"), "advanced"),
        "numeracy": (Decimal("72.50"), "advanced"),
    }


def test_a_hidden_question_does_not_count_and_a_skipped_optional_one_counts_zero() -> None:
    # apps is hidden (no phone): digital = (0 + 0.5) / 2 = 25; budget skipped counts 0: (0.5 + 0) / 2 = 25
    assert scores(has_phone="no", confidence=3, sums=5) == {
        "digital": (Decimal("25.00"), "basic"),
        "numeracy": (Decimal("25.00"), "basic"),
    }


def test_multi_choice_is_capped_at_one() -> None:
    # (1 + 2 + 1) / 4 = 1: every positive option chosen
    result = scores(has_phone="yes", apps=["wa", "email", "bank", "none"], confidence=5, sums=10)
    assert result["digital"] == (Decimal("100.00"), "advanced")  # 100 belongs to the top band


@pytest.mark.parametrize(
    ("value", "band"),
    [("0", "basic"), ("39.99", "basic"), ("40", "intermediate"), ("70", "advanced"), ("100", "advanced")],
)
def test_bands_include_their_lower_edge(value: str, band: str) -> None:
    assert scoring.band_for(BANDS, Decimal(value)).code == band


def test_scores_round_half_up_to_two_places() -> None:
    # numeracy: sums 1/10 = 0.1, budget 1/4 = 0.25 -> (0.1 + 0.25) / 2 = 17.5
    assert scores(has_phone="no", confidence=2, sums=1, budget=1)["numeracy"] == (Decimal("17.50"), "basic")
    # numeracy: sums 10/3 of 10 -> 0.3333.., budget 0 -> 16.666.. -> 16.67
    thirds = scoring.score(VERSION, answers(has_phone="no", confidence=1, sums=10 / 3, budget=0))
    assert {s.code: s.score for s in thirds.skills}["numeracy"] == Decimal("16.67")


def test_validation_names_every_problem_with_its_path() -> None:
    problems = scoring.validate(
        VERSION,
        [
            (Q["has_phone"], "maybe"),
            (Q["has_phone"], "yes"),
            (Q["apps"], ["wa", "wa"]),
            (Q["confidence"], 2.5),
            (Q["sums"], 11),
            (Q["budget"], True),
            (Q["comment"], "x" * 2001),
            (uuid.uuid4(), 1),
        ],
    )
    by_path = {(p["path"], p["type"]) for p in problems}
    assert by_path == {
        ("body.answers.0.value", "invalid_value"),
        # has_phone has no valid answer, so apps is hidden and must not be answered
        ("body.answers.2.question_id", "hidden"),
        ("body.answers.1.question_id", "duplicate"),
        ("body.answers.2.value", "invalid_value"),
        ("body.answers.3.value", "invalid_value"),
        ("body.answers.4.value", "invalid_value"),
        ("body.answers.5.value", "invalid_value"),
        ("body.answers.6.value", "invalid_value"),
        ("body.answers.7.question_id", "unknown"),
    }


def test_answering_a_hidden_question_or_skipping_a_required_one_is_refused() -> None:
    problems = scoring.validate(VERSION, answers(has_phone="no", apps=["wa"], sums=3))
    assert {(p["path"], p["type"]) for p in problems} == {
        ("body.answers.1.question_id", "hidden"),
        ("body.answers", "missing"),  # confidence
    }
