"""The manifest is the single truth: every entry has a typed auth rule, a function module, what it needs, and
each HTTP module serves exactly its route."""

from __future__ import annotations

import importlib

import pytest
from fastapi.routing import APIRoute

from functions.routes import ENTRIES, JOBS, ROLES, ROUTES, entry
from shared.manifest import (
    AuthRule,
    HttpRoute,
    Internal,
    Job,
    MfaPending,
    Need,
    Public,
    Roles,
    Schedule,
    WebSocketConnection,
    WebSocketRoute,
    WebSocketTicket,
)


def test_keys_and_function_names_are_unique() -> None:
    assert len({e.key for e in ENTRIES}) == len(ENTRIES)
    assert len({e.function_id for e in ENTRIES}) == len(ENTRIES)
    assert len({e.module for e in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("item", ENTRIES, ids=lambda e: e.key)
def test_every_entry_names_a_typed_auth_rule_and_its_needs(item: HttpRoute | WebSocketRoute | Job) -> None:
    assert isinstance(item.auth, AuthRule)
    if isinstance(item.auth, Roles):
        assert item.auth.roles <= ROLES
        # Checking a token takes the JWT key and the caller's row, whether the entry says so or not.
        assert {Need.JWT_KEYS, Need.DATABASE} <= item.all_needs
    assert entry(item.module) is item


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_every_route_module_serves_exactly_its_route(route: HttpRoute) -> None:
    module = importlib.import_module(route.module)
    assert callable(module.handler)
    served = [(m, r.path) for r in module.router.routes if isinstance(r, APIRoute) for m in r.methods]
    assert served == [(route.method, route.path)]


@pytest.mark.parametrize("job", JOBS, ids=lambda j: j.name)
def test_every_job_module_has_a_handler(job: Job) -> None:
    assert callable(importlib.import_module(job.module).handler)


def test_only_second_factor_routes_may_read_the_totp_key() -> None:
    readers = {r.key for r in ROUTES if Need.TOTP_KEY in r.all_needs}
    assert readers == {f"POST /api/v1/auth/2fa/{step}" for step in ("setup", "enable", "verify-login", "disable")}


def test_health_needs_only_the_database() -> None:
    assert entry("functions.health").all_needs == {Need.DATABASE}


def test_a_rule_prints_as_the_old_rule_language_did() -> None:
    assert str(Roles(frozenset({"analyst", "super-admin"}))) == "roles:analyst,super-admin"
    assert (str(Public()), str(MfaPending())) == ("public", "mfa-pending")


@pytest.mark.parametrize(
    "build",
    [
        lambda: HttpRoute("GET", "/api/v1/x", "functions.x", ""),  # type: ignore[arg-type]
        lambda: HttpRoute("GET", "/api/v1/x", "functions.x", "roles:admin"),  # type: ignore[arg-type]
        lambda: HttpRoute("FETCH", "/api/v1/x", "functions.x", Public()),
        lambda: HttpRoute("GET", "/x", "functions.x", Public()),
        lambda: HttpRoute("GET", "/api/v1/x", "functions.x", Public(), timeout_s=60),
        lambda: HttpRoute("GET", "/api/v1/x", "functions.x", Public(), needs={"database"}),  # type: ignore[arg-type]
        lambda: HttpRoute("GET", "/api/v1/x", "functions.x", WebSocketTicket()),
        lambda: HttpRoute("GET", "/api/v1/x", "functions.x", Internal()),
        lambda: Roles(frozenset()),
        lambda: WebSocketRoute("$join", "functions.x", WebSocketConnection()),
        lambda: WebSocketRoute("$default", "functions.x", Public()),
        lambda: Job("Bad Name", "functions.x", (Schedule("rate(1 hour)"),)),
        lambda: Job("nightly", "functions.x", ()),
        lambda: Job("nightly", "functions.x", (Schedule("cron(0 1 * * ? *)"),)),
    ],
)
def test_an_entry_without_a_valid_rule_or_shape_is_refused(build: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the messages are checked by reading them
        build()  # type: ignore[operator]


def test_only_the_whatsapp_functions_may_read_the_twilio_secret() -> None:
    readers = {e.key for e in ENTRIES if Need.TWILIO in e.all_needs}
    assert readers == {
        "POST /api/v1/webhooks/twilio/whatsapp",
        "POST /api/v1/webhooks/twilio/status",
        "POST /api/v1/respondents/{respondent_id}/invite",
    }
