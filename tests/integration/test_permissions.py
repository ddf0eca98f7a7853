"""Every manifest route, called with no token, an mfa token, a refresh token and each role's access token,
answers as the permission table says. Routes are read from the manifest: a new route is covered at once."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from functions.routes import MFA_PENDING, PUBLIC, ROUTES, Route
from shared.auth.permissions import Role
from shared.db import Database
from shared.manifest import Roles, TwilioSignature
from tests.integration.auth_helpers import bearer, invite_and_signup, login_tokens, mint_mfa, mint_pair, signup_first

DENIED = {401, 403}


def _path(route: Route) -> str:
    return re.sub(r"\{[a-z_]+\}", lambda _: str(uuid.uuid4()), route.path)


async def _call(api: httpx.AsyncClient, route: Route, token: str | None) -> int:
    headers = bearer(token) if token else {}
    json = {} if route.method in ("POST", "PATCH", "PUT") else None
    response = await api.request(route.method, _path(route), headers=headers, json=json)
    assert response.status_code < 500, f"{route.route_key}: {response.status_code} {response.text}"
    return response.status_code


@pytest.fixture
async def people(api: httpx.AsyncClient, db: Database) -> dict[str, str]:
    root = await signup_first(api)
    admin_token = (await login_tokens(api, root))["access_token"]
    ids = {Role.SUPER_ADMIN.value: root.id}
    for role in (Role.ANALYST, Role.ENUMERATOR, Role.FINANCE):
        ids[role.value] = (await invite_and_signup(api, admin_token, f"{role.value}@example.org", role.value)).id
    return ids


async def test_every_route_follows_the_permission_table(
    api: httpx.AsyncClient, db: Database, people: dict[str, str]
) -> None:
    problems = []
    for route in ROUTES:
        # Fresh tokens for every call: some routes (logout) end the session they are called with.
        def fresh(kind: str) -> str | None:
            if kind == "none":
                return None
            if kind == "mfa":
                return mint_mfa(db, people["analyst"])
            if kind == "refresh":
                return mint_pair(db, people["analyst"])["refresh"]
            return mint_pair(db, people[kind])["access"]

        for kind in ("none", "mfa", "refresh", *(r.value for r in Role)):
            status = await _call(api, route, fresh(kind))
            if isinstance(route.auth, TwilioSignature):
                # Tokens mean nothing to a webhook: without Twilio's signature every call is refused.
                allowed, expected_denial = False, 403
                if status != expected_denial:
                    problems.append(f"{route.route_key} with {kind}: {status}, expected 403")
                continue
            if route.auth == PUBLIC:
                allowed = True
            elif route.auth == MFA_PENDING:
                allowed = kind == "mfa"
            else:
                assert isinstance(route.auth, Roles), f"{route.key}: add its rule to this matrix"
                allowed = kind in route.auth.roles or kind == Role.SUPER_ADMIN.value
            # Not signed in as a user at all (or the wrong kind of token for the route): 401; signed in
            # without the role: 403.
            expected_denial = 401 if kind in ("none", "mfa", "refresh") or route.auth == MFA_PENDING else 403
            if allowed and status in DENIED:
                problems.append(f"{route.route_key} with {kind}: {status}, expected access")
            if not allowed and status != expected_denial:
                problems.append(f"{route.route_key} with {kind}: {status}, expected {expected_denial}")
    assert problems == []


async def test_a_body_that_is_not_utf8_is_refused_by_every_route_never_a_500(
    api: httpx.AsyncClient, db: Database, people: dict[str, str]
) -> None:
    answers = {}
    for route in ROUTES:
        if route.method not in ("POST", "PATCH", "PUT"):
            continue
        if route.auth == PUBLIC:
            token = None
        elif route.auth == MFA_PENDING:
            token = mint_mfa(db, people["analyst"])
        else:
            token = mint_pair(db, people[Role.SUPER_ADMIN.value])["access"]
        headers = (bearer(token) if token else {}) | {"Content-Type": "application/json"}
        response = await api.request(route.method, _path(route), headers=headers, content=b'{"email": "\xff\xfe"}')
        answers[route.route_key] = response.status_code
    assert answers
    webhooks = {r.route_key for r in ROUTES if isinstance(r.auth, TwilioSignature)}
    assert {key: answers.pop(key) for key in webhooks} == dict.fromkeys(webhooks, 403)  # not signed by Twilio
    assert {
        key: status for key, status in answers.items() if status >= 500 or status not in (200, 400, 401, 404, 422)
    } == {}
