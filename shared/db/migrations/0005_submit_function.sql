-- The submission as a function: PL/pgSQL keeps the plan of its statement for the life of the session, so
-- the large statement is planned once per connection instead of on every call. (Client-side prepared
-- statements would do the same but pin sessions behind RDS Proxy; this does not.)

CREATE FUNCTION submit_assessment(
    p_new_respondent_id uuid,
    p_name text,
    p_phone text,
    p_sector text,
    p_region text,
    p_language text,
    p_submitted_at timestamptz,
    p_actor uuid,
    p_respondent_id uuid,
    p_id uuid,
    p_version_id uuid,
    p_channel text,
    p_enumerator uuid,
    p_started_at timestamptz,
    p_question_ids uuid[],
    p_values jsonb[],
    p_fractions numeric[],
    p_skill_ids uuid[],
    p_scores numeric[],
    p_bands text[],
    p_rec_skill_ids uuid[],
    p_rec_bands text[],
    p_rec_priorities int[],
    p_rec_en text[],
    p_rec_fr text[],
    p_slot smallint,
    p_event jsonb,
    p_correlation_id text,
    p_scope text,
    p_key text,
    p_request_hash bytea,
    p_response jsonb
) RETURNS TABLE (assessment_id uuid, respondent_id uuid, sector text)
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
WITH new_respondent AS (
    INSERT INTO respondents (id, name, phone, sector, region, language, consent_at, created_by)
    SELECT p_new_respondent_id, p_name, p_phone, p_sector, p_region, p_language, p_submitted_at,
           p_actor
    WHERE p_phone::text IS NOT NULL
    ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
    RETURNING id, sector
), who AS (
    SELECT id, sector FROM new_respondent
    UNION ALL
    SELECT id, sector FROM respondents WHERE id = p_respondent_id::uuid
), assessment AS (
    INSERT INTO assessments (id, respondent_id, version_id, channel, enumerator_id, sector, status, started_at,
                             submitted_at)
    SELECT p_id, who.id, p_version_id, p_channel, p_enumerator, who.sector, 'submitted',
           least(coalesce(p_started_at::timestamptz, p_submitted_at), p_submitted_at), p_submitted_at
    FROM who
    RETURNING id, respondent_id, sector
), answer_rows AS (
    INSERT INTO answers (assessment_id, question_id, value, score)
    SELECT p_id, q, v, s FROM unnest(p_question_ids::uuid[], p_values::jsonb[], p_fractions::numeric[])
        AS t(q, v, s)
), score_rows AS (
    INSERT INTO skill_scores (assessment_id, skill_id, score, band, rubric_version)
    SELECT p_id, k, s, b, p_version_id FROM unnest(p_skill_ids::uuid[], p_scores::numeric[], p_bands::text[])
        AS t(k, s, b)
), recommendation_rows AS (
    INSERT INTO assessment_recommendations (assessment_id, skill_id, band, priority, text_en, text_fr)
    SELECT p_id, k, b, p, en, fr
    FROM unnest(p_rec_skill_ids::uuid[], p_rec_bands::text[], p_rec_priorities::int[], p_rec_en::text[],
                p_rec_fr::text[]) AS t(k, b, p, en, fr)
), stats AS (
    INSERT INTO sector_skill_stats AS s (sector, version_id, skill_id, band, slot, assessments, score_sum)
    SELECT a.sector, p_version_id, k, b, p_slot, 1, sc
    FROM assessment a, unnest(p_skill_ids::uuid[], p_scores::numeric[], p_bands::text[]) AS t(k, sc, b)
    ON CONFLICT (sector, version_id, skill_id, band, slot)
    DO UPDATE SET assessments = s.assessments + 1, score_sum = s.score_sum + EXCLUDED.score_sum
), event AS (
    INSERT INTO outbox (event_type, aggregate_id, payload, correlation_id)
    SELECT 'assessment.submitted', a.id::text,
           p_event::jsonb || jsonb_build_object('respondent_id', a.respondent_id, 'sector', a.sector),
           p_correlation_id
    FROM assessment a
), idempotency AS (
    INSERT INTO idempotency_keys AS k (scope, key, request_hash, status_code, response)
    SELECT p_scope, p_key, p_request_hash, 201,
           p_response::jsonb || jsonb_build_object('respondent_id', a.respondent_id)
    FROM assessment a
    ON CONFLICT (scope, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response,
            created_at = now(), expires_at = now() + interval '48 hours'
        WHERE k.expires_at <= now()
)
SELECT a.id, a.respondent_id, a.sector FROM assessment a;
END
$fn$;
