"""The outbox relay: kicked after each commit that wrote events, and swept every minute. Each round folds the
dashboard's deltas of abandoned conversations, delivers events to their consumers, and pushes the dashboard topic
(coalesced; an assessment.submitted event taken off the list is folded into the dashboard's totals with it)."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from functions.routes import JOBS, entry
from shared.dashboard import service as dashboard
from shared.observability import logger, metrics
from shared.outbox.relay import Relay, start_workers, workers_by_event_type
from shared.realtime import broadcast
from shared.runtime import Runtime
from shared.web.jobs import make_job_handler

ENTRY = entry(__name__)
# Leave time to finish the round in progress (a push waits up to a second, and may take a second or two).
BUDGET_S = ENTRY.timeout_s - 15

RELAY = Relay(
    direct={
        **{event_type: broadcast.to_owner for event_type in broadcast.OWNER_EVENTS},
        **start_workers(workers_by_event_type(JOBS)),
    },
    topics=(broadcast.DashboardTopic(),),
)


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    report = RELAY.run(rt, BUDGET_S, each_round=dashboard.fold)
    logger.info("outbox relay done", extra={"report": report.__dict__, "source": event.get("source")})
    # What the relay backlog and parked-events alarms watch (infra/alarms.py).
    metrics.add_metric(name="OutboxOldestPendingAgeSeconds", unit=MetricUnit.Seconds, value=report.oldest_pending_s)
    if report.parked:
        metrics.add_metric(name="OutboxEventsParked", unit=MetricUnit.Count, value=report.parked)
    return {"dispatched": report.dispatched, "failed": report.failed, "pushes": report.pushes}


handler = make_job_handler(ENTRY, run)
