"""Accounts SQL. No decisions here: the service decides, these run one statement each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import class_row

from shared.auth.models import UserPublic
from shared.db import Database


@dataclass
class UserRow:
    id: UUID
    email: str
    full_name: str
    password_hash: str
    role: str
    disabled_at: datetime | None
    totp_secret: bytes | None
    totp_enabled_at: datetime | None
    totp_pending: bytes | None
    totp_last_step: int
    created_at: datetime

    def public(self) -> UserPublic:
        return UserPublic(
            id=self.id,
            email=self.email,
            full_name=self.full_name,
            role=self.role,  # type: ignore[arg-type]
            disabled=self.disabled_at is not None,
            two_factor_enabled=self.totp_enabled_at is not None,
            created_at=self.created_at,
        )


_USER_COLUMNS = """id, email, full_name, password_hash, role, disabled_at, totp_secret, totp_enabled_at, totp_pending,
totp_last_step, created_at"""


def user_by_email(conn: Connection[Any], email: str) -> UserRow | None:
    with conn.cursor(row_factory=class_row(UserRow)) as cur:
        return cur.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE email_normalized = lower(%s)", (email,)).fetchone()


def user_by_id(conn: Connection[Any], user_id: UUID | str, *, for_update: bool = False) -> UserRow | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=class_row(UserRow)) as cur:
        return cur.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE id = %s{lock}", (user_id,)).fetchone()


@dataclass
class PrincipalRow:
    id: UUID
    email: str
    role: str
    disabled: bool
    session_revoked: bool


PRINCIPAL = """
SELECT u.id, u.email, u.role, u.disabled_at IS NOT NULL AS disabled,
       EXISTS (SELECT 1 FROM refresh_tokens t
               WHERE t.family_id = %(family)s::uuid AND t.revoked_at IS NOT NULL) AS session_revoked
FROM users u WHERE u.id = %(id)s::uuid
"""


def principal(db: Database, user_id: str, family: str | None) -> PrincipalRow | None:
    """The caller's current role and status, and whether their session (refresh family) was revoked: one
    statement, one round trip (it runs on every signed-in request)."""
    row = db.fetch_one(PRINCIPAL, {"id": user_id, "family": family})
    return PrincipalRow(**row) if row else None


def insert_user(conn: Connection[Any], email: str, full_name: str, password_hash: str, role: str) -> UserRow:
    with conn.cursor(row_factory=class_row(UserRow)) as cur:
        row = cur.execute(
            f"INSERT INTO users (email, full_name, password_hash, role) VALUES (%s, %s, %s, %s)"
            f" RETURNING {_USER_COLUMNS}",
            (email, full_name, password_hash, role),
        ).fetchone()
    assert row is not None
    return row


def claim_bootstrap(conn: Connection[Any], user_id: UUID) -> None:
    """Raises UniqueViolation (signup_bootstrap_pkey) when the first account already exists."""
    conn.execute("INSERT INTO signup_bootstrap (user_id) VALUES (%s)", (user_id,))


def any_user(conn: Connection[Any]) -> bool:
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM users) AS present").fetchone()
    return bool(row and row["present"])


@dataclass
class InvitationRow:
    id: UUID
    email: str
    role: str
    expires_at: datetime
    accepted_at: datetime | None


def invitation_by_token_hash(conn: Connection[Any], token_hash: bytes) -> InvitationRow | None:
    with conn.cursor(row_factory=class_row(InvitationRow)) as cur:
        return cur.execute(
            "SELECT id, email, role, expires_at, accepted_at FROM invitations WHERE token_hash = %s FOR UPDATE",
            (token_hash,),
        ).fetchone()


def insert_invitation(
    conn: Connection[Any], email: str, role: str, token_hash: bytes, created_by: UUID, ttl_s: int
) -> InvitationRow:
    with conn.cursor(row_factory=class_row(InvitationRow)) as cur:
        row = cur.execute(
            "INSERT INTO invitations (email, role, token_hash, created_by, expires_at)"
            " VALUES (%s, %s, %s, %s, now() + make_interval(secs => %s))"
            " RETURNING id, email, role, expires_at, accepted_at",
            (email, role, token_hash, created_by, ttl_s),
        ).fetchone()
    assert row is not None
    return row


def accept_invitation(conn: Connection[Any], invitation_id: UUID, user_id: UUID) -> None:
    conn.execute("UPDATE invitations SET accepted_at = now(), accepted_by = %s WHERE id = %s", (user_id, invitation_id))


# -- sessions ------------------------------------------------------------------------------------------


@dataclass
class RefreshRow:
    id: UUID
    family_id: UUID
    user_id: UUID
    expires_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


def insert_refresh(conn: Connection[Any], jti: str, family: str, user_id: UUID, expires_epoch: int) -> None:
    conn.execute(
        "INSERT INTO refresh_tokens (id, family_id, user_id, expires_at) VALUES (%s, %s, %s, to_timestamp(%s))",
        (jti, family, user_id, expires_epoch),
    )


def refresh_for_update(conn: Connection[Any], jti: str) -> RefreshRow | None:
    with conn.cursor(row_factory=class_row(RefreshRow)) as cur:
        return cur.execute(
            "SELECT id, family_id, user_id, expires_at, rotated_at, revoked_at FROM refresh_tokens"
            " WHERE id = %s FOR UPDATE",
            (jti,),
        ).fetchone()


def mark_rotated(conn: Connection[Any], jti: UUID) -> None:
    conn.execute("UPDATE refresh_tokens SET rotated_at = now() WHERE id = %s", (jti,))


def revoke_family(conn: Connection[Any], family: UUID | str) -> int:
    cur = conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = %s AND revoked_at IS NULL", (family,)
    )
    return cur.rowcount


def revoke_all_sessions(conn: Connection[Any], user_id: UUID) -> int:
    cur = conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL", (user_id,)
    )
    return cur.rowcount


# -- second factor -------------------------------------------------------------------------------------


@dataclass
class ChallengeRow:
    id: UUID
    user_id: UUID
    expires_at: datetime
    failed_attempts: int
    used_at: datetime | None
    killed_at: datetime | None
    expired: bool


def insert_challenge(conn: Connection[Any], jti: str, user_id: UUID, expires_epoch: int) -> None:
    conn.execute(
        "INSERT INTO mfa_challenges (id, user_id, expires_at) VALUES (%s, %s, to_timestamp(%s))",
        (jti, user_id, expires_epoch),
    )


def challenge_for_update(conn: Connection[Any], jti: str) -> ChallengeRow | None:
    with conn.cursor(row_factory=class_row(ChallengeRow)) as cur:
        return cur.execute(
            "SELECT id, user_id, expires_at, failed_attempts, used_at, killed_at, expires_at <= now() AS expired"
            " FROM mfa_challenges WHERE id = %s FOR UPDATE",
            (jti,),
        ).fetchone()


def fail_challenge(conn: Connection[Any], jti: UUID, kill_at: int) -> int:
    row = conn.execute(
        "UPDATE mfa_challenges SET failed_attempts = failed_attempts + 1,"
        " killed_at = CASE WHEN failed_attempts + 1 >= %s THEN now() ELSE killed_at END"
        " WHERE id = %s RETURNING failed_attempts",
        (kill_at, jti),
    ).fetchone()
    return int(row["failed_attempts"]) if row else kill_at


def use_challenge(conn: Connection[Any], jti: UUID) -> None:
    """Record the latest successful use (for the audit trail; the token stays good until it expires)."""
    conn.execute("UPDATE mfa_challenges SET used_at = now() WHERE id = %s", (jti,))


def advance_totp_step(conn: Connection[Any], user_id: UUID, step: int) -> bool:
    """Record ``step`` as used; False when it (or a later one) was used already: the code is a replay.

    One conditional UPDATE, so of many requests racing with the same code exactly one wins."""
    cur = conn.execute(
        "UPDATE users SET totp_last_step = %s WHERE id = %s AND totp_last_step < %s", (step, user_id, step)
    )
    return cur.rowcount == 1


def set_pending_totp(conn: Connection[Any], user_id: UUID, sealed: bytes) -> None:
    conn.execute("UPDATE users SET totp_pending = %s, updated_at = now() WHERE id = %s", (sealed, user_id))


def enable_totp(conn: Connection[Any], user_id: UUID, sealed: bytes) -> None:
    conn.execute(
        "UPDATE users SET totp_secret = %s, totp_pending = NULL, totp_enabled_at = now(), updated_at = now()"
        " WHERE id = %s",
        (sealed, user_id),
    )


def disable_totp(conn: Connection[Any], user_id: UUID) -> None:
    conn.execute(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL, updated_at = now()"
        " WHERE id = %s",
        (user_id,),
    )
    conn.execute("DELETE FROM recovery_codes WHERE user_id = %s", (user_id,))


def replace_recovery_codes(conn: Connection[Any], user_id: UUID, hashes: list[bytes]) -> None:
    conn.execute("DELETE FROM recovery_codes WHERE user_id = %s", (user_id,))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES (%s, %s)", [(user_id, h) for h in hashes]
        )


def use_recovery_code(conn: Connection[Any], user_id: UUID, code_hash: bytes) -> bool:
    cur = conn.execute(
        "UPDATE recovery_codes SET used_at = now() WHERE user_id = %s AND code_hash = %s AND used_at IS NULL",
        (user_id, code_hash),
    )
    return cur.rowcount == 1


# -- users (super-admin) -------------------------------------------------------------------------------


def list_users(conn: Connection[Any], after_email: str | None, limit: int) -> list[UserRow]:
    with conn.cursor(row_factory=class_row(UserRow)) as cur:
        return cur.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE (%(after)s::text IS NULL OR email_normalized > %(after)s)"
            " ORDER BY email_normalized LIMIT %(limit)s",
            {"after": after_email, "limit": limit},
        ).fetchall()


def update_user(conn: Connection[Any], user_id: UUID, role: str | None, disabled: bool | None) -> None:
    conn.execute(
        """
        UPDATE users SET
            role = coalesce(%(role)s, role),
            disabled_at = CASE WHEN %(disabled)s::boolean IS NULL THEN disabled_at
                               WHEN %(disabled)s THEN coalesce(disabled_at, now()) ELSE NULL END,
            updated_at = now()
        WHERE id = %(id)s
        """,
        {"id": user_id, "role": role, "disabled": disabled},
    )


def count_active_super_admins(conn: Connection[Any]) -> int:
    row = conn.execute("SELECT count(*) AS n FROM users WHERE role = 'super-admin' AND disabled_at IS NULL").fetchone()
    return int(row["n"]) if row else 0


# -- throttling (shared/auth/throttle.py decides) -------------------------------------------------------

_RECENT_FAILURES = """
SELECT count(*) AS failures, coalesce(extract(epoch FROM clock_timestamp() - max(at)), 0) AS since_last
FROM auth_failures WHERE key = %(key)s AND at > now() - make_interval(secs => %(window)s)
"""


def recent_failures(conn: Connection[Any], key: str, window_s: int) -> tuple[int, float]:
    """Failures of a key within the window, and seconds since the last one. The clock, not now(): a lock
    waited for makes this transaction older than the failures it counts."""
    row = conn.execute(_RECENT_FAILURES, {"key": key, "window": window_s}).fetchone()
    return (int(row["failures"]), float(row["since_last"])) if row else (0, 0.0)


def lock_throttle_key(conn: Connection[Any], key: str) -> None:
    """Held to the end of the transaction: attempts on one key are counted one after the other."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%(k)s, 0))", {"k": "throttle:" + key})


def insert_failures(conn: Connection[Any], keys: list[str]) -> list[int]:
    rows = conn.execute("INSERT INTO auth_failures (key) SELECT unnest(%(keys)s::text[]) RETURNING id", {"keys": keys})
    return [row["id"] for row in rows.fetchall()]


def delete_old_failures(conn: Connection[Any], keys: list[str], older_than_s: int) -> None:
    conn.execute(
        "DELETE FROM auth_failures WHERE key = ANY(%(keys)s) AND at < now() - make_interval(secs => %(age)s)",
        {"keys": keys, "age": older_than_s},
    )


def delete_failures(conn: Connection[Any], ids: list[int]) -> None:
    conn.execute("DELETE FROM auth_failures WHERE id = ANY(%(ids)s)", {"ids": ids})


def clear_failures(conn: Connection[Any], key: str) -> None:
    conn.execute("DELETE FROM auth_failures WHERE key = %(key)s", {"key": key})
