"""The local gateway serves the built SPA as CloudFront would: files, deep links, cache headers, config.json;
the API and the docs stay the gateway's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from local.gateway import Gateway, create_gateway_app
from local.lambda_runtime import LocalLambda
from local.spa import spa_routes


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><div id=root></div>")
    (root / "assets" / "index-abc123.js").write_text("console.log(1)")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (root / "manifest.webmanifest").write_text("{}")
    (tmp_path / "secret.txt").write_text("not for the web")
    return root


@pytest.fixture
async def client(dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    runtime = LocalLambda(environments=1)
    app = create_gateway_app(Gateway([], runtime), extra_routes=spa_routes(dist))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8123") as c:
        yield c
    runtime.shutdown()


@pytest.mark.parametrize("path", ["/", "/dashboard", "/assessments/8d1c0e1e-0000-4000-8000-000000000001"])
async def test_every_spa_path_gets_index_html_revalidated(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "<div id=root>" in response.text


async def test_hashed_assets_are_immutable_with_their_content_type(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_service_worker_and_manifest_are_revalidated(client: httpx.AsyncClient) -> None:
    worker = await client.get("/sw.js")
    manifest = await client.get("/manifest.webmanifest")
    assert (worker.headers["cache-control"], manifest.headers["cache-control"]) == ("no-cache", "no-cache")
    assert manifest.headers["content-type"].startswith("application/manifest+json")


async def test_a_missing_asset_is_404_not_html(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/index-gone.js")
    assert response.status_code == 404
    assert "html" not in response.headers["content-type"]


async def test_nothing_outside_the_build_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/..%2fsecret.txt")
    assert "not for the web" not in response.text


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api"])
async def test_api_paths_stay_with_the_gateway(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


async def test_docs_stay_with_the_gateway(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


async def test_config_names_the_api_and_websocket_of_the_same_origin(client: httpx.AsyncClient) -> None:
    response = await client.get("/config.json")
    assert response.headers["cache-control"] == "no-cache"
    assert response.json() == {
        "apiBase": "",
        "wsUrl": "ws://127.0.0.1:8123/api/v1/ws/dashboard",
        "environment": "local",
        "simulatorUrl": None,
    }


async def test_an_unbuilt_spa_says_how_to_build_it(tmp_path: Path) -> None:
    runtime = LocalLambda(environments=1)
    app = create_gateway_app(Gateway([], runtime), extra_routes=spa_routes(tmp_path / "missing"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        response = await c.get("/dashboard")
    runtime.shutdown()
    assert response.status_code == 503
    assert "make dev" in response.text
