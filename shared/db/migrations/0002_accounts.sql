-- Accounts, sessions (refresh-token families), second factor, throttling, invitations, audit log.

CREATE TABLE users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    email_normalized   text GENERATED ALWAYS AS (lower(email)) STORED,
    full_name          text NOT NULL DEFAULT '' CONSTRAINT users_full_name_length CHECK (length(full_name) <= 200),
    password_hash      text NOT NULL CONSTRAINT users_password_hash_argon2 CHECK (password_hash LIKE '$argon2id$%'),
    role               text NOT NULL CONSTRAINT users_role_known CHECK (role IN ('super-admin', 'analyst', 'enumerator', 'finance')),
    disabled_at        timestamptz,
    totp_secret        bytea,             -- AES-GCM ciphertext (nonce || ciphertext+tag) of the base32 secret
    totp_enabled_at    timestamptz,
    totp_pending       bytea,             -- secret from /2fa/setup, not active until /2fa/enable
    totp_last_step     bigint NOT NULL DEFAULT 0, -- highest TOTP time step used: each code is accepted once
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_enabled_totp_has_secret CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_unique ON users (email_normalized);
-- At most one super-admin may be created by the open signup: the one that finds the table empty.
CREATE TABLE signup_bootstrap (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT signup_bootstrap_single CHECK (singleton),
    user_id   uuid NOT NULL REFERENCES users (id),
    at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invitations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email       text NOT NULL,
    role        text NOT NULL CONSTRAINT invitations_role_known CHECK (role IN ('super-admin', 'analyst', 'enumerator', 'finance')),
    token_hash  bytea NOT NULL CONSTRAINT invitations_token_hash_unique UNIQUE,
    created_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id),
    CONSTRAINT invitations_accepted_consistent CHECK ((accepted_at IS NULL) = (accepted_by IS NULL))
);

-- One row per refresh token. A family is one login; rotating issues the next token of the family.
-- Presenting a token that was already rotated revokes the whole family (token theft).
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,          -- the token's jti
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- The short-lived token between password and second factor.
CREATE TABLE mfa_challenges (
    id              uuid PRIMARY KEY,      -- the mfa token's jti
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at      timestamptz NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0 CONSTRAINT mfa_challenges_failures CHECK (failed_attempts BETWEEN 0 AND 5),
    used_at         timestamptz,
    killed_at       timestamptz
);

CREATE TABLE recovery_codes (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    used_at    timestamptz,
    CONSTRAINT recovery_codes_unique UNIQUE (user_id, code_hash)
);

-- Failed attempts per throttling key ("account:<email>", "ip:<address>"), kept 24 hours.
CREATE TABLE auth_failures (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key   text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_key_at_idx ON auth_failures (key, at);

CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    action         text NOT NULL CONSTRAINT audit_log_action_format CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$'),
    outcome        text NOT NULL DEFAULT 'success' CONSTRAINT audit_log_outcome_known CHECK (outcome IN ('success', 'failure')),
    actor_id       uuid REFERENCES users (id),
    actor_email    text,
    target_type    text,
    target_id      text,
    source_ip      text,
    correlation_id text,
    details        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);
