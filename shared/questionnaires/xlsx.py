"""Questionnaire definitions as xlsx workbooks: one sheet per part of the definition (see COLUMNS), the first
row of each sheet naming its columns.

``read_workbook`` never raises on bad input. Every problem is reported at once, located by sheet, Excel row
and column, so an author can fix a whole workbook in one pass. Cross-reference problems (unknown skill,
show_if to a later question, gaps between bands, ...) are checked once every row is valid on its own.

openpyxl is imported inside the functions: most Lambdas import this package and must not pay for it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from shared.errors import problem
from shared.questionnaires.definition import QuestionnaireDef

Problem = dict[str, Any]
Loc = list[str | int]

COLUMNS: dict[str, tuple[str, ...]] = {
    "questionnaire": ("key", "value"),
    "skills": ("code", "label_en", "label_fr"),
    "questions": (
        "code", "skill", "type", "label_en", "label_fr", "required", "weight", "min", "max",
        "show_if_question", "show_if_equals", "show_if_in", "show_if_includes",
    ),
    "options": ("question", "code", "label_en", "label_fr", "score"),
    "rubric_bands": ("code", "label_en", "label_fr", "min", "max"),
    "recommendations": ("skill", "band", "text_en", "text_fr", "priority"),
}  # fmt: skip
# Columns whose cells all have a default may be left out of a sheet altogether.
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "questions": frozenset(COLUMNS["questions"][5:]),
    "options": frozenset({"score"}),
}
QUESTIONNAIRE_KEYS = ("code", "title_en", "title_fr")
# Enough for the definition's own limits (500 questions x 50 options); a bound on what a hostile file costs.
MAX_ROWS = 30_000

_TRUE = frozenset({"yes", "true", "1", "y", "oui", "vrai"})
_FALSE = frozenset({"no", "false", "0", "n", "non", "faux"})
_CHOICE = ("single_choice", "multi_choice")
_RANGED = ("scale", "numeric")


def read_workbook(data: bytes) -> tuple[QuestionnaireDef | None, list[Problem]]:
    """The definition in an xlsx workbook and no problems, or None and every problem found."""
    try:
        sheets = _load(data)
    except Exception as exc:  # openpyxl and zipfile raise many types on malformed files
        return None, [_problem(["file"], f"not a readable xlsx workbook ({type(exc).__name__})", "invalid_file")]
    return _Reader(sheets).read()


def write_workbook(definition: QuestionnaireDef) -> bytes:
    """The definition in the layout ``read_workbook`` takes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in _rows_of(definition).items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(COLUMNS[sheet])
        for row in rows:
            worksheet.append(row)
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        worksheet.freeze_panes = "A2"
        for column in worksheet.columns:
            for cell in column:
                if cell.data_type == "f":  # a label starting with "=" is text, not a formula
                    cell.data_type = "s"
            width = max(len(str(cell.value)) for cell in column if cell.value is not None)
            worksheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows_of(d: QuestionnaireDef) -> dict[str, list[list[Any]]]:
    questions = []
    for q in d.questions:
        rule = q.show_if
        questions.append([
            q.code, q.skill, q.type, q.label.en, q.label.fr, q.required, q.weight, q.min, q.max,
            rule.question if rule else None,
            rule.equals if rule else None,
            ", ".join(rule.in_) if rule and rule.in_ is not None else None,
            rule.includes if rule else None,
        ])  # fmt: skip
    return {
        "questionnaire": [["code", d.code], ["title_en", d.title.en], ["title_fr", d.title.fr]],
        "skills": [[s.code, s.label.en, s.label.fr] for s in d.skills],
        "questions": questions,
        "options": [[q.code, o.code, o.label.en, o.label.fr, o.score] for q in d.questions for o in q.options],
        "rubric_bands": [[b.code, b.label.en, b.label.fr, b.min, b.max] for b in d.rubric.bands],
        "recommendations": [[r.skill, r.band, r.text.en, r.text.fr, r.priority] for r in d.rubric.recommendations],
    }


@dataclass
class _Sheet:
    rows: list[tuple[Any, ...]]
    truncated: bool


def _load(data: bytes) -> dict[str, _Sheet]:
    """The raw rows of the sheets this format knows, by normalised sheet name. Raises on unreadable files."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features it drops (data validation, ...)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets: dict[str, _Sheet] = {}
            for title in workbook.sheetnames:
                name = _name(title)
                if name not in COLUMNS or name in sheets:
                    continue
                worksheet = workbook[title]
                worksheet.reset_dimensions()  # a wrong <dimension> tag must not hide rows
                rows: list[tuple[Any, ...]] = []
                truncated = False
                for row in worksheet.iter_rows(values_only=True):
                    if len(rows) == MAX_ROWS:
                        truncated = True
                        break
                    rows.append(tuple(row))
                sheets[name] = _Sheet(rows, truncated)
            return sheets
        finally:
            workbook.close()


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]


class _CellError(ValueError):
    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class _Origins:
    """Where each part of the assembled definition came from, to put the model's problems back on the sheet."""

    keys: dict[str, int] = field(default_factory=dict)
    skills: list[int] = field(default_factory=list)
    questions: list[int] = field(default_factory=list)
    show_if_columns: list[str | None] = field(default_factory=list)
    options: list[list[int]] = field(default_factory=list)
    bands: list[int] = field(default_factory=list)
    recommendations: list[int] = field(default_factory=list)


class _Reader:
    def __init__(self, sheets: dict[str, _Sheet]) -> None:
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.origins = _Origins()
        self.missing_columns: set[tuple[str, str]] = set()
        self.read_locs: list[Loc] = []

    def read(self) -> tuple[QuestionnaireDef | None, list[Problem]]:
        tables = {sheet: self._table(sheet) for sheet in COLUMNS}
        raw = {
            **self._questionnaire(tables["questionnaire"]),
            "skills": self._skills(tables["skills"]),
            "questions": self._questions(tables["questions"], tables["options"]),
            "rubric": {
                "bands": self._bands(tables["rubric_bands"]),
                "recommendations": self._recommendations(tables["recommendations"]),
            },
        }
        self.read_locs = [p["loc"] for p in self.problems]
        try:
            definition = QuestionnaireDef.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                ctx = error.get("ctx") or {}
                message = str(ctx["error"]) if error["type"] == "value_error" and "error" in ctx else error["msg"]
                self._model_problem(error["loc"], message, error["type"])
            return None, self.problems
        for found in definition.problems():
            self._model_problem(found["loc"], found["message"], found["type"])
        return (None if self.problems else definition), self.problems

    # -- problems

    def _add(self, loc: Loc, message: str, kind: str) -> None:
        self.problems.append(_problem(loc, message, kind))

    def _cell(self, sheet: str, row: int, column: str, message: str, kind: str) -> None:
        self._add(["sheet", sheet, "row", row, column], message, kind)

    def _model_problem(self, definition_loc: Sequence[str | int], message: str, kind: str) -> None:
        loc = self._locate(list(definition_loc))
        if loc is None:
            self._add(list(definition_loc), message, kind)
            return
        # The model only echoes what the sheet's own checks said (a value that could not be read is left out).
        if loc in self.read_locs:
            return
        if len(loc) == 5 and (loc[1], loc[4]) in self.missing_columns:
            return
        self._add(loc, message, kind)

    def _locate(self, loc: Loc) -> Loc | None:
        o = self.origins
        match loc:
            case ["code"]:
                return _at("questionnaire", o.keys.get("code"), "value")
            case ["title", str(lang), *_]:
                return _at("questionnaire", o.keys.get(f"title_{lang}"), "value")
            case ["code" | "title", *_]:
                return ["sheet", "questionnaire"]
            case ["skills", int(i), *rest]:
                return _at("skills", _nth(o.skills, i), _column("skills", rest))
            case ["questions", int(i), "options", int(j), *rest]:
                rows = o.options[i] if i < len(o.options) else []
                return _at("options", _nth(rows, j), _column("options", rest))
            case ["questions", int(i), "show_if", *rest]:
                column = f"show_if_{rest[0]}" if rest else _nth(o.show_if_columns, i)
                return _at("questions", _nth(o.questions, i), column)
            case ["questions", int(i), *rest]:
                return _at("questions", _nth(o.questions, i), _column("questions", rest))
            case ["rubric", "bands", int(i), *rest]:
                return _at("rubric_bands", _nth(o.bands, i), _column("rubric_bands", rest))
            case ["rubric", "recommendations", int(i), *rest]:
                return _at("recommendations", _nth(o.recommendations, i), _column("recommendations", rest))
            case ["skills" | "questions" as sheet, *_]:
                return ["sheet", sheet]
            case ["rubric", "bands", *_]:
                return ["sheet", "rubric_bands"]
            case ["rubric", "recommendations", *_]:
                return ["sheet", "recommendations"]
        return None

    # -- sheets

    def _table(self, sheet: str) -> list[_Row] | None:
        """The non-empty rows of a sheet as column -> raw value, after checking its header."""
        found = self.sheets.get(sheet)
        if found is None:
            self._add(["sheet", sheet], f"the workbook has no {sheet} sheet", "missing_sheet")
            return None
        if found.truncated:
            self._add(["sheet", sheet], f"a sheet may have at most {MAX_ROWS} rows", "too_many_rows")
        numbered = [(n, row) for n, row in enumerate(found.rows, start=1) if not all(map(_blank, row))]
        header_number, header = numbered[0] if numbered else (1, ())
        positions: dict[str, int] = {}
        for position, value in enumerate(header):
            name = _name(value)
            if not name:
                continue
            if name not in COLUMNS[sheet]:
                self._cell(sheet, header_number, name, f"unknown column {name}", "unknown_column")
            elif name in positions:
                self._cell(sheet, header_number, name, f"column {name} appears twice", "duplicate_column")
            else:
                positions[name] = position
        for column in COLUMNS[sheet]:
            if column not in positions and column not in OPTIONAL_COLUMNS.get(sheet, ()):
                self._cell(sheet, header_number, column, f"missing column {column}", "missing_column")
                self.missing_columns.add((sheet, column))
        rows = []
        for number, values in numbered[1:]:
            cells = {c: (values[p] if p < len(values) else None) for c, p in positions.items()}
            cells = {c: (None if _blank(v) else v) for c, v in cells.items()}
            if any(v is not None for v in cells.values()):
                rows.append(_Row(number, cells))
        return rows

    def _parse(self, sheet: str, row: _Row, column: str, parse: Callable[[Any], Any]) -> Any:
        """The parsed cell, or None (after reporting it) when it is blank or unreadable."""
        value = row.cells.get(column)
        if value is None:
            return None
        try:
            return parse(value)
        except _CellError as exc:
            self._cell(sheet, row.number, column, str(exc), exc.kind)
            return None

    def _questionnaire(self, rows: list[_Row] | None) -> dict[str, Any]:
        if rows is None:
            return {}
        values: dict[str, str | None] = {}
        for row in rows:
            key = _name(row.cells.get("key"))
            if not key:
                self._cell("questionnaire", row.number, "key", "the key is empty", "missing_value")
            elif key not in QUESTIONNAIRE_KEYS:
                message = f"unknown key {key} (expected {', '.join(QUESTIONNAIRE_KEYS)})"
                self._cell("questionnaire", row.number, "key", message, "unknown_key")
            elif key in values:
                self._cell("questionnaire", row.number, "key", f"key {key} appears twice", "duplicate_key")
            else:
                self.origins.keys[key] = row.number
                values[key] = self._parse("questionnaire", row, "value", _text)
        for key in QUESTIONNAIRE_KEYS:
            if key not in values:
                self._add(["sheet", "questionnaire"], f"missing key {key}", "missing_key")
        raw: dict[str, Any] = _present({"code": values.get("code")})
        raw["title"] = _present({"en": values.get("title_en"), "fr": values.get("title_fr")})
        return raw

    def _skills(self, rows: list[_Row] | None) -> list[dict[str, Any]]:
        skills = []
        for row in rows or []:
            self.origins.skills.append(row.number)
            skills.append(_present({"code": self._parse("skills", row, "code", _text), **self._label("skills", row)}))
        return skills

    def _questions(self, rows: list[_Row] | None, option_rows: list[_Row] | None) -> list[dict[str, Any]]:
        rows = rows or []
        options = self._options(option_rows or [], {_text(r.cells["code"]) for r in rows if r.cells.get("code")})
        earlier: dict[str, str | None] = {}  # code -> type of the questions above the current row
        questions = []
        for row in rows:
            parse = self._parse
            code = parse("questions", row, "code", _text)
            question = _present({
                "code": code,
                "skill": parse("questions", row, "skill", _text),
                "type": parse("questions", row, "type", _name),  # "Single choice" means single_choice
                **self._label("questions", row),
                "required": parse("questions", row, "required", _boolean),
                "weight": parse("questions", row, "weight", _number),
                "min": parse("questions", row, "min", _number),
                "max": parse("questions", row, "max", _number),
            })  # fmt: skip
            show_if = self._show_if(row, earlier)
            if show_if is not None:
                question["show_if"] = show_if
            # Options belong to the first question with their code; problems() reports the duplicate code.
            mine = options.pop(code, []) if code is not None else []
            question["options"] = [raw for _, raw in mine]
            self.origins.questions.append(row.number)
            self.origins.options.append([number for number, _ in mine])
            questions.append(question)
            if code is not None:
                earlier.setdefault(code, question.get("type"))
        return questions

    def _show_if(self, row: _Row, earlier: dict[str, str | None]) -> dict[str, Any] | None:
        conditions = [c for c in ("show_if_equals", "show_if_in", "show_if_includes") if row.cells.get(c) is not None]
        self.origins.show_if_columns.append(conditions[0] if len(conditions) == 1 else None)
        if row.cells.get("show_if_question") is None and not conditions:
            return None
        target = self._parse("questions", row, "show_if_question", _text)
        kind = earlier.get(target) if target is not None else None
        if kind in _RANGED:
            equals = self._parse("questions", row, "show_if_equals", _number)
        elif kind in _CHOICE:
            equals = self._parse("questions", row, "show_if_equals", _text)
        else:  # not an earlier question, or a text one: keep what the cell holds; problems() reports the reference
            equals = self._parse("questions", row, "show_if_equals", _number_or_text)
        return _present({
            "question": target,
            "equals": equals,
            "in": self._parse("questions", row, "show_if_in", _codes),
            "includes": self._parse("questions", row, "show_if_includes", _text),
        })  # fmt: skip

    def _options(self, rows: list[_Row], questions: set[str]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        options: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for row in rows:
            question = self._parse("options", row, "question", _text)
            raw = _present({
                "code": self._parse("options", row, "code", _text),
                **self._label("options", row),
                "score": self._parse("options", row, "score", _number),
            })  # fmt: skip
            if question is None:
                self._cell("options", row.number, "question", "name the question of this option", "missing_value")
            elif question not in questions:
                message = f"unknown question {question}"
                self._cell("options", row.number, "question", message, "unknown_question")
            else:
                options.setdefault(question, []).append((row.number, raw))
        return options

    def _bands(self, rows: list[_Row] | None) -> list[dict[str, Any]]:
        bands = []
        for row in rows or []:
            self.origins.bands.append(row.number)
            bands.append(_present({
                "code": self._parse("rubric_bands", row, "code", _text),
                **self._label("rubric_bands", row),
                "min": self._parse("rubric_bands", row, "min", _number),
                "max": self._parse("rubric_bands", row, "max", _number),
            }))  # fmt: skip
        return bands

    def _recommendations(self, rows: list[_Row] | None) -> list[dict[str, Any]]:
        recommendations = []
        for row in rows or []:
            self.origins.recommendations.append(row.number)
            recommendations.append(_present({
                "skill": self._parse("recommendations", row, "skill", _text),
                "band": self._parse("recommendations", row, "band", _text),
                "text": _present({
                    "en": self._parse("recommendations", row, "text_en", _text),
                    "fr": self._parse("recommendations", row, "text_fr", _text),
                }),
                "priority": self._parse("recommendations", row, "priority", _integer),
            }))  # fmt: skip
        return recommendations

    def _label(self, sheet: str, row: _Row) -> dict[str, Any]:
        label = {"en": self._parse(sheet, row, "label_en", _text), "fr": self._parse(sheet, row, "label_fr", _text)}
        return {"label": _present(label)}


# -- cells


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _name(value: Any) -> str:
    """A header, sheet name or key as written by hand: "Label EN" and "label-en" mean label_en."""
    if value is None:
        return ""
    return "_".join(str(value).strip().lower().replace("-", " ").split())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as 1 comes back from Excel as 1.0
    return str(value).strip()


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellError(f"expected a number, got {_quote(value)}", "invalid_number")
    try:
        # str() first: Decimal(0.1) would carry the binary float's digits.
        number = Decimal(str(value).strip()) if isinstance(value, int | float | str | Decimal) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _CellError(f"expected a number, got {_quote(value)}", "invalid_number")
    return number


def _integer(value: Any) -> int:
    try:
        number = _number(value)
    except _CellError:
        number = None
    if number is None or number != number.to_integral_value():
        raise _CellError(f"expected a whole number, got {_quote(value)}", "invalid_integer")
    return int(number)


def _number_or_text(value: Any) -> Decimal | str:
    return _number(value) if isinstance(value, int | float) and not isinstance(value, bool) else _text(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _CellError(f"expected yes/no, true/false or 1/0, got {_quote(value)}", "invalid_boolean")


def _codes(value: Any) -> list[str]:
    codes = [code.strip() for code in _text(value).split(",") if code.strip()]
    if not codes:
        raise _CellError(f"expected option codes separated by commas, got {_quote(value)}", "invalid_codes")
    return codes


def _quote(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """Leaves out what is blank, so the model applies its default or reports the missing field."""
    return {k: v for k, v in values.items() if v is not None}


# -- locations


def _nth(items: Sequence[Any], i: int) -> Any:
    return items[i] if 0 <= i < len(items) else None


def _column(sheet: str, rest: Sequence[str | int]) -> str | None:
    """The column of a definition field: ("label", "en") -> label_en; None for the row as a whole."""
    if not rest:
        return None
    name = f"{rest[0]}_{rest[1]}" if rest[0] in ("label", "text") and len(rest) > 1 else str(rest[0])
    return name if name in COLUMNS[sheet] else None


def _at(sheet: str, row: int | None, column: str | None) -> Loc:
    if row is None:
        return ["sheet", sheet]
    return ["sheet", sheet, "row", row] if column is None else ["sheet", sheet, "row", row, column]


def _problem(loc: Loc, message: str, kind: str) -> Problem:
    if loc[:1] == ["sheet"]:
        path = str(loc[1]) + (f"!{loc[3]}" if len(loc) > 3 else "") + (f".{loc[4]}" if len(loc) > 4 else "")
    else:
        path = None
    return problem(loc, message, kind, path=path)
