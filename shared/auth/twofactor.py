"""Managing one's second factor: set up a TOTP secret, enable it with a code (recovery codes shown once),
disable it with the password and a code.
"""

from __future__ import annotations

import time
from typing import Any

from psycopg import Connection

from shared.audit import repository as audit
from shared.audit.models import AuditEntry
from shared.auth import passwords, repository, throttle, totp
from shared.auth.common import (
    RECOVERY_CODES,
    Failure,
    alert_if_guessed,
    field_error,
    finish,
    new_recovery_code,
    normalize_recovery,
)
from shared.auth.models import (
    RecoveryCodes,
    TwoFactorSetup,
)
from shared.auth.principal import Principal
from shared.errors import Conflict, Forbidden, Unauthorized
from shared.request_context import RequestContext
from shared.runtime import Runtime


def _locked_self(conn: Connection[Any], principal: Principal) -> repository.UserRow:
    """The caller's own row, locked for the change at hand. Raises Unauthorized if the account is gone."""
    user = repository.user_by_id(conn, principal.id, for_update=True)
    if user is None:
        raise Unauthorized()
    return user


def setup_2fa(rt: Runtime, principal: Principal, ctx: RequestContext) -> TwoFactorSetup:
    """A new secret, not active until enable. Raises Conflict when 2FA is already on."""
    secret = totp.new_secret()

    def work(conn: Connection[Any]) -> None:
        user = _locked_self(conn, principal)
        if user.totp_enabled_at is not None:
            raise Conflict("Two-factor authentication is already on; disable it first.")
        repository.set_pending_totp(conn, user.id, rt.box.seal(secret, str(user.id)))
        audit.record(conn, AuditEntry(action="auth.2fa_setup", actor_id=user.id, actor_email=user.email), ctx)

    rt.db.run_in_transaction(work)
    uri = totp.provisioning_uri(secret, principal.email)
    return TwoFactorSetup(secret=secret, otpauth_uri=uri, qr=totp.qr_data_uri(uri))


def enable_2fa(rt: Runtime, principal: Principal, code: str, ctx: RequestContext) -> RecoveryCodes:
    """Activate the pending secret with a current code; returns ten recovery codes (stored hashed).

    Raises Conflict (no setup, or already on), ValidationFailed (wrong code)."""
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    now = time.time()

    def work(conn: Connection[Any]) -> RecoveryCodes:
        user = _locked_self(conn, principal)
        if user.totp_enabled_at is not None:
            raise Conflict("Two-factor authentication is already on.")
        if user.totp_pending is None:
            raise Conflict("Call POST /api/v1/auth/2fa/setup first.")
        secret = rt.box.open(user.totp_pending, str(user.id))
        step = totp.matching_step(secret, code, now)
        if step is None or not repository.advance_totp_step(conn, user.id, step):
            raise field_error(["body", "code"], "The code is wrong or was already used.", "invalid_code")
        repository.enable_totp(conn, user.id, user.totp_pending)
        repository.replace_recovery_codes(conn, user.id, [normalize_recovery(c) for c in codes])
        audit.record(conn, AuditEntry(action="auth.2fa_enable", actor_id=user.id, actor_email=user.email), ctx)
        return RecoveryCodes(recovery_codes=codes)

    return rt.db.run_in_transaction(work)


def disable_2fa(rt: Runtime, principal: Principal, password: str, code: str, ctx: RequestContext) -> None:
    """Turn 2FA off with the password and a current (or recovery) code.

    Raises TooManyRequests while throttled, Forbidden for a wrong password or code, Conflict when off."""
    limit = throttle.second_factor_key(principal.id)
    with rt.db.transaction() as conn:
        reserved = throttle.reserve(conn, [limit])
        user = repository.user_by_id(conn, principal.id)
    if user is None:
        raise Unauthorized()
    password_ok = passwords.verify_password(user.password_hash, password)
    now = time.time()

    def work(conn: Connection[Any]) -> Failure | None:
        locked = repository.user_by_id(conn, principal.id, for_update=True)
        if locked is None or locked.totp_secret is None:
            throttle.release(conn, reserved)
            return Failure(Conflict("Two-factor authentication is not on."))
        step = totp.matching_step(rt.box.open(locked.totp_secret, str(locked.id)), code, now)
        code_ok = (step is not None and repository.advance_totp_step(conn, locked.id, step)) or (
            step is None and repository.use_recovery_code(conn, locked.id, normalize_recovery(code))
        )
        if not (password_ok and code_ok):  # the reserved attempt stays counted
            audit.record(
                conn,
                AuditEntry(action="auth.2fa_disable", outcome="failure", actor_id=locked.id,
                           actor_email=locked.email),
                ctx,
            )  # fmt: skip
            alert_if_guessed(conn, locked, limit, ctx)
            return Failure(Forbidden("The password or the code is wrong."))
        throttle.release(conn, reserved)
        repository.disable_totp(conn, locked.id)
        audit.record(conn, AuditEntry(action="auth.2fa_disable", actor_id=locked.id, actor_email=locked.email), ctx)
        return None

    finish(rt.db.run_in_transaction(work))
