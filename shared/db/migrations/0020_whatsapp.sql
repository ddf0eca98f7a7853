-- WhatsApp through Twilio: a contact per phone (the row every message of that phone locks, its opt-out and
-- its 24-hour window), conversations (one active per phone; the state machine's state as jsonb), every message
-- in and out by its Twilio MessageSid (recorded before any side effect; the reply given, for repeated
-- deliveries; delivery status and real price), the consent ledger, and questions left to an enumerator.

CREATE TABLE whatsapp_contacts (
    phone               text PRIMARY KEY CONSTRAINT whatsapp_contacts_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    language            text NOT NULL DEFAULT 'en' CONSTRAINT whatsapp_contacts_language CHECK (language IN ('en', 'fr')),
    opted_out_at        timestamptz,
    -- WhatsApp's customer-service window: free-form messages only within 24 hours of the last inbound one.
    last_inbound_at     timestamptz,
    -- Twilio answered 63016 (outside the window) at this time: templates only until the next inbound message.
    template_only_since timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE whatsapp_conversations (
    id                  uuid PRIMARY KEY,
    phone               text NOT NULL REFERENCES whatsapp_contacts (phone),
    status              text NOT NULL CONSTRAINT whatsapp_conversations_status
                        CHECK (status IN ('active', 'completed', 'declined', 'abandoned', 'followup')),
    -- Pinned when the questionnaire begins: a version published later does not change a running conversation.
    version_id          uuid REFERENCES questionnaire_versions (id),
    state               jsonb NOT NULL CONSTRAINT whatsapp_conversations_state_object CHECK (jsonb_typeof(state) = 'object'),
    -- Where the respondent is and how far they got: the dashboard's drop-off funnel reads these.
    current_question_id uuid REFERENCES questions (id),
    answered            integer NOT NULL DEFAULT 0 CONSTRAINT whatsapp_conversations_answered CHECK (answered >= 0),
    invited_by          uuid REFERENCES users (id),
    -- The respondent an invitation was for (whoever entered them); otherwise the channel's own respondent of
    -- this phone is found or created when the questionnaire is completed.
    respondent_id       uuid REFERENCES respondents (id),
    assessment_id       uuid REFERENCES assessments (id),
    started_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    ended_at            timestamptz,
    CONSTRAINT whatsapp_conversations_ended CHECK ((status = 'active') = (ended_at IS NULL)),
    CONSTRAINT whatsapp_conversations_completed CHECK ((status = 'completed') = (assessment_id IS NOT NULL))
);
CREATE UNIQUE INDEX whatsapp_conversations_one_active ON whatsapp_conversations (phone) WHERE status = 'active';
CREATE INDEX whatsapp_conversations_phone_idx ON whatsapp_conversations (phone, started_at DESC);
CREATE INDEX whatsapp_conversations_idle_idx ON whatsapp_conversations (updated_at) WHERE status = 'active';
CREATE INDEX whatsapp_conversations_version_idx ON whatsapp_conversations (version_id, status);

CREATE TABLE whatsapp_messages (
    sid             text PRIMARY KEY CONSTRAINT whatsapp_messages_sid_format CHECK (sid ~ '^[A-Za-z0-9_-]{2,64}$'),
    direction       text NOT NULL CONSTRAINT whatsapp_messages_direction CHECK (direction IN ('in', 'out')),
    phone           text NOT NULL CONSTRAINT whatsapp_messages_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    conversation_id uuid REFERENCES whatsapp_conversations (id),
    kind            text NOT NULL CONSTRAINT whatsapp_messages_kind CHECK (kind IN ('message', 'reply', 'invitation', 'reminder')),
    template        boolean NOT NULL DEFAULT false,
    -- The invocation that received or sent it (cost_requests.request_id): its real price is added there.
    request_id      text,
    -- Inbound: the replies given, answered again to a repeated delivery of the same MessageSid.
    reply           jsonb,
    status          text CONSTRAINT whatsapp_messages_status CHECK (status IN (
                        'received', 'accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'read',
                        'failed', 'undelivered', 'canceled')),
    error_code      integer,
    price_usd       numeric(20, 12) CONSTRAINT whatsapp_messages_price_nonnegative CHECK (price_usd >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX whatsapp_messages_request_idx ON whatsapp_messages (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX whatsapp_messages_conversation_idx ON whatsapp_messages (conversation_id, created_at);

-- Consent given or declined, opting out and back in: appended, never changed.
CREATE TABLE consent_ledger (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         text NOT NULL CONSTRAINT consent_ledger_channel CHECK (channel IN ('whatsapp')),
    phone           text NOT NULL CONSTRAINT consent_ledger_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    conversation_id uuid REFERENCES whatsapp_conversations (id),
    event           text NOT NULL CONSTRAINT consent_ledger_event
                    CHECK (event IN ('consent_given', 'consent_declined', 'opted_out', 'opted_in')),
    source          text NOT NULL CONSTRAINT consent_ledger_source CHECK (source IN ('respondent', 'twilio')),
    message_sid     text,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_ledger_phone_idx ON consent_ledger (phone, recorded_at);

CREATE FUNCTION consent_ledger_is_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the consent ledger is append-only'
        USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'consent_ledger_append_only';
END $$;
CREATE TRIGGER consent_ledger_append_only BEFORE UPDATE OR DELETE ON consent_ledger
    FOR EACH ROW EXECUTE FUNCTION consent_ledger_is_history();

-- A required question the respondent could not answer on WhatsApp: an enumerator follows up.
CREATE TABLE whatsapp_followups (
    conversation_id uuid NOT NULL REFERENCES whatsapp_conversations (id),
    question_id     uuid NOT NULL REFERENCES questions (id),
    reason          text NOT NULL CONSTRAINT whatsapp_followups_reason_length CHECK (length(reason) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    PRIMARY KEY (conversation_id, question_id)
);

-- Twilio reports a message's real price later, in a status callback (whatsapp_messages.price_usd), and the ledger
-- row of the request that sent it is stored off that request's path (in AWS from its log line): whichever comes
-- second completes cost_requests.twilio_actual_usd. The callback updates a row already stored; a row stored
-- after the callback takes the prices already known here.
CREATE FUNCTION cost_requests_known_twilio_prices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.twilio_actual_usd := coalesce(NEW.twilio_actual_usd, (
        SELECT sum(price_usd) FROM whatsapp_messages WHERE request_id = NEW.request_id AND price_usd IS NOT NULL));
    RETURN NEW;
END $$;
CREATE TRIGGER cost_requests_known_twilio_prices BEFORE INSERT ON cost_requests
    FOR EACH ROW WHEN (NEW.usage ? 'twilio.whatsapp.message') EXECUTE FUNCTION cost_requests_known_twilio_prices();

-- The drop-off funnel's WhatsApp input: for each conversation that ended without an assessment (closed as
-- abandoned by the idle job, or left to an enumerator), every question it reached and whether it was answered:
-- its answers, the optional questions it skipped, the required ones left to an enumerator, the one it stopped at.
CREATE VIEW whatsapp_dropoff AS
SELECT c.id AS conversation_id, c.version_id, c.status, c.ended_at, r.question_id, bool_or(r.answered) AS answered
FROM whatsapp_conversations c
CROSS JOIN LATERAL (
    SELECT key::uuid AS question_id, true AS answered FROM jsonb_object_keys(c.state -> 'answers') AS key
    UNION ALL
    SELECT value::uuid, false FROM jsonb_array_elements_text(c.state -> 'skipped') AS value
    UNION ALL
    SELECT value::uuid, false FROM jsonb_array_elements_text(c.state -> 'followups') AS value
    UNION ALL
    SELECT c.current_question_id, false WHERE c.current_question_id IS NOT NULL
) r
WHERE c.status IN ('abandoned', 'followup')
GROUP BY c.id, c.version_id, c.status, c.ended_at, r.question_id;
