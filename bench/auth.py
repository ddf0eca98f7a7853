"""Sign-in costs: login (argon2id), verify-login (TOTP), and the token check every signed-in request pays."""

from __future__ import annotations

import json
import statistics
import time
import uuid
from typing import Any

import pyotp

from bench.database import bench_database
from bench.stats import per_call_us
from local.http_events import GatewayIdentity, HttpRequest, RouteMatch, build_event
from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.auth import common, passwords, repository, sessions
from shared.runtime import current_runtime
from shared.security.tokens import MFA_TTL_S, TokenType

ROUNDS = 25
PASSWORD = "a sturdy passphrase 42"


def _post(handler: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = HttpRequest(
        "POST", path, path, "", [("content-type", "application/json")], json.dumps(body).encode(), "203.0.113.9"
    )
    event = build_event(request, RouteMatch(f"POST {path}"), GatewayIdentity())
    result = handler(event, LambdaContext(FunctionSpec("Bench", "bench")))
    assert result["statusCode"] == 200, result
    return dict(json.loads(result["body"]))


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f}"


def run() -> tuple[str, dict[str, float]]:
    import asyncio

    asyncio.set_event_loop(asyncio.new_event_loop())
    from functions import auth_2fa_verify_login, auth_login

    with bench_database() as (db, _):
        password_hash = passwords.hash_password(PASSWORD)
        users: list[tuple[Any, str]] = []
        with db.transaction() as conn:
            for i in range(ROUNDS):
                user = repository.insert_user(conn, f"u{i}@example.org", "", password_hash, "analyst")
                secret = pyotp.random_base32(32)
                repository.enable_totp(conn, user.id, current_runtime().box.seal(secret, str(user.id)))
                users.append((user, secret))
            plain = repository.insert_user(conn, "plain@example.org", "", password_hash, "analyst")

        login_s: list[float] = []
        unknown_s: list[float] = []
        wrong_s: list[float] = []
        verify_s: list[float] = []
        for i in range(ROUNDS):
            for samples, email, password in (
                (login_s, "plain@example.org", PASSWORD),
                (unknown_s, f"nobody{i}@example.org", PASSWORD),
                (wrong_s, "plain@example.org", "wrong password 123" if i % 4 else PASSWORD),
            ):
                start = time.perf_counter()
                request = HttpRequest(
                    "POST", "/api/v1/auth/login", "/api/v1/auth/login", "", [("content-type", "application/json")],
                    json.dumps({"email": email, "password": password}).encode(), f"203.0.113.{i % 200}",
                )  # fmt: skip
                event = build_event(request, RouteMatch("POST /api/v1/auth/login"), GatewayIdentity())
                auth_login.handler(event, LambdaContext(FunctionSpec("Bench", "bench")))
                samples.append(time.perf_counter() - start)
            with db.transaction() as conn:  # keep the throttle out of the measurement
                conn.execute("DELETE FROM auth_failures")

        for user, secret in users:
            mfa = current_runtime().tokens.issue(str(user.id), TokenType.MFA, MFA_TTL_S)
            with db.transaction() as conn:
                repository.insert_challenge(conn, mfa.jti, user.id, mfa.expires_at)
            start = time.perf_counter()
            _post(auth_2fa_verify_login.handler, "/api/v1/auth/2fa/verify-login",
                  {"mfa_token": mfa.token, "code": pyotp.TOTP(secret).now()})  # fmt: skip
            verify_s.append(time.perf_counter() - start)

        with db.transaction() as conn:
            pair = common.issue_pair(conn, current_runtime().tokens, plain.id)
        allowed = frozenset({"analyst"})
        jwt_us = per_call_us(lambda: current_runtime().tokens.verify(pair.access_token, TokenType.ACCESS), 5000)
        check_us = per_call_us(lambda: sessions.authenticate(current_runtime(), pair.access_token, allowed), 2000)
        select_us = per_call_us(lambda: _select_one(db), 2000)
        _ = uuid

    unknown_ratio = statistics.median(unknown_s) / statistics.median(wrong_s)
    lines = [
        "## Sign-in",
        "",
        f"Through the Lambda handlers against a real PostgreSQL, {ROUNDS} rounds each, medians. Password hashing:"
        f" {passwords.hasher_parameters()} (argon2-cffi defaults, RFC 9106 low-memory profile).",
        "",
        "| what | p50 |",
        "|---|---:|",
        f"| `POST /api/v1/auth/login`, right password, no 2FA | {_ms(login_s)} ms |",
        f"| `POST /api/v1/auth/login`, unknown email | {_ms(unknown_s)} ms |",
        f"| `POST /api/v1/auth/login`, known email (mostly wrong password) | {_ms(wrong_s)} ms |",
        f"| `POST /api/v1/auth/2fa/verify-login` with a TOTP code | {_ms(verify_s)} ms |",
        "",
        f"Unknown email against known email: {unknown_ratio:.2f}x the time (1.00x would be indistinguishable).",
        "",
        "Token check on every signed-in request:",
        "",
        "| what | µs per request | ratio to a bare `SELECT 1` transaction |",
        "|---|---:|---:|",
        f"| bare read-only transaction with `SELECT 1` (baseline) | {select_us:.0f} | 1.00x |",
        f"| JWT signature and claims check alone | {jwt_us:.0f} | {jwt_us / select_us:.2f}x |",
        f"| full check: JWT + current role, status and session from the database | {check_us:.0f} | "
        f"{check_us / select_us:.2f}x |",
        "",
    ]
    return "\n".join(lines), {"login_p50_ms": statistics.median(login_s) * 1000, "check_us": check_us}


def _select_one(db: Any) -> None:
    with db.transaction(read_only=True) as conn:
        conn.execute("SELECT 1").fetchone()
