"""The local Lambda service: environments keep state per thread, async invokes and schedules run apart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from local.lambda_runtime import FunctionSpec, LambdaContext, LocalLambda, Scheduler, rate_seconds
from tests.fixtures import recording_function

SPEC = FunctionSpec("Recorder", "tests.fixtures.recording_function", memory_mb=256, timeout_s=3)


@pytest.fixture
def runtime() -> Iterator[LocalLambda]:
    recording_function.events.clear()
    recording_function.contexts.clear()
    runtime = LocalLambda(environments=2, background_environments=1)
    yield runtime
    runtime.shutdown()


@pytest.mark.parametrize(
    ("expression", "seconds"), [("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(2 hours)", 7200)]
)
def test_rate_expressions(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


def test_cron_is_refused_locally_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="rate"):
        rate_seconds("cron(0 12 * * ? *)")


def test_async_invoke_runs_on_a_background_environment(runtime: LocalLambda) -> None:
    future = runtime.invoke_async(SPEC, {"rawPath": "/x"})
    assert future.result(timeout=10)["statusCode"] == 201
    context = recording_function.contexts[-1]
    assert isinstance(context, LambdaContext)
    assert context.function_name == "Recorder"
    assert context.memory_limit_in_mb == 256
    assert "lambda-async" in context.log_stream_name


def test_a_failing_async_invoke_is_logged_not_raised(runtime: LocalLambda, caplog: pytest.LogCaptureFixture) -> None:
    future = runtime.invoke_async(SPEC, {"rawPath": "/boom"})
    with pytest.raises(RuntimeError):
        future.result(timeout=10)
    assert any("async invoke of Recorder failed" in r.message for r in caplog.records)


def test_scheduler_invokes_its_jobs_as_scheduled_events(runtime: LocalLambda) -> None:
    scheduler = Scheduler(runtime, [(SPEC, "rate(1 minute)")])
    futures: list[Future[object]] = []
    fired = threading.Event()
    original = runtime.invoke_async

    def first_only(spec: FunctionSpec, event: dict[str, object]) -> Future[object]:
        scheduler.stop()  # one run is enough
        futures.append(original(spec, event))
        fired.set()
        return futures[-1]

    runtime.invoke_async = first_only  # type: ignore[method-assign]
    scheduler._jobs = [(SPEC, 0)]  # due at once instead of after a minute
    scheduler.start()
    assert fired.wait(timeout=10)
    futures[0].result(timeout=10)
    assert recording_function.events[0]["detail-type"] == "Scheduled Event"
    assert recording_function.events[0]["source"] == "aws.events"
