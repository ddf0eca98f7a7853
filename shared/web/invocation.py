"""The one wrapper around every Lambda of the manifest, whatever its kind (HTTP route, webhook, WebSocket
route, job): Powertools logging with the correlation id, the cold-start metric, X-Ray tracing where enabled,
and the cost meter, whose reading becomes one row of the cost ledger when the invocation ends.

Recording never changes what the invocation answers, nor waits for the database: the measurement goes to the
runtime's Ledger (shared/runtime/ledger.py), which stores it off the response's path; a row that cannot be
stored is logged whole and counted (metric ``LedgerWriteFailures``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shared.manifest import Entry, HttpRoute, Job, WebSocketRoute
from shared.observability import get_tracer, logger, metrics, tracing_enabled
from shared.runtime import current_runtime
from shared.runtime.meter import Component, Invocation, Usage

LambdaHandler = Callable[[dict[str, Any], Any], Any]

# Module import time stands in for the start of this environment's init phase; the local runtime and, in
# AWS, the REPORT line (reconciled later) give the exact figure.
_IMPORTED_AT = time.perf_counter()
_warm: set[str] = set()


def _kind(entry: Entry) -> str:
    match entry:
        case HttpRoute():
            return "http"
        case WebSocketRoute():
            return "websocket"
        case Job():
            return "job"
    raise TypeError(entry)


def _status(result: Any) -> int:
    if isinstance(result, dict) and isinstance(result.get("statusCode"), int):
        return int(result["statusCode"])
    return 200


def _cold_start(entry: Entry, context: Any, started: float) -> tuple[bool, Decimal | None]:
    """Whether this is the environment's first invocation, and its init time in ms (when known)."""
    cold = getattr(context, "cold_start", None)
    init_ms = getattr(context, "init_duration_ms", None)
    if cold is None:  # in AWS: the first invocation of this process
        cold = entry.key not in _warm
        _warm.add(entry.key)
        if cold:
            init_ms = (started - _IMPORTED_AT) * 1000
    return bool(cold), Decimal(str(round(init_ms, 3))) if cold and init_ms is not None else None


def wrap(entry: Entry, invoke: LambdaHandler, *, correlation_path: str | None = None) -> LambdaHandler:
    """The handler Lambda calls: ``invoke`` inside logging, metrics, tracing and the meter."""
    if tracing_enabled():
        invoke = get_tracer().capture_lambda_handler(capture_response=False)(invoke)

    def metered(event: dict[str, Any], context: Any) -> Any:
        runtime = current_runtime()
        started = time.perf_counter()
        started_at = datetime.now(UTC)
        cold, init_ms = _cold_start(entry, context, started)
        usage = Usage(channel=str(entry.channel))
        usage.add(Component.LAMBDA_REQUEST)
        status = 500
        try:
            with runtime.meter.measure(usage):
                result = invoke(event, context)
            status = _status(result)
            return result
        finally:
            # After the meter stopped: the ledger's own write is not part of what it measures.
            request_context = (event.get("requestContext") if isinstance(event, dict) else None) or {}
            runtime.ledger.record(
                Invocation(
                    request_id=str(getattr(context, "aws_request_id", "") or ""),
                    correlation_id=request_context.get("requestId"),
                    function=str(getattr(context, "function_name", entry.function_id)),
                    entry=entry.key,
                    kind=_kind(entry),
                    status=status,
                    started_at=started_at,
                    duration_ms=Decimal(str(round((time.perf_counter() - started) * 1000, 3))),
                    memory_mb=int(getattr(context, "memory_limit_in_mb", entry.memory_mb)),
                    architecture=runtime.settings.function_architecture,
                    cold_start=cold,
                    init_ms=init_ms,
                    usage=usage,
                ),
            )

    decorated = metrics.log_metrics(capture_cold_start_metric=True)(metered)
    if correlation_path is not None:
        return logger.inject_lambda_context(correlation_id_path=correlation_path, clear_state=True)(decorated)
    return logger.inject_lambda_context(clear_state=True)(decorated)
