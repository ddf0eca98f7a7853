"""Assembles the local platform: the Lambda runtime, the gateway, schedules and (as they land) the
gateway's extensions (WebSocket API, SPA files)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette

from local.gateway import Gateway, create_gateway_app, manifest_routes
from local.lambda_runtime import FunctionSpec, LocalLambda, Scheduler


@dataclass
class LocalPlatform:
    app: Starlette
    runtime: LocalLambda
    scheduler: Scheduler

    def start(self) -> None:
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.runtime.shutdown()


def job_specs() -> dict[str, tuple[FunctionSpec, str | None]]:
    """Every manifest job by name, with its schedule (None: invoked only)."""
    from functions.routes import JOBS

    return {j.name: (FunctionSpec(j.name, j.module, j.memory_mb, j.timeout_s), j.schedule) for j in JOBS}


def build_local_platform(environments: int = 8) -> LocalPlatform:
    runtime = LocalLambda(environments=environments)
    gateway = Gateway(manifest_routes(), runtime)
    scheduled = [(spec, schedule) for spec, schedule in job_specs().values() if schedule]
    return LocalPlatform(create_gateway_app(gateway), runtime, Scheduler(runtime, scheduled))
