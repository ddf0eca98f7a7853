"""The WebSocket construct, built here from three stand-in functions (the API stack wires it once the typed manifest
names the real ones): its three routes, a dual-stack stage with throttling and access logs, and a management grant
scoped to the stage's connections."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from infra.websocket import STAGE, WebSocketEndpoint
from tests.infra.manifest_vs_template import resources


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    outdir = tmp_path_factory.mktemp("ws")
    app = App(outdir=str(outdir), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    stack = Stack(app, "WebSocketOnly")
    functions = {
        name: lambda_.Function(
            stack, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return {'statusCode': 200}\n"),
        )
        for name in ("OnConnect", "OnDisconnect", "OnMessage", "Relay")
    }  # fmt: skip
    endpoint = WebSocketEndpoint(
        stack, "Dashboard", connect=functions["OnConnect"], disconnect=functions["OnDisconnect"],
        default=functions["OnMessage"],
    )  # fmt: skip
    endpoint.grant_manage_connections(functions["Relay"])
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    template = dict(Template.from_stack(stack).to_json())
    report_file = outdir / "validation-report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    urls = {"url": stack.resolve(endpoint.url), "management": stack.resolve(endpoint.management_url)}
    return template, urls, report


def test_three_routes_each_invoke_their_function(built: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    template, _, _ = built
    (api,) = resources(template, "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    assert api["Properties"]["IpAddressType"] == "dualstack"
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"] for r in resources(template, "AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {"$connect", "$disconnect", "$default"}
    for key, function in (("$connect", "OnConnect"), ("$disconnect", "OnDisconnect"), ("$default", "OnMessage")):
        integration_id = routes[key]["Target"]["Fn::Join"][1][1]["Ref"]
        uri = json.dumps(template["Resources"][integration_id]["Properties"]["IntegrationUri"])
        assert f'"{function}' in uri, key


def test_the_stage_throttles_and_logs(built: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    template, urls, _ = built
    (stage,) = resources(template, "AWS::ApiGatewayV2::Stage").values()
    properties = stage["Properties"]
    assert properties["StageName"] == STAGE
    assert properties["DefaultRouteSettings"]["ThrottlingRateLimit"] == 100
    assert {"connectionId", "eventType", "status"} <= set(json.loads(properties["AccessLogSettings"]["Format"]))
    assert "wss://" in json.dumps(urls["url"])
    assert "https://" in json.dumps(urls["management"])


def test_only_the_granted_function_may_manage_connections_of_this_stage(
    built: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    template, _, _ = built
    grants = [
        (policy["Properties"]["Roles"], statement)
        for policy in resources(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "execute-api:ManageConnections"
    ]
    (roles, statement), *others = grants
    assert others == []
    assert len(roles) == 1
    assert "Relay" in roles[0]["Ref"]
    resource = json.dumps(statement["Resource"])
    assert f"/{STAGE}/*/@connections/*" in resource


def test_the_construct_has_no_unacknowledged_cdk_nag_finding(
    built: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    _, _, report = built
    # The stand-in functions outside the construct do have findings: the report is there and was read.
    assert report["pluginReports"]
    findings = [
        (violation["ruleName"], construct["constructPath"])
        for plugin in report.get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
        if construct["constructPath"].startswith("WebSocketOnly/Dashboard/")
    ]
    assert findings == []
