-- The live dashboard's figures: exact, and read without scanning answers.
--
-- A submission adds one row to dashboard_deltas in its own statement (submit_assessment): its assessment's id,
-- nothing more (the smallest write: its figures are in the rows it wrote anyway). No counter row is shared by
-- concurrent submissions, so they never queue on one another (on Aurora a row every submission of a sector
-- updated would serialise them at the speed of its quorum commit). The relay folds the deltas into the totals
-- below in every round (dashboard_fold), in one transaction, reading the figures of the few assessments they
-- name. A reader that sums the totals and the deltas not folded yet, in one snapshot, counts every committed
-- submission exactly once; a submission rolled back leaves no delta.
--
-- The per-question funnel counts, per questionnaire version, how many sessions reached each question (were
-- shown it, by its show-if rule) and how many answered it. Submissions feed it; the WhatsApp channel feeds it
-- for conversations abandoned before their end, through dashboard_record_abandoned (a delta with its figures).

CREATE TABLE dashboard_deltas (
    id            bigint GENERATED ALWAYS AS IDENTITY,  -- no index: the fold takes whatever rows there are
    assessment_id uuid,  -- a submission
    -- An abandoned conversation (assessment_id NULL): what it reached and answered.
    at            timestamptz,
    version_id    uuid,
    channel       text CONSTRAINT dashboard_deltas_channel CHECK (channel IN ('web', 'whatsapp')),
    reached       uuid[],
    answered      uuid[],
    CONSTRAINT dashboard_deltas_kind CHECK (
        (assessment_id IS NOT NULL AND version_id IS NULL AND reached IS NULL AND answered IS NULL)
        OR (assessment_id IS NULL AND at IS NOT NULL AND version_id IS NOT NULL AND channel IS NOT NULL
            AND reached IS NOT NULL AND answered IS NOT NULL AND answered <@ reached))
);

-- Totals, written only by dashboard_fold. Enumerator NULL: not entered by an enumerator (WhatsApp, or a user
-- of another role); enumerators read only their own rows.
CREATE TABLE dashboard_counts (
    sector        text NOT NULL,
    channel       text NOT NULL,
    enumerator_id uuid,
    submissions   bigint NOT NULL CONSTRAINT dashboard_counts_positive CHECK (submissions >= 0),
    CONSTRAINT dashboard_counts_key UNIQUE NULLS NOT DISTINCT (sector, channel, enumerator_id)
);

CREATE TABLE dashboard_days (
    day           date NOT NULL, -- UTC
    enumerator_id uuid,
    submissions   bigint NOT NULL CONSTRAINT dashboard_days_positive CHECK (submissions >= 0),
    CONSTRAINT dashboard_days_key UNIQUE NULLS NOT DISTINCT (day, enumerator_id)
);

CREATE TABLE dashboard_skills (
    version_id    uuid NOT NULL,
    skill_id      uuid NOT NULL,
    enumerator_id uuid,
    scored        bigint NOT NULL CONSTRAINT dashboard_skills_positive CHECK (scored >= 0),
    score_sum     numeric NOT NULL,
    CONSTRAINT dashboard_skills_key UNIQUE NULLS NOT DISTINCT (version_id, skill_id, enumerator_id)
);

CREATE TABLE dashboard_funnel (
    version_id    uuid NOT NULL,
    question_id   uuid NOT NULL,
    enumerator_id uuid,
    reached       bigint NOT NULL,
    answered      bigint NOT NULL,
    CONSTRAINT dashboard_funnel_counts CHECK (answered >= 0 AND reached >= answered),
    CONSTRAINT dashboard_funnel_key UNIQUE NULLS NOT DISTINCT (version_id, question_id, enumerator_id)
);
CREATE INDEX dashboard_funnel_version_idx ON dashboard_funnel (version_id);

-- Whether a question with show-if rule p_rule was shown, given the answers by question code (as
-- shared/assessments/scoring.py decides it for scoring).
CREATE FUNCTION dashboard_shown(p_rule jsonb, p_answers jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT CASE
        WHEN p_rule IS NULL THEN true
        WHEN p_answers IS NULL OR NOT p_answers ? (p_rule->>'question') THEN false
        WHEN p_rule ? 'equals' THEN
            CASE jsonb_typeof(p_answers->(p_rule->>'question'))
                WHEN 'string' THEN (p_answers->>(p_rule->>'question')) = (p_rule->>'equals')
                WHEN 'number' THEN (p_rule->>'equals') ~ '^-?[0-9]+(\.[0-9]+)?$'
                                   AND (p_answers->>(p_rule->>'question'))::numeric = (p_rule->>'equals')::numeric
                ELSE false END
        WHEN p_rule ? 'in' THEN jsonb_typeof(p_answers->(p_rule->>'question')) = 'string'
                                AND (p_rule->'in') ? (p_answers->>(p_rule->>'question'))
        WHEN p_rule ? 'includes' THEN jsonb_typeof(p_answers->(p_rule->>'question')) = 'array'
                                      AND (p_answers->(p_rule->>'question')) @> jsonb_build_array(p_rule->'includes')
        ELSE false
    END
$fn$;

-- What the deltas add to the figures, one fact per row, read by the fold (for the deltas it takes) and by the
-- summary (for those not folded yet).
CREATE VIEW dashboard_delta_submissions AS
SELECT d.id AS delta_id, a.id AS assessment_id, a.version_id, a.sector, a.channel, a.enumerator_id,
       (a.submitted_at AT TIME ZONE 'UTC')::date AS day
FROM dashboard_deltas d JOIN assessments a ON a.id = d.assessment_id;

CREATE VIEW dashboard_delta_scores AS
SELECT s.delta_id, s.version_id, k.skill_id, s.enumerator_id, k.score
FROM dashboard_delta_submissions s JOIN skill_scores k ON k.assessment_id = s.assessment_id;

CREATE VIEW dashboard_delta_funnel AS
SELECT s.delta_id, s.version_id, x.question_id, s.enumerator_id, 0 AS reached, 1 AS answered
FROM dashboard_delta_submissions s JOIN answers x ON x.assessment_id = s.assessment_id
UNION ALL
SELECT s.delta_id, s.version_id, q.id, s.enumerator_id, 1, 0
FROM dashboard_delta_submissions s
JOIN questions q ON q.version_id = s.version_id
CROSS JOIN LATERAL (SELECT jsonb_object_agg(qq.code, x.value) AS given
                    FROM answers x JOIN questions qq ON qq.id = x.question_id
                    WHERE x.assessment_id = s.assessment_id) g
WHERE dashboard_shown(q.show_if, g.given)
UNION ALL
SELECT d.id, d.version_id, u.q, NULL::uuid, 1, 0 FROM dashboard_deltas d CROSS JOIN LATERAL unnest(d.reached) AS u(q)
WHERE d.assessment_id IS NULL
UNION ALL
SELECT d.id, d.version_id, u.q, NULL::uuid, 0, 1 FROM dashboard_deltas d CROSS JOIN LATERAL unnest(d.answered) AS u(q)
WHERE d.assessment_id IS NULL;

-- Moves up to p_limit deltas into the totals, atomically; the number moved (0 when another fold is running:
-- one at a time, so folds never wait on each other's rows).
CREATE FUNCTION dashboard_fold(p_limit integer) RETURNS integer
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

    INSERT INTO dashboard_counts AS c (sector, channel, enumerator_id, submissions)
    SELECT sector, channel, enumerator_id, count(*) FROM dashboard_delta_submissions
    WHERE delta_id IN (SELECT unnest(v_batch))
    GROUP BY sector, channel, enumerator_id ORDER BY 1, 2, 3
    ON CONFLICT ON CONSTRAINT dashboard_counts_key DO UPDATE SET submissions = c.submissions + EXCLUDED.submissions;

    INSERT INTO dashboard_days AS d (day, enumerator_id, submissions)
    SELECT day, enumerator_id, count(*) FROM dashboard_delta_submissions
    WHERE delta_id IN (SELECT unnest(v_batch))
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ON CONSTRAINT dashboard_days_key DO UPDATE SET submissions = d.submissions + EXCLUDED.submissions;

    INSERT INTO dashboard_skills AS s (version_id, skill_id, enumerator_id, scored, score_sum)
    SELECT version_id, skill_id, enumerator_id, count(*), sum(score) FROM dashboard_delta_scores
    WHERE delta_id IN (SELECT unnest(v_batch))
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ON CONSTRAINT dashboard_skills_key
    DO UPDATE SET scored = s.scored + EXCLUDED.scored, score_sum = s.score_sum + EXCLUDED.score_sum;

    INSERT INTO dashboard_funnel AS f (version_id, question_id, enumerator_id, reached, answered)
    SELECT version_id, question_id, enumerator_id, sum(reached), sum(answered) FROM dashboard_delta_funnel
    WHERE delta_id IN (SELECT unnest(v_batch))
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ON CONSTRAINT dashboard_funnel_key
    DO UPDATE SET reached = f.reached + EXCLUDED.reached, answered = f.answered + EXCLUDED.answered;

    DELETE FROM dashboard_deltas WHERE id IN (SELECT unnest(v_batch));
    RETURN cardinality(v_batch);
END
$fn$;

-- The summary, in one statement (one snapshot): totals plus what the deltas not folded yet add. p_only: an enumerator
-- (their own figures) or NULL (everything). p_version: the funnel's questionnaire version, or NULL for that of
-- the latest submission. Never reads answers or skill scores, nor more than 20 assessments. A function, so that
-- its plans are kept per session (no client-side prepared statements behind RDS Proxy); the two reads of
-- assessments are split by scope so that each keeps the plan of its own index.
CREATE FUNCTION dashboard_summary(p_only uuid, p_version uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $fn$
DECLARE
    v_version uuid := p_version;
    v_latest  jsonb;
    v_result  jsonb;
BEGIN
    IF p_only IS NULL THEN
        SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.submitted_at DESC, l.id DESC), '[]') INTO v_latest
        FROM (SELECT a.id, r.name AS respondent_name, a.sector, a.channel, a.submitted_at, a.version_id
              FROM assessments a JOIN respondents r ON r.id = a.respondent_id
              WHERE a.status = 'submitted' ORDER BY a.submitted_at DESC, a.id DESC LIMIT 20) l;
    ELSE
        SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.submitted_at DESC, l.id DESC), '[]') INTO v_latest
        FROM (SELECT a.id, r.name AS respondent_name, a.sector, a.channel, a.submitted_at, a.version_id
              FROM assessments a JOIN respondents r ON r.id = a.respondent_id
              WHERE a.enumerator_id = p_only AND a.status = 'submitted'
              ORDER BY a.submitted_at DESC, a.id DESC LIMIT 20) l;
    END IF;
    v_version := coalesce(v_version, (v_latest->0->>'version_id')::uuid);

    WITH today AS (
        SELECT (now() AT TIME ZONE 'UTC')::date AS day
    ), pending AS (  -- the submissions not folded yet
        SELECT * FROM dashboard_delta_submissions WHERE p_only IS NULL OR enumerator_id = p_only
    ), counts AS (
        SELECT sector, channel, sum(n)::bigint AS n
        FROM (SELECT sector, channel, submissions AS n FROM dashboard_counts
              WHERE p_only IS NULL OR enumerator_id = p_only
              UNION ALL
              SELECT sector, channel, 1 FROM pending) x
        GROUP BY sector, channel
    ), days AS (
        SELECT x.day, x.n
        FROM (SELECT day, submissions AS n FROM dashboard_days
              WHERE day > (SELECT day FROM today) - 7 AND (p_only IS NULL OR enumerator_id = p_only)
              UNION ALL
              SELECT day, 1 FROM pending) x
        WHERE x.day > (SELECT day FROM today) - 7
    ), skill_sums AS (
        SELECT k.code, k.label_en, k.label_fr, k.position, v.published_at, x.scored, x.score_sum
        FROM (SELECT version_id, skill_id, scored, score_sum FROM dashboard_skills
              WHERE p_only IS NULL OR enumerator_id = p_only
              UNION ALL
              SELECT version_id, skill_id, 1, score FROM dashboard_delta_scores
              WHERE p_only IS NULL OR enumerator_id = p_only) x
        JOIN skills k ON k.id = x.skill_id
        JOIN questionnaire_versions v ON v.id = x.version_id
    ), funnel_counts AS (
        SELECT question_id, reached, answered FROM dashboard_funnel
        WHERE version_id = v_version AND (p_only IS NULL OR enumerator_id = p_only)
        UNION ALL
        SELECT question_id, reached, answered FROM dashboard_delta_funnel
        WHERE version_id = v_version AND (p_only IS NULL OR enumerator_id = p_only)
    )
    SELECT jsonb_build_object(
        'generated_at', now(),
        'all_time', (SELECT coalesce(sum(n), 0) FROM counts),
        'today', (SELECT coalesce(sum(n) FILTER (WHERE day = (SELECT day FROM today)), 0) FROM days),
        'last_7_days', (SELECT coalesce(sum(n), 0) FROM days),
        'by_sector', (SELECT coalesce(jsonb_agg(jsonb_build_object('sector', c.sector, 'label_en', s.label_en,
                                                                   'label_fr', s.label_fr, 'count', c.n)
                                                ORDER BY c.n DESC, c.sector), '[]')
                      FROM (SELECT sector, sum(n) AS n FROM counts GROUP BY sector) c
                      LEFT JOIN sectors s ON s.code = c.sector),
        'by_channel', (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', c.channel, 'count', c.n)
                                                 ORDER BY c.n DESC, c.channel), '[]')
                       FROM (SELECT channel, sum(n) AS n FROM counts GROUP BY channel) c),
        'skills', (SELECT coalesce(jsonb_agg(jsonb_build_object('skill', k.code, 'label_en', k.label_en,
                                                                'label_fr', k.label_fr, 'scored', k.scored,
                                                                'score_sum', k.score_sum::text)
                                             ORDER BY k.position, k.code), '[]')
                   FROM (SELECT code, min(position) AS position, sum(scored) AS scored, sum(score_sum) AS score_sum,
                                (array_agg(label_en ORDER BY published_at DESC NULLS LAST))[1] AS label_en,
                                (array_agg(label_fr ORDER BY published_at DESC NULLS LAST))[1] AS label_fr
                         FROM skill_sums GROUP BY code) k),
        'funnel_version_id', v_version,
        'funnel', (SELECT coalesce(jsonb_agg(jsonb_build_object('question_id', q.id, 'code', q.code,
                                                                'label_en', q.label_en, 'label_fr', q.label_fr,
                                                                'position', q.position,
                                                                'reached', coalesce(f.reached, 0),
                                                                'answered', coalesce(f.answered, 0))
                                             ORDER BY q.position, q.code), '[]')
                   FROM questions q
                   LEFT JOIN (SELECT question_id, sum(reached) AS reached, sum(answered) AS answered
                              FROM funnel_counts GROUP BY question_id) f ON f.question_id = q.id
                   WHERE q.version_id = v_version),
        'latest', v_latest
    ) INTO v_result;
    RETURN v_result;
END
$fn$;

-- For the WhatsApp channel: a conversation abandoned before its end counts in the funnel (reached: the
-- questions it was asked; answered: those it answered). Call it in the transaction that closes the
-- conversation as abandoned, once per conversation; a completed conversation counts through its submission.
CREATE FUNCTION dashboard_record_abandoned(
    p_version uuid, p_channel text, p_reached uuid[], p_answered uuid[], p_at timestamptz DEFAULT now()
) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(p_reached) AS q
               WHERE NOT EXISTS (SELECT 1 FROM questions x WHERE x.id = q AND x.version_id = p_version)) THEN
        RAISE EXCEPTION 'a reached question is not a question of version %', p_version
            USING ERRCODE = 'check_violation', CONSTRAINT = 'dashboard_deltas_questions_of_version';
    END IF;
    INSERT INTO dashboard_deltas (at, version_id, channel, reached, answered)
    VALUES (p_at, p_version, p_channel, ARRAY(SELECT DISTINCT unnest(p_reached)),
            ARRAY(SELECT DISTINCT unnest(p_answered)));
END
$fn$;

-- What was stored before this migration: the fold counts it (the relay's first round).
INSERT INTO dashboard_deltas (assessment_id) SELECT id FROM assessments WHERE status = 'submitted';
