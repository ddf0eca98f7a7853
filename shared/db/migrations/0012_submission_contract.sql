-- The submission write's contract: the same one statement and round trip, doing less per submission.
--
-- 1. No per-row foreign keys to the published version's rows. Each one (20 answers -> questions, 5 scores -> skills
--    and -> the version, the assessment -> the version) looked its row up and took a KEY SHARE lock on it: the same
--    hot rows for every submission, so the locks of concurrent submissions became multixacts. A published version,
--    its skills, questions, options and rubric can be neither changed nor deleted (the triggers of 0003, and the
--    version itself below), so checking once, in the statement, that the version is published and that every
--    question and skill is one of its own is as strict: what was checked can never stop being true.
-- 2. Recommendations are not copied per assessment: a published rubric never changes, so an assessment's are its
--    scores' (skill, band) looked up in the rubric. assessment_recommendations becomes a view with the same rows.
-- 3. The dashboard's figures are one small insert (the assessment's id as a delta, migration 0011) instead of an
--    upsert per skill into sector_skill_stats, which nothing read: no row is shared by concurrent submissions.
-- 4. A sector is reference data that is never deleted nor renamed (refused below), so the statement's check that
--    a new respondent's sector exists is as strict as the foreign keys of respondents and assessments to it,
--    whose KEY SHARE locks on one hot row per sector every submission took.
-- 5. Answers and skill scores are checked against their assessment once per statement (a statement trigger
--    over the rows it wrote) instead of once per row; an assessment is never deleted (refused below), so what
--    was checked stays true, as the foreign key's did.
-- 6. The enumerator index holds only what enumerators entered (the only rows it is read for).

ALTER TABLE answers DROP CONSTRAINT answers_question_id_fkey;
ALTER TABLE skill_scores DROP CONSTRAINT skill_scores_skill_id_fkey;
ALTER TABLE skill_scores DROP CONSTRAINT skill_scores_rubric_version_fkey;
ALTER TABLE assessments DROP CONSTRAINT assessments_version_id_fkey;
ALTER TABLE assessments DROP CONSTRAINT assessments_sector_fkey;
ALTER TABLE respondents DROP CONSTRAINT respondents_sector_fkey;
ALTER TABLE answers DROP CONSTRAINT answers_assessment_id_fkey;
ALTER TABLE skill_scores DROP CONSTRAINT skill_scores_assessment_id_fkey;

DROP INDEX assessments_enumerator_idx;
CREATE INDEX assessments_enumerator_idx ON assessments (enumerator_id, submitted_at DESC)
    WHERE enumerator_id IS NOT NULL;

CREATE FUNCTION refuse_reference_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.code IS DISTINCT FROM OLD.code THEN
        RAISE EXCEPTION 'a sector is never deleted nor renamed: % refers to it', OLD.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sectors_kept';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sectors_kept BEFORE UPDATE OR DELETE ON sectors
    FOR EACH ROW EXECUTE FUNCTION refuse_reference_change();

CREATE FUNCTION refuse_assessment_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'assessment % is a record: it is never deleted nor renumbered', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assessments_kept';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER assessments_kept BEFORE UPDATE OF id OR DELETE ON assessments
    FOR EACH ROW EXECUTE FUNCTION refuse_assessment_removal();

-- Every row a statement wrote to answers or skill_scores belongs to an existing assessment: one query per
-- statement over its new rows.
CREATE FUNCTION check_assessment_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM written w WHERE NOT EXISTS (SELECT 1 FROM assessments a WHERE a.id = w.assessment_id)) THEN
        RAISE EXCEPTION '% refers to an assessment that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_TABLE_NAME || '_assessment_exists';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER answers_assessment_exists AFTER INSERT ON answers REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION check_assessment_exists();
CREATE TRIGGER answers_assessment_exists_on_update AFTER UPDATE ON answers REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION check_assessment_exists();
CREATE TRIGGER skill_scores_assessment_exists AFTER INSERT ON skill_scores REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION check_assessment_exists();
CREATE TRIGGER skill_scores_assessment_exists_on_update AFTER UPDATE ON skill_scores
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION check_assessment_exists();

-- A published version is never deleted (nor, through it, its questionnaire): what assessments refer to stays.
CREATE FUNCTION refuse_delete_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'questionnaire version % is published and cannot be deleted', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'published_version_immutable';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER questionnaire_versions_undeletable BEFORE DELETE ON questionnaire_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_delete_published();

-- The recommendations stored so far are exactly the rubric's (a published rubric never changed); say so before
-- dropping them.
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM assessment_recommendations a
        JOIN skill_scores s ON s.assessment_id = a.assessment_id AND s.skill_id = a.skill_id
        LEFT JOIN rubric_recommendations r
               ON r.version_id = s.rubric_version AND r.skill_id = a.skill_id AND r.band = a.band
        WHERE r.version_id IS NULL OR (r.priority, r.text_en, r.text_fr) <> (a.priority, a.text_en, a.text_fr)
    ) THEN
        RAISE EXCEPTION 'stored recommendations differ from their rubric; not replacing them';
    END IF;
END $$;
DROP TABLE assessment_recommendations;
CREATE VIEW assessment_recommendations AS
SELECT s.assessment_id, s.skill_id, s.band, r.priority, r.text_en, r.text_fr
FROM skill_scores s
JOIN rubric_recommendations r ON r.version_id = s.rubric_version AND r.skill_id = s.skill_id AND r.band = s.band;

DROP TABLE sector_skill_stats;

-- As in 0007 (one jsonb document in, one out; its respondent rules unchanged), with: the checks against the
-- published version above; no copied recommendations; the dashboard's delta. Two more outcomes:
-- unknown_version (not a published version), and invalid_references (a question or skill not of that version).
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
    v_answered   uuid[] := ARRAY(SELECT (e->>'q')::uuid FROM jsonb_array_elements(p->'answers') AS e);
    v_skill_ids  uuid[] := ARRAY(SELECT (e->>'k')::uuid FROM jsonb_array_elements(p->'scores') AS e);
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

    -- What the foreign keys to the version's rows checked, once (see the top of this file).
    IF NOT EXISTS (SELECT 1 FROM questionnaire_versions WHERE id = v_version AND status = 'published') THEN
        RETURN '{"outcome": "unknown_version"}';
    END IF;
    IF NOT (v_answered <@ ARRAY(SELECT id FROM questions WHERE version_id = v_version)
            AND v_skill_ids <@ ARRAY(SELECT id FROM skills WHERE version_id = v_version)) THEN
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
                             submitted_at)
    VALUES (v_id, v_respondent, v_version, p->>'channel', (p->>'enumerator')::uuid, v_sector, 'submitted',
            least(coalesce((p->>'started_at')::timestamptz, v_at), v_at), v_at);

    INSERT INTO answers (assessment_id, question_id, value, score)
    SELECT v_id, (e->>'q')::uuid, e->'v', (e->>'f')::numeric FROM jsonb_array_elements(p->'answers') AS e;

    INSERT INTO skill_scores (assessment_id, skill_id, score, band, rubric_version)
    SELECT v_id, (e->>'k')::uuid, (e->>'s')::numeric, e->>'b', v_version FROM jsonb_array_elements(p->'scores') AS e;

    INSERT INTO dashboard_deltas (assessment_id) VALUES (v_id);

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
