"""Assessment SQL. The submission is one statement (data-modifying CTEs over unnest arrays, kept in the
function submit_assessment): one round trip writes the respondent, the assessment, its answers, scores,
recommendations, the dashboard aggregates, the outbox event and the idempotency record."""

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

# The statement itself lives in the database (migration 0005): its plan is cached per session there.
_SUBMIT = """
SELECT assessment_id AS id, respondent_id, sector FROM submit_assessment(
    p_new_respondent_id => %(new_respondent_id)s::uuid,
    p_name => %(name)s::text,
    p_phone => %(phone)s::text,
    p_sector => %(sector)s::text,
    p_region => %(region)s::text,
    p_language => %(language)s::text,
    p_submitted_at => %(submitted_at)s::timestamptz,
    p_actor => %(actor)s::uuid,
    p_respondent_id => %(respondent_id)s::uuid,
    p_id => %(id)s::uuid,
    p_version_id => %(version_id)s::uuid,
    p_channel => %(channel)s::text,
    p_enumerator => %(enumerator)s::uuid,
    p_started_at => %(started_at)s::timestamptz,
    p_question_ids => %(question_ids)s::uuid[],
    p_values => %(values)s::jsonb[],
    p_fractions => %(fractions)s::numeric[],
    p_skill_ids => %(skill_ids)s::uuid[],
    p_scores => %(scores)s::numeric[],
    p_bands => %(bands)s::text[],
    p_rec_skill_ids => %(rec_skill_ids)s::uuid[],
    p_rec_bands => %(rec_bands)s::text[],
    p_rec_priorities => %(rec_priorities)s::int[],
    p_rec_en => %(rec_en)s::text[],
    p_rec_fr => %(rec_fr)s::text[],
    p_slot => %(slot)s::smallint,
    p_event => %(event)s::jsonb,
    p_correlation_id => %(correlation_id)s::text,
    p_scope => %(scope)s::text,
    p_key => %(key)s::text,
    p_request_hash => %(request_hash)s::bytea,
    p_response => %(response)s::jsonb
)
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
