-- The outbox relay and the WebSocket API.
--
-- An outbox event is pending until the relay has delivered it (dispatched_at) or has given up on it after its
-- attempts (parked_at: "failed", listed for super-admins, who may send it again). A failed delivery waits
-- until next_attempt_at before it is tried again.

ALTER TABLE outbox
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN parked_at timestamptz,
    ADD CONSTRAINT outbox_dispatched_or_parked CHECK (dispatched_at IS NULL OR parked_at IS NULL);

DROP INDEX outbox_pending_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE dispatched_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked_idx ON outbox (parked_at DESC, id) WHERE parked_at IS NOT NULL;

-- A ticket lets one WebSocket connection be opened by a signed-in user without a token in the URL: single
-- use, short-lived, stored hashed.
CREATE TABLE ws_tickets (
    token_hash bytea PRIMARY KEY CONSTRAINT ws_tickets_hash_length CHECK (length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT ws_tickets_short_lived CHECK (expires_at > created_at AND expires_at <= created_at + interval '60 seconds')
);
CREATE INDEX ws_tickets_expiry_idx ON ws_tickets (expires_at);

-- The open connections of the WebSocket API, by API Gateway's connection id, and what each subscribed to.
CREATE TABLE ws_connections (
    connection_id text PRIMARY KEY CONSTRAINT ws_connections_id_length CHECK (length(connection_id) BETWEEN 1 AND 128),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          text NOT NULL CONSTRAINT ws_connections_role_known CHECK (role IN ('super-admin', 'analyst', 'enumerator', 'finance')),
    topics        text[] NOT NULL DEFAULT '{}',
    source_ip     text,
    connected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ws_connections_user_idx ON ws_connections (user_id);

-- When each broadcast topic was last pushed: pushes are coalesced to at most one per second per topic.
CREATE TABLE ws_topics (
    topic        text PRIMARY KEY CONSTRAINT ws_topics_name CHECK (topic ~ '^[a-z][a-z_]{0,39}$'),
    last_push_at timestamptz NOT NULL
);
