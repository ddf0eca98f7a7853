"""Dashboard SQL. The summary is one statement, so one snapshot: the totals (dashboard_* tables, written by
dashboard_fold) plus the deltas not folded yet. It never reads answers, skill scores or more than 20
assessments, whatever their number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from shared.db import Database

FOLD_BATCH = 20_000

# %(only)s: an enumerator's id (their own figures) or NULL (everything).
_SUMMARY = """
WITH pending AS (
    SELECT * FROM dashboard_deltas WHERE %(only)s::uuid IS NULL OR enumerator_id = %(only)s::uuid
), today AS (
    SELECT (now() AT TIME ZONE 'UTC')::date AS day
), counts AS (
    SELECT sector, channel, sum(n)::bigint AS n
    FROM (SELECT sector, channel, submissions AS n FROM dashboard_counts
          WHERE %(only)s::uuid IS NULL OR enumerator_id = %(only)s::uuid
          UNION ALL
          SELECT sector, channel, 1 FROM pending WHERE submitted) x
    GROUP BY sector, channel
), days AS (
    SELECT x.day, x.n
    FROM (SELECT day, submissions AS n FROM dashboard_days
          WHERE day > (SELECT day FROM today) - 7 AND (%(only)s::uuid IS NULL OR enumerator_id = %(only)s::uuid)
          UNION ALL
          SELECT (at AT TIME ZONE 'UTC')::date, 1 FROM pending WHERE submitted) x
    WHERE x.day > (SELECT day FROM today) - 7
), skill_sums AS (
    SELECT k.code, k.label_en, k.label_fr, k.position, v.published_at, x.scored, x.score_sum
    FROM (SELECT version_id, skill_id, scored, score_sum FROM dashboard_skills
          WHERE %(only)s::uuid IS NULL OR enumerator_id = %(only)s::uuid
          UNION ALL
          SELECT d.version_id, u.skill_id, 1, u.score
          FROM pending d CROSS JOIN LATERAL unnest(d.skill_ids, d.scores) AS u(skill_id, score)
          WHERE d.submitted) x
    JOIN skills k ON k.id = x.skill_id
    JOIN questionnaire_versions v ON v.id = x.version_id
), funnel_version AS (
    SELECT coalesce(%(version)s::uuid,
                    (SELECT a.version_id FROM assessments a
                     WHERE a.status = 'submitted' AND (%(only)s::uuid IS NULL OR a.enumerator_id = %(only)s::uuid)
                     ORDER BY a.submitted_at DESC, a.id DESC LIMIT 1)) AS version_id
), funnel_counts AS (
    SELECT question_id, reached, answered FROM dashboard_funnel
    WHERE version_id = (SELECT version_id FROM funnel_version)
      AND (%(only)s::uuid IS NULL OR enumerator_id = %(only)s::uuid)
    UNION ALL
    SELECT u.q, 1, 0 FROM pending d CROSS JOIN LATERAL unnest(d.reached) AS u(q)
    WHERE d.version_id = (SELECT version_id FROM funnel_version)
    UNION ALL
    SELECT u.q, 0, 1 FROM pending d CROSS JOIN LATERAL unnest(d.answered) AS u(q)
    WHERE d.version_id = (SELECT version_id FROM funnel_version)
), latest AS (
    SELECT a.id, r.name AS respondent_name, a.sector, a.channel, a.submitted_at
    FROM assessments a JOIN respondents r ON r.id = a.respondent_id
    WHERE a.status = 'submitted' AND (%(only)s::uuid IS NULL OR a.enumerator_id = %(only)s::uuid)
    ORDER BY a.submitted_at DESC, a.id DESC
    LIMIT 20
)
SELECT
    now() AS generated_at,
    (SELECT coalesce(sum(n), 0) FROM counts)::bigint AS all_time,
    (SELECT coalesce(sum(n) FILTER (WHERE day = (SELECT day FROM today)), 0) FROM days)::bigint AS today,
    (SELECT coalesce(sum(n), 0) FROM days)::bigint AS last_7_days,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('sector', c.sector, 'label_en', s.label_en, 'label_fr', s.label_fr,
                                                  'count', c.n) ORDER BY c.n DESC, c.sector), '[]')
     FROM (SELECT sector, sum(n) AS n FROM counts GROUP BY sector) c LEFT JOIN sectors s ON s.code = c.sector)
        AS by_sector,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', c.channel, 'count', c.n) ORDER BY c.n DESC, c.channel),
                     '[]')
     FROM (SELECT channel, sum(n) AS n FROM counts GROUP BY channel) c) AS by_channel,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('skill', k.code, 'label_en', k.label_en, 'label_fr', k.label_fr,
                                                  'scored', k.scored, 'score_sum', k.score_sum)
                               ORDER BY k.position, k.code), '[]')
     FROM (SELECT code, min(position) AS position, sum(scored) AS scored, sum(score_sum) AS score_sum,
                  (array_agg(label_en ORDER BY published_at DESC NULLS LAST))[1] AS label_en,
                  (array_agg(label_fr ORDER BY published_at DESC NULLS LAST))[1] AS label_fr
           FROM skill_sums GROUP BY code) k) AS skills,
    (SELECT version_id FROM funnel_version) AS funnel_version_id,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('question_id', q.id, 'code', q.code, 'label_en', q.label_en,
                                                  'label_fr', q.label_fr, 'position', q.position,
                                                  'reached', coalesce(f.reached, 0),
                                                  'answered', coalesce(f.answered, 0))
                               ORDER BY q.position, q.code), '[]')
     FROM questions q
     LEFT JOIN (SELECT question_id, sum(reached) AS reached, sum(answered) AS answered
                FROM funnel_counts GROUP BY question_id) f ON f.question_id = q.id
     WHERE q.version_id = (SELECT version_id FROM funnel_version)) AS funnel,
    (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.submitted_at DESC, l.id DESC), '[]') FROM latest l) AS latest
"""

_RECORD_ABANDONED = """
SELECT dashboard_record_abandoned(%(version)s, %(channel)s, %(sector)s, %(reached)s::uuid[], %(answered)s::uuid[],
                                  coalesce(%(at)s, now()))
"""


def summary(db: Database, only: UUID | None, version: UUID | None) -> dict[str, Any]:
    row = db.fetch_one(_SUMMARY, {"only": only, "version": version})
    assert row is not None
    return row


def fold(db: Database, limit: int = FOLD_BATCH) -> int:
    """Move pending deltas into the totals (0 when another fold is running)."""
    row = db.run_statement("SELECT dashboard_fold(%s) AS moved", (limit,), idempotent=True)
    return int(row["moved"]) if row else 0


def record_abandoned(
    conn: Connection[Any],
    *,
    version_id: UUID,
    channel: str,
    sector: str | None,
    reached: Sequence[UUID],
    answered: Sequence[UUID],
    at: datetime | None = None,
) -> None:
    """Count a conversation abandoned before its end in the funnel (see migration 0011), in the caller's
    transaction: the one that closes the conversation, so that it counts once."""
    params = {"version": version_id, "channel": channel, "sector": sector, "reached": list(reached),
              "answered": list(answered), "at": at}  # fmt: skip
    conn.execute(_RECORD_ABANDONED, params)
