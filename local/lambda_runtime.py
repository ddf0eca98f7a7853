"""Local stand-in for the Lambda service: execution environments, context objects, async invokes, schedules.

Each worker thread stands for one execution environment: it runs one invocation at a time and keeps its
module state (the database connection is thread-local) between invocations, as Lambda does. Handler
modules are imported on first use, so their init cost lands on the first ("cold") invocation.
Asynchronous invokes and scheduled jobs run on workers of their own, so they never wait behind, or hold
up, HTTP requests; so do synchronous invokes from one function of another (the Twilio egress), which would
otherwise wait for a worker their caller may hold.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("local.lambda")

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class FunctionSpec:
    """What the runtime needs to know of a function; built from the manifest's Route or Job."""

    name: str
    module: str
    memory_mb: int = 512
    timeout_s: int = 10


class LambdaContext:
    """The context object Lambda passes to a handler (the attributes Powertools and Mangum read)."""

    def __init__(
        self,
        spec: FunctionSpec,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        *,
        init_duration_ms: float | None = None,
    ) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{spec.name}"
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/[$LATEST]{threading.current_thread().name}"
        self._deadline = time.monotonic() + spec.timeout_s
        # What Lambda's REPORT line says of an environment's first invocation (the cost ledger reads these).
        self.cold_start = init_duration_ms is not None
        self.init_duration_ms = init_duration_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _new_environment() -> None:
    # Mangum runs each request on the current thread's event loop; an environment thread needs its own.
    asyncio.set_event_loop(asyncio.new_event_loop())


class LocalLambda:
    """Invokes handlers in-process on a bounded pool of execution environments."""

    def __init__(self, environments: int = 8, background_environments: int = 2, invoked_environments: int = 2) -> None:
        self._sync = ThreadPoolExecutor(environments, "lambda-env", initializer=_new_environment)
        self._background = ThreadPoolExecutor(background_environments, "lambda-async", initializer=_new_environment)
        self._invoked = ThreadPoolExecutor(invoked_environments, "lambda-invoked", initializer=_new_environment)
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._environments = threading.local()

    def handler_for(self, module: str) -> Handler:
        with self._lock:
            if module not in self._handlers:
                self._handlers[module] = importlib.import_module(module).handler
            return self._handlers[module]

    def _run(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        # Each worker thread stands for one environment per function: its first invocation of a function is
        # that environment's cold start, and importing the module its init phase.
        warm: set[str] = self._environments.__dict__.setdefault("warm", set())
        init_ms = None
        if spec.name not in warm:
            started = time.perf_counter()
            self.handler_for(spec.module)
            init_ms = (time.perf_counter() - started) * 1000
            warm.add(spec.name)
        return self.handler_for(spec.module)(event, LambdaContext(spec, init_duration_ms=init_ms))

    async def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        """RequestResponse invoke. Raises TimeoutError past the function's timeout, or the handler's error."""
        future = asyncio.get_running_loop().run_in_executor(self._sync, self._run, spec, event)
        return await asyncio.wait_for(future, timeout=spec.timeout_s)

    def invoke_from_function(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        """RequestResponse invoke by another function (a blocking call from its thread). Raises TimeoutError past
        the function's timeout, or the handler's error."""
        future = self._invoked.submit(self._run, spec, event)
        try:
            return future.result(timeout=spec.timeout_s)
        except FutureTimeout:
            raise TimeoutError(f"{spec.name} timed out after {spec.timeout_s}s") from None

    def invoke_async(self, spec: FunctionSpec, event: dict[str, Any]) -> Future[Any]:
        """Event (fire-and-forget) invoke, as the outbox relay trigger uses; errors are logged, not raised."""
        return self._background.submit(self._run_logged, spec, event)

    def _run_logged(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        # Nobody waits for an async invoke's answer: its failure must at least be visible in the log.
        try:
            return self._run(spec, event)
        except Exception:
            logger.exception("async invoke of %s failed", spec.name)
            raise

    def shutdown(self) -> None:
        """Stop taking invocations. Queued ones are dropped; one already running in the background (the outbox
        relay) is waited for, so that it never outlives the platform (and its database)."""
        self._sync.shutdown(wait=False, cancel_futures=True)
        self._invoked.shutdown(wait=False, cancel_futures=True)
        self._background.shutdown(wait=True, cancel_futures=True)


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int:
    """Seconds between runs of an EventBridge ``rate(...)`` expression; raises ValueError otherwise."""
    match = _RATE.match(expression)
    if match is None:
        raise ValueError(f"{expression!r}: the local scheduler runs rate(N unit) expressions only")
    return int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")]


class Scheduler:
    """Stands in for EventBridge schedules: invokes each scheduled function asynchronously at its rate."""

    def __init__(self, runtime: LocalLambda, jobs: list[tuple[FunctionSpec, str]]) -> None:
        self._runtime = runtime
        self._jobs = [(spec, rate_seconds(expr)) for spec, expr in jobs]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for spec, every in self._jobs:
            thread = threading.Thread(target=self._loop, args=(spec, every), name=f"schedule-{spec.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _loop(self, spec: FunctionSpec, every: int) -> None:
        while not self._stop.wait(every):
            self._runtime.invoke_async(spec, {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}})

    def stop(self) -> None:
        self._stop.set()
