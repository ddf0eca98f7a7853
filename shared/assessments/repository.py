"""Assessment SQL. The submission is one statement (data-modifying CTEs over unnest arrays): one round trip
writes the respondent, the assessment, its answers, scores, recommendations, the dashboard aggregates, the
outbox event and the idempotency record."""

from __future__ import annotations

from typing import Any

from psycopg import Connection, Cursor

_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended(%(scope)s || chr(31) || %(key)s, 0)) AS locked"

_LOOKUP = """
SELECT
    (SELECT jsonb_build_object('hash', encode(request_hash, 'hex'), 'status', status_code, 'response', response)
     FROM idempotency_keys WHERE scope = %(scope)s AND key = %(key)s AND expires_at > now()) AS stored,
    EXISTS (SELECT 1 FROM sectors WHERE code = %(sector)s) AS sector_known,
    (SELECT jsonb_build_object('id', id, 'created_by', created_by)
     FROM respondents WHERE id = %(respondent_id)s::uuid) AS respondent
"""

_SUBMIT = """
WITH new_respondent AS (
    INSERT INTO respondents (id, name, phone, sector, region, language, consent_at, created_by)
    SELECT %(new_respondent_id)s, %(name)s, %(phone)s, %(sector)s, %(region)s, %(language)s, %(submitted_at)s,
           %(actor)s
    WHERE %(phone)s::text IS NOT NULL
    ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
    RETURNING id, sector
), who AS (
    SELECT id, sector FROM new_respondent
    UNION ALL
    SELECT id, sector FROM respondents WHERE id = %(respondent_id)s::uuid
), assessment AS (
    INSERT INTO assessments (id, respondent_id, version_id, channel, enumerator_id, sector, status, started_at,
                             submitted_at)
    SELECT %(id)s, who.id, %(version_id)s, %(channel)s, %(enumerator)s, who.sector, 'submitted',
           least(coalesce(%(started_at)s::timestamptz, %(submitted_at)s), %(submitted_at)s), %(submitted_at)s
    FROM who
    RETURNING id, respondent_id, sector
), answer_rows AS (
    INSERT INTO answers (assessment_id, question_id, value, score)
    SELECT %(id)s, q, v, s FROM unnest(%(question_ids)s::uuid[], %(values)s::jsonb[], %(fractions)s::numeric[])
        AS t(q, v, s)
), score_rows AS (
    INSERT INTO skill_scores (assessment_id, skill_id, score, band, rubric_version)
    SELECT %(id)s, k, s, b, %(version_id)s FROM unnest(%(skill_ids)s::uuid[], %(scores)s::numeric[], %(bands)s::text[])
        AS t(k, s, b)
), recommendation_rows AS (
    INSERT INTO assessment_recommendations (assessment_id, skill_id, band, priority, text_en, text_fr)
    SELECT %(id)s, k, b, p, en, fr
    FROM unnest(%(rec_skill_ids)s::uuid[], %(rec_bands)s::text[], %(rec_priorities)s::int[], %(rec_en)s::text[],
                %(rec_fr)s::text[]) AS t(k, b, p, en, fr)
), stats AS (
    INSERT INTO sector_skill_stats AS s (sector, version_id, skill_id, band, slot, assessments, score_sum)
    SELECT a.sector, %(version_id)s, k, b, %(slot)s, 1, sc
    FROM assessment a, unnest(%(skill_ids)s::uuid[], %(scores)s::numeric[], %(bands)s::text[]) AS t(k, sc, b)
    ON CONFLICT (sector, version_id, skill_id, band, slot)
    DO UPDATE SET assessments = s.assessments + 1, score_sum = s.score_sum + EXCLUDED.score_sum
), event AS (
    INSERT INTO outbox (event_type, aggregate_id, payload, correlation_id)
    SELECT 'assessment.submitted', a.id::text,
           %(event)s::jsonb || jsonb_build_object('respondent_id', a.respondent_id, 'sector', a.sector),
           %(correlation_id)s
    FROM assessment a
), idempotency AS (
    INSERT INTO idempotency_keys AS k (scope, key, request_hash, status_code, response)
    SELECT %(scope)s, %(key)s, %(request_hash)s, 201,
           %(response)s::jsonb || jsonb_build_object('respondent_id', a.respondent_id)
    FROM assessment a
    ON CONFLICT (scope, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response,
            created_at = now(), expires_at = now() + interval '48 hours'
        WHERE k.expires_at <= now()
)
SELECT a.id, a.respondent_id, a.sector FROM assessment a
"""


def lock_and_lookup(
    conn: Connection[Any], scope: str, key: str, sector: str | None, respondent_id: Any
) -> tuple[bool, dict[str, Any]]:
    """Try the key's transaction lock (False: another request holds it), then read the stored response and
    what the submission refers to. Two statements, so the lookup sees what committed before the lock; in a
    pipeline they travel together."""
    locked = conn.execute(_LOCK, {"scope": scope, "key": key})
    found = conn.execute(_LOOKUP, {"scope": scope, "key": key, "sector": sector, "respondent_id": respondent_id})
    lock_row, row = locked.fetchone(), found.fetchone()
    assert row is not None
    return bool(lock_row and lock_row["locked"]), dict(row)


def submit(conn: Connection[Any], params: dict[str, Any]) -> Cursor[Any]:
    """Send the submission; its row (id, respondent_id, sector; none if the respondent is unknown) is read
    from the returned cursor, after the commit when pipelined."""
    return conn.execute(_SUBMIT, params)
