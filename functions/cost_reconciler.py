"""Reconciles the cost ledger with Lambda's REPORT lines (billed duration, memory, init duration): fed by a
subscription to the other functions' log groups (never its own: each run writes a REPORT line)."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent

from functions.routes import entry
from shared.costs import service
from shared.observability import logger
from shared.runtime import Runtime
from shared.web.jobs import make_job_handler


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    logs = CloudWatchLogsEvent(event).parse_logs_data()
    reports = [r for r in (service.parse_report(e.message) for e in logs.log_events) if r is not None]
    matched = sum(service.reconcile(rt.db, report) for report in reports)
    if matched < len(reports):
        logger.info("REPORT lines without a ledger row", extra={"unmatched": len(reports) - matched})
    return {"reports": len(reports), "reconciled": matched}


handler = make_job_handler(entry(__name__), run)
