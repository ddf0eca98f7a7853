"""Assembles the local platform: the Lambda runtime, the HTTP gateway, the WebSocket API with its management
endpoint, schedules and the gateway's extensions (the WhatsApp simulator's relay, the SPA's files)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp

from local.gateway import Gateway, create_gateway_app, manifest_routes
from local.lambda_runtime import FunctionSpec, LocalLambda, Scheduler
from local.ledger import BackgroundLedger
from local.simulator import SIMULATOR_PATH, simulator_routes
from local.spa import spa_routes
from local.websocket import MANAGEMENT_PATH, WebSocketApi

if TYPE_CHECKING:
    import uvicorn


@dataclass
class LocalPlatform:
    app: ASGIApp
    runtime: LocalLambda
    scheduler: Scheduler
    ledger: BackgroundLedger
    websockets: WebSocketApi

    def start(self) -> None:
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.runtime.shutdown()
        self.ledger.close()


def job_specs() -> dict[str, tuple[FunctionSpec, str | None]]:
    """Every manifest job by name, with its schedule (None: invoked only)."""
    from functions.routes import JOBS

    return {j.name: (FunctionSpec(j.function_id, j.module, j.memory_mb, j.timeout_s), j.schedule) for j in JOBS}


def websocket_functions() -> dict[str, FunctionSpec]:
    """The WebSocket API's functions by route key."""
    from functions.routes import WEBSOCKET_ROUTES

    return {r.route_key: FunctionSpec(r.function_id, r.module, r.memory_mb, r.timeout_s) for r in WEBSOCKET_ROUTES}


class LocalInvoker:
    """The runtime's Invoker locally: an Event invoke runs the job on a background environment; a synchronous one
    runs it on an environment for invoked functions and answers what its handler returned, as Lambda would.

    An invoke identical to one still queued (not started) joins it: the queued one will see everything
    committed before it starts (the relay's kicks after each commit). In AWS each would run in an environment
    of its own; here they would only queue up behind one another."""

    def __init__(self, runtime: LocalLambda) -> None:
        self._runtime = runtime
        self._jobs = job_specs()
        self._queued: dict[tuple[str, str], Future[Any]] = {}
        self._lock = threading.Lock()

    def invoke_async(self, job: str, payload: dict[str, Any]) -> None:
        key = (job, json.dumps(payload, sort_keys=True, default=str))
        with self._lock:
            queued = self._queued.get(key)
            if queued is not None and not queued.running() and not queued.done():
                return
            self._queued[key] = self._runtime.invoke_async(self._jobs[job][0], payload)

    def wait_idle(self, timeout_s: float = 60.0) -> None:
        """Return once every asynchronous invocation made so far, and every one those made, has finished (tests
        that read what the relay wrote: its ledger row, its messages); TimeoutError after ``timeout_s``."""
        while True:
            with self._lock:
                pending = [f for f in self._queued.values() if not f.done()]
            if not pending:
                return
            if wait(pending, timeout=timeout_s).not_done:
                raise TimeoutError(f"{len(pending)} asynchronous invocations still running after {timeout_s} s")

    def invoke(self, job: str, payload: dict[str, Any]) -> dict[str, Any]:
        from shared.runtime.ports import InvokeFailed

        # What crosses Lambda's API is JSON, both ways.
        event = json.loads(json.dumps(payload))
        try:
            answer = self._runtime.invoke_from_function(self._jobs[job][0], event)
        except Exception as exc:  # a function error or a timeout: Lambda answers FunctionError
            raise InvokeFailed(f"{job}: {type(exc).__name__}") from exc
        result = json.loads(json.dumps(answer))
        if not isinstance(result, dict):
            raise InvokeFailed(f"{job}: answered {type(result).__name__}, not an object")
        return result


def local_urls(base_url: str) -> dict[str, str]:
    """The settings that point the functions at a gateway served at ``base_url`` (e.g. http://127.0.0.1:8000):
    its WebSocket management endpoint, and its origin as the SPA's (the gateway serves the SPA)."""
    origins = {base_url, base_url.replace("://127.0.0.1:", "://localhost:")}
    return {"websocket_management_url": base_url + MANAGEMENT_PATH, "spa_origins": ",".join(sorted(origins))}


def build_local_platform(environments: int = 8, *, base_url: str | None = None) -> LocalPlatform:
    """The gateway, its Lambda environments and schedules; the process's runtime gets the local invoker and,
    with ``base_url`` (where the gateway will be served), the WebSocket settings that point at it."""
    from shared.runtime import current_runtime, install_runtime

    # Background environments: the relay (which may wait a second for a topic's slot), schedules, workers.
    runtime = LocalLambda(environments=environments, background_environments=4)
    ledger = BackgroundLedger(current_runtime)
    current = current_runtime()
    parts: dict[str, Any] = {"invoker": LocalInvoker(runtime), "ledger": ledger}
    if base_url is not None:
        parts["settings"] = current.settings.model_copy(update=local_urls(base_url))
    install_runtime(current.replace(**parts))
    gateway = Gateway(manifest_routes(), runtime)
    sockets = WebSocketApi(websocket_functions(), runtime)
    scheduled = [(spec, schedule) for spec, schedule in job_specs().values() if schedule]
    # The simulator's relay, the WebSocket API and its management endpoint first: the SPA's routes take every
    # other path; config.json tells the SPA where the simulator is.
    routes = [*simulator_routes(gateway), *sockets.routes(), *spa_routes(simulator_url=SIMULATOR_PATH)]
    app = sockets.ahead_of(create_gateway_app(gateway, extra_routes=routes))
    return LocalPlatform(app, runtime, Scheduler(runtime, scheduled), ledger, sockets)


def server_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """uvicorn's settings for serving the local platform (``options``: host, port, log level...). HTTP is parsed by
    httptools (a broadcast is one management API request per connection) and WebSocket messages are not
    compressed: dashboard messages are a few hundred bytes, and per-message deflate would cost a compression per
    connection and message."""
    import uvicorn

    return uvicorn.Config(app, http="httptools", ws_per_message_deflate=False, **options)
