"""The cost ledger's intake in AWS: fed by a subscription to the other functions' log groups (never its own:
each run writes a REPORT line), it stores each invocation's measurement line and corrects it with Lambda's
REPORT line (billed duration, memory, init duration)."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent

from functions.routes import entry
from shared.costs import service
from shared.observability import logger
from shared.runtime import Runtime
from shared.web.jobs import make_job_handler


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    logs = CloudWatchLogsEvent(event).parse_logs_data()
    result = service.ingest(rt, [e.message for e in logs.log_events])
    if result["reconciled"] < result["reports"]:
        logger.info("REPORT lines without a ledger row", extra=result)
    return result


handler = make_job_handler(entry(__name__), run)
