-- The row rules of the tables a submission writes, checked for the price of a row rather than of a statement.
--
-- PostgreSQL prepares a table's CHECK constraints again for every statement that writes to it (it reads each
-- expression back from the catalog and plans it), and a submission writes one row per statement: with 4 checks
-- on respondents and 4 on outbox, that preparing cost about a fifth of the statement's time in the database
-- (bench/submissions.py; 0041 moved the assessments' checks into a trigger for the same reason). A PL/pgSQL row
-- trigger plans its expressions once per session. So the same rules move into BEFORE INSERT OR UPDATE row
-- triggers that refuse what the constraints refused (a rule that is NULL passes, as a CHECK's does), with the same
-- error: check_violation, the table and the constraint's name. No stored row changes: every row met them already.
--
-- The assessments' one-answer-per-question and one-score-per-skill rules no longer run a query: a scan of each
-- array, in the trigger, finds a repeated id (the arrays hold tens of ids).

-- respondents
ALTER TABLE respondents
    DROP CONSTRAINT respondents_language,
    DROP CONSTRAINT respondents_name_length,
    DROP CONSTRAINT respondents_phone_e164,
    DROP CONSTRAINT respondents_region_length;

CREATE FUNCTION check_respondent_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.language IN ('en', 'fr')) THEN
        RAISE EXCEPTION 'new row for relation "respondents" violates check constraint "respondents_language"'
            USING ERRCODE = 'check_violation', TABLE = 'respondents', CONSTRAINT = 'respondents_language';
    END IF;
    IF NOT (length(btrim(NEW.name)) BETWEEN 1 AND 200) THEN
        RAISE EXCEPTION 'new row for relation "respondents" violates check constraint "respondents_name_length"'
            USING ERRCODE = 'check_violation', TABLE = 'respondents', CONSTRAINT = 'respondents_name_length';
    END IF;
    IF NOT (NEW.phone ~ '^\+[1-9][0-9]{6,14}$') THEN
        RAISE EXCEPTION 'new row for relation "respondents" violates check constraint "respondents_phone_e164"'
            USING ERRCODE = 'check_violation', TABLE = 'respondents', CONSTRAINT = 'respondents_phone_e164';
    END IF;
    IF NOT (length(NEW.region) <= 100) THEN
        RAISE EXCEPTION 'new row for relation "respondents" violates check constraint "respondents_region_length"'
            USING ERRCODE = 'check_violation', TABLE = 'respondents', CONSTRAINT = 'respondents_region_length';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER respondents_rules BEFORE INSERT OR UPDATE ON respondents
    FOR EACH ROW EXECUTE FUNCTION check_respondent_row();

-- outbox
ALTER TABLE outbox
    DROP CONSTRAINT outbox_attempts_nonnegative,
    DROP CONSTRAINT outbox_dispatched_or_parked,
    DROP CONSTRAINT outbox_event_type_format,
    DROP CONSTRAINT outbox_unfolded_is_due;

CREATE FUNCTION check_outbox_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.attempts >= 0) THEN
        RAISE EXCEPTION 'new row for relation "outbox" violates check constraint "outbox_attempts_nonnegative"'
            USING ERRCODE = 'check_violation', TABLE = 'outbox', CONSTRAINT = 'outbox_attempts_nonnegative';
    END IF;
    IF NOT (NEW.dispatched_at IS NULL OR NEW.parked_at IS NULL) THEN
        RAISE EXCEPTION 'new row for relation "outbox" violates check constraint "outbox_dispatched_or_parked"'
            USING ERRCODE = 'check_violation', TABLE = 'outbox', CONSTRAINT = 'outbox_dispatched_or_parked';
    END IF;
    IF NOT (NEW.event_type ~ '^[a-z_]+(\.[a-z_]+)+$') THEN
        RAISE EXCEPTION 'new row for relation "outbox" violates check constraint "outbox_event_type_format"'
            USING ERRCODE = 'check_violation', TABLE = 'outbox', CONSTRAINT = 'outbox_event_type_format';
    END IF;
    -- 0042: an event not yet counted in the dashboard is on the relay's due list.
    IF NOT (NEW.event_type <> 'assessment.submitted' OR NEW.folded_at IS NOT NULL
            OR (NEW.dispatched_at IS NULL AND NEW.parked_at IS NULL)) THEN
        RAISE EXCEPTION 'new row for relation "outbox" violates check constraint "outbox_unfolded_is_due"'
            USING ERRCODE = 'check_violation', TABLE = 'outbox', CONSTRAINT = 'outbox_unfolded_is_due';
    END IF;
    RETURN NEW;
END $$;
-- BEFORE triggers fire in the order of their names: this one after outbox_stamp_folded, so that it sees the row as
-- it will be stored (folded_at stamped), as the constraints did.
CREATE TRIGGER outbox_verify_row BEFORE INSERT OR UPDATE ON outbox
    FOR EACH ROW EXECUTE FUNCTION check_outbox_row();

-- assessments: the rules of 0041, the repeated ids found without a query.
CREATE OR REPLACE FUNCTION check_assessment_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(NEW.answer_question_ids);
    k integer := cardinality(NEW.score_skill_ids);
BEGIN
    IF NEW.channel NOT IN ('web', 'whatsapp') THEN
        RAISE EXCEPTION 'unknown channel %', NEW.channel
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assessments_channel';
    END IF;
    IF NEW.status NOT IN ('in_progress', 'submitted') THEN
        RAISE EXCEPTION 'unknown status %', NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assessments_status';
    END IF;
    IF (NEW.status = 'submitted') <> (NEW.submitted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'a submitted assessment has a submission time, and only it'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assessments_submitted_has_time';
    END IF;
    IF NEW.submitted_at < NEW.started_at THEN
        RAISE EXCEPTION 'an assessment is submitted after it was started'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assessments_started_before_submitted';
    END IF;
    IF jsonb_typeof(NEW.answer_values) <> 'array' OR jsonb_array_length(NEW.answer_values) <> n
       OR cardinality(NEW.answer_scores) <> n OR coalesce(array_ndims(NEW.answer_question_ids), 1) <> 1
       OR array_position(NEW.answer_question_ids, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'an answer needs a question, a value and a score (or none), each in its place'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assessments_answers_shape';
    END IF;
    IF NOT (0 <= ALL (NEW.answer_scores) AND 1 >= ALL (NEW.answer_scores)) THEN
        RAISE EXCEPTION 'an answer''s score is a fraction from 0 to 1'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'answers_score_fraction';
    END IF;
    IF cardinality(NEW.score_values) <> k OR cardinality(NEW.score_bands) <> k
       OR coalesce(array_ndims(NEW.score_skill_ids), 1) <> 1
       OR array_position(NEW.score_skill_ids, NULL) IS NOT NULL
       OR array_position(NEW.score_values, NULL) IS NOT NULL
       OR array_position(NEW.score_bands, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'a skill score needs a skill, a score and a band, each in its place'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assessments_scores_shape';
    END IF;
    IF NOT (0 <= ALL (NEW.score_values) AND 100 >= ALL (NEW.score_values)) THEN
        RAISE EXCEPTION 'a skill score is from 0 to 100'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'skill_scores_range';
    END IF;
    -- One answer per question and one score per skill: no id is found again after its own place (subscripts as
    -- the array has them: it may not start at 1). The arrays are one-dimensional with no NULL (checked above).
    IF n > 1 THEN
        FOR i IN array_lower(NEW.answer_question_ids, 1) .. array_upper(NEW.answer_question_ids, 1) - 1 LOOP
            IF array_position(NEW.answer_question_ids, NEW.answer_question_ids[i], i + 1) IS NOT NULL THEN
                RAISE EXCEPTION 'a question is answered once per assessment'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'answers_one_per_question';
            END IF;
        END LOOP;
    END IF;
    IF k > 1 THEN
        FOR i IN array_lower(NEW.score_skill_ids, 1) .. array_upper(NEW.score_skill_ids, 1) - 1 LOOP
            IF array_position(NEW.score_skill_ids, NEW.score_skill_ids[i], i + 1) IS NOT NULL THEN
                RAISE EXCEPTION 'a skill is scored once per assessment'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'skill_scores_one_per_skill';
            END IF;
        END LOOP;
    END IF;
    RETURN NEW;
END $$;
