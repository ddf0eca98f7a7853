"""Assembles the local platform: the Lambda runtime, the gateway, schedules and the gateway's extensions (the
WhatsApp simulator's relay; as they land, the WebSocket API and the SPA's files)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from local.gateway import Gateway, create_gateway_app, manifest_routes
from local.lambda_runtime import FunctionSpec, LocalLambda, Scheduler
from local.ledger import BackgroundLedger
from local.simulator import SIMULATOR_PATH, simulator_routes
from local.spa import spa_routes


@dataclass
class LocalPlatform:
    app: Starlette
    runtime: LocalLambda
    scheduler: Scheduler
    ledger: BackgroundLedger

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


class LocalInvoker:
    """The runtime's Invoker locally: an Event invoke runs the job on a background environment."""

    def __init__(self, runtime: LocalLambda) -> None:
        self._runtime = runtime
        self._jobs = job_specs()

    def invoke_async(self, job: str, payload: dict[str, Any]) -> None:
        self._runtime.invoke_async(self._jobs[job][0], payload)


def build_local_platform(environments: int = 8) -> LocalPlatform:
    """The gateway, its Lambda environments and schedules; the process's runtime gets the local invoker."""
    from shared.runtime import current_runtime, install_runtime

    runtime = LocalLambda(environments=environments)
    ledger = BackgroundLedger(current_runtime)
    install_runtime(current_runtime().replace(invoker=LocalInvoker(runtime), ledger=ledger))
    gateway = Gateway(manifest_routes(), runtime)
    scheduled = [(spec, schedule) for spec, schedule in job_specs().values() if schedule]
    # The simulator's relay first: the SPA's routes take every other path; config.json tells the SPA where it is.
    routes = [*simulator_routes(gateway), *spa_routes(simulator_url=SIMULATOR_PATH)]
    app = create_gateway_app(gateway, extra_routes=routes)
    return LocalPlatform(app, runtime, Scheduler(runtime, scheduled), ledger)
