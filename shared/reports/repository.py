"""Report SQL: scores grouped by sector and skill, started and submitted counts, sector labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from shared.db import Database

_SCORES = """
SELECT a.sector, k.code AS skill, min(k.label_en) AS label_en, min(k.label_fr) AS label_fr, min(k.position) AS pos,
       count(*) AS n, avg(s.score) AS mean,
       array_agg(s.band) AS bands, array_agg(least(width_bucket(s.score, 0, 100, %(buckets)s), %(buckets)s)) AS buckets
FROM skill_scores s
JOIN assessments a ON a.id = s.assessment_id
JOIN skills k ON k.id = s.skill_id
WHERE a.status = 'submitted'
  AND (%(since)s::timestamptz IS NULL OR a.submitted_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR a.submitted_at < %(until)s)
  AND (%(version)s::uuid IS NULL OR a.version_id = %(version)s)
GROUP BY a.sector, k.code
"""

_STARTED = """
SELECT a.sector, count(*) AS started, count(*) FILTER (WHERE a.status = 'submitted') AS submitted
FROM assessments a
WHERE (%(since)s::timestamptz IS NULL OR coalesce(a.submitted_at, a.started_at) >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR coalesce(a.submitted_at, a.started_at) < %(until)s)
  AND (%(version)s::uuid IS NULL OR a.version_id = %(version)s)
GROUP BY a.sector
"""


def load(
    db: Database,
    since: datetime | None,
    until: datetime | None,
    version: UUID | None,
    buckets: int,
    *,
    with_sectors: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Scores grouped by sector and skill; with ``with_sectors`` also started/submitted counts and labels, all
    from one snapshot."""
    params = {"since": since, "until": until, "version": version, "buckets": buckets}
    with db.transaction(read_only=True) as conn:
        scores = conn.execute(_SCORES, params).fetchall()
        if not with_sectors:
            return scores, [], {}
        started = conn.execute(_STARTED, params).fetchall()
        sectors = {r["code"]: r for r in conn.execute("SELECT code, label_en, label_fr FROM sectors")}
    return scores, started, sectors
