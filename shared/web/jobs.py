"""The Lambda entry point of a job (scheduled, invoked, run on deploy, fed by logs): the one wrapper of
shared.web.invocation around a function of the runtime and the event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.manifest import Entry, Job
from shared.runtime import Runtime, current_runtime
from shared.web.invocation import LambdaHandler, wrap

JobRun = Callable[[Runtime, dict[str, Any]], dict[str, Any]]


def make_job_handler(entry: Entry, run: JobRun) -> LambdaHandler:
    if not isinstance(entry, Job):
        raise TypeError(f"{entry} is not a job of the manifest")

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return run(current_runtime(), event)

    return wrap(entry, invoke)
