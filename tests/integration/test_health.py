"""GET /api/v1/health through the local gateway, against a real PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import httpx

from local.postgres import Cluster
from shared.db import Database
from shared.db.migrate import discover, migrate
from shared.runtime import runtime_with


async def test_health_reports_the_database_and_latest_migration(db: Database, api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migration": discover()[-1].label}
    assert response.headers["apigw-requestid"]


async def test_health_is_503_with_a_clear_body_when_the_database_is_unreachable(
    api: httpx.AsyncClient, own_cluster: Cluster
) -> None:
    url = own_cluster.url("postgres")
    own_cluster.stop()
    with runtime_with(db=Database(lambda: url, connect_timeout_s=2)):
        response = await api.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "database_unavailable", "message": "The database is unreachable.", "details": None}
    }


async def test_health_recovers_when_the_database_comes_back(api: httpx.AsyncClient, own_cluster: Cluster) -> None:
    url = own_cluster.url("postgres")
    migrate(url)
    with runtime_with(db=Database(lambda: url, connect_timeout_s=2)):
        statuses: list[Any] = [(await api.get("/api/v1/health")).status_code]
        own_cluster.stop()
        statuses.append((await api.get("/api/v1/health")).status_code)
        own_cluster.start()
        statuses.append((await api.get("/api/v1/health")).status_code)
    assert statuses == [200, 503, 200]


async def test_openapi_documents_every_manifest_route(api: httpx.AsyncClient) -> None:
    from functions.routes import ROUTES

    document = (await api.get("/api/v1/openapi.json")).json()
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["responses"], route.route_key
    docs = await api.get("/docs")
    assert docs.status_code == 200
    assert "/api/v1/openapi.json" in docs.text


async def test_the_docs_work_offline_and_can_send_a_bearer_token(api: httpx.AsyncClient) -> None:
    from functions.routes import ROUTES
    from shared.manifest import MfaPending, Roles

    docs = await api.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", docs.text)
    assert assets
    assert [a for a in assets if "//" in a] == []  # nothing from another host
    for asset in assets:
        response = await api.get(asset)
        assert response.status_code == 200, asset
    assert (await api.get("/docs/assets/LICENSE")).status_code == 200
    document = (await api.get("/api/v1/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        takes_a_token = isinstance(route.auth, MfaPending | Roles)
        assert (operation.get("security") == [{"bearerAuth": []}]) == takes_a_token, route.route_key
