"""What keeps the deployment running as promised: the cost reconciler hears the lines it prices, every alarm the
issue lists watches a metric something publishes, reserved concurrency stays inside the database's connections,
functions leave the VPC over IPv6 and wait long enough for a resuming database, and the webhooks know their URL."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from functions.routes import ENTRIES, JOBS
from infra.alarms import APPLICATION_ALARMS, EXPORTS_FAILED, LEDGER_WRITE_FAILURES
from infra.config import METRICS_NAMESPACE, SERVICE_NAME
from infra.manifest_functions import AWS_ENDPOINT_ENVIRONMENT, concurrency_of, in_vpc, needs_of
from infra.profiles import LEAN, PRODUCTION, BudgetExceeded, ConnectionBudget
from shared.costs.service import parse_report
from shared.manifest import API_GATEWAY_TIMEOUT_S, Job, LogSubscription, Need, OutboxEvent
from shared.runtime.ledger import LogLedger, parse_line
from shared.runtime.meter import Component, Invocation, Usage
from tests.infra.cdk_synth import FAKE_JOBS, FAKE_ROUTES, REPO_ROOT, Synth, synthesize
from tests.infra.manifest_vs_template import resources
from tests.infra.test_cdk_security import _entry_of, manifest_function_ids

# -- the cost reconciler's subscription ------------------------------------------------------------------------


def term_pattern_matches(pattern: str, line: str) -> bool:
    """CloudWatch Logs' term filter syntax, as far as the platform uses it: quoted or bare terms that must all
    appear (case-sensitive), ``?term`` terms of which one must appear, ``-term`` terms that must not.
    Raises ValueError for anything else (a JSON or space-delimited pattern)."""
    if pattern.strip().startswith(("{", "[")):
        raise ValueError(f"not a term pattern: {pattern!r}")
    required, optional, excluded = [], [], []
    for token in shlex.split(pattern):
        if token.startswith("?"):
            optional.append(token[1:])
        elif token.startswith("-"):
            excluded.append(token[1:])
        else:
            required.append(token)
    return (
        all(term in line for term in required)
        and (not optional or any(term in line for term in optional))
        and not any(term in line for term in excluded)
    )


def test_the_term_matcher_reads_the_syntax_as_cloudwatch_does() -> None:
    assert term_pattern_matches('?"a b" ?c', "x c y")
    assert not term_pattern_matches('?"a b" ?c', "a x b")
    assert term_pattern_matches('"a b"', "za bz")
    assert not term_pattern_matches('"a b"', "A B")
    assert not term_pattern_matches("ERROR -retry", "ERROR then retry")
    with pytest.raises(ValueError, match="not a term pattern"):
        term_pattern_matches('{ $.level = "ERROR" }', "{}")


def _ledger_line() -> str:
    """The line a function writes for its cost ledger row in AWS (the runtime's LogLedger)."""
    invocation = Invocation(
        request_id="8f3c1d2e-0000-4000-8000-000000000001",
        correlation_id="c-1",
        function="SkillsPlatformApi-GetHealth",
        entry="GET /api/v1/health",
        kind="http",
        status=200,
        started_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
        duration_ms=Decimal("12.5"),
        memory_mb=256,
        architecture="arm64",
        cold_start=False,
        init_ms=None,
        usage=Usage(counts={Component.S3_READ_REQUEST: Decimal(1)}),
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        LogLedger().record(invocation)
    return out.getvalue().strip()


REPORT_LINE = (
    "REPORT RequestId: 8f3c1d2e-0000-4000-8000-000000000001\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
    "Memory Size: 256 MB\tMax Memory Used: 88 MB\tInit Duration: 412.07 ms\t"
)
ORDINARY_LINES = (
    json.dumps({"level": "INFO", "message": "request done", "service": SERVICE_NAME, "status": 200}),
    "START RequestId: 8f3c1d2e-0000-4000-8000-000000000001 Version: $LATEST",
    "END RequestId: 8f3c1d2e-0000-4000-8000-000000000001",
)


def test_the_reconciler_is_sent_report_lines_and_ledger_lines_and_nothing_else(synth: Synth) -> None:
    # Given the lines shared/costs/service.ingest reads, made by the code that makes them in AWS
    ledger_line = _ledger_line()
    assert parse_line(ledger_line) is not None
    assert parse_report(REPORT_LINE) is not None
    # When each subscription filter of the template is applied to them
    filters = list(resources(synth.api_json, "AWS::Logs::SubscriptionFilter").values())
    patterns = {f["Properties"]["FilterPattern"] for f in filters}
    assert len(filters) > 40
    assert len(patterns) == 1
    (pattern,) = patterns
    # Then both kinds reach the reconciler, and ordinary log lines do not
    assert term_pattern_matches(pattern, REPORT_LINE)
    assert term_pattern_matches(pattern, ledger_line)
    assert [line for line in ORDINARY_LINES if term_pattern_matches(pattern, line)] == []


# -- alarms ------------------------------------------------------------------------------------------------


def _alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        alarm["Properties"]["AlarmDescription"]: alarm["Properties"]
        for alarm in resources(synth.api_json, "AWS::CloudWatch::Alarm").values()
    }


def _one(alarms: dict[str, dict[str, Any]], prefix: str) -> dict[str, Any]:
    (found,) = [alarm for description, alarm in alarms.items() if description.startswith(prefix)]
    return found


def _metric_stats(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    if "Metrics" not in alarm:
        return [{"Namespace": alarm["Namespace"], "MetricName": alarm["MetricName"],
                 "Dimensions": alarm.get("Dimensions", [])}]  # fmt: skip
    return [
        {**m["MetricStat"]["Metric"], "Dimensions": m["MetricStat"]["Metric"].get("Dimensions", [])}
        for m in alarm["Metrics"]
        if "MetricStat" in m
    ]


def _function_of(synth: Synth, job: Job) -> str:
    entries = tuple({e.module: e for e in (*ENTRIES, *FAKE_ROUTES, *FAKE_JOBS)}.values())
    (function_id,) = [f for f in manifest_function_ids(synth.api_json) if _entry_of(synth.api_json, f, entries) == job]
    return function_id


def _export_workers(jobs: tuple[Job, ...]) -> list[Job]:
    def starts_exports(trigger: object) -> bool:
        return isinstance(trigger, OutboxEvent) and any(e.startswith("export.") for e in trigger.event_types)

    return [job for job in jobs if any(starts_exports(t) for t in job.triggers)]


# The six alarms issue #12 lists, by the start of their descriptions.
LISTED_ALARMS = {
    "5xx rate": "HTTP API: over 5%",
    "throttles": "Lambda: invocations refused",
    "relay backlog age": "Relay backlog",
    "parked events": "Outbox events parked",
    "export failures": "Exports:",
    "ledger write failures": "Cost ledger:",
}


@pytest.mark.parametrize("which", ["synth", "lean_synth", "fake_synth"])
def test_every_listed_alarm_exists_and_notifies_the_topic(which: str, request: pytest.FixtureRequest) -> None:
    synth: Synth = request.getfixturevalue(which)
    alarms = _alarms(synth)
    jobs = FAKE_JOBS if which == "fake_synth" else JOBS
    expected = dict(LISTED_ALARMS)
    if not _export_workers(jobs):  # no export worker in this manifest (yet): nothing can fail an export
        del expected["export failures"]
    for name, prefix in expected.items():
        assert len([d for d in alarms if d.startswith(prefix)]) == 1, name
    assert len(alarms) == len(synth.deployment.api.alarms.alarms)
    topic = {"Fn::ImportValue": next(iter(_one(alarms, "Relay backlog")["AlarmActions"][0].values()))}
    for description, alarm in alarms.items():
        assert alarm["AlarmActions"] == [topic], description
        assert alarm["TreatMissingData"] == "notBreaching", description


def test_the_ledger_alarm_counts_unwritten_rows_and_failed_reconciler_runs(synth: Synth) -> None:
    alarm = _one(_alarms(synth), "Cost ledger:")
    (reconciler,) = [job for job in JOBS if any(isinstance(t, LogSubscription) for t in job.triggers)]
    metrics = _metric_stats(alarm)
    assert {"Namespace": METRICS_NAMESPACE, "MetricName": LEDGER_WRITE_FAILURES,
            "Dimensions": [{"Name": "service", "Value": SERVICE_NAME}]} in metrics  # fmt: skip
    reconciler_id = _function_of(synth, reconciler)
    assert {"Namespace": "AWS/Lambda", "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": reconciler_id}}]} in metrics  # fmt: skip
    (expression,) = [m["Expression"] for m in alarm["Metrics"] if "Expression" in m]
    assert expression.count("FILL(") == 2
    assert alarm["Threshold"] == 1


def test_export_failures_are_counted_from_each_worker_s_log_and_its_failed_runs(fake_synth: Synth) -> None:
    template = fake_synth.api_json
    workers = _export_workers(FAKE_JOBS)
    assert workers
    alarm = _one(_alarms(fake_synth), "Exports:")
    metrics = _metric_stats(alarm)
    assert {"Namespace": METRICS_NAMESPACE, "MetricName": EXPORTS_FAILED, "Dimensions": []} in metrics
    filters = [f["Properties"] for f in resources(template, "AWS::Logs::MetricFilter").values()
               if f["Properties"]["MetricTransformations"][0]["MetricName"] == EXPORTS_FAILED]  # fmt: skip
    functions = template["Resources"]
    for job in workers:
        function_id = _function_of(fake_synth, job)
        assert {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function_id}}]} in metrics  # fmt: skip
        log_group = functions[function_id]["Properties"]["LoggingConfig"]["LogGroup"]
        (worker_filter,) = [f for f in filters if f["LogGroupName"] == log_group]
        pattern = worker_filter["FilterPattern"]
        # ERROR lines (logger.exception of a failed export), and the WARNING lines of a run that stopped itself
        assert '$.level = "ERROR"' in pattern
        assert '$.level = "WARNING"' in pattern
        assert '$.message = "export*"' in pattern
        assert "||" in pattern
        assert "&&" in pattern
    assert len(filters) == len(workers)


def _published_in_code() -> set[str]:
    """Metric names the platform's code publishes (Powertools' add_metric(name=...))."""
    names: set[str] = set()
    for folder in ("functions", "shared"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"add_metric\(\s*name=\"([A-Za-z0-9]+)\"", path.read_text()))
    return names


@pytest.mark.parametrize("which", ["synth", "fake_synth"])
def test_every_alarmed_metric_of_our_namespace_is_published_by_something(
    which: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    from_filters = {
        t["MetricName"]
        for f in resources(synth.api_json, "AWS::Logs::MetricFilter").values()
        for t in f["Properties"]["MetricTransformations"]
        if t["MetricNamespace"] == METRICS_NAMESPACE
    }
    published = _published_in_code() | from_filters
    alarmed = {m["MetricName"] for alarm in _alarms(synth).values() for m in _metric_stats(alarm)
               if m["Namespace"] == METRICS_NAMESPACE}  # fmt: skip
    assert {spec.metric_name for spec in APPLICATION_ALARMS} | {LEDGER_WRITE_FAILURES} <= alarmed
    assert alarmed - published == set()


def test_published_metric_names_are_read_from_the_code() -> None:
    # The scan above finds what the relay and the ledger publish, so an empty difference means something.
    assert {"OutboxOldestPendingAgeSeconds", "OutboxEventsParked", LEDGER_WRITE_FAILURES} <= _published_in_code()


# -- concurrency within the database's connections ----------------------------------------------------------


@pytest.mark.parametrize("which", ["synth", "lean_synth"])
def test_every_function_reserves_its_share_and_the_shares_fit_the_connection_budget(
    which: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    profile = synth.deployment.data.profile
    template = synth.api_json
    reserved = {}
    for function_id in manifest_function_ids(template):
        entry = _entry_of(template, function_id)
        if not in_vpc(entry):
            # No database connection (the Twilio egress): nothing claimed, no reservation; its callers' bound it.
            assert "ReservedConcurrentExecutions" not in template["Resources"][function_id]["Properties"]
            assert entry.function_id not in synth.deployment.api.connection_budget.claims
            continue
        value = template["Resources"][function_id]["Properties"]["ReservedConcurrentExecutions"]
        assert value == concurrency_of(entry, profile), function_id
        reserved[function_id] = value
        assert synth.deployment.api.connection_budget.claims[entry.function_id] == value
    assert sum(reserved.values()) == synth.deployment.api.connection_budget.claimed
    # Every function holds a database connection per environment: together within what the database (its proxy in
    # production) accepts, with a fifth as many again to spare for routes still to come.
    assert sum(reserved.values()) * 1.2 <= profile.connection_budget
    # Jobs that run once per deploy or per schedule hold one; routes the profile's share.
    migrate = next(f for f in reserved if _entry_of(template, f).key == "job migrate")
    assert reserved[migrate] == 1
    health = next(f for f in reserved if _entry_of(template, f).key == "GET /api/v1/health")
    assert reserved[health] == profile.default_function_concurrency


def test_a_manifest_past_the_budget_fails_synth() -> None:
    budget = ConnectionBudget(PRODUCTION)
    for index in range(PRODUCTION.connection_budget // PRODUCTION.default_function_concurrency):
        budget.claim(f"F{index}")
    with pytest.raises(BudgetExceeded):
        budget.claim("OneTooMany")


# -- the way out of the VPC, and the time a resuming database takes ------------------------------------------


@pytest.mark.parametrize("which", ["synth", "lean_synth"])
def test_functions_reach_aws_over_ipv6_through_dual_stack_endpoints(which: str, request: pytest.FixtureRequest) -> None:
    synth: Synth = request.getfixturevalue(which)
    template = synth.api_json
    inside = [f for f in manifest_function_ids(template) if in_vpc(_entry_of(template, f))]
    assert len(inside) == len(manifest_function_ids(template)) - 1  # all but the Twilio egress
    for function_id in inside:
        properties = template["Resources"][function_id]["Properties"]
        assert properties["VpcConfig"]["Ipv6AllowedForDualStack"] is True, function_id
        variables = properties["Environment"]["Variables"]
        assert variables["AWS_USE_DUALSTACK_ENDPOINT"] == "true", function_id
        # Secrets Manager by its regional name: dual-stack itself, and the interface endpoint's in production
        assert variables["AWS_ENDPOINT_URL_SECRETS_MANAGER"] == {
            "Fn::Join": ["", ["https://secretsmanager.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]
        }, function_id
    # The app subnets the functions run in have an IPv6 block and a default route to the egress-only gateway.
    data = synth.data_json
    gateways = resources(data, "AWS::EC2::EgressOnlyInternetGateway")
    assert len(gateways) == 1
    assert resources(data, "AWS::EC2::NatGateway") == {}
    ipv6_defaults = [r["Properties"] for r in resources(data, "AWS::EC2::Route").values()
                     if r["Properties"].get("DestinationIpv6CidrBlock") == "::/0"]  # fmt: skip
    assert ipv6_defaults
    assert all(r["EgressOnlyInternetGatewayId"] == {"Ref": next(iter(gateways))} for r in ipv6_defaults)


def test_the_dual_stack_endpoints_boto3_picks_are_the_ones_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    # What AWS_USE_DUALSTACK_ENDPOINT=true makes of the clients the functions build (no network: endpoint
    # resolution only).
    import boto3

    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://secretsmanager.eu-west-1.amazonaws.com")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="eu-west-1")
    assert session.client("secretsmanager").meta.endpoint_url == "https://secretsmanager.eu-west-1.amazonaws.com"
    assert session.client("lambda").meta.endpoint_url == "https://lambda.eu-west-1.api.aws"
    assert session.client("s3").meta.endpoint_url == "https://s3.dualstack.eu-west-1.amazonaws.com"


@pytest.mark.parametrize("which", ["synth", "lean_synth"])
def test_no_execute_api_interface_endpoint_hides_the_public_management_api(
    which: str, request: pytest.FixtureRequest
) -> None:
    # With private DNS, an execute-api interface endpoint takes over *.execute-api names inside the VPC and serves
    # private APIs only: the relay's posts to the public WebSocket API's @connections would fail.
    synth: Synth = request.getfixturevalue(which)
    endpoints = resources(synth.data_json, "AWS::EC2::VPCEndpoint").values()
    services = [json.dumps(e["Properties"]["ServiceName"]) for e in endpoints]
    assert services
    assert not [s for s in services if "execute-api" in s]


def test_lean_functions_wait_for_a_resuming_database(lean_synth: Synth, synth: Synth) -> None:
    for s, profile in ((lean_synth, LEAN), (synth, PRODUCTION)):
        template = s.api_json
        for function_id in manifest_function_ids(template):
            properties = template["Resources"][function_id]["Properties"]
            entry = _entry_of(template, function_id)
            variables = properties["Environment"]["Variables"]
            if not in_vpc(entry):  # no database to wait for (the Twilio egress): its manifest timeout
                assert "DB_CONNECT_TIMEOUT_S" not in variables
                assert properties["Timeout"] == entry.timeout_s
                continue
            assert variables["DB_CONNECT_TIMEOUT_S"] == str(profile.database_connect_timeout_s)
            if profile is LEAN:
                # Aurora resumes in about 15 s: the connect waits longer, the function longer still, and a route
                # stays within API Gateway's integration timeout.
                assert int(variables["DB_CONNECT_TIMEOUT_S"]) >= 15
                assert properties["Timeout"] >= max(entry.timeout_s, int(variables["DB_CONNECT_TIMEOUT_S"]) + 5)
                if not isinstance(entry, Job):
                    assert properties["Timeout"] <= API_GATEWAY_TIMEOUT_S
            else:
                assert properties["Timeout"] == entry.timeout_s


def test_the_connect_timeout_is_a_setting_the_runtime_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.config import Settings

    monkeypatch.setenv("DB_CONNECT_TIMEOUT_S", "20")
    assert Settings(_env_file=None).db_connect_timeout_s == 20  # type: ignore[call-arg]


# -- Twilio's webhooks and the SPA's configuration ---------------------------------------------------------------


def test_twilio_functions_know_the_public_url_their_signatures_are_checked_against(synth: Synth) -> None:
    template = synth.api_json
    (http_api,) = [i for i, a in resources(template, "AWS::ApiGatewayV2::Api").items()
                   if a["Properties"]["ProtocolType"] == "HTTP"]  # fmt: skip
    twilio_functions = [f for f in manifest_function_ids(template) if Need.TWILIO in _entry_of(template, f).all_needs]
    assert len(twilio_functions) >= 3  # the two webhooks and the invitation
    for function_id in twilio_functions:
        variables = template["Resources"][function_id]["Properties"]["Environment"]["Variables"]
        # https://<api id>.execute-api.<region>.amazonaws.com, the URL Twilio is configured with
        assert variables["TWILIO_WEBHOOK_BASE_URL"] == {"Fn::GetAtt": [http_api, "ApiEndpoint"]}
        assert "TWILIO_SECRET_ARN" in variables


def test_the_twilio_secret_holds_what_the_webhook_reads(synth: Synth) -> None:
    # The webhook checks signatures with auth_token; outbound messages need account_sid too (shared/config.py).
    (secret,) = [s["Properties"] for s in resources(synth.data_json, "AWS::SecretsManager::Secret").values()
                 if "Twilio" in s["Properties"].get("Description", "")]  # fmt: skip
    generated = secret["GenerateSecretString"]
    keys = set(json.loads(generated["SecretStringTemplate"])) | {generated["GenerateStringKey"]}
    assert {"account_sid", "auth_token"} <= keys


def test_config_json_carries_the_api_and_websocket_urls(synth: Synth) -> None:
    template = synth.api_json
    (http_api,) = [i for i, a in resources(template, "AWS::ApiGatewayV2::Api").items()
                   if a["Properties"]["ProtocolType"] == "HTTP"]  # fmt: skip
    (websocket_api,) = [i for i, a in resources(template, "AWS::ApiGatewayV2::Api").items()
                        if a["Properties"]["ProtocolType"] == "WEBSOCKET"]  # fmt: skip
    values = synth.deployment.api.node.find_child("SpaConfig")
    config = synth.deployment.api.resolve(values.values)  # type: ignore[attr-defined]
    assert config["apiBase"] == {"Fn::GetAtt": [http_api, "ApiEndpoint"]}
    ws = json.dumps(config["wsUrl"])
    assert ws.startswith('{"Fn::Join"')
    assert '"wss://"' in ws
    assert json.dumps({"Ref": websocket_api}) in ws


def test_readme_documents_what_each_function_reaches_and_the_pause(synth: Synth) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("### How functions reach what they need") :]
    for needle in ("Twilio", "WebSocket management API", "Secrets Manager", "AWS_USE_DUALSTACK_ENDPOINT",
                   "Ipv6AllowedForDualStack", "execute-api"):  # fmt: skip
        assert needle in section, needle
    assert "### The first request after a pause (lean)" in readme
    assert Path(REPO_ROOT / "BENCHMARKS.md").read_text().count("## Zero-traffic floor") == 1


def test_on_localstack_functions_keep_the_endpoint_localstack_gives_them(tmp_path: Path) -> None:
    # make localstack-deploy passes -c localstack=true: LocalStack sets AWS_ENDPOINT_URL in its functions, which
    # a service-specific endpoint or the dual-stack setting would override for Secrets Manager and Lambda.
    local = synthesize(tmp_path, context={"localstack": True}, cloudformation_validation=False)
    template = local.api_json
    function_ids = manifest_function_ids(template)
    assert function_ids
    for function_id in function_ids:
        variables = template["Resources"][function_id]["Properties"]["Environment"]["Variables"]
        assert not set(AWS_ENDPOINT_ENVIRONMENT) & set(variables), function_id


# -- what keeps the stacks deployable -----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["synth", "lean_synth", "fake_synth"])
def test_every_stack_keeps_a_fifth_of_cloudformation_s_500_resources_free(
    which: str, request: pytest.FixtureRequest
) -> None:
    # Each new function adds a log group, a function, a subscription and (for a route) a route and an integration;
    # roles are shared by need set, API Gateway and CloudWatch Logs invoke through one role or permission each.
    synth: Synth = request.getfixturevalue(which)
    for name, template in synth.templates.items():
        assert len(template["Resources"]) <= 400, name


def test_the_http_api_invokes_exactly_the_route_functions_with_one_role(synth: Synth) -> None:
    template = synth.api_json
    integrations = [
        i["Properties"]
        for i in resources(template, "AWS::ApiGatewayV2::Integration").values()
        if "CredentialsArn" in i["Properties"] or i["Properties"]["IntegrationType"] == "AWS_PROXY"
    ]
    http_integrations = [i for i in integrations if i.get("PayloadFormatVersion") == "2.0"]
    assert len(http_integrations) == len(synth.deployment.api.functions.route_functions)
    (role_arn,) = {json.dumps(i["CredentialsArn"]) for i in http_integrations}
    role_id = json.loads(role_arn)["Fn::GetAtt"][0]
    trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "apigateway.amazonaws.com"}]
    (policy,) = [p["Properties"] for p in resources(template, "AWS::IAM::Policy").values()
                 if p["Properties"]["Roles"] == [{"Ref": role_id}]]  # fmt: skip
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    invoked = sorted(json.dumps(r) for r in statement["Resource"])
    assert invoked == sorted(json.dumps(i["IntegrationUri"]) for i in http_integrations)
    # No resource-based permission lets API Gateway call a route function besides the WebSocket API's three
    gateway_permissions = [p for p in resources(template, "AWS::Lambda::Permission").values()
                           if p["Properties"]["Principal"] == "apigateway.amazonaws.com"]  # fmt: skip
    assert len(gateway_permissions) == len(synth.deployment.api.functions.websocket_functions)


def test_cloudwatch_logs_may_invoke_the_reconciler_for_this_stack_s_log_groups_only(synth: Synth) -> None:
    (permission,) = [p["Properties"] for p in resources(synth.api_json, "AWS::Lambda::Permission").values()
                     if p["Properties"]["Principal"] == "logs.amazonaws.com"]  # fmt: skip
    assert permission["SourceAccount"] == "123456789012"
    # CloudFormation names the log groups it creates after their stack
    assert permission["SourceArn"] == "arn:aws:logs:us-east-1:123456789012:log-group:SkillsPlatformApi-*"
    assert permission["Action"] == "lambda:InvokeFunction"


def test_functions_with_the_same_needs_share_a_role_and_no_others_do(synth: Synth) -> None:
    template = synth.api_json
    roles: dict[str, set[tuple[frozenset[Need], bool]]] = {}
    for function_id in manifest_function_ids(template):
        role = template["Resources"][function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        entry = _entry_of(template, function_id)
        roles.setdefault(role, set()).add((needs_of(entry), in_vpc(entry)))
    assert all(len(need_sets) == 1 for need_sets in roles.values())
    assert len(roles) == len({next(iter(s)) for s in roles.values()})
