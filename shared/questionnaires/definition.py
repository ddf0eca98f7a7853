"""The questionnaire definition format: what the JSON import takes, what the xlsx import is turned into,
and what the sample questionnaire is written in. Cross-field rules are checked here, before anything is
stored, and every problem is reported with its path."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    WithJsonSchema,
    field_serializer,
    model_validator,
)

from shared.errors import problem
from shared.inputs import StrictModel


def _a_json_number(value: Any) -> Any:
    # true is not 1: a decimal is a number, or the text of one (as the schema says).
    if isinstance(value, bool):
        raise ValueError("must be a number")
    return value


def _number_out(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# Written back out as a JSON number too, so that a dumped definition reads back in.
_NUMBER_OUT = PlainSerializer(_number_out, when_used="json")


def _as_number(minimum: int, maximum: int) -> WithJsonSchema:
    return WithJsonSchema({
        "anyOf": [
            {"type": "number", "minimum": minimum, "maximum": maximum},
            {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description": f"A decimal {minimum}..{maximum}."},
        ]
    })  # fmt: skip


# Decimals between bounds, written as JSON numbers (or their text) and documented as such.
Score = Annotated[Decimal, BeforeValidator(_a_json_number), Field(ge=0, le=1000), _as_number(0, 1000), _NUMBER_OUT]
Percent = Annotated[Decimal, BeforeValidator(_a_json_number), Field(ge=0, le=100), _as_number(0, 100), _NUMBER_OUT]
Bound = Annotated[
    Decimal,
    BeforeValidator(_a_json_number),
    Field(ge=-1_000_000_000, le=1_000_000_000),
    _as_number(-1_000_000_000, 1_000_000_000),
    _NUMBER_OUT,
]


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
OptionCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,62}$")]
QuestionType = Literal["single_choice", "multi_choice", "scale", "numeric", "text"]


class Text(StrictModel):
    """A label in English and French."""

    en: str = Field(min_length=1, max_length=1000, pattern=r"\S", description="Not blank.")
    fr: str = Field(min_length=1, max_length=1000, pattern=r"\S", description="Not blank.")


class Title(Text):
    """A questionnaire's title in English and French."""

    en: str = Field(min_length=1, max_length=200, pattern=r"\S", description="Not blank.")
    fr: str = Field(min_length=1, max_length=200, pattern=r"\S", description="Not blank.")


class SkillDef(StrictModel):
    code: Code
    label: Text


class OptionDef(StrictModel):
    code: OptionCode
    label: Text
    score: Score = Field(default=Decimal(0), json_schema_extra={"default": 0})


class ShowIf(StrictModel):
    """Show the question only when an earlier question's answer matches: ``equals`` an option code or
    number, is ``in`` a list of codes, or (multi_choice) ``includes`` a code."""

    question: Code
    equals: str | Decimal | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    includes: str | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _one_condition(self) -> ShowIf:
        given = [x for x in (self.equals, self.in_, self.includes) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of equals, in, includes")
        return self

    @field_serializer("equals")
    def _number_stays_a_number(self, value: str | Decimal | None) -> str | int | float | None:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class QuestionDef(StrictModel):
    code: Code
    skill: Code
    type: QuestionType
    label: Text
    required: StrictBool = True
    weight: Percent = Field(default=Decimal(1), json_schema_extra={"default": 1})
    min: Bound | None = None
    max: Bound | None = None
    options: list[OptionDef] = Field(default_factory=list, max_length=50)
    show_if: ShowIf | None = None

    @model_validator(mode="after")
    def _shape(self) -> QuestionDef:
        choice = self.type in ("single_choice", "multi_choice")
        ranged = self.type in ("scale", "numeric")
        if choice and len(self.options) < 2:
            raise ValueError(f"a {self.type} question needs at least 2 options")
        if not choice and self.options:
            raise ValueError(f"a {self.type} question takes no options")
        if ranged and (self.min is None or self.max is None or self.min >= self.max):
            raise ValueError(f"a {self.type} question needs min < max")
        if not ranged and (self.min is not None or self.max is not None):
            raise ValueError(f"a {self.type} question takes no min or max")
        codes = [o.code for o in self.options]
        if len(set(codes)) != len(codes):
            raise ValueError("option codes must be unique within a question")
        return self


class BandDef(StrictModel):
    code: Code
    label: Text
    min: Percent
    max: Percent


class RecommendationDef(StrictModel):
    skill: Code
    band: Code
    text: Text
    priority: int = Field(ge=1, le=5)


class RubricDef(StrictModel):
    bands: list[BandDef] = Field(min_length=1, max_length=10)
    recommendations: list[RecommendationDef] = Field(default_factory=list)


class QuestionnaireDef(StrictModel):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,62}$")]
    title: Title
    skills: list[SkillDef] = Field(min_length=1, max_length=50)
    questions: list[QuestionDef] = Field(min_length=1, max_length=500)
    rubric: RubricDef

    def problems(self) -> list[dict[str, Any]]:
        """Cross-reference problems, each as {"loc", "path", "message", "type"} (empty when consistent)."""
        found: list[dict[str, Any]] = []

        def add(loc: list[str | int], message: str) -> None:
            found.append(problem(loc, message, "definition"))

        skills = {s.code for s in self.skills}
        if len(skills) != len(self.skills):
            add(["skills"], "skill codes must be unique")
        seen: dict[str, QuestionDef] = {}
        for i, q in enumerate(self.questions):
            if q.code in seen:
                add(["questions", i, "code"], f"question code {q.code} is used twice")
            if q.skill not in skills:
                add(["questions", i, "skill"], f"unknown skill {q.skill}")
            if q.show_if is not None:
                earlier = seen.get(q.show_if.question)
                if earlier is None:
                    add(["questions", i, "show_if", "question"], "show_if must name an earlier question")
                else:
                    codes = {o.code for o in earlier.options}
                    wanted = [q.show_if.includes] if q.show_if.includes else (q.show_if.in_ or [])
                    if isinstance(q.show_if.equals, str):
                        wanted = [q.show_if.equals]
                    if codes and any(w not in codes for w in wanted):
                        add(["questions", i, "show_if"], f"show_if names an option {earlier.code} does not have")
                    if q.show_if.includes and earlier.type != "multi_choice":
                        add(["questions", i, "show_if", "includes"], "includes applies to multi_choice questions")
            seen.setdefault(q.code, q)
        bands = sorted(self.rubric.bands, key=lambda b: b.min)
        band_codes = {b.code for b in bands}
        if len(band_codes) != len(bands):
            add(["rubric", "bands"], "band codes must be unique")
        if bands[0].min != 0 or bands[-1].max != 100:
            add(["rubric", "bands"], "bands must cover 0 to 100")
        for a, b in pairwise(bands):
            if a.max != b.min:
                add(["rubric", "bands"], f"bands {a.code} and {b.code} must meet without gap or overlap")
        for b_i, band in enumerate(self.rubric.bands):
            if band.min >= band.max:
                add(["rubric", "bands", b_i], "min must be below max")
        pairs = set()
        for r_i, rec in enumerate(self.rubric.recommendations):
            if rec.skill not in skills:
                add(["rubric", "recommendations", r_i, "skill"], f"unknown skill {rec.skill}")
            if rec.band not in band_codes:
                add(["rubric", "recommendations", r_i, "band"], f"unknown band {rec.band}")
            if (rec.skill, rec.band) in pairs:
                add(["rubric", "recommendations", r_i], "one recommendation per skill and band")
            pairs.add((rec.skill, rec.band))
        return found
