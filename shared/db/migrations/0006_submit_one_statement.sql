-- The whole submission as one statement in one round trip: the function takes the idempotency key's lock,
-- reads what the key already stored, checks what the submission refers to, and writes respondent,
-- assessment, answers, scores, recommendations, dashboard aggregates, outbox event and idempotency record.
-- Sent in autocommit, the statement is its own transaction: no BEGIN or COMMIT round trips.
--
-- It takes one jsonb document (built by shared/assessments/service.py) and answers one jsonb document whose
-- "outcome" is one of: created, replayed (with the stored status and response), in_flight (another request
-- holds the key), key_reused (the key was used with another body), unknown_sector, unknown_respondent.
-- Each SQL statement inside takes a fresh snapshot (READ COMMITTED, volatile function), so the key lookup
-- after the lock sees every submission with this key that committed before the lock was granted.

DROP FUNCTION submit_assessment(
    uuid, text, text, text, text, text, timestamptz, uuid, uuid, uuid, uuid, text, uuid, timestamptz, uuid[],
    jsonb[], numeric[], uuid[], numeric[], text[], uuid[], text[], int[], text[], text[], smallint, jsonb, text,
    text, text, bytea, jsonb
);

CREATE FUNCTION submit_assessment(p jsonb) RETURNS jsonb
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_scope      text := p->>'scope';
    v_key        text := p->>'key';
    v_hash       bytea := decode(p->>'request_hash', 'hex');
    v_id         uuid := (p->>'id')::uuid;
    v_version    uuid := (p->>'version_id')::uuid;
    v_at         timestamptz := (p->>'submitted_at')::timestamptz;
    v_actor      uuid := (p->>'actor')::uuid;
    r            jsonb := p->'respondent';
    v_stored     record;
    v_respondent uuid;
    v_sector     text;
    v_owner      uuid;
    v_response   jsonb;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended(v_scope || chr(31) || v_key, 0)) THEN
        RETURN '{"outcome": "in_flight"}';
    END IF;

    SELECT request_hash, status_code, response INTO v_stored
    FROM idempotency_keys WHERE scope = v_scope AND key = v_key AND expires_at > now();
    IF FOUND THEN
        IF v_stored.request_hash <> v_hash THEN
            RETURN '{"outcome": "key_reused"}';
        END IF;
        RETURN jsonb_build_object('outcome', 'replayed', 'status', v_stored.status_code,
                                  'response', v_stored.response);
    END IF;

    IF r ? 'id' THEN
        SELECT id, sector, created_by INTO v_respondent, v_sector, v_owner
        FROM respondents WHERE id = (r->>'id')::uuid;
        IF NOT FOUND OR (coalesce((p->>'own_records_only')::boolean, true) AND v_owner IS DISTINCT FROM v_actor) THEN
            RETURN '{"outcome": "unknown_respondent"}';
        END IF;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM sectors WHERE code = r->>'sector') THEN
            RETURN '{"outcome": "unknown_sector"}';
        END IF;
        -- A phone already known is the same respondent: the existing row is reused.
        INSERT INTO respondents (id, name, phone, sector, region, language, consent_at, created_by)
        VALUES ((r->>'new_id')::uuid, r->>'name', r->>'phone', r->>'sector', r->>'region', r->>'language', v_at,
                v_actor)
        ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
        RETURNING id, sector INTO v_respondent, v_sector;
    END IF;

    INSERT INTO assessments (id, respondent_id, version_id, channel, enumerator_id, sector, status, started_at,
                             submitted_at)
    VALUES (v_id, v_respondent, v_version, p->>'channel', (p->>'enumerator')::uuid, v_sector, 'submitted',
            least(coalesce((p->>'started_at')::timestamptz, v_at), v_at), v_at);

    INSERT INTO answers (assessment_id, question_id, value, score)
    SELECT v_id, t.q, t.v, t.f FROM jsonb_to_recordset(p->'answers') AS t(q uuid, v jsonb, f numeric);

    INSERT INTO skill_scores (assessment_id, skill_id, score, band, rubric_version)
    SELECT v_id, t.k, t.s, t.b, v_version FROM jsonb_to_recordset(p->'scores') AS t(k uuid, s numeric, b text);

    INSERT INTO assessment_recommendations (assessment_id, skill_id, band, priority, text_en, text_fr)
    SELECT v_id, t.k, t.b, t.p, t.en, t.fr
    FROM jsonb_to_recordset(p->'recommendations') AS t(k uuid, b text, p int, en text, fr text);

    INSERT INTO sector_skill_stats AS s (sector, version_id, skill_id, band, slot, assessments, score_sum)
    SELECT v_sector, v_version, t.k, t.b, (p->>'slot')::smallint, 1, t.s
    FROM jsonb_to_recordset(p->'scores') AS t(k uuid, s numeric, b text)
    ON CONFLICT (sector, version_id, skill_id, band, slot)
    DO UPDATE SET assessments = s.assessments + 1, score_sum = s.score_sum + EXCLUDED.score_sum;

    INSERT INTO outbox (event_type, aggregate_id, payload, correlation_id)
    VALUES ('assessment.submitted', v_id::text,
            p->'event' || jsonb_build_object('respondent_id', v_respondent, 'sector', v_sector),
            p->>'correlation_id');

    v_response := p->'response' || jsonb_build_object('respondent_id', v_respondent);
    -- An expired key may be taken again; a live one cannot exist here (the lookup above ran under the lock).
    INSERT INTO idempotency_keys AS k (scope, key, request_hash, status_code, response)
    VALUES (v_scope, v_key, v_hash, 201, v_response)
    ON CONFLICT (scope, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response,
            created_at = now(), expires_at = now() + interval '48 hours'
        WHERE k.expires_at <= now();

    RETURN jsonb_build_object('outcome', 'created', 'status', 201, 'response', v_response);
END
$fn$;
