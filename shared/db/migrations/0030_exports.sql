-- Exports: xlsx workbooks a worker makes and keeps in S3 (one private object per export, removed by the
-- bucket's lifecycle after 30 days), the share links that hand them to people without an account, and the
-- per-client request windows that rate-limit the public download route.

CREATE TABLE exports (
    id          uuid PRIMARY KEY,
    owner_id    uuid NOT NULL REFERENCES users (id),
    kind        text NOT NULL CONSTRAINT exports_kind CHECK (kind IN ('assessments', 'answers', 'costs')),
    filters     jsonb NOT NULL DEFAULT '{}' CONSTRAINT exports_filters_object CHECK (jsonb_typeof(filters) = 'object'),
    status      text NOT NULL DEFAULT 'pending'
                CONSTRAINT exports_status CHECK (status IN ('pending', 'running', 'ready', 'failed')),
    filename    text NOT NULL CONSTRAINT exports_filename_safe CHECK (filename ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$'),
    object_key  text CONSTRAINT exports_object_key_unique UNIQUE,
    rows        bigint CONSTRAINT exports_rows_nonnegative CHECK (rows >= 0),
    rows_total  bigint CONSTRAINT exports_rows_total_nonnegative CHECK (rows_total >= 0),
    bytes       bigint CONSTRAINT exports_bytes_nonnegative CHECK (bytes >= 0),
    sha256      text CONSTRAINT exports_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    error       text CONSTRAINT exports_error_length CHECK (length(error) <= 500),
    attempts    integer NOT NULL DEFAULT 0 CONSTRAINT exports_attempts_nonnegative CHECK (attempts >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    -- When the function making it is stopped by Lambda at the latest: a row still running then has failed.
    deadline_at timestamptz,
    finished_at timestamptz,
    -- When the bucket's lifecycle may remove the file: the export shows as expired from then on.
    expires_at  timestamptz,
    CONSTRAINT exports_running_has_deadline CHECK (status <> 'running' OR (started_at IS NOT NULL AND deadline_at IS NOT NULL)),
    CONSTRAINT exports_ready_has_file CHECK (status <> 'ready' OR (
        object_key IS NOT NULL AND rows IS NOT NULL AND bytes IS NOT NULL AND sha256 IS NOT NULL
        AND finished_at IS NOT NULL AND expires_at IS NOT NULL)),
    CONSTRAINT exports_failed_has_error CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL))
);
CREATE INDEX exports_owner_idx ON exports (owner_id, created_at DESC, id DESC);
CREATE INDEX exports_created_idx ON exports (created_at DESC, id DESC);
CREATE INDEX exports_running_idx ON exports (deadline_at) WHERE status = 'running';

-- The token itself is shown once, when the link is made; only its SHA-256 is kept (a 256-bit random token
-- needs no slow hash: there is nothing to guess).
CREATE TABLE export_links (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    export_id        uuid NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
    token_hash       bytea NOT NULL CONSTRAINT export_links_token_unique UNIQUE
                     CONSTRAINT export_links_token_hash_length CHECK (length(token_hash) = 32),
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    max_downloads    integer CONSTRAINT export_links_max_downloads_positive CHECK (max_downloads > 0),
    downloads        integer NOT NULL DEFAULT 0 CONSTRAINT export_links_downloads_nonnegative CHECK (downloads >= 0),
    last_download_at timestamptz,
    revoked_at       timestamptz,
    revoked_by       uuid REFERENCES users (id),
    CONSTRAINT export_links_within_limit CHECK (max_downloads IS NULL OR downloads <= max_downloads),
    CONSTRAINT export_links_expiry CHECK (expires_at > created_at AND expires_at <= created_at + interval '7 days'),
    CONSTRAINT export_links_revoked_by CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX export_links_export_idx ON export_links (export_id, created_at DESC);

-- Fixed one-minute windows of requests per key (e.g. "download:<client ip>"): one row per key and window,
-- counted with a single upsert; housekeeping removes old windows.
CREATE TABLE request_rates (
    key          text NOT NULL CONSTRAINT request_rates_key_length CHECK (length(key) BETWEEN 1 AND 200),
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL CONSTRAINT request_rates_hits_positive CHECK (hits > 0),
    PRIMARY KEY (key, window_start)
);
CREATE INDEX request_rates_window_idx ON request_rates (window_start);
