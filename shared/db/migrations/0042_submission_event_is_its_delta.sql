-- A submission's outbox event is its dashboard delta: the submission writes one row fewer.
--
-- Until now a submission wrote two rows that said the same thing to two readers: its assessment.submitted event
-- (for the relay) and a dashboard delta (for the fold). Now the event alone says both. Its figures join the
-- totals in the transaction that takes the event off the relay's due list (delivered, or parked after its last
-- attempt): a row trigger stamps folded_at on the event as it leaves, and a statement trigger adds the figures of
-- the events it stamped, so that whoever updates the outbox (the relay today, anything tomorrow) cannot take an
-- event off the list without folding it. Until then the event is due and unfolded, and the summary adds it as it
-- added an unfolded delta: every committed submission is counted exactly once, in one snapshot; a rolled-back one
-- wrote no event.
--
-- An unfolded event is always due (a CHECK): the summary finds them through the due index, among the few events
-- waiting for the relay. folded_at is set once and never cleared (a parked event sent again by a super-admin is
-- delivered again, not counted again), and an unfolded event cannot be deleted.
--
-- dashboard_deltas keeps what only it can say: WhatsApp conversations abandoned before their end (0011, 0021).

-- What was pending moves into the totals first, under the fold's lock, and the events written so far are counted
-- through those deltas: they are folded.
SELECT pg_advisory_xact_lock(hashtextextended('dashboard-fold', 0));
DO $$
BEGIN
    WHILE dashboard_fold(100000) > 0 LOOP
    END LOOP;
    IF EXISTS (SELECT 1 FROM dashboard_deltas WHERE assessment_id IS NOT NULL) THEN
        RAISE EXCEPTION 'submission deltas are left after the fold; not replacing them';
    END IF;
END $$;

ALTER TABLE outbox ADD COLUMN folded_at timestamptz;
UPDATE outbox SET folded_at = now() WHERE event_type = 'assessment.submitted';
ALTER TABLE outbox ADD CONSTRAINT outbox_unfolded_is_due
    CHECK (event_type <> 'assessment.submitted' OR folded_at IS NOT NULL OR (dispatched_at IS NULL AND parked_at IS NULL));

DROP VIEW dashboard_delta_funnel;
DROP VIEW dashboard_delta_scores;
DROP VIEW dashboard_delta_submissions;
ALTER TABLE dashboard_deltas DROP CONSTRAINT dashboard_deltas_kind;
ALTER TABLE dashboard_deltas DROP COLUMN assessment_id;
ALTER TABLE dashboard_deltas
    ALTER COLUMN at SET NOT NULL, ALTER COLUMN version_id SET NOT NULL, ALTER COLUMN channel SET NOT NULL,
    ALTER COLUMN reached SET NOT NULL, ALTER COLUMN answered SET NOT NULL,
    ADD CONSTRAINT dashboard_deltas_answered_reached CHECK (answered <@ reached);

-- The assessment an assessment.submitted event is about (its aggregate id), or NULL for an id that is not one.
CREATE FUNCTION outbox_assessment_id(p_aggregate_id text) RETURNS uuid
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT CASE WHEN p_aggregate_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                THEN p_aggregate_id::uuid END
$fn$;

-- An assessment's figures, one fact per row: its skill scores, and its funnel (each question it reached, by the
-- show-if rules, and each it answered). Read for a few assessments at a time, by id.
CREATE VIEW dashboard_assessment_scores AS
SELECT a.id AS assessment_id, a.version_id, k.skill_id, a.enumerator_id, k.score
FROM assessments a
CROSS JOIN LATERAL unnest(a.score_skill_ids, a.score_values) AS k(skill_id, score);

CREATE VIEW dashboard_assessment_funnel AS
SELECT a.id AS assessment_id, a.version_id, x.question_id, a.enumerator_id, 0 AS reached, 1 AS answered
FROM assessments a
CROSS JOIN LATERAL unnest(a.answer_question_ids) AS x(question_id)
UNION ALL
SELECT a.id, a.version_id, q.id, a.enumerator_id, 1, 0
FROM assessments a
JOIN questions q ON q.version_id = a.version_id
CROSS JOIN LATERAL (SELECT jsonb_object_agg(qq.code, x.value) AS given
                    FROM ROWS FROM (unnest(a.answer_question_ids), jsonb_array_elements(a.answer_values))
                         AS x(question_id, value)
                    JOIN questions qq ON qq.id = x.question_id) g
WHERE dashboard_shown(q.show_if, g.given);

-- An abandoned conversation's funnel (dashboard_deltas), one fact per row.
CREATE VIEW dashboard_abandoned_funnel AS
SELECT d.id AS delta_id, d.version_id, u.q AS question_id, 1 AS reached, 0 AS answered
FROM dashboard_deltas d CROSS JOIN LATERAL unnest(d.reached) AS u(q)
UNION ALL
SELECT d.id, d.version_id, u.q, 0, 1 FROM dashboard_deltas d CROSS JOIN LATERAL unnest(d.answered) AS u(q);

-- What is not in the totals yet (read by the summary, dashboard_summary of 0011, under the same names): the
-- submissions whose events are unfolded, and the abandoned conversations not folded yet.
CREATE VIEW dashboard_delta_submissions AS
SELECT o.id AS event_id, a.id AS assessment_id, a.version_id, a.sector, a.channel, a.enumerator_id,
       (a.submitted_at AT TIME ZONE 'UTC')::date AS day
FROM outbox o
JOIN assessments a ON a.id = outbox_assessment_id(o.aggregate_id)
WHERE o.dispatched_at IS NULL AND o.parked_at IS NULL AND o.event_type = 'assessment.submitted'
  AND o.folded_at IS NULL;

CREATE VIEW dashboard_delta_scores AS
SELECT k.version_id, k.skill_id, k.enumerator_id, k.score
FROM dashboard_assessment_scores k
WHERE k.assessment_id IN (SELECT assessment_id FROM dashboard_delta_submissions);

CREATE VIEW dashboard_delta_funnel AS
SELECT f.version_id, f.question_id, f.enumerator_id, f.reached, f.answered
FROM dashboard_assessment_funnel f
WHERE f.assessment_id IN (SELECT assessment_id FROM dashboard_delta_submissions)
UNION ALL
SELECT version_id, question_id, NULL::uuid, reached, answered FROM dashboard_abandoned_funnel;

-- Adds the figures of these assessments to the totals (the caller holds the fold's lock).
CREATE FUNCTION dashboard_add_submissions(p_ids uuid[]) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    INSERT INTO dashboard_counts AS c (sector, channel, enumerator_id, submissions)
    SELECT sector, channel, enumerator_id, count(*) FROM assessments WHERE id = ANY(p_ids)
    GROUP BY sector, channel, enumerator_id ORDER BY 1, 2, 3
    ON CONFLICT ON CONSTRAINT dashboard_counts_key DO UPDATE SET submissions = c.submissions + EXCLUDED.submissions;

    INSERT INTO dashboard_days AS d (day, enumerator_id, submissions)
    SELECT (submitted_at AT TIME ZONE 'UTC')::date, enumerator_id, count(*) FROM assessments WHERE id = ANY(p_ids)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ON CONSTRAINT dashboard_days_key DO UPDATE SET submissions = d.submissions + EXCLUDED.submissions;

    INSERT INTO dashboard_skills AS s (version_id, skill_id, enumerator_id, scored, score_sum)
    SELECT version_id, skill_id, enumerator_id, count(*), sum(score) FROM dashboard_assessment_scores
    WHERE assessment_id = ANY(p_ids)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ON CONSTRAINT dashboard_skills_key
    DO UPDATE SET scored = s.scored + EXCLUDED.scored, score_sum = s.score_sum + EXCLUDED.score_sum;

    INSERT INTO dashboard_funnel AS f (version_id, question_id, enumerator_id, reached, answered)
    SELECT version_id, question_id, enumerator_id, sum(reached), sum(answered) FROM dashboard_assessment_funnel
    WHERE assessment_id = ANY(p_ids)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ON CONSTRAINT dashboard_funnel_key
    DO UPDATE SET reached = f.reached + EXCLUDED.reached, answered = f.answered + EXCLUDED.answered;
END
$fn$;

-- An assessment.submitted event leaving the due list is stamped folded; folded_at is never changed after.
CREATE FUNCTION outbox_stamp_folded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.folded_at IS NOT NULL THEN
        IF NEW.folded_at IS DISTINCT FROM OLD.folded_at OR NEW.event_type IS DISTINCT FROM OLD.event_type
           OR NEW.aggregate_id IS DISTINCT FROM OLD.aggregate_id THEN
            RAISE EXCEPTION 'outbox event % is counted in the dashboard: its fold cannot change', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'outbox_folded_once';
        END IF;
    ELSIF NEW.dispatched_at IS NOT NULL OR NEW.parked_at IS NOT NULL THEN
        NEW.folded_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER outbox_stamp_folded BEFORE UPDATE ON outbox
    FOR EACH ROW WHEN (OLD.event_type = 'assessment.submitted') EXECUTE FUNCTION outbox_stamp_folded();

-- The figures of the events a statement stamped join the totals in that statement's transaction.
CREATE FUNCTION outbox_fold_stamped() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_ids uuid[];
BEGIN
    v_ids := ARRAY(SELECT outbox_assessment_id(n.aggregate_id) FROM stamped n JOIN was o ON o.id = n.id
                   WHERE n.event_type = 'assessment.submitted' AND n.folded_at IS NOT NULL AND o.folded_at IS NULL
                     AND outbox_assessment_id(n.aggregate_id) IS NOT NULL);
    IF cardinality(v_ids) > 0 THEN
        -- One fold at a time, this one waiting its turn (it must not be skipped: the events left the list).
        PERFORM pg_advisory_xact_lock(hashtextextended('dashboard-fold', 0));
        PERFORM dashboard_add_submissions(v_ids);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_fold_stamped AFTER UPDATE ON outbox REFERENCING OLD TABLE AS was NEW TABLE AS stamped
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_fold_stamped();

CREATE FUNCTION outbox_refuse_unfolded_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'outbox event % is not counted in the dashboard yet: it cannot be deleted', OLD.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'outbox_unfolded_kept';
END $$;
CREATE TRIGGER outbox_unfolded_kept BEFORE DELETE ON outbox
    FOR EACH ROW WHEN (OLD.event_type = 'assessment.submitted' AND OLD.folded_at IS NULL)
    EXECUTE FUNCTION outbox_refuse_unfolded_delete();

-- The fold of what dashboard_deltas still holds: abandoned conversations, into the funnel.
CREATE OR REPLACE FUNCTION dashboard_fold(p_limit integer) RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_batch bigint[];
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended('dashboard-fold', 0)) THEN
        RETURN 0;
    END IF;
    v_batch := ARRAY(SELECT id FROM dashboard_deltas LIMIT p_limit FOR UPDATE SKIP LOCKED);
    IF cardinality(v_batch) = 0 THEN
        RETURN 0;
    END IF;

    INSERT INTO dashboard_funnel AS f (version_id, question_id, enumerator_id, reached, answered)
    SELECT version_id, question_id, NULL, sum(reached), sum(answered) FROM dashboard_abandoned_funnel
    WHERE delta_id = ANY(v_batch)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ON CONSTRAINT dashboard_funnel_key
    DO UPDATE SET reached = f.reached + EXCLUDED.reached, answered = f.answered + EXCLUDED.answered;

    DELETE FROM dashboard_deltas WHERE id = ANY(v_batch);
    RETURN cardinality(v_batch);
END
$fn$;

-- The statement: as in 0041, without the delta.
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
    -- The answers (question, value, score) and skill scores (skill, score, band), as the row's arrays.
    v_answered   uuid[] := '{}';
    v_values     jsonb := '[]';
    v_fractions  numeric[] := '{}';
    v_skill_ids  uuid[] := '{}';
    v_scores     numeric[] := '{}';
    v_bands      text[] := '{}';
    v_refs       record;
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

    -- What the foreign keys to the version's rows checked (0012), in one lookup: the ids it was published with.
    SELECT question_ids, skill_ids INTO v_refs
    FROM questionnaire_versions WHERE id = v_version AND status = 'published';
    IF NOT FOUND THEN
        RETURN '{"outcome": "unknown_version"}';
    END IF;
    -- The answers and skill scores as the document sends them: array literals, and the values as a JSON array.
    v_answered := coalesce((p->>'answer_question_ids')::uuid[], '{}');
    v_values := coalesce(p->'answer_values', '[]');
    v_fractions := coalesce((p->>'answer_scores')::numeric[], '{}');
    v_skill_ids := coalesce((p->>'score_skill_ids')::uuid[], '{}');
    v_scores := coalesce((p->>'score_values')::numeric[], '{}');
    v_bands := coalesce((p->>'score_bands')::text[], '{}');
    IF NOT (v_answered <@ v_refs.question_ids AND v_skill_ids <@ v_refs.skill_ids) THEN
        RETURN '{"outcome": "invalid_references"}';
    END IF;

    -- The respondent rules of 0007, unchanged.
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
                             submitted_at, answer_question_ids, answer_values, answer_scores, score_skill_ids,
                             score_values, score_bands)
    VALUES (v_id, v_respondent, v_version, p->>'channel', (p->>'enumerator')::uuid, v_sector, 'submitted',
            least(coalesce((p->>'started_at')::timestamptz, v_at), v_at), v_at, v_answered, v_values, v_fractions,
            v_skill_ids, v_scores, v_bands);

    -- The event, which is also the dashboard's delta (see the top of this file).
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
