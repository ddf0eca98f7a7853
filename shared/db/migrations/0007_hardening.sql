-- Hardening.
--
-- A shared phone. Respondents belong to whoever entered them: an enumerator's to that enumerator, a
-- channel's (WhatsApp, no user) to the channel. A phone is unique within one owner's respondents, not
-- across owners, so an enumerator entering a phone that another enumerator already entered gets a respondent
-- of their own and learns nothing of the other's. submit_assessment answers "respondent_exists" (naming it)
-- when the caller may already see a respondent with that phone, and the channel finds its own by phone.

ALTER TABLE respondents DROP CONSTRAINT respondents_phone_unique;
CREATE UNIQUE INDEX respondents_owner_phone_unique ON respondents (created_by, phone) NULLS NOT DISTINCT;
CREATE INDEX respondents_phone_idx ON respondents (phone);

-- As in 0006, with the respondent rules above; one more outcome: respondent_exists (with respondent_id).
CREATE OR REPLACE FUNCTION submit_assessment(p jsonb) RETURNS jsonb
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
        -- One phone at a time: the lookup below and the insert after it see every respondent with this phone.
        PERFORM pg_advisory_xact_lock(hashtextextended('respondent-phone' || chr(31) || (r->>'phone'), 0));
        IF v_actor IS NULL THEN
            -- A channel (WhatsApp) knows its respondents by phone: the same phone is the same person, who
            -- speaks for themselves, so what they sent now replaces what they sent before.
            UPDATE respondents SET name = r->>'name', sector = r->>'sector', region = r->>'region',
                                   language = r->>'language'
            WHERE created_by IS NULL AND phone = r->>'phone'
            RETURNING id, sector INTO v_respondent, v_sector;
        ELSE
            -- A user adding a "new" respondent whose phone belongs to one they may see is told which one,
            -- and nothing is stored; respondents they may not see stay invisible and are never merged into.
            SELECT x.id INTO v_respondent FROM respondents x
            WHERE x.phone = r->>'phone'
              AND (NOT coalesce((p->>'own_records_only')::boolean, true) OR x.created_by = v_actor
                   OR EXISTS (SELECT 1 FROM assessments a WHERE a.respondent_id = x.id AND a.enumerator_id = v_actor))
            ORDER BY x.created_at, x.id LIMIT 1;
            IF FOUND THEN
                RETURN jsonb_build_object('outcome', 'respondent_exists', 'respondent_id', v_respondent);
            END IF;
        END IF;
        IF v_respondent IS NULL THEN
            INSERT INTO respondents (id, name, phone, sector, region, language, consent_at, created_by)
            VALUES ((r->>'new_id')::uuid, r->>'name', r->>'phone', r->>'sector', r->>'region', r->>'language', v_at,
                    v_actor)
            RETURNING id, sector INTO v_respondent, v_sector;
        END IF;
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
