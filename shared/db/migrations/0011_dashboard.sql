-- The live dashboard's figures: exact, and read without scanning answers.
--
-- A submission adds one row to dashboard_deltas, in its own statement (submit_assessment): what it adds to the
-- figures. No counter row is shared by concurrent submissions, so they never queue on one another (on Aurora
-- a row every submission of a sector updated would serialise them at the speed of its quorum commit). The
-- relay folds the deltas into the totals below in every round (dashboard_fold), in one transaction. A reader
-- that sums the totals and the deltas not folded yet, in one snapshot, counts every committed submission
-- exactly once; a submission rolled back leaves no delta.
--
-- The per-question funnel counts, per questionnaire version, how many sessions reached each question and how
-- many answered it. Submissions feed it (reached: every question shown to the respondent); the WhatsApp channel
-- feeds it for conversations abandoned before their end, through dashboard_record_abandoned.

CREATE TABLE dashboard_deltas (
    at            timestamptz NOT NULL,
    version_id    uuid NOT NULL,
    sector        text,
    channel       text NOT NULL CONSTRAINT dashboard_deltas_channel CHECK (channel IN ('web', 'whatsapp')),
    enumerator_id uuid,
    submitted     boolean NOT NULL, -- false: a conversation abandoned before its end (funnel only)
    skill_ids     uuid[] NOT NULL DEFAULT '{}',
    scores        numeric[] NOT NULL DEFAULT '{}',
    reached       uuid[] NOT NULL DEFAULT '{}',
    answered      uuid[] NOT NULL DEFAULT '{}',
    CONSTRAINT dashboard_deltas_scores_paired CHECK (cardinality(skill_ids) = cardinality(scores)),
    CONSTRAINT dashboard_deltas_submitted_sector CHECK (NOT submitted OR sector IS NOT NULL),
    CONSTRAINT dashboard_deltas_answered_reached CHECK (answered <@ reached)
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

-- Moves up to p_limit deltas into the totals, atomically; the number moved (0 when another fold is running:
-- one at a time, so folds never wait on each other's rows).
CREATE FUNCTION dashboard_fold(p_limit integer) RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_moved integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended('dashboard-fold', 0)) THEN
        RETURN 0;
    END IF;
    WITH taken AS (
        DELETE FROM dashboard_deltas
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM dashboard_deltas LIMIT p_limit FOR UPDATE SKIP LOCKED))
        RETURNING *
    ), counts AS (
        INSERT INTO dashboard_counts AS c (sector, channel, enumerator_id, submissions)
        SELECT sector, channel, enumerator_id, count(*) FROM taken WHERE submitted
        GROUP BY sector, channel, enumerator_id ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT dashboard_counts_key
        DO UPDATE SET submissions = c.submissions + EXCLUDED.submissions
    ), days AS (
        INSERT INTO dashboard_days AS d (day, enumerator_id, submissions)
        SELECT (at AT TIME ZONE 'UTC')::date, enumerator_id, count(*) FROM taken WHERE submitted
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT ON CONSTRAINT dashboard_days_key
        DO UPDATE SET submissions = d.submissions + EXCLUDED.submissions
    ), skills AS (
        INSERT INTO dashboard_skills AS s (version_id, skill_id, enumerator_id, scored, score_sum)
        SELECT t.version_id, x.skill_id, t.enumerator_id, count(*), sum(x.score)
        FROM taken t CROSS JOIN LATERAL unnest(t.skill_ids, t.scores) AS x(skill_id, score)
        WHERE t.submitted
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT dashboard_skills_key
        DO UPDATE SET scored = s.scored + EXCLUDED.scored, score_sum = s.score_sum + EXCLUDED.score_sum
    ), funnel AS (
        INSERT INTO dashboard_funnel AS f (version_id, question_id, enumerator_id, reached, answered)
        SELECT version_id, question_id, enumerator_id, sum(r), sum(a)
        FROM (SELECT t.version_id, q AS question_id, t.enumerator_id, 1 AS r, 0 AS a
              FROM taken t CROSS JOIN LATERAL unnest(t.reached) AS q
              UNION ALL
              SELECT t.version_id, q, t.enumerator_id, 0, 1 FROM taken t CROSS JOIN LATERAL unnest(t.answered) AS q) x
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT dashboard_funnel_key
        DO UPDATE SET reached = f.reached + EXCLUDED.reached, answered = f.answered + EXCLUDED.answered
    )
    SELECT count(*) INTO v_moved FROM taken;
    RETURN v_moved;
END
$fn$;

-- The summary, in one statement (one snapshot): totals plus the deltas not folded yet. p_only: an enumerator
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

    WITH pending AS (
        SELECT * FROM dashboard_deltas WHERE p_only IS NULL OR enumerator_id = p_only
    ), today AS (
        SELECT (now() AT TIME ZONE 'UTC')::date AS day
    ), counts AS (
        SELECT sector, channel, sum(n)::bigint AS n
        FROM (SELECT sector, channel, submissions AS n FROM dashboard_counts
              WHERE p_only IS NULL OR enumerator_id = p_only
              UNION ALL
              SELECT sector, channel, 1 FROM pending WHERE submitted) x
        GROUP BY sector, channel
    ), days AS (
        SELECT x.day, x.n
        FROM (SELECT day, submissions AS n FROM dashboard_days
              WHERE day > (SELECT day FROM today) - 7 AND (p_only IS NULL OR enumerator_id = p_only)
              UNION ALL
              SELECT (at AT TIME ZONE 'UTC')::date, 1 FROM pending WHERE submitted) x
        WHERE x.day > (SELECT day FROM today) - 7
    ), skill_sums AS (
        SELECT k.code, k.label_en, k.label_fr, k.position, v.published_at, x.scored, x.score_sum
        FROM (SELECT version_id, skill_id, scored, score_sum FROM dashboard_skills
              WHERE p_only IS NULL OR enumerator_id = p_only
              UNION ALL
              SELECT d.version_id, u.skill_id, 1, u.score
              FROM pending d CROSS JOIN LATERAL unnest(d.skill_ids, d.scores) AS u(skill_id, score)
              WHERE d.submitted) x
        JOIN skills k ON k.id = x.skill_id
        JOIN questionnaire_versions v ON v.id = x.version_id
    ), funnel_counts AS (
        SELECT question_id, reached, answered FROM dashboard_funnel
        WHERE version_id = v_version AND (p_only IS NULL OR enumerator_id = p_only)
        UNION ALL
        SELECT u.q, 1, 0 FROM pending d CROSS JOIN LATERAL unnest(d.reached) AS u(q) WHERE d.version_id = v_version
        UNION ALL
        SELECT u.q, 0, 1 FROM pending d CROSS JOIN LATERAL unnest(d.answered) AS u(q) WHERE d.version_id = v_version
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
    p_version uuid, p_channel text, p_sector text, p_reached uuid[], p_answered uuid[], p_at timestamptz DEFAULT now()
) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(p_reached) AS q
               WHERE NOT EXISTS (SELECT 1 FROM questions x WHERE x.id = q AND x.version_id = p_version)) THEN
        RAISE EXCEPTION 'a reached question is not a question of version %', p_version
            USING ERRCODE = 'check_violation', CONSTRAINT = 'dashboard_deltas_questions_of_version';
    END IF;
    INSERT INTO dashboard_deltas (at, version_id, sector, channel, submitted, reached, answered)
    VALUES (p_at, p_version, p_sector, p_channel, false, ARRAY(SELECT DISTINCT unnest(p_reached)),
            ARRAY(SELECT DISTINCT unnest(p_answered)));
END
$fn$;

-- Whether a question with show-if rule p_rule was shown, given the answers by question code (as
-- shared/assessments/scoring.py decides it); used to count what submissions stored before this migration
-- reached.
CREATE FUNCTION dashboard_shown(p_rule jsonb, p_answers jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT CASE
        WHEN p_rule IS NULL THEN true
        WHEN NOT p_answers ? (p_rule->>'question') THEN false
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

-- What was stored before this migration, as deltas (folded by the relay's first round).
INSERT INTO dashboard_deltas (at, version_id, sector, channel, enumerator_id, submitted, skill_ids, scores, reached,
                              answered)
SELECT a.submitted_at, a.version_id, a.sector, a.channel, a.enumerator_id, true,
       coalesce((SELECT array_agg(s.skill_id ORDER BY s.skill_id) FROM skill_scores s WHERE s.assessment_id = a.id), '{}'),
       coalesce((SELECT array_agg(s.score ORDER BY s.skill_id) FROM skill_scores s WHERE s.assessment_id = a.id), '{}'),
       ARRAY(SELECT q.id FROM questions q
             WHERE q.version_id = a.version_id
               AND dashboard_shown(q.show_if, (SELECT jsonb_object_agg(qq.code, x.value) FROM answers x
                                               JOIN questions qq ON qq.id = x.question_id
                                               WHERE x.assessment_id = a.id))
             UNION
             SELECT x.question_id FROM answers x WHERE x.assessment_id = a.id),
       coalesce((SELECT array_agg(x.question_id) FROM answers x WHERE x.assessment_id = a.id), '{}')
FROM assessments a
WHERE a.status = 'submitted';
