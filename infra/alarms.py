"""Alarms, all notifying one encrypted SNS topic (infra/stateful_stack.py keeps it, with its subscriptions).

Standard-resolution alarms bill 0.10 USD a month per metric they read, so each alarm here reads as few metrics as
it can: account-level Lambda metrics rather than one alarm per function, one metric filter on the HTTP API's access
log for throttled requests (HTTP APIs publish no throttle metric).

Application metrics: the functions publish these through Powertools Metrics (namespace ``METRICS_NAMESPACE``,
dimension ``service`` = ``SERVICE_NAME``, Powertools' default dimension), and ``APPLICATION_ALARMS`` watches them:

- ``OutboxOldestPendingAgeSeconds`` (Maximum, seconds): age of the oldest outbox row not yet dispatched, published
  by the relay on each run. Alarm: over 300 s (the relay's trigger after commit and its one-minute sweep both
  failed for five minutes).
- ``OutboxEventsParked`` (Sum, count): events parked after their last attempt, published by the relay when it
  parks one. Alarm: any.
- ``LedgerWriteFailures`` (Sum, count): cost-ledger rows that could not be written, published by
  shared/costs/service.store (the cost reconciler in AWS; the request itself never fails for it). Its alarm adds
  the reconciler's own failed runs (Lambda ``Errors``): a run that failed wrote no row and published nothing.

Export failures: the export workers (jobs started by the relay for ``export.*`` events) log a failed export at
ERROR level, or a WARNING beginning "export" when a run stops itself before its timeout or finds its export failed by
its deadline; a metric filter on each worker's log group counts those lines as ``ExportsFailed`` (namespace
``METRICS_NAMESPACE``, no dimension), and the alarm adds the workers' failed runs (Lambda ``Errors``: crashes and
timeouts).

A missing datapoint is "not breaching" for all of them: no traffic, no data, no alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.config import METRICS_NAMESPACE, SERVICE_NAME

FIVE_MINUTES = Duration.minutes(5)
# Below this many requests in five minutes a rate says nothing (one failed request of three is not an outage).
MIN_REQUESTS_FOR_A_RATE = 20
HTTP_5XX_PERCENT = 5
LAMBDA_ERROR_PERCENT = 5
THROTTLED_METRIC = "HttpApiThrottledRequests"


@dataclass(frozen=True)
class ApplicationAlarm:
    """An alarm on a metric the functions publish themselves (module docstring)."""

    metric_name: str
    statistic: str
    threshold: float
    description: str
    comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD


APPLICATION_ALARMS: tuple[ApplicationAlarm, ...] = (
    ApplicationAlarm(
        "OutboxOldestPendingAgeSeconds",
        "Maximum",
        300,
        "Relay backlog: an outbox event has waited over 5 minutes for dispatch",
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ),
    ApplicationAlarm("OutboxEventsParked", "Sum", 1, "Outbox events parked after their last attempt"),
)
LEDGER_WRITE_FAILURES = "LedgerWriteFailures"
EXPORTS_FAILED = "ExportsFailed"
# What an export worker logs when an export fails (module docstring): Powertools' JSON log lines.
EXPORT_FAILURE_LINES = logs.FilterPattern.any(
    logs.FilterPattern.string_value("$.level", "=", "ERROR"),
    logs.FilterPattern.all(
        logs.FilterPattern.string_value("$.level", "=", "WARNING"),
        logs.FilterPattern.string_value("$.message", "=", "export*"),
    ),
)


class Alarms(Construct):
    """Every alarm of the platform; the API stack adds them as the pieces they watch exist."""

    def __init__(self, scope: Construct, construct_id: str, *, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.topic = topic
        self.alarms: dict[str, cloudwatch.Alarm] = {}

    def _add(self, alarm: cloudwatch.Alarm, name: str) -> cloudwatch.Alarm:
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms[name] = alarm
        return alarm

    def http_api(self, api: apigwv2.HttpApi, access_logs: logs.ILogGroup) -> None:
        """5xx rate (with a minimum of traffic) and throttled requests (429s counted from the access log)."""
        requests = api.metric_count(period=FIVE_MINUTES, statistic="Sum")
        errors = api.metric_server_error(period=FIVE_MINUTES, statistic="Sum")
        rate = cloudwatch.MathExpression(
            expression=f"IF(requests >= {MIN_REQUESTS_FOR_A_RATE}, 100 * errors / requests, 0)",
            using_metrics={"requests": requests, "errors": errors},
            label="5xx % of requests",
            period=FIVE_MINUTES,
        )
        self._add(
            rate.create_alarm(
                self,
                "HttpApi5xxRate",
                alarm_description=f"HTTP API: over {HTTP_5XX_PERCENT}% of requests answered 5xx for 10 minutes",
                threshold=HTTP_5XX_PERCENT,
                evaluation_periods=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            "HttpApi5xxRate",
        )
        # The access log's status is a JSON string ("$context.status" in api_stack.ACCESS_LOG_FORMAT).
        throttled = logs.MetricFilter(
            self,
            "HttpApiThrottledFilter",
            log_group=access_logs,
            filter_pattern=logs.FilterPattern.string_value("$.status", "=", "429"),
            metric_namespace=METRICS_NAMESPACE,
            metric_name=THROTTLED_METRIC,
            metric_value="1",
        )
        self._add(
            throttled.metric(period=FIVE_MINUTES, statistic="Sum").create_alarm(
                self,
                "HttpApiThrottled",
                alarm_description="HTTP API: requests refused by the stage's throttling (429)",
                threshold=10,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            "HttpApiThrottled",
        )

    def functions(self) -> None:
        """Error rate and throttles of every Lambda function of the account and region: the platform runs in an
        account of its own, and one alarm per function would cost 0.10 USD a month each."""
        invocations = cloudwatch.Metric(
            namespace="AWS/Lambda", metric_name="Invocations", statistic="Sum", period=FIVE_MINUTES
        )
        errors = cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors", statistic="Sum", period=FIVE_MINUTES)
        rate = cloudwatch.MathExpression(
            expression=f"IF(invocations >= {MIN_REQUESTS_FOR_A_RATE}, 100 * errors / invocations, 0)",
            using_metrics={"invocations": invocations, "errors": errors},
            label="Lambda errors % of invocations",
            period=FIVE_MINUTES,
        )
        self._add(
            rate.create_alarm(
                self,
                "FunctionErrorRate",
                alarm_description=f"Lambda: over {LAMBDA_ERROR_PERCENT}% of invocations failed for 10 minutes",
                threshold=LAMBDA_ERROR_PERCENT,
                evaluation_periods=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            "FunctionErrorRate",
        )
        throttles = cloudwatch.Metric(
            namespace="AWS/Lambda", metric_name="Throttles", statistic="Sum", period=FIVE_MINUTES
        )
        self._add(
            throttles.create_alarm(
                self,
                "FunctionThrottles",
                alarm_description="Lambda: invocations refused for want of concurrency (reserved or account limit)",
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            "FunctionThrottles",
        )

    def application_metric(self, spec: ApplicationAlarm) -> cloudwatch.Alarm:
        """The alarm on one metric the functions publish (module docstring); returns it for further wiring."""
        metric = cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=spec.metric_name,
            dimensions_map={"service": SERVICE_NAME},
            statistic=spec.statistic,
            period=FIVE_MINUTES,
        )
        return self._add(
            metric.create_alarm(
                self,
                spec.metric_name,
                alarm_description=spec.description,
                threshold=spec.threshold,
                evaluation_periods=1,
                comparison_operator=spec.comparison,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            spec.metric_name,
        )

    def ledger_write_failures(self, reconcilers: Sequence[lambda_.IFunction]) -> cloudwatch.Alarm:
        """Cost-ledger rows not written: those the reconciler counted, and its runs that failed outright."""
        failures = self._own_metric(LEDGER_WRITE_FAILURES, dimensions={"service": SERVICE_NAME})
        return self._failures(
            "LedgerWriteFailures",
            "Cost ledger: rows that could not be written, or failed runs of the reconciler",
            failures,
            reconcilers,
        )

    def export_failures(self, workers: Sequence[tuple[lambda_.IFunction, logs.ILogGroup]]) -> cloudwatch.Alarm:
        """Exports that failed: the failures the export workers log (a metric filter on each one's log group) and
        their runs that failed outright (crashes, timeouts)."""
        for function, log_group in workers:
            logs.MetricFilter(
                self,
                f"{function.node.id}ExportsFailedFilter",
                log_group=log_group,
                filter_pattern=EXPORT_FAILURE_LINES,
                metric_namespace=METRICS_NAMESPACE,
                metric_name=EXPORTS_FAILED,
                metric_value="1",
            )
        return self._failures(
            EXPORTS_FAILED,
            "Exports: exports that failed or timed out, or failed runs of an export worker",
            self._own_metric(EXPORTS_FAILED),
            [function for function, _ in workers],
        )

    @staticmethod
    def _own_metric(name: str, *, dimensions: dict[str, str] | None = None) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=name,
            dimensions_map=dimensions,
            statistic="Sum",
            period=FIVE_MINUTES,
        )

    def _failures(
        self, name: str, description: str, counted: cloudwatch.Metric, functions: Sequence[lambda_.IFunction]
    ) -> cloudwatch.Alarm:
        """An alarm on any failure: ``counted`` plus the Lambda errors of ``functions``, missing data as zero."""
        using: dict[str, cloudwatch.IMetric] = {"counted": counted}
        for index, function in enumerate(functions):
            using[f"errors{index}"] = function.metric_errors(period=FIVE_MINUTES, statistic="Sum")
        expression = " + ".join(f"FILL({key}, 0)" for key in using)
        total = cloudwatch.MathExpression(expression=expression, using_metrics=using, label=description,
                                          period=FIVE_MINUTES)  # fmt: skip
        return self._add(
            total.create_alarm(
                self,
                name,
                alarm_description=description,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            name,
        )
