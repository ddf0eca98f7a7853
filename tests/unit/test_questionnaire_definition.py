"""The questionnaire definition format: the shipped sample is valid and complete, and a broken definition is
refused with the precise path of every problem."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shared.questionnaires.definition import QuestionnaireDef

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "questionnaires" / "samples" / "skills_baseline.json"
TYPES = {"single_choice", "multi_choice", "scale", "numeric", "text"}


@pytest.fixture(scope="module")
def sample() -> QuestionnaireDef:
    return QuestionnaireDef.model_validate_json(SAMPLE.read_text(encoding="utf-8"))


def t(en: str) -> dict[str, str]:
    return {"en": en, "fr": f"{en} (fr)"}


def small() -> dict[str, Any]:
    """A valid definition to break one way at a time."""
    return {
        "code": "small",
        "title": t("Small"),
        "skills": [{"code": "digital", "label": t("Digital")}, {"code": "numeracy", "label": t("Numeracy")}],
        "questions": [
            {"code": "has_computer", "skill": "digital", "type": "single_choice", "label": t("Computer?"),
             "options": [{"code": "yes", "label": t("Yes"), "score": 1}, {"code": "no", "label": t("No")}]},
            {"code": "use_computer", "skill": "digital", "type": "single_choice", "label": t("How often?"),
             "options": [{"code": "daily", "label": t("Daily"), "score": 2},
                         {"code": "weekly", "label": t("Weekly"), "score": 1}],
             "show_if": {"question": "has_computer", "equals": "yes"}},
            {"code": "confidence", "skill": "numeracy", "type": "scale", "label": t("Confident?"), "min": 1,
             "max": 5},
        ],
        "rubric": {
            "bands": [{"code": "low", "label": t("Low"), "min": 0, "max": 50},
                      {"code": "high", "label": t("High"), "min": 50, "max": 100}],
            "recommendations": [{"skill": s, "band": b, "text": t(f"{s} {b}"), "priority": 1}
                                for s in ("digital", "numeracy") for b in ("low", "high")],
        },
    }  # fmt: skip


def problem_paths(raw: dict[str, Any]) -> list[str]:
    return [p["path"] for p in QuestionnaireDef.model_validate(raw).problems()]


def error_locs(raw: dict[str, Any]) -> list[tuple[int | str, ...]]:
    with pytest.raises(ValidationError) as caught:
        QuestionnaireDef.model_validate(raw)
    return [e["loc"] for e in caught.value.errors()]


# -- the sample


def test_sample_is_valid(sample: QuestionnaireDef) -> None:
    assert sample.code == "skills-baseline"
    assert sample.problems() == []


def test_sample_has_enough_skills_and_questions(sample: QuestionnaireDef) -> None:
    assert len(sample.skills) >= 5
    assert len(sample.questions) >= 20


def test_sample_uses_every_question_type_several_times(sample: QuestionnaireDef) -> None:
    types = Counter(q.type for q in sample.questions)
    assert set(types) == TYPES
    assert min(types.values()) >= 3


def test_sample_has_show_if_rules_of_every_kind(sample: QuestionnaireDef) -> None:
    rules = [q.show_if for q in sample.questions if q.show_if is not None]
    assert len(rules) >= 3
    assert any(r.equals is not None for r in rules)
    assert any(r.in_ is not None for r in rules)
    assert any(r.includes is not None for r in rules)


def test_sample_has_optional_questions(sample: QuestionnaireDef) -> None:
    assert sum(not q.required for q in sample.questions) >= 2


def test_sample_bands_are_beginner_intermediate_advanced(sample: QuestionnaireDef) -> None:
    bands = [(b.code, b.min, b.max) for b in sample.rubric.bands]
    assert bands == [("beginner", 0, 40), ("intermediate", 40, 70), ("advanced", 70, 100)]


def test_sample_has_one_recommendation_for_every_skill_and_band(sample: QuestionnaireDef) -> None:
    pairs = [(r.skill, r.band) for r in sample.rubric.recommendations]
    expected = {(s.code, b.code) for s in sample.skills for b in sample.rubric.bands}
    assert sorted(pairs) == sorted(expected)


def test_sample_scores_every_skill_for_every_respondent(sample: QuestionnaireDef) -> None:
    # A skill whose weighted questions could all be hidden would get no score for some respondents.
    always_scored = {q.skill for q in sample.questions if q.weight > 0 and q.show_if is None}
    assert always_scored == {s.code for s in sample.skills}


def test_sample_text_questions_are_optional_and_not_weighted(sample: QuestionnaireDef) -> None:
    texts = [q for q in sample.questions if q.type == "text"]
    assert all(q.weight == 0 and not q.required for q in texts)


def test_sample_choice_questions_can_reach_full_marks(sample: QuestionnaireDef) -> None:
    # Scoring divides by the best (single) or total positive (multi) option score.
    choices = [q for q in sample.questions if q.type in ("single_choice", "multi_choice")]
    assert all(max(o.score for o in q.options) > 0 for q in choices)


def test_sample_labels_are_short_enough_for_whatsapp(sample: QuestionnaireDef) -> None:
    questions = [text for q in sample.questions for text in (q.label.en, q.label.fr)]
    options = [text for q in sample.questions for o in q.options for text in (o.label.en, o.label.fr)]
    assert max(map(len, questions)) <= 120
    assert max(map(len, options)) <= 60


def test_sample_survives_a_json_round_trip(sample: QuestionnaireDef) -> None:
    dumped = sample.model_dump_json(by_alias=True)
    assert QuestionnaireDef.model_validate_json(dumped) == sample


# -- cross-reference problems


def test_a_consistent_definition_has_no_problems() -> None:
    assert problem_paths(small()) == []


def _unknown_skill(raw: dict[str, Any]) -> None:
    raw["questions"][2]["skill"] = "cooking"


def _show_if_to_a_later_question(raw: dict[str, Any]) -> None:
    raw["questions"][0]["show_if"] = {"question": "confidence", "equals": 3}


def _show_if_to_itself(raw: dict[str, Any]) -> None:
    raw["questions"][1]["show_if"]["question"] = "use_computer"


def _show_if_to_a_missing_option(raw: dict[str, Any]) -> None:
    raw["questions"][1]["show_if"] = {"question": "has_computer", "in": ["yes", "maybe"]}


def _includes_on_a_single_choice(raw: dict[str, Any]) -> None:
    raw["questions"][1]["show_if"] = {"question": "has_computer", "includes": "yes"}


def _bands_with_a_gap(raw: dict[str, Any]) -> None:
    raw["rubric"]["bands"][1]["min"] = 60


def _bands_not_reaching_100(raw: dict[str, Any]) -> None:
    raw["rubric"]["bands"][1]["max"] = 90


def _duplicate_question_code(raw: dict[str, Any]) -> None:
    raw["questions"][2]["code"] = "has_computer"


def _duplicate_skill_code(raw: dict[str, Any]) -> None:
    raw["skills"][1]["code"] = "digital"
    raw["questions"][2]["skill"] = "digital"
    raw["rubric"]["recommendations"] = raw["rubric"]["recommendations"][:2]


def _duplicate_band_code(raw: dict[str, Any]) -> None:
    raw["rubric"]["bands"][1]["code"] = "low"
    raw["rubric"]["recommendations"] = []


def _recommendation_for_unknown_skill_and_band(raw: dict[str, Any]) -> None:
    raw["rubric"]["recommendations"][0].update(skill="cooking", band="expert")


def _two_recommendations_for_one_pair(raw: dict[str, Any]) -> None:
    raw["rubric"]["recommendations"][1]["band"] = "low"


CROSS_REFERENCE_CASES = [
    (_unknown_skill, ["questions.2.skill"]),
    (_show_if_to_a_later_question, ["questions.0.show_if.question"]),
    (_show_if_to_itself, ["questions.1.show_if.question"]),
    (_show_if_to_a_missing_option, ["questions.1.show_if"]),
    (_includes_on_a_single_choice, ["questions.1.show_if.includes"]),
    (_bands_with_a_gap, ["rubric.bands"]),
    (_bands_not_reaching_100, ["rubric.bands"]),
    (_duplicate_question_code, ["questions.2.code"]),
    (_duplicate_skill_code, ["skills"]),
    (_duplicate_band_code, ["rubric.bands"]),
    (_recommendation_for_unknown_skill_and_band, ["rubric.recommendations.0.skill", "rubric.recommendations.0.band"]),
    (_two_recommendations_for_one_pair, ["rubric.recommendations.1"]),
]


@pytest.mark.parametrize(
    ("breaking", "paths"), CROSS_REFERENCE_CASES, ids=[b.__name__[1:] for b, _ in CROSS_REFERENCE_CASES]
)
def test_a_cross_reference_problem_is_reported_at_its_path(breaking: Any, paths: list[str]) -> None:
    raw = small()
    breaking(raw)
    assert problem_paths(raw) == paths


def test_every_problem_has_loc_path_message_and_type() -> None:
    raw = small()
    _unknown_skill(raw)
    _bands_with_a_gap(raw)
    problems = QuestionnaireDef.model_validate(raw).problems()
    assert problems == [
        {"loc": ["questions", 2, "skill"], "path": "questions.2.skill", "message": "unknown skill cooking",
         "type": "definition"},
        {"loc": ["rubric", "bands"], "path": "rubric.bands",
         "message": "bands low and high must meet without gap or overlap", "type": "definition"},
    ]  # fmt: skip


# -- shape errors (pydantic)


def _choice_with_one_option(raw: dict[str, Any]) -> None:
    del raw["questions"][0]["options"][1]


def _scale_without_min_and_max(raw: dict[str, Any]) -> None:
    del raw["questions"][2]["min"], raw["questions"][2]["max"]


def _scale_with_min_above_max(raw: dict[str, Any]) -> None:
    raw["questions"][2].update(min=5, max=1)


def _text_with_options(raw: dict[str, Any]) -> None:
    raw["questions"][0]["type"] = "text"


def _duplicate_option_code(raw: dict[str, Any]) -> None:
    raw["questions"][0]["options"][1]["code"] = "yes"


def _show_if_with_two_conditions(raw: dict[str, Any]) -> None:
    raw["questions"][1]["show_if"]["in"] = ["yes"]


def _bad_code(raw: dict[str, Any]) -> None:
    raw["skills"][0]["code"] = "Digital Skills"


def _missing_french_label(raw: dict[str, Any]) -> None:
    del raw["questions"][1]["options"][0]["label"]["fr"]


def _priority_out_of_range(raw: dict[str, Any]) -> None:
    raw["rubric"]["recommendations"][3]["priority"] = 9


def _unknown_field(raw: dict[str, Any]) -> None:
    raw["questions"][2]["hint"] = "be honest"


SHAPE_CASES = [
    (_choice_with_one_option, ("questions", 0)),
    (_scale_without_min_and_max, ("questions", 2)),
    (_scale_with_min_above_max, ("questions", 2)),
    (_text_with_options, ("questions", 0)),
    (_duplicate_option_code, ("questions", 0)),
    (_show_if_with_two_conditions, ("questions", 1, "show_if")),
    (_bad_code, ("skills", 0, "code")),
    (_missing_french_label, ("questions", 1, "options", 0, "label", "fr")),
    (_priority_out_of_range, ("rubric", "recommendations", 3, "priority")),
    (_unknown_field, ("questions", 2, "hint")),
]


@pytest.mark.parametrize(("breaking", "loc"), SHAPE_CASES, ids=[b.__name__[1:] for b, _ in SHAPE_CASES])
def test_a_shape_error_is_reported_at_its_path(breaking: Any, loc: tuple[int | str, ...]) -> None:
    raw = small()
    breaking(raw)
    assert error_locs(raw) == [loc]


def test_every_shape_error_is_reported_at_once() -> None:
    raw = small()
    _choice_with_one_option(raw)
    _scale_without_min_and_max(raw)
    _bad_code(raw)
    assert error_locs(raw) == [("skills", 0, "code"), ("questions", 0), ("questions", 2)]


def test_a_numeric_show_if_survives_a_json_round_trip() -> None:
    raw = small()
    raw["questions"].append({
        "code": "after", "skill": "numeracy", "type": "text", "label": t("Why?"), "weight": 0,
        "show_if": {"question": "confidence", "equals": 5},
    })  # fmt: skip
    definition = QuestionnaireDef.model_validate(raw)
    again = QuestionnaireDef.model_validate_json(definition.model_dump_json(by_alias=True))
    assert again.questions[-1].show_if is not None
    assert again.questions[-1].show_if.equals == Decimal(5)
