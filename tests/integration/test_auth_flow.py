"""Accounts through the public HTTP interface, as a new user would go through them."""

from __future__ import annotations

import asyncio

import httpx
import pyotp
import pytest

from shared.auth import passwords
from shared.db import Database
from tests.integration.auth_helpers import (
    PASSWORD,
    bearer,
    code_at,
    enable_2fa,
    invite_and_signup,
    login_tokens,
    signup_first,
)


async def _audit_actions(db: Database) -> list[tuple[str, str]]:
    with db.transaction(read_only=True) as conn:
        return [(r["action"], r["outcome"]) for r in conn.execute("SELECT action, outcome FROM audit_log ORDER BY id")]


async def test_first_signup_is_super_admin_then_signup_needs_an_invitation(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    assert root.role == "super-admin"
    again = await api.post("/api/v1/auth/signup", json={"email": "eve@example.org", "password": PASSWORD})
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "forbidden"


async def test_concurrent_first_signups_make_exactly_one_super_admin(api: httpx.AsyncClient, db: Database) -> None:
    responses = await asyncio.gather(
        *(api.post("/api/v1/auth/signup", json={"email": f"u{i}@example.org", "password": PASSWORD}) for i in range(6))
    )
    assert sorted(r.status_code for r in responses) == [201] + [403] * 5
    with db.transaction(read_only=True) as conn:
        assert conn.execute("SELECT count(*) AS n FROM users").fetchone()["n"] == 1


async def test_weak_passwords_and_bad_emails_are_422_with_the_field(api: httpx.AsyncClient) -> None:
    weak = await api.post("/api/v1/auth/signup", json={"email": "a@example.org", "password": "q1w2e3r4t5y6"})
    assert weak.status_code == 422
    assert [d["path"] for d in weak.json()["error"]["details"]] == ["body.password"]
    bad = await api.post("/api/v1/auth/signup", json={"email": "not-an-email", "password": PASSWORD})
    assert bad.status_code == 422
    assert [d["path"] for d in bad.json()["error"]["details"]] == ["body.email"]


async def test_the_whole_2fa_journey(api: httpx.AsyncClient, db: Database) -> None:
    root = await signup_first(api)
    tokens = await login_tokens(api, root)
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert tokens["token_type"] == "bearer"
    assert 0 < tokens["expires_in"] <= 900

    setup = await api.post("/api/v1/auth/2fa/setup", headers=bearer(tokens["access_token"]))
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["qr"].startswith("data:image/png;base64,")
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    root.totp_secret = body["secret"]
    # Not active until enabled: login still answers tokens.
    assert "access_token" in await login_tokens(api, root)
    enable = await api.post(
        "/api/v1/auth/2fa/enable", json={"code": code_at(root, 0)}, headers=bearer(tokens["access_token"])
    )
    assert enable.status_code == 200
    recovery = enable.json()["recovery_codes"]
    assert len(recovery) == 10
    assert len(set(recovery)) == 10

    assert (await api.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))).status_code == 204
    assert (await api.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))).status_code == 401

    login = await login_tokens(api, root)
    assert set(login) == {"mfa_required", "mfa_token"}
    assert login["mfa_required"] is True
    mfa_token = login["mfa_token"]
    assert (await api.get("/api/v1/auth/me", headers=bearer(mfa_token))).status_code == 401

    fresh = code_at(root, 1)
    verified = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": mfa_token, "code": fresh})
    assert verified.status_code == 200, verified.text
    assert (await api.get("/api/v1/auth/me", headers=bearer(verified.json()["access_token"]))).json()[
        "two_factor_enabled"
    ]
    # The same code again, with the same token or on a new sign-in attempt: refused.
    replay = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": mfa_token, "code": fresh})
    assert replay.status_code == 401
    second = (await login_tokens(api, root))["mfa_token"]
    replay = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": second, "code": fresh})
    assert replay.status_code == 401

    # A recovery code works once.
    used = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": second, "recovery_code": recovery[0]})
    assert used.status_code == 200
    third = (await login_tokens(api, root))["mfa_token"]
    reused = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": third, "recovery_code": recovery[0]})
    assert reused.status_code == 401
    # The first sign-in attempt's token still finishes a sign-in with a new second factor, until it expires.
    another = await api.post(
        "/api/v1/auth/2fa/verify-login", json={"mfa_token": mfa_token, "recovery_code": recovery[1]}
    )
    assert another.status_code == 200

    actions = await _audit_actions(db)
    assert ("auth.2fa_enable", "success") in actions
    assert ("auth.login", "failure") in actions


async def test_five_wrong_codes_kill_the_mfa_token(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    tokens = await login_tokens(api, root)
    await enable_2fa(api, root, tokens["access_token"])
    mfa_token = (await login_tokens(api, root))["mfa_token"]
    wrong = f"{(int(code_at(root, 0)) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": mfa_token, "code": wrong})
        assert response.status_code == 401
    right = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": mfa_token, "code": code_at(root, 1)})
    assert right.status_code == 401


async def test_twenty_simultaneous_uses_of_one_code_let_exactly_one_in(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    tokens = await login_tokens(api, root)
    await enable_2fa(api, root, tokens["access_token"])
    mfa_tokens = [(await login_tokens(api, root))["mfa_token"] for _ in range(20)]
    code = code_at(root, 1)
    responses = await asyncio.gather(
        *(api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": t, "code": code}) for t in mfa_tokens)
    )
    # The first one in uses the code up; each reuse after it is a wrong code, and counted as one.
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [401] * 5 + [429] * 14


async def test_second_factor_guesses_are_counted_per_user_across_sign_in_attempts(
    api: httpx.AsyncClient, db: Database
) -> None:
    root = await signup_first(api)
    await enable_2fa(api, root, (await login_tokens(api, root))["access_token"])
    wrong = f"{(int(code_at(root, 0)) + 1) % 1_000_000:06d}"
    statuses = []
    for _ in range(3):  # a correct password issues a new mfa token each time; two guesses with each
        mfa_token = (await login_tokens(api, root))["mfa_token"]
        for _ in range(2):
            response = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": mfa_token, "code": wrong})
            statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429]
    assert int(response.headers["retry-after"]) > 0
    # A fresh token does not help, not even with the right code, until the delay has passed.
    mfa_token = (await login_tokens(api, root))["mfa_token"]
    right = await api.post("/api/v1/auth/2fa/verify-login", json={"mfa_token": mfa_token, "code": code_at(root, 1)})
    assert right.status_code == 429
    with db.transaction(read_only=True) as conn:
        alerts = conn.execute(
            "SELECT target_id FROM audit_log WHERE action = 'security.second_factor_guessing'"
        ).fetchall()
    assert alerts
    assert {a["target_id"] for a in alerts} == {root.id}


async def test_concurrent_wrong_passwords_are_each_counted(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    responses = await asyncio.gather(
        *(
            api.post("/api/v1/auth/login", json={"email": root.email, "password": "wrong password 123"})
            for _ in range(20)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * 5 + [429] * 15


async def test_signup_checks_the_invitation_before_hashing_and_throttles_refusals_per_client(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await signup_first(api)
    hashed = []
    monkeypatch.setattr(passwords, "hash_password", lambda password: hashed.append(password) or "unused")
    statuses = []
    for i in range(12):
        body = {"email": f"eve{i}@example.org", "password": PASSWORD, "invitation_token": f"guess-{i}"}
        response = await api.post("/api/v1/auth/signup", json=body)
        statuses.append(response.status_code)
    assert hashed == []
    assert statuses == [403] * 10 + [429] * 2
    assert int(response.headers["retry-after"]) > 0


async def test_failed_passwords_are_throttled_with_retry_after(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    statuses = []
    for _ in range(20):
        response = await api.post("/api/v1/auth/login", json={"email": root.email, "password": "wrong password 123"})
        statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["error"]["code"] == "too_many_requests"
    # Still throttled for the right password too, until the delay passes.
    assert (await api.post("/api/v1/auth/login", json={"email": root.email, "password": PASSWORD})).status_code == 429


async def test_unknown_email_and_wrong_password_answer_alike(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    unknown = await api.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": PASSWORD})
    wrong = await api.post("/api/v1/auth/login", json={"email": root.email, "password": "wrong password 123"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


async def test_a_replayed_refresh_token_revokes_its_family(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    first = await login_tokens(api, root)
    rotated = await api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.json()
    replay = await api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    # The whole family is gone: the newer refresh token and its access token too.
    assert (await api.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})).status_code == 401
    assert (await api.get("/api/v1/auth/me", headers=bearer(second["access_token"]))).status_code == 401
    # Another login is another family and still works.
    assert (
        await api.get("/api/v1/auth/me", headers=bearer((await login_tokens(api, root))["access_token"]))
    ).status_code == 200


async def test_role_changes_and_disabling_take_effect_on_the_next_request(api: httpx.AsyncClient, db: Database) -> None:
    root = await signup_first(api)
    admin = (await login_tokens(api, root))["access_token"]
    analyst = await invite_and_signup(api, admin, "ana@example.org", "analyst")
    token = (await login_tokens(api, analyst))["access_token"]
    assert (await api.get("/api/v1/users", headers=bearer(token))).status_code == 403

    promoted = await api.patch(f"/api/v1/users/{analyst.id}", json={"role": "super-admin"}, headers=bearer(admin))
    assert promoted.status_code == 200
    assert (await api.get("/api/v1/users", headers=bearer(token))).status_code == 200

    disabled = await api.patch(f"/api/v1/users/{analyst.id}", json={"disabled": True}, headers=bearer(admin))
    assert disabled.json()["disabled"] is True
    assert (await api.get("/api/v1/auth/me", headers=bearer(token))).status_code == 401

    # The last active super-admin cannot disable themselves.
    last = await api.patch(f"/api/v1/users/{root.id}", json={"disabled": True}, headers=bearer(admin))
    assert last.status_code == 409

    audit = await api.get("/api/v1/audit", params={"action": "user.update"}, headers=bearer(admin))
    details = [item["details"] for item in audit.json()["items"]]
    assert {"role": {"from": "analyst", "to": "super-admin"}} in details
    assert {"disabled": True} in details


async def test_invitations_are_single_use_and_bound_to_their_email(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    admin = (await login_tokens(api, root))["access_token"]
    invitation = (
        await api.post(
            "/api/v1/users/invitations", json={"email": "fin@example.org", "role": "finance"}, headers=bearer(admin)
        )
    ).json()
    other = await api.post(
        "/api/v1/auth/signup",
        json={"email": "mallory@example.org", "password": PASSWORD, "invitation_token": invitation["token"]},
    )
    assert other.status_code == 403
    ok = await api.post(
        "/api/v1/auth/signup",
        json={"email": "FIN@example.org", "password": PASSWORD, "invitation_token": invitation["token"]},
    )
    assert ok.status_code == 201
    assert ok.json()["role"] == "finance"
    again = await api.post(
        "/api/v1/auth/signup",
        json={"email": "fin2@example.org", "password": PASSWORD, "invitation_token": invitation["token"]},
    )
    assert again.status_code == 403


async def test_audit_is_paged_and_filtered(api: httpx.AsyncClient) -> None:
    root = await signup_first(api)
    for _ in range(3):
        await api.post("/api/v1/auth/login", json={"email": root.email, "password": "wrong password 123"})
    admin = (await login_tokens(api, root))["access_token"]
    page = await api.get("/api/v1/audit", params={"action": "auth.login", "limit": 2}, headers=bearer(admin))
    body = page.json()
    assert len(body["items"]) == 2
    assert body["next_cursor"]
    rest = await api.get(
        "/api/v1/audit",
        params={"action": "auth.login", "limit": 10, "cursor": body["next_cursor"]},
        headers=bearer(admin),
    )
    ids = [i["id"] for i in body["items"] + rest.json()["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 4
    failures = await api.get("/api/v1/audit", params={"outcome": "failure"}, headers=bearer(admin))
    assert {i["action"] for i in failures.json()["items"]} == {"auth.login"}
    assert all(i["source_ip"] == "198.51.100.7" and i["correlation_id"] for i in failures.json()["items"])


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer not-a-jwt", "Bearer eyJhbGciOiJub25lIn0.e30."])
async def test_malformed_credentials_are_401(api: httpx.AsyncClient, header: str) -> None:
    response = await api.get("/api/v1/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_codes_from_the_returned_secret_are_standard_totp() -> None:
    # The acceptance journey computes codes with pyotp from the returned secret: same algorithm here.
    secret = pyotp.random_base32(32)
    assert pyotp.TOTP(secret).verify(pyotp.TOTP(secret).now())
