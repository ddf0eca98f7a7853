"""The API stack around the functions: CORS for the SPA only, throttling, access logs, and the alarms."""

from __future__ import annotations

import json
from typing import Any

from infra.alarms import APPLICATION_ALARMS, THROTTLED_METRIC
from infra.config import METRICS_NAMESPACE, SERVICE_NAME
from tests.infra.cdk_synth import Synth
from tests.infra.manifest_vs_template import resources
from tests.infra.test_cdk_security import exported_as


def _http_api_id(synth: Synth) -> str:
    # The stack holds the HTTP API and the WebSocket API (tests/infra/test_websocket.py).
    (api_id,) = [
        logical_id
        for logical_id, api in resources(synth.api_json, "AWS::ApiGatewayV2::Api").items()
        if api["Properties"]["ProtocolType"] == "HTTP"
    ]
    return api_id


def _api(synth: Synth) -> dict[str, Any]:
    return dict(synth.api_json["Resources"][_http_api_id(synth)]["Properties"])


def _stage(synth: Synth) -> dict[str, Any]:
    (stage,) = [
        stage
        for stage in resources(synth.api_json, "AWS::ApiGatewayV2::Stage").values()
        if stage["Properties"]["ApiId"] == {"Ref": _http_api_id(synth)}
    ]
    return dict(stage["Properties"])


def test_cors_lets_the_spa_origin_and_nothing_else_call_the_api(synth: Synth) -> None:
    cors = _api(synth)["CorsConfiguration"]
    web = synth.deployment.web
    domain = web.resolve(web.distribution.distribution_domain_name)
    (export,) = [o["Export"]["Name"] for o in synth.web_json["Outputs"].values() if o["Value"] == domain and
                 o["Export"]["Name"].startswith("SkillsPlatformWeb:ExportsOutput")]  # fmt: skip
    assert cors["AllowOrigins"] == [{"Fn::Join": ["", ["https://", {"Fn::ImportValue": export}]]}]
    assert cors["AllowCredentials"] is False  # bearer tokens, no cookies
    assert set(cors["AllowHeaders"]) == {"authorization", "content-type", "idempotency-key"}
    assert set(cors["AllowMethods"]) == {"GET", "POST", "PATCH", "PUT", "DELETE"}
    assert cors["MaxAge"] == 3600


def test_the_stage_throttles_and_logs_every_request(synth: Synth) -> None:
    stage = _stage(synth)
    assert stage["StageName"] == "$default"
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 200
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 400
    log_format = json.loads(stage["AccessLogSettings"]["Format"])
    assert {"requestId", "routeKey", "status", "ip", "integrationLatency"} <= set(log_format)
    log_group = synth.api_json["Resources"][stage["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]]
    assert log_group["Properties"]["RetentionInDays"] == 30


def _alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        alarm["Properties"]["AlarmDescription"]: alarm["Properties"]
        for alarm in resources(synth.api_json, "AWS::CloudWatch::Alarm").values()
    }


def test_every_alarm_notifies_the_encrypted_topic(synth: Synth) -> None:
    topic = exported_as(synth, synth.deployment.data.alarm_topic.topic_arn)
    alarms = _alarms(synth)
    # HTTP API 5xx and throttles, Lambda errors and throttles, the relay's, the cost ledger's (export failures
    # only with an export worker in the manifest: tests/infra/test_cdk_operations.py)
    assert len(alarms) >= 4 + len(APPLICATION_ALARMS) + 1
    for description, alarm in alarms.items():
        assert alarm["AlarmActions"] == [topic], description
        assert alarm["TreatMissingData"] == "notBreaching", description


def test_5xx_rate_and_throttles_are_alarmed_on_the_http_api_and_the_functions(synth: Synth) -> None:
    alarms = _alarms(synth)
    (rate,) = [a for d, a in alarms.items() if d.startswith("HTTP API: over 5%")]
    (expression,) = [m["Expression"] for m in rate["Metrics"] if "Expression" in m]
    assert "100 * errors / requests" in expression
    metrics = {m["MetricStat"]["Metric"]["MetricName"] for m in rate["Metrics"] if "MetricStat" in m}
    assert metrics == {"Count", "5xx"}
    (throttled,) = [a for d, a in alarms.items() if d.startswith("HTTP API: requests refused")]
    assert (throttled["Namespace"], throttled["MetricName"]) == (METRICS_NAMESPACE, THROTTLED_METRIC)
    (metric_filter,) = [f for f in resources(synth.api_json, "AWS::Logs::MetricFilter").values()
                        if f["Properties"]["MetricTransformations"][0]["MetricName"] == THROTTLED_METRIC]  # fmt: skip
    assert metric_filter["Properties"]["FilterPattern"] == '{ $.status = "429" }'
    (function_errors,) = [a for d, a in alarms.items() if d.startswith("Lambda: over 5%")]
    assert {m["MetricStat"]["Metric"]["MetricName"] for m in function_errors["Metrics"] if "MetricStat" in m} == {
        "Errors",
        "Invocations",
    }
    (function_throttles,) = [a for d, a in alarms.items() if d.startswith("Lambda: invocations refused")]
    assert (function_throttles["Namespace"], function_throttles["MetricName"]) == ("AWS/Lambda", "Throttles")


def test_the_metrics_the_functions_will_publish_are_already_alarmed(synth: Synth) -> None:
    by_metric = {a.get("MetricName"): a for a in _alarms(synth).values()}
    for spec in APPLICATION_ALARMS:
        alarm = by_metric[spec.metric_name]
        assert alarm["Namespace"] == METRICS_NAMESPACE
        # Powertools Metrics adds the service dimension to everything it publishes.
        assert alarm["Dimensions"] == [{"Name": "service", "Value": SERVICE_NAME}]
        assert alarm["Statistic"] == spec.statistic
        assert alarm["Threshold"] == spec.threshold
    assert {spec.metric_name for spec in APPLICATION_ALARMS} == {"OutboxOldestPendingAgeSeconds", "OutboxEventsParked"}
