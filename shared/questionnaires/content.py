"""A questionnaire version in memory, as validation and scoring use it. Published versions never change,
so an execution environment may keep them (see repository.load_version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from shared.i18n import pick
from shared.questionnaires.definition import (
    BandDef,
    OptionDef,
    QuestionDef,
    QuestionnaireDef,
    RecommendationDef,
    RubricDef,
    ShowIf,
    SkillDef,
    Text,
    Title,
)


@dataclass(frozen=True)
class Option:
    id: UUID
    code: str
    label_en: str
    label_fr: str
    score: Decimal


@dataclass(frozen=True)
class Skill:
    id: UUID
    code: str
    label_en: str
    label_fr: str
    position: int


@dataclass(frozen=True)
class Question:
    id: UUID
    code: str
    skill_id: UUID
    skill_code: str
    type: str
    required: bool
    min: Decimal | None
    max: Decimal | None
    weight: Decimal
    label_en: str
    label_fr: str
    position: int
    show_if: dict[str, Any] | None
    options: tuple[Option, ...] = ()

    @cached_property
    def option_codes(self) -> dict[str, Option]:
        return {o.code: o for o in self.options}

    @cached_property
    def best_option_score(self) -> Decimal:
        return max((o.score for o in self.options), default=Decimal(0))

    @cached_property
    def positive_options_total(self) -> Decimal:
        return sum((o.score for o in self.options if o.score > 0), Decimal(0))

    def label(self, lang: str) -> str:
        return pick(lang, self.label_en, self.label_fr)


@dataclass(frozen=True)
class Band:
    code: str
    label_en: str
    label_fr: str
    min: Decimal
    max: Decimal


@dataclass(frozen=True)
class Recommendation:
    skill_id: UUID
    band: str
    text_en: str
    text_fr: str
    priority: int


@dataclass(frozen=True)
class VersionContent:
    id: UUID
    questionnaire_id: UUID
    code: str
    version: int
    status: str
    title_en: str
    title_fr: str
    published_at: datetime | None
    skills: tuple[Skill, ...]
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]
    recommendations: tuple[Recommendation, ...]
    by_id: dict[UUID, Question] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_id.update({q.id: q for q in self.questions})

    def title(self, lang: str) -> str:
        return pick(lang, self.title_en, self.title_fr)

    @cached_property
    def recommendation_for(self) -> dict[tuple[UUID, str], Recommendation]:
        """(skill id, band code) -> the rubric's recommendation."""
        return {(r.skill_id, r.band): r for r in self.recommendations}

    def to_definition(self) -> QuestionnaireDef:
        skills = {s.id: s.code for s in self.skills}
        return QuestionnaireDef(
            code=self.code,
            title=Title(en=self.title_en, fr=self.title_fr),
            skills=[SkillDef(code=s.code, label=Text(en=s.label_en, fr=s.label_fr)) for s in self.skills],
            questions=[
                QuestionDef(
                    code=q.code, skill=q.skill_code, type=q.type, label=Text(en=q.label_en, fr=q.label_fr),  # type: ignore[arg-type]
                    required=q.required, weight=q.weight, min=q.min, max=q.max,
                    options=[OptionDef(code=o.code, label=Text(en=o.label_en, fr=o.label_fr), score=o.score)
                             for o in q.options],
                    show_if=ShowIf.model_validate(q.show_if) if q.show_if else None,
                )
                for q in self.questions
            ],
            rubric=RubricDef(
                bands=[BandDef(code=b.code, label=Text(en=b.label_en, fr=b.label_fr), min=b.min, max=b.max)
                       for b in self.bands],
                recommendations=[
                    RecommendationDef(skill=skills[r.skill_id], band=r.band, text=Text(en=r.text_en, fr=r.text_fr),
                                      priority=r.priority)
                    for r in self.recommendations
                ],
            ),
        )  # fmt: skip
