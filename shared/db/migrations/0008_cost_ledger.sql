-- The cost ledger: one row per invocation of any function, priced from a versioned price table.
-- Prices are never edited: new prices are a new version with its own valid_from, and each ledger row keeps
-- the version it was priced with, so history is never rewritten; re-pricing a period is a report.

CREATE TABLE price_versions (
    version    integer PRIMARY KEY CONSTRAINT price_versions_positive CHECK (version > 0),
    valid_from timestamptz NOT NULL CONSTRAINT price_versions_valid_from_unique UNIQUE,
    note       text NOT NULL CONSTRAINT price_versions_note_length CHECK (length(note) BETWEEN 1 AND 500),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE prices (
    version    integer NOT NULL REFERENCES price_versions (version),
    region     text NOT NULL CONSTRAINT prices_region_format CHECK (region ~ '^[a-z]{2}(-[a-z]+)+-[0-9]$'),
    component  text NOT NULL CONSTRAINT prices_component_format CHECK (component ~ '^[a-z0-9-]+(\.[a-z0-9_-]+)+$'),
    unit       text NOT NULL,
    unit_price numeric(24, 12) NOT NULL CONSTRAINT prices_unit_price_nonnegative CHECK (unit_price >= 0),
    source     text NOT NULL CONSTRAINT prices_source_url CHECK (source ~ '^https://'),
    PRIMARY KEY (version, region, component)
);

CREATE FUNCTION prices_are_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'prices of a version never change: add a new price version'
        USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'prices_immutable';
END $$;
CREATE TRIGGER prices_immutable BEFORE UPDATE OR DELETE ON prices
    FOR EACH ROW EXECUTE FUNCTION prices_are_history();
CREATE TRIGGER price_versions_immutable BEFORE UPDATE OR DELETE ON price_versions
    FOR EACH ROW EXECUTE FUNCTION prices_are_history();

-- Fixed capacity a deployment pays for by the hour whatever its traffic, per profile (infra's profiles):
-- shared out over a period's requests in proportion to their database time.
CREATE TABLE shared_capacity (
    profile   text NOT NULL CONSTRAINT shared_capacity_profile CHECK (profile IN ('production', 'lean')),
    component text NOT NULL,
    quantity  numeric(12, 4) NOT NULL CONSTRAINT shared_capacity_quantity_nonnegative CHECK (quantity >= 0),
    reason    text NOT NULL,
    PRIMARY KEY (profile, component)
);

CREATE TABLE cost_requests (
    request_id      text PRIMARY KEY CONSTRAINT cost_requests_request_id_length CHECK (length(request_id) BETWEEN 1 AND 100),
    correlation_id  text,
    function_name   text NOT NULL,
    entry           text NOT NULL,
    kind            text NOT NULL CONSTRAINT cost_requests_kind CHECK (kind IN ('http', 'websocket', 'job')),
    status          integer NOT NULL,
    channel         text NOT NULL CONSTRAINT cost_requests_channel CHECK (channel IN ('web', 'whatsapp', 'websocket', 'system')),
    actor           text,
    assessment_id   uuid,
    session_key     text,
    started_at      timestamptz NOT NULL,
    duration_ms     numeric(12, 3) NOT NULL CONSTRAINT cost_requests_duration_nonnegative CHECK (duration_ms >= 0),
    billed_ms       integer NOT NULL CONSTRAINT cost_requests_billed_positive CHECK (billed_ms >= 1),
    memory_mb       integer NOT NULL CONSTRAINT cost_requests_memory CHECK (memory_mb BETWEEN 128 AND 10240),
    architecture    text NOT NULL CONSTRAINT cost_requests_architecture CHECK (architecture IN ('arm64', 'x86_64')),
    cold_start      boolean NOT NULL,
    init_ms         numeric(12, 3),
    max_memory_mb   integer,
    db_ms           numeric(12, 3) NOT NULL CONSTRAINT cost_requests_db_nonnegative CHECK (db_ms >= 0),
    db_statements   integer NOT NULL,
    usage           jsonb NOT NULL,
    region          text NOT NULL,
    price_version   integer NOT NULL REFERENCES price_versions (version),
    items           jsonb NOT NULL,
    lambda_usd      numeric(20, 12) NOT NULL,
    gateway_usd     numeric(20, 12) NOT NULL,
    s3_usd          numeric(20, 12) NOT NULL,
    twilio_usd      numeric(20, 12) NOT NULL,
    twilio_actual_usd numeric(20, 12),
    direct_usd      numeric(20, 12) NOT NULL,
    reconciled_at   timestamptz,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cost_requests_started_idx ON cost_requests (started_at DESC, request_id DESC);
CREATE INDEX cost_requests_correlation_idx ON cost_requests (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX cost_requests_assessment_idx ON cost_requests (assessment_id) WHERE assessment_id IS NOT NULL;
CREATE INDEX cost_requests_session_idx ON cost_requests (session_key) WHERE session_key IS NOT NULL;

-- Version 1: us-east-1 list prices as published in 2025-2026 (the sources say where each was read).
INSERT INTO price_versions (version, valid_from, note)
VALUES (1, '2025-01-01T00:00:00Z', 'us-east-1 list prices, 2025-2026: Lambda, API Gateway, S3, Aurora Serverless v2, RDS Proxy, VPC, Secrets Manager, Twilio WhatsApp');

INSERT INTO prices (version, region, component, unit, unit_price, source) VALUES
    (1, 'us-east-1', 'lambda.request',             'request',           0.0000002,    'https://aws.amazon.com/lambda/pricing/'),
    (1, 'us-east-1', 'lambda.gb-second.arm64',     'GB-second',         0.0000133334, 'https://aws.amazon.com/lambda/pricing/'),
    (1, 'us-east-1', 'lambda.gb-second.x86_64',    'GB-second',         0.0000166667, 'https://aws.amazon.com/lambda/pricing/'),
    (1, 'us-east-1', 'apigw.http.request',         'request (512 KB)',  0.000001,     'https://aws.amazon.com/api-gateway/pricing/'),
    (1, 'us-east-1', 'apigw.ws.message',           'message (32 KB)',   0.000001,     'https://aws.amazon.com/api-gateway/pricing/'),
    (1, 'us-east-1', 'apigw.ws.connection-minute', 'connection-minute', 0.00000025,   'https://aws.amazon.com/api-gateway/pricing/'),
    (1, 'us-east-1', 's3.request.put',             'request',           0.000005,     'https://aws.amazon.com/s3/pricing/'),
    (1, 'us-east-1', 's3.request.get',             'request',           0.0000004,    'https://aws.amazon.com/s3/pricing/'),
    (1, 'us-east-1', 'transfer.out.gb',            'GB',                0.09,         'https://aws.amazon.com/ec2/pricing/on-demand/'),
    (1, 'us-east-1', 'twilio.whatsapp.message',    'message',           0.005,        'https://www.twilio.com/whatsapp/pricing'),
    (1, 'us-east-1', 'aurora.acu-hour',            'ACU-hour',          0.12,         'https://aws.amazon.com/rds/aurora/pricing/'),
    (1, 'us-east-1', 'rds-proxy.acu-hour',         'ACU-hour',          0.015,        'https://aws.amazon.com/rds/proxy/pricing/'),
    (1, 'us-east-1', 'nat.hour',                   'hour',              0.045,        'https://aws.amazon.com/vpc/pricing/'),
    (1, 'us-east-1', 'vpc-endpoint.hour',          'hour per AZ',       0.01,         'https://aws.amazon.com/privatelink/pricing/'),
    (1, 'us-east-1', 'secrets.secret-month',       'secret-month',      0.40,         'https://aws.amazon.com/secrets-manager/pricing/');

INSERT INTO shared_capacity (profile, component, quantity, reason) VALUES
    ('production', 'aurora.acu-hour',    0.5, 'Aurora Serverless v2 minimum capacity (0.5 ACU); a proxy keeps it from pausing'),
    ('production', 'rds-proxy.acu-hour', 8,   'RDS Proxy on Serverless v2 is billed at its 8-ACU minimum'),
    ('production', 'nat.hour',           1,   'one NAT gateway for outbound calls (Twilio, the WebSocket management API)'),
    ('lean',       'aurora.acu-hour',    0,   'Aurora pauses at 0 ACU when idle; capacity while active is not metered here'),
    ('lean',       'vpc-endpoint.hour',  1,   'one interface endpoint in one zone (Secrets Manager) instead of a NAT gateway');
