-- Questionnaires with versions (draft -> published, then immutable), skills, questions, options, rubric.

CREATE TABLE questionnaires (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code       text NOT NULL CONSTRAINT questionnaires_code_unique UNIQUE
               CONSTRAINT questionnaires_code_format CHECK (code ~ '^[a-z][a-z0-9_-]{1,62}$'),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE questionnaire_versions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    questionnaire_id uuid NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    version          integer NOT NULL CONSTRAINT questionnaire_versions_positive CHECK (version > 0),
    status           text NOT NULL DEFAULT 'draft' CONSTRAINT questionnaire_versions_status CHECK (status IN ('draft', 'published')),
    title_en         text NOT NULL CONSTRAINT questionnaire_versions_title_en CHECK (length(btrim(title_en)) BETWEEN 1 AND 200),
    title_fr         text NOT NULL CONSTRAINT questionnaire_versions_title_fr CHECK (length(btrim(title_fr)) BETWEEN 1 AND 200),
    based_on         uuid REFERENCES questionnaire_versions (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz,
    CONSTRAINT questionnaire_versions_number_unique UNIQUE (questionnaire_id, version),
    CONSTRAINT questionnaire_versions_published_has_time CHECK ((status = 'published') = (published_at IS NOT NULL))
);
-- At most one draft per questionnaire at a time.
CREATE UNIQUE INDEX questionnaire_versions_one_draft ON questionnaire_versions (questionnaire_id) WHERE status = 'draft';

CREATE TABLE skills (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version_id uuid NOT NULL REFERENCES questionnaire_versions (id) ON DELETE CASCADE,
    code       text NOT NULL CONSTRAINT skills_code_format CHECK (code ~ '^[a-z][a-z0-9_]{0,62}$'),
    label_en   text NOT NULL,
    label_fr   text NOT NULL,
    position   integer NOT NULL,
    CONSTRAINT skills_code_unique UNIQUE (version_id, code),
    CONSTRAINT skills_id_version UNIQUE (id, version_id)
);

CREATE TABLE questions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version_id uuid NOT NULL REFERENCES questionnaire_versions (id) ON DELETE CASCADE,
    skill_id   uuid NOT NULL,
    code       text NOT NULL CONSTRAINT questions_code_format CHECK (code ~ '^[a-z][a-z0-9_]{0,62}$'),
    type       text NOT NULL CONSTRAINT questions_type CHECK (type IN ('single_choice', 'multi_choice', 'scale', 'numeric', 'text')),
    required   boolean NOT NULL DEFAULT true,
    min_value  numeric,
    max_value  numeric,
    weight     numeric NOT NULL DEFAULT 1 CONSTRAINT questions_weight_range CHECK (weight >= 0 AND weight <= 100),
    label_en   text NOT NULL CONSTRAINT questions_label_en CHECK (length(btrim(label_en)) > 0),
    label_fr   text NOT NULL CONSTRAINT questions_label_fr CHECK (length(btrim(label_fr)) > 0),
    position   integer NOT NULL,
    show_if    jsonb,
    CONSTRAINT questions_code_unique UNIQUE (version_id, code),
    CONSTRAINT questions_skill_same_version FOREIGN KEY (skill_id, version_id) REFERENCES skills (id, version_id) ON DELETE CASCADE,
    CONSTRAINT questions_range CHECK (
        (type IN ('scale', 'numeric') AND min_value IS NOT NULL AND max_value IS NOT NULL AND min_value < max_value)
        OR (type NOT IN ('scale', 'numeric') AND min_value IS NULL AND max_value IS NULL)),
    CONSTRAINT questions_show_if_shape CHECK (show_if IS NULL OR (jsonb_typeof(show_if) = 'object' AND show_if ? 'question'))
);

CREATE TABLE question_options (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    question_id uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    code        text NOT NULL CONSTRAINT question_options_code_format CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
    label_en    text NOT NULL,
    label_fr    text NOT NULL,
    score       numeric NOT NULL DEFAULT 0 CONSTRAINT question_options_score_range CHECK (score >= 0 AND score <= 1000),
    position    integer NOT NULL,
    CONSTRAINT question_options_code_unique UNIQUE (question_id, code)
);

-- Rubric: bands of the 0..100 skill score, and a recommendation per skill and band.
CREATE TABLE rubric_bands (
    version_id uuid NOT NULL REFERENCES questionnaire_versions (id) ON DELETE CASCADE,
    code       text NOT NULL CONSTRAINT rubric_bands_code_format CHECK (code ~ '^[a-z][a-z0-9_]{0,30}$'),
    label_en   text NOT NULL,
    label_fr   text NOT NULL,
    min_score  numeric NOT NULL,
    max_score  numeric NOT NULL,
    PRIMARY KEY (version_id, code),
    CONSTRAINT rubric_bands_range CHECK (min_score >= 0 AND max_score <= 100 AND min_score < max_score)
);

CREATE TABLE rubric_recommendations (
    version_id uuid NOT NULL,
    skill_id   uuid NOT NULL,
    band       text NOT NULL,
    text_en    text NOT NULL CONSTRAINT rubric_recommendations_text_en CHECK (length(btrim(text_en)) > 0),
    text_fr    text NOT NULL CONSTRAINT rubric_recommendations_text_fr CHECK (length(btrim(text_fr)) > 0),
    priority   integer NOT NULL CONSTRAINT rubric_recommendations_priority CHECK (priority BETWEEN 1 AND 5),
    PRIMARY KEY (version_id, skill_id, band),
    FOREIGN KEY (skill_id, version_id) REFERENCES skills (id, version_id) ON DELETE CASCADE,
    FOREIGN KEY (version_id, band) REFERENCES rubric_bands (version_id, code) ON DELETE CASCADE
);

-- A published version is immutable: its content can be neither changed nor deleted.
CREATE FUNCTION refuse_change_to_published() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v uuid;
BEGIN
    IF TG_TABLE_NAME = 'question_options' THEN
        SELECT q.version_id INTO v FROM questions q WHERE q.id = coalesce(NEW.question_id, OLD.question_id);
    ELSE
        v := coalesce(NEW.version_id, OLD.version_id);
    END IF;
    IF EXISTS (SELECT 1 FROM questionnaire_versions WHERE id = v AND status = 'published') THEN
        RAISE EXCEPTION 'questionnaire version % is published and cannot change', v
            USING ERRCODE = 'check_violation', CONSTRAINT = 'published_version_immutable';
    END IF;
    RETURN coalesce(NEW, OLD);
END $$;

CREATE TRIGGER skills_immutable BEFORE INSERT OR UPDATE OR DELETE ON skills
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_published();
CREATE TRIGGER questions_immutable BEFORE INSERT OR UPDATE OR DELETE ON questions
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_published();
CREATE TRIGGER question_options_immutable BEFORE INSERT OR UPDATE OR DELETE ON question_options
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_published();
CREATE TRIGGER rubric_bands_immutable BEFORE INSERT OR UPDATE OR DELETE ON rubric_bands
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_published();
CREATE TRIGGER rubric_recommendations_immutable BEFORE INSERT OR UPDATE OR DELETE ON rubric_recommendations
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_published();

CREATE FUNCTION refuse_unpublish() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' AND (NEW.status <> 'published' OR NEW.title_en <> OLD.title_en OR NEW.title_fr <> OLD.title_fr) THEN
        RAISE EXCEPTION 'questionnaire version % is published and cannot change', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'published_version_immutable';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER questionnaire_versions_immutable BEFORE UPDATE ON questionnaire_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_unpublish();
