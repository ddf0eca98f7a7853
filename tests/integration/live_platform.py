"""The local platform served by uvicorn on a free port, as `make dev` serves it: real HTTP and WebSocket clients,
and the functions' boto3 code posting through the gateway's management endpoint. Import ``live`` into a test
module to use it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from local.server import LocalPlatform, build_local_platform, server_config
from shared.db import Database


@dataclass
class Live:
    base_url: str
    platform: LocalPlatform

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/api/v1/ws/dashboard"

    @property
    def origin(self) -> str:
        return self.base_url

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=10)

    async def ticket(self, api: httpx.AsyncClient, token: str) -> str:
        response = await api.post("/api/v1/ws/ticket", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return str(response.json()["ticket"])

    def connect(self, ticket: str | None, origin: str | None = None) -> Any:
        url = self.ws_url + (f"?ticket={ticket}" if ticket is not None else "")
        return connect(url, origin=origin or self.origin, open_timeout=5)  # type: ignore[arg-type]


@pytest.fixture
def live(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    # boto3 signs its management API calls: throwaway credentials, as make dev gives it.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    platform = build_local_platform(environments=4, base_url=base_url)
    server = uvicorn.Server(server_config(platform.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # waits for a condition, not for a time
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield Live(base_url, platform)
    finally:
        server.should_exit = True
        thread.join(10)
        platform.stop()
        sock.close()


@pytest.fixture
async def http(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    async with live.client() as client:
        yield client


async def receive_json(ws: ClientConnection, timeout_s: float = 5.0) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.recv(), timeout_s)
    parsed: dict[str, Any] = json.loads(message)
    return parsed


async def request(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps(message))
    return await receive_json(ws)


async def until(ws: ClientConnection, accept: Any, timeout_s: float) -> dict[str, Any]:
    """The first message ``accept`` takes, within ``timeout_s``; other messages are skipped."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise TimeoutError(f"no accepted message within {timeout_s} s")
        message = await receive_json(ws, left)
        if accept(message):
            return message
