"""The dashboard summary: totals (today, 7 days, all time), by sector and channel, mean per skill, the
per-question funnel of one questionnaire version, and the last 20 submissions; an enumerator's cover only
what they entered. Exact (every committed submission once) and read in one statement that never scans
answers (shared.dashboard.repository)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from shared.auth.permissions import Role, sees_only_own_records
from shared.dashboard import repository
from shared.dashboard.models import (
    ChannelCount,
    DashboardSummary,
    FunnelStep,
    LatestSubmission,
    SectorCount,
    SkillMean,
    Totals,
)
from shared.db import Database
from shared.i18n import Lang, pick_from
from shared.runtime import Runtime


def mean(score_sum: Any, scored: Any) -> float:
    """The mean score, two decimals (half up), as the summary reports it."""
    if not scored:
        return 0.0
    return float((Decimal(str(score_sum)) / Decimal(str(scored))).quantize(Decimal("0.01"), ROUND_HALF_UP))


def summary(db: Database, user_id: UUID, role: Role, version_id: UUID | None, lang: Lang) -> DashboardSummary:
    own = sees_only_own_records(role)
    row = repository.summary(db, user_id if own else None, version_id)
    return DashboardSummary(
        scope="own" if own else "all",
        generated_at=datetime.fromisoformat(row["generated_at"]),
        totals=Totals(today=row["today"], last_7_days=row["last_7_days"], all_time=row["all_time"]),
        by_sector=[SectorCount(sector=s["sector"], label=pick_from(s, lang), count=s["count"])
                   for s in row["by_sector"]],
        by_channel=[ChannelCount(**c) for c in row["by_channel"]],
        skills=[SkillMean(skill=k["skill"], label=pick_from(k, lang), mean=mean(k["score_sum"], k["scored"]),
                          count=k["scored"]) for k in row["skills"]],
        funnel_version_id=row["funnel_version_id"],
        funnel=[FunnelStep(question_id=q["question_id"], code=q["code"], label=pick_from(q, lang),
                           position=q["position"], reached=q["reached"], answered=q["answered"])
                for q in row["funnel"]],
        latest=[LatestSubmission.model_validate(item) for item in row["latest"]],
    )  # fmt: skip


def fold(rt: Runtime) -> int:
    """Move abandoned conversations' deltas into the totals (the relay does it in every round; submissions are
    folded as it delivers their events)."""
    return repository.fold(rt.db)
