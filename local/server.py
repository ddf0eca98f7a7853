"""Assembles the local platform: the Lambda runtime, the gateway and (as they land) its extensions."""

from __future__ import annotations

from starlette.applications import Starlette

from local.gateway import Gateway, create_gateway_app, manifest_routes
from local.lambda_runtime import LocalLambda


def build_local_platform(environments: int = 8) -> tuple[Starlette, LocalLambda]:
    runtime = LocalLambda(environments=environments)
    gateway = Gateway(manifest_routes(), runtime)
    return create_gateway_app(gateway), runtime
