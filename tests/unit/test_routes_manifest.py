"""The manifest is the single truth: every route has an auth rule, a function module and a matching router."""

from __future__ import annotations

import importlib

import pytest
from fastapi.routing import APIRoute

from functions.routes import JOBS, MFA_PENDING, PUBLIC, ROLES, ROUTES, Route


def test_route_keys_and_function_names_are_unique() -> None:
    assert len({r.route_key for r in ROUTES}) == len(ROUTES)
    assert len({r.function_id for r in ROUTES}) == len(ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route_key)
def test_every_route_names_an_auth_rule(route: Route) -> None:
    assert route.auth in (PUBLIC, MFA_PENDING) or (route.allowed_roles and route.allowed_roles <= ROLES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route_key)
def test_every_route_module_serves_exactly_its_route(route: Route) -> None:
    module = importlib.import_module(route.module)
    assert callable(module.handler)
    served = [(m, r.path) for r in module.router.routes if isinstance(r, APIRoute) for m in r.methods]
    assert (route.method, route.path) in served
    assert len(served) == len([r for r in ROUTES if r.module == route.module])


@pytest.mark.parametrize("job", JOBS, ids=lambda j: j.name)
def test_every_job_module_has_a_handler(job: object) -> None:
    assert callable(importlib.import_module(job.module).handler)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "GET", "path": "/api/v1/x", "module": "m", "auth": ""},
        {"method": "GET", "path": "/api/v1/x", "module": "m", "auth": "admins-only"},
        {"method": "FETCH", "path": "/api/v1/x", "module": "m", "auth": PUBLIC},
        {"method": "GET", "path": "/x", "module": "m", "auth": PUBLIC},
        {"method": "GET", "path": "/api/v1/x", "module": "m", "auth": PUBLIC, "timeout_s": 60},
    ],
)
def test_a_route_without_a_valid_rule_or_shape_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the messages are checked by reading them
        Route(**kwargs)  # type: ignore[arg-type]
