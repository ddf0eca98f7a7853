-- Foundation: reference data every other module points at, and the transactional outbox.

CREATE TABLE sectors (
    code       text PRIMARY KEY CONSTRAINT sectors_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    label_en   text NOT NULL CONSTRAINT sectors_label_en_present CHECK (length(btrim(label_en)) > 0),
    label_fr   text NOT NULL CONSTRAINT sectors_label_fr_present CHECK (length(btrim(label_fr)) > 0),
    sort_order integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every state change others must hear about writes a row here in the same transaction. A relay claims
-- undispatched rows with FOR UPDATE SKIP LOCKED and delivers them at least once; consumers dedupe by id.
CREATE TABLE outbox (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type     text NOT NULL CONSTRAINT outbox_event_type_format CHECK (event_type ~ '^[a-z_]+(\.[a-z_]+)+$'),
    aggregate_id   text NOT NULL,
    payload        jsonb NOT NULL,
    correlation_id text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    attempts       integer NOT NULL DEFAULT 0 CONSTRAINT outbox_attempts_nonnegative CHECK (attempts >= 0),
    last_error     text,
    dispatched_at  timestamptz
);

CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE dispatched_at IS NULL;
