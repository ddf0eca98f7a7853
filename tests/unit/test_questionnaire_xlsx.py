"""The xlsx import: a written workbook reads back as the same definition, and every problem of a bad workbook
is reported at once, at its sheet, Excel row and column."""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shared.questionnaires.definition import QuestionnaireDef
from shared.questionnaires.xlsx import COLUMNS, read_workbook, write_workbook

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "questionnaires" / "samples"
Workbook = Any  # openpyxl ships no type hints


def t(en: str) -> dict[str, str]:
    return {"en": en, "fr": f"{en} (fr)"}


def small() -> QuestionnaireDef:
    """Rows: skills 2-3; questions 2-7; options 2-8 (has_computer 2-3, use_computer 4-5, apps 6-8); bands 2-3;
    recommendations 2-5."""
    return QuestionnaireDef.model_validate({
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
            {"code": "apps", "skill": "digital", "type": "multi_choice", "label": t("Apps?"), "weight": "1.5",
             "options": [{"code": "email", "label": t("Email"), "score": "0.5"},
                         {"code": "search", "label": t("Search"), "score": 1},
                         {"code": "none", "label": t("None")}]},
            {"code": "confidence", "skill": "numeracy", "type": "scale", "label": t("Confident?"), "min": 1,
             "max": 5, "show_if": {"question": "apps", "includes": "email"}},
            {"code": "sums", "skill": "numeracy", "type": "numeric", "label": t("Sums?"), "min": 0, "max": 10,
             "required": False, "show_if": {"question": "has_computer", "in": ["yes", "no"]}},
            {"code": "comment", "skill": "numeracy", "type": "text", "label": t("Comment?"), "weight": 0,
             "required": False, "show_if": {"question": "sums", "equals": 10}},
        ],
        "rubric": {
            "bands": [{"code": "low", "label": t("Low"), "min": 0, "max": 50},
                      {"code": "high", "label": t("High"), "min": 50, "max": 100}],
            "recommendations": [{"skill": s, "band": b, "text": t(f"{s} {b}"), "priority": 2}
                                for s in ("digital", "numeracy") for b in ("low", "high")],
        },
    })  # fmt: skip


@functools.cache
def small_workbook() -> bytes:
    return write_workbook(small())


def load(definition: QuestionnaireDef | None = None) -> Workbook:
    data = write_workbook(definition) if definition else small_workbook()
    return openpyxl.load_workbook(io.BytesIO(data))


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def put(workbook: Workbook, sheet: str, row: int, column: str, value: Any) -> None:
    # cell(value=None) would leave the cell as it is
    workbook[sheet].cell(row=row, column=COLUMNS[sheet].index(column) + 1).value = value


def edited(*edits: tuple[str, int, str, Any]) -> bytes:
    workbook = load()
    for sheet, row, column, value in edits:
        put(workbook, sheet, row, column, value)
    return save(workbook)


def read_bad(data: bytes) -> list[dict[str, Any]]:
    definition, problems = read_workbook(data)
    assert definition is None
    assert problems
    return problems


def paths(problems: list[dict[str, Any]]) -> list[str]:
    return [p["path"] for p in problems]


# -- round trip


def test_the_sample_survives_a_round_trip() -> None:
    sample = QuestionnaireDef.model_validate_json((SAMPLES / "skills_baseline.json").read_text(encoding="utf-8"))
    assert read_workbook(write_workbook(sample)) == (sample, [])


def test_the_committed_sample_workbook_matches_the_json() -> None:
    # Regenerate with `python -m shared.questionnaires.samples.build_xlsx` when this fails.
    sample = QuestionnaireDef.model_validate_json((SAMPLES / "skills_baseline.json").read_text(encoding="utf-8"))
    assert read_workbook((SAMPLES / "skills_baseline.xlsx").read_bytes()) == (sample, [])


def test_numbers_codes_and_formula_like_labels_survive_a_round_trip() -> None:
    raw = small().model_dump(by_alias=True)
    raw["questions"][0]["options"][0]["code"] = "1"  # a code Excel could take for a number
    raw["questions"][1]["show_if"]["equals"] = "1"
    raw["questions"][4]["show_if"]["in"] = ["1", "no"]
    raw["questions"][0]["label"]["en"] = "=SUM(A1:A2) is not a formula here"
    definition = QuestionnaireDef.model_validate(raw)
    assert read_workbook(write_workbook(definition)) == (definition, [])
    comment = definition.questions[-1].show_if
    assert comment is not None
    assert comment.equals == Decimal(10)


def test_the_written_workbook_has_every_sheet_with_its_header() -> None:
    workbook = load()
    assert workbook.sheetnames == list(COLUMNS)
    for sheet, columns in COLUMNS.items():
        assert next(workbook[sheet].iter_rows(max_row=1, values_only=True)) == columns


def test_headers_are_matched_ignoring_case_and_order_and_empty_rows_are_skipped() -> None:
    workbook = load()
    sheet = workbook["questions"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    sheet.delete_rows(1, sheet.max_row)
    header, *body = [list(reversed(r)) for r in rows]
    sheet.append([h.upper().replace("_", " ") for h in header])
    for row in body:
        sheet.append([None] * len(row))
        sheet.append(row)
    workbook["skills"].title = "renamed"  # openpyxl refuses a title differing only in case from the old one
    workbook["renamed"].title = " Skills"
    assert read_workbook(save(workbook)) == (small(), [])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", True), ("No", False), ("TRUE", True), ("false", False), ("1", True), ("0", False), (1, True),
     (0, False), (True, True), (False, False), ("oui", True), ("non", False), (None, True)],
)  # fmt: skip
def test_required_takes_yes_no_true_false_1_0(cell: Any, expected: bool) -> None:
    definition, problems = read_workbook(edited(("questions", 2, "required", cell)))
    assert problems == []
    assert definition is not None
    assert definition.questions[0].required is expected


def test_blank_optional_cells_take_the_defaults() -> None:
    definition, problems = read_workbook(
        edited(("questions", 2, "weight", None), ("questions", 2, "required", "  "), ("options", 3, "score", None))
    )
    assert problems == []
    assert definition is not None
    assert definition.questions[0].weight == 1
    assert definition.questions[0].required is True
    assert definition.questions[0].options[1].score == 0


def test_numbers_typed_as_text_are_read() -> None:
    definition, problems = read_workbook(edited(("questions", 4, "weight", " 2.5 "), ("rubric_bands", 3, "min", "50")))
    assert problems == []
    assert definition is not None
    assert definition.questions[2].weight == Decimal("2.5")


# -- bad cells


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "kind"),
    [
        ("questions", 2, "required", "maybe", "invalid_boolean"),
        ("questions", 3, "required", 2, "invalid_boolean"),
        ("questions", 4, "weight", "heavy", "invalid_number"),
        ("questions", 5, "min", "one", "invalid_number"),
        ("questions", 6, "max", "NaN", "invalid_number"),
        ("questions", 5, "max", True, "invalid_number"),
        ("options", 6, "score", "half", "invalid_number"),
        ("rubric_bands", 3, "min", "fifty", "invalid_number"),
        ("rubric_bands", 2, "max", "1,5", "invalid_number"),
        ("recommendations", 4, "priority", 1.5, "invalid_integer"),
        ("recommendations", 5, "priority", "high", "invalid_integer"),
        ("options", 4, "question", "use_computr", "unknown_question"),
        ("questions", 6, "show_if_in", " , ", "invalid_codes"),
        ("questions", 7, "show_if_equals", "ten", "invalid_number"),
    ],
)
def test_a_bad_cell_is_reported_at_its_sheet_row_and_column(
    sheet: str, row: int, column: str, value: Any, kind: str
) -> None:
    problems = read_bad(edited((sheet, row, column, value)))
    assert problems[0]["loc"] == ["sheet", sheet, "row", row, column]
    assert problems[0]["path"] == f"{sheet}!{row}.{column}"
    assert problems[0]["type"] == kind
    assert problems[0]["message"]


def test_an_unreadable_required_value_is_reported_once() -> None:
    # The band's min is required: the model's "field required" would only repeat the cell problem.
    problems = read_bad(edited(("rubric_bands", 3, "min", "fifty")))
    assert paths(problems) == ["rubric_bands!3.min"]


def test_several_problems_are_reported_at_once() -> None:
    problems = read_bad(
        edited(
            ("questions", 2, "required", "perhaps"),
            ("questions", 4, "weight", "lots"),
            ("options", 7, "question", "nope"),
            ("options", 8, "score", "x"),
            ("skills", 3, "label_fr", None),
            ("rubric_bands", 2, "code", "Low Band"),
            ("recommendations", 5, "priority", "urgent"),
        )
    )
    assert sorted(paths(problems)) == sorted([
        "questions!2.required",
        "questions!4.weight",
        "options!7.question",
        "options!8.score",
        "skills!3.label_fr",
        "rubric_bands!2.code",
        "recommendations!5.priority",
    ])  # fmt: skip


# -- the definition's own problems, put back on the sheet


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ([("questions", 5, "skill", "cooking")], ["questions!5.skill"]),
        ([("questions", 3, "show_if_question", "sums")], ["questions!3.show_if_question"]),
        ([("questions", 3, "show_if_equals", "maybe")], ["questions!3.show_if_equals"]),
        ([("questions", 6, "show_if_in", "yes, maybe")], ["questions!6.show_if_in"]),
        ([("questions", 3, "show_if_includes", "yes")], ["questions!3"]),
        ([("questions", 5, "code", "apps")], ["questions!5.code"]),
        ([("questions", 4, "type", "ranking")], ["questions!4.type"]),
        ([("questions", 5, "min", None)], ["questions!5"]),
        ([("questions", 7, "min", 1)], ["questions!7"]),
        ([("options", 5, "question", "has_computer")], ["questions!3"]),
        ([("options", 8, "code", "Nothing at all")], ["options!8.code"]),
        ([("options", 3, "code", "yes")], ["questions!2"]),
        ([("options", 2, "label_en", None)], ["options!2.label_en"]),
        (
            [("skills", 3, "code", "digital")],
            [
                "skills",
                *(f"questions!{r}.skill" for r in (5, 6, 7)),
                "recommendations!4.skill",
                "recommendations!5.skill",
            ],
        ),
        ([("rubric_bands", 3, "min", 60)], ["rubric_bands"]),
        ([("rubric_bands", 3, "max", 40)], ["rubric_bands", "rubric_bands!3"]),
        ([("recommendations", 3, "band", "medium")], ["recommendations!3.band"]),
        ([("recommendations", 3, "band", "low")], ["recommendations!3"]),
        ([("questionnaire", 2, "value", "Small!")], ["questionnaire!2.value"]),
        ([("questionnaire", 4, "value", None)], ["questionnaire!4.value"]),
    ],
    ids=lambda v: ",".join(f"{e[0]}!{e[1]}.{e[2]}" for e in v) if isinstance(v[0], tuple) else None,
)
def test_a_definition_problem_is_put_back_on_its_row(
    edits: list[tuple[str, int, str, Any]], expected: list[str]
) -> None:
    problems = read_bad(edited(*edits))
    assert paths(problems) == expected


def test_a_definition_problem_keeps_its_message_and_type() -> None:
    problems = read_bad(edited(("questions", 5, "min", None)))
    assert problems == [
        {"loc": ["sheet", "questions", "row", 5], "path": "questions!5", "message": "a scale question needs min < max",
         "type": "value_error"},
    ]  # fmt: skip
    problems = read_bad(edited(("questions", 5, "skill", "cooking")))
    assert problems == [
        {"loc": ["sheet", "questions", "row", 5, "skill"], "path": "questions!5.skill",
         "message": "unknown skill cooking", "type": "definition"},
    ]  # fmt: skip


# -- the workbook's structure


def test_a_missing_sheet_is_reported() -> None:
    workbook = load()
    del workbook["recommendations"]
    problems = read_bad(save(workbook))
    assert problems == [
        {"loc": ["sheet", "recommendations"], "path": "recommendations",
         "message": "the workbook has no recommendations sheet", "type": "missing_sheet"},
    ]  # fmt: skip


def test_missing_sheets_are_all_reported() -> None:
    workbook = load()
    del workbook["skills"], workbook["questionnaire"]
    problems = read_bad(save(workbook))
    assert paths(problems) == ["questionnaire", "skills"]


def test_a_missing_column_is_reported_once_not_on_every_row() -> None:
    workbook = load()
    workbook["skills"].delete_cols(COLUMNS["skills"].index("label_fr") + 1)
    problems = read_bad(save(workbook))
    assert problems == [
        {"loc": ["sheet", "skills", "row", 1, "label_fr"], "path": "skills!1.label_fr",
         "message": "missing column label_fr", "type": "missing_column"},
    ]  # fmt: skip


def test_optional_columns_may_be_left_out() -> None:
    definition = small().model_copy(update={"questions": small().questions[:3]})
    workbook = load(definition)
    workbook["questions"].delete_cols(COLUMNS["questions"].index("show_if_equals") + 1, 3)
    put(workbook, "questions", 3, "show_if_question", None)
    workbook["options"].delete_cols(COLUMNS["options"].index("score") + 1)
    got, problems = read_workbook(save(workbook))
    assert problems == []
    assert got is not None
    assert [o.score for q in got.questions for o in q.options] == [0] * 7


def test_unknown_and_duplicate_columns_are_reported() -> None:
    workbook = load()
    workbook["skills"]["D1"] = "notes"
    workbook["skills"]["E1"] = "Label EN"
    problems = read_bad(save(workbook))
    assert [(p["path"], p["type"]) for p in problems] == [
        ("skills!1.notes", "unknown_column"),
        ("skills!1.label_en", "duplicate_column"),
    ]


def test_questionnaire_keys_are_checked() -> None:
    workbook = load()
    sheet = workbook["questionnaire"]
    sheet["A3"] = "subtitle"
    sheet.append(["CODE", "again"])
    sheet.append([None, "orphan value"])
    problems = read_bad(save(workbook))
    assert [(p["path"], p["type"]) for p in problems] == [
        ("questionnaire!3.key", "unknown_key"),
        ("questionnaire!5.key", "duplicate_key"),
        ("questionnaire!6.key", "missing_value"),
        ("questionnaire", "missing_key"),
    ]
    assert problems[-1]["message"] == "missing key title_en"


def test_an_empty_workbook_reports_every_sheet() -> None:
    workbook = openpyxl.Workbook()
    problems = read_bad(save(workbook))
    assert paths(problems) == list(COLUMNS)


def test_an_empty_sheet_reports_its_columns() -> None:
    workbook = load()
    del workbook["rubric_bands"]
    workbook.create_sheet("rubric_bands")
    problems = read_bad(save(workbook))
    assert paths(problems)[:5] == [f"rubric_bands!1.{c}" for c in COLUMNS["rubric_bands"]]


# -- not a workbook at all


@pytest.mark.parametrize(
    "data",
    [b"", b"not a workbook", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)],
    ids=["empty", "text", "broken zip", "xls"],
)
def test_bytes_that_are_not_a_workbook_give_one_file_problem(data: bytes) -> None:
    problems = read_bad(data)
    assert len(problems) == 1
    assert problems[0]["loc"] == ["file"]
    assert problems[0]["path"] == "file"
    assert problems[0]["type"] == "invalid_file"


def test_a_zip_that_is_not_a_workbook_gives_one_file_problem() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert [p["loc"] for p in read_bad(buffer.getvalue())] == [["file"]]


def test_a_formula_without_a_cached_value_reads_as_blank() -> None:
    # openpyxl computes nothing, and the import reads cached values only (data_only).
    definition, problems = read_workbook(edited(("questions", 2, "weight", "=1+1")))
    assert problems == []
    assert definition is not None
    assert definition.questions[0].weight == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda wb: wb["questions"].append(["x"] * 30),
        lambda wb: put(wb, "options", 2, "score", "Infinity"),
        lambda wb: put(wb, "questionnaire", 2, "value", 12),
        lambda wb: put(wb, "questions", 2, "type", None),
    ],
    ids=["wide row", "infinity", "number as code", "no type"],
)
def test_odd_cells_are_reported_not_raised(change: Callable[[Workbook], None]) -> None:
    workbook = load()
    change(workbook)
    definition, problems = read_workbook(save(workbook))
    assert definition is None
    assert problems
