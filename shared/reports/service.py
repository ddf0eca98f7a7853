"""Sector-level and skill-level reports: counts, means, band counts, score distributions, completion.

Both reports place an assessment in a period by a time the server set: when it was submitted (for one not
submitted yet, when it was started, which the server also sets). The client's ``started_at`` never decides.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from shared.db import Database
from shared.i18n import pick_from
from shared.reports import repository

BUCKETS = 10  # distribution in 10-point buckets: 0-10, 10-20, ... 90-100 (100 in the last)


class SkillStats(BaseModel):
    skill: str
    label: str
    assessments: int
    mean: float
    bands: dict[str, int]
    distribution: list[int] = Field(description="Counts per 10-point bucket, 0-10 first, 90-100 last.")


class SectorReport(BaseModel):
    sector: str
    label: str
    assessments: int
    started: int
    completion_rate: float = Field(description="Submitted over started assessments, 0..1.")
    skills: list[SkillStats]


class SectorReports(BaseModel):
    since: datetime | None
    until: datetime | None
    questionnaire_version_id: UUID | None
    sectors: list[SectorReport]


class SkillReport(SkillStats):
    by_sector: dict[str, float] = Field(description="Sector code -> mean score.")


class SkillReports(BaseModel):
    since: datetime | None
    until: datetime | None
    questionnaire_version_id: UUID | None
    skills: list[SkillReport]


def _stats(rows: list[dict[str, Any]]) -> tuple[int, float, dict[str, int], list[int]]:
    n = sum(int(r["n"]) for r in rows)
    mean = sum(float(r["mean"]) * int(r["n"]) for r in rows) / n if n else 0.0
    bands: dict[str, int] = defaultdict(int)
    distribution = [0] * BUCKETS
    for r in rows:
        for band in r["bands"]:
            bands[band] += 1
        for bucket in r["buckets"]:
            distribution[max(1, int(bucket)) - 1] += 1
    return n, round(mean, 2), dict(bands), distribution


def sector_reports(
    db: Database, since: datetime | None, until: datetime | None, version: UUID | None, lang: str
) -> SectorReports:
    scores, started, sectors = repository.load(db, since, until, version, BUCKETS, with_sectors=True)
    by_sector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in scores:
        by_sector[row["sector"]].append(row)
    starts = {r["sector"]: r for r in started}
    reports = []
    for code in sorted(set(by_sector) | set(starts)):
        rows = sorted(by_sector.get(code, []), key=lambda r: (r["pos"], r["skill"]))
        skills = []
        for row in rows:
            n, mean, bands, distribution = _stats([row])
            label = pick_from(row, lang)
            skills.append(SkillStats(skill=row["skill"], label=label, assessments=n, mean=mean, bands=bands,
                                     distribution=distribution))  # fmt: skip
        start = starts.get(code, {"started": 0, "submitted": 0})
        sector = sectors.get(code, {"label_en": code, "label_fr": code})
        reports.append(SectorReport(
            sector=code, label=pick_from(sector, lang),
            assessments=int(start["submitted"]), started=int(start["started"]),
            completion_rate=round(int(start["submitted"]) / int(start["started"]), 4) if start["started"] else 0.0,
            skills=skills,
        ))  # fmt: skip
    return SectorReports(since=since, until=until, questionnaire_version_id=version, sectors=reports)


def skill_reports(
    db: Database, since: datetime | None, until: datetime | None, version: UUID | None, lang: str
) -> SkillReports:
    scores, _, _ = repository.load(db, since, until, version, BUCKETS, with_sectors=False)
    by_skill: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in scores:
        by_skill[row["skill"]].append(row)
    reports = []
    for code, rows in sorted(by_skill.items(), key=lambda item: (min(r["pos"] for r in item[1]), item[0])):
        n, mean, bands, distribution = _stats(rows)
        label = pick_from(rows[0], lang)
        reports.append(SkillReport(
            skill=code, label=label, assessments=n, mean=mean, bands=bands, distribution=distribution,
            by_sector={r["sector"]: round(float(r["mean"]), 2) for r in sorted(rows, key=lambda r: r["sector"])},
        ))  # fmt: skip
    return SkillReports(since=since, until=until, questionnaire_version_id=version, skills=reports)
