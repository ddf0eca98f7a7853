"""Serves the built SPA (frontend/dist) from the local gateway, as CloudFront + S3 do in AWS.

Any GET that is not under /api or /docs is the SPA's: an existing file is sent as it is, anything else
gets index.html so deep links (``/dashboard``) load the app, which then routes in the browser. Hashed
files under /assets never change and are cached for a year; index.html, the service worker and
config.json are revalidated on every load, so a new build shows at once. ``/config.json`` tells the SPA
where the API and the dashboard WebSocket are (the same origin here; in AWS the deployment writes it).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from local.state import REPO_ROOT

DIST = REPO_ROOT / "frontend" / "dist"
WS_PATH = "/api/v1/ws/dashboard"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_NOT_SPA = ("/api", "/docs")
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".webmanifest": "application/manifest+json"}
# The app loads only its own files, talks only to its own origin (HTTP and WebSocket), and QR codes and
# downloads come as data: URLs.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self' ws: wss:; worker-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
_SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


def _is_spa_path(path: str) -> bool:
    return not any(path == prefix or path.startswith(prefix + "/") for prefix in _NOT_SPA)


class _SpaRoute(Route):
    """Matches every GET/HEAD path except the API's and the docs', which stay with the gateway."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not _is_spa_path(scope["path"]):
            return Match.NONE, {}
        return super().matches(scope)


def _content_type(path: Path) -> str:
    return _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def spa_config(request: Request, *, environment: str = "local", simulator_url: str | None = None) -> dict[str, Any]:
    """What the SPA reads at start: the API's base and the WebSocket URL, both on the origin it came from."""
    scheme = "wss" if request.url.scheme == "https" else "ws"
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return {"apiBase": "", "wsUrl": f"{scheme}://{host}{WS_PATH}", "environment": environment,
            "simulatorUrl": simulator_url}  # fmt: skip


def spa_routes(dist: Path = DIST, *, simulator_url: str | None = None) -> list[Route]:
    root = dist.resolve()

    async def config(request: Request) -> Response:
        body = spa_config(request, simulator_url=simulator_url)
        return JSONResponse(body, headers={"cache-control": REVALIDATE, **_SECURITY})

    async def files(request: Request) -> Response:
        index = root / "index.html"
        if not index.is_file():
            return PlainTextResponse(
                "The SPA is not built: `make dev` builds it (frontend/dist).", status_code=503, headers=_SECURITY
            )
        wanted = (root / request.path_params["path"]).resolve()
        if wanted.is_file() and wanted.is_relative_to(root):
            immutable = wanted.parent == root / "assets"
            headers = {"cache-control": IMMUTABLE if immutable else REVALIDATE, **_SECURITY}
            if wanted.name == "sw.js":
                headers["service-worker-allowed"] = "/"
            return FileResponse(wanted, media_type=_content_type(wanted), headers=headers)
        if wanted.suffix and wanted.parent == root / "assets":
            # A missing hashed asset (an old tab after a deploy) must not get HTML back as JavaScript.
            return PlainTextResponse("Not Found", status_code=404, headers=_SECURITY)
        headers = {"cache-control": REVALIDATE, "content-security-policy": _CSP, **_SECURITY}
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=headers)

    return [
        Route("/config.json", config, methods=["GET", "HEAD"]),
        _SpaRoute("/{path:path}", files, methods=["GET", "HEAD"]),
    ]
