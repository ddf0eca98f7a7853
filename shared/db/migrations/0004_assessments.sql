-- Respondents, assessments with their answers, scores and recommendations, dashboard aggregates, and the
-- idempotency keys that make a retried submission count once.

CREATE TABLE respondents (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CONSTRAINT respondents_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    phone       text NOT NULL CONSTRAINT respondents_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    sector      text NOT NULL REFERENCES sectors (code),
    region      text NOT NULL DEFAULT '' CONSTRAINT respondents_region_length CHECK (length(region) <= 100),
    language    text NOT NULL DEFAULT 'en' CONSTRAINT respondents_language CHECK (language IN ('en', 'fr')),
    consent_at  timestamptz,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT respondents_phone_unique UNIQUE (phone)
);
CREATE INDEX respondents_created_by_idx ON respondents (created_by, created_at DESC);

CREATE TABLE assessments (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    respondent_id uuid NOT NULL REFERENCES respondents (id),
    version_id    uuid NOT NULL REFERENCES questionnaire_versions (id),
    channel       text NOT NULL CONSTRAINT assessments_channel CHECK (channel IN ('web', 'whatsapp')),
    enumerator_id uuid REFERENCES users (id),
    sector        text NOT NULL REFERENCES sectors (code), -- the respondent's sector when submitted
    status        text NOT NULL DEFAULT 'submitted' CONSTRAINT assessments_status CHECK (status IN ('in_progress', 'submitted')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    submitted_at  timestamptz,
    CONSTRAINT assessments_submitted_has_time CHECK ((status = 'submitted') = (submitted_at IS NOT NULL)),
    CONSTRAINT assessments_started_before_submitted CHECK (submitted_at IS NULL OR started_at <= submitted_at)
);
CREATE INDEX assessments_submitted_idx ON assessments (submitted_at DESC, id DESC);
CREATE INDEX assessments_respondent_idx ON assessments (respondent_id);
CREATE INDEX assessments_enumerator_idx ON assessments (enumerator_id, submitted_at DESC);
CREATE INDEX assessments_sector_idx ON assessments (sector, submitted_at DESC);

CREATE TABLE answers (
    assessment_id uuid NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    question_id   uuid NOT NULL REFERENCES questions (id),
    value         jsonb NOT NULL,
    score         numeric CONSTRAINT answers_score_fraction CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
    PRIMARY KEY (assessment_id, question_id)
);

CREATE TABLE skill_scores (
    assessment_id  uuid NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    skill_id       uuid NOT NULL REFERENCES skills (id),
    score          numeric(5, 2) NOT NULL CONSTRAINT skill_scores_range CHECK (score >= 0 AND score <= 100),
    band           text NOT NULL,
    rubric_version uuid NOT NULL REFERENCES questionnaire_versions (id), -- the rubric the score was computed with
    PRIMARY KEY (assessment_id, skill_id)
);

CREATE TABLE assessment_recommendations (
    assessment_id uuid NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    skill_id      uuid NOT NULL REFERENCES skills (id),
    band          text NOT NULL,
    priority      integer NOT NULL,
    text_en       text NOT NULL,
    text_fr       text NOT NULL,
    PRIMARY KEY (assessment_id, skill_id)
);

-- Dashboard aggregates, kept current by the submission itself (same transaction). Each counter is split
-- over 16 slots (the submission picks one from its id) so that concurrent submissions of one sector do not
-- queue on a single hot row; readers sum the slots.
CREATE TABLE sector_skill_stats (
    sector      text NOT NULL REFERENCES sectors (code),
    version_id  uuid NOT NULL REFERENCES questionnaire_versions (id),
    skill_id    uuid NOT NULL REFERENCES skills (id),
    band        text NOT NULL,
    slot        smallint NOT NULL CONSTRAINT sector_skill_stats_slot CHECK (slot BETWEEN 0 AND 15),
    assessments bigint NOT NULL DEFAULT 0 CONSTRAINT sector_skill_stats_count CHECK (assessments >= 0),
    score_sum   numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (sector, version_id, skill_id, band, slot)
);

-- A key is scoped to its caller; the first request stores its response, retries get it back.
CREATE TABLE idempotency_keys (
    scope        text NOT NULL,
    key          text NOT NULL CONSTRAINT idempotency_keys_key_length CHECK (length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    status_code  integer NOT NULL,
    response     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL DEFAULT now() + interval '48 hours',
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);
