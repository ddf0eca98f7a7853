"""The export worker: started by the outbox relay for each ``export.requested`` event
({"event_id", "event_type", "payload": {"export_id", "owner_id", "kind"}}); makes the file and finishes the
export (shared/exports/worker.py)."""

from typing import Any

from functions.routes import entry
from shared.exports import worker
from shared.runtime import Runtime
from shared.web.jobs import make_job_handler

JOB = entry(__name__)


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    return worker.run_requested(rt, event, JOB.timeout_s)


handler = make_job_handler(JOB, run)
