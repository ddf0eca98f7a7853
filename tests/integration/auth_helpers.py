"""Helpers for tests that need users: sign up, invite, log in, enable 2FA, mint tokens without hashing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp

from shared.auth import common
from shared.db import Database
from shared.runtime import current_runtime
from shared.security.tokens import MFA_TTL_S, TokenType

PASSWORD = "a sturdy passphrase 42"


@dataclass
class Account:
    id: str
    email: str
    role: str
    password: str = PASSWORD
    totp_secret: str | None = None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def signup_first(api: httpx.AsyncClient, email: str = "root@example.org") -> Account:
    response = await api.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "full_name": "Root"})
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(body["id"], email, body["role"])


async def login_tokens(api: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await api.post("/api/v1/auth/login", json={"email": account.email, "password": account.password})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def invite_and_signup(api: httpx.AsyncClient, admin_token: str, email: str, role: str) -> Account:
    invitation = await api.post(
        "/api/v1/users/invitations", json={"email": email, "role": role}, headers=bearer(admin_token)
    )
    assert invitation.status_code == 201, invitation.text
    response = await api.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "invitation_token": invitation.json()["token"]},
    )
    assert response.status_code == 201, response.text
    return Account(response.json()["id"], email, role)


async def enable_2fa(api: httpx.AsyncClient, account: Account, access_token: str) -> list[str]:
    setup = await api.post("/api/v1/auth/2fa/setup", headers=bearer(access_token))
    assert setup.status_code == 200, setup.text
    account.totp_secret = setup.json()["secret"]
    enable = await api.post("/api/v1/auth/2fa/enable", json={"code": code_at(account, 0)}, headers=bearer(access_token))
    assert enable.status_code == 200, enable.text
    return list(enable.json()["recovery_codes"])


def code_at(account: Account, steps_ahead: int) -> str:
    """The TOTP code ``steps_ahead`` steps from now (the server accepts one step of drift)."""
    assert account.totp_secret is not None
    return pyotp.TOTP(account.totp_secret).at(time.time() + 30 * steps_ahead)


def mint_pair(db: Database, user_id: str) -> dict[str, str]:
    """Access and refresh tokens for a user, straight from the service (no password hashing)."""
    with db.transaction() as conn:
        pair = common.issue_pair(conn, current_runtime().tokens, user_id)  # type: ignore[arg-type]
    return {"access": pair.access_token, "refresh": pair.refresh_token}


def mint_mfa(db: Database, user_id: str) -> str:
    issued = current_runtime().tokens.issue(user_id, TokenType.MFA, MFA_TTL_S)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO mfa_challenges (id, user_id, expires_at) VALUES (%s, %s, to_timestamp(%s))",
            (issued.jti, user_id, issued.expires_at),
        )
    return issued.token
