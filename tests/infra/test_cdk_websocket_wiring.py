"""The manifest's WebSocket routes wired into the API stack: each route's function behind the WebSocket API, the
two-way $default, the relay told where the management endpoint is, $connect told the SPA's origin, and the relay's
sweep at the pace a profile's database allows."""

from __future__ import annotations

import json
from typing import Any

from functions.routes import JOBS
from tests.infra.cdk_synth import Synth
from tests.infra.manifest_vs_template import api_routes, job_function_id, resources, schedule_rules_of


def _variables(template: dict[str, Any], handler: str) -> dict[str, Any]:
    (function,) = [f for f in resources(template, "AWS::Lambda::Function").values()
                   if f["Properties"].get("Handler") == handler]  # fmt: skip
    return dict(function["Properties"]["Environment"]["Variables"])


def _websocket_api_id(template: dict[str, Any]) -> str:
    (api_id,) = [k for k, v in resources(template, "AWS::ApiGatewayV2::Api").items()
                 if v["Properties"]["ProtocolType"] == "WEBSOCKET"]  # fmt: skip
    return api_id


def test_default_answers_the_client_through_a_route_response(synth: Synth) -> None:
    template = synth.api_json
    default_route = api_routes(template)["$default"]
    assert template["Resources"][default_route]["Properties"]["RouteResponseSelectionExpression"] == "$default"
    responses = [r["Properties"] for r in resources(template, "AWS::ApiGatewayV2::RouteResponse").values()]
    assert [r["RouteId"] for r in responses] == [{"Ref": default_route}]


def test_the_relay_posts_through_the_websocket_apis_management_endpoint(synth: Synth) -> None:
    template = synth.api_json
    url = json.dumps(_variables(template, "functions.outbox_relay.handler")["WEBSOCKET_MANAGEMENT_URL"])
    assert "https://" in url
    assert _websocket_api_id(template) in url
    assert "/live" in url
    # Only the relay may post: no other function is told where the endpoint is.
    told = [f for f in resources(template, "AWS::Lambda::Function").values()
            if "WEBSOCKET_MANAGEMENT_URL" in f["Properties"].get("Environment", {}).get("Variables", {})]  # fmt: skip
    assert len(told) == 1


def test_connect_accepts_the_spa_origin_the_http_api_allows(synth: Synth) -> None:
    template = synth.api_json
    (http_api,) = [v for v in resources(template, "AWS::ApiGatewayV2::Api").values()
                   if v["Properties"]["ProtocolType"] == "HTTP"]  # fmt: skip
    origins = _variables(template, "functions.ws_connect.handler")["SPA_ORIGINS"]
    assert [origins] == http_api["Properties"]["CorsConfiguration"]["AllowOrigins"]
    assert "SPA_ORIGINS" not in _variables(template, "functions.ws_default.handler")


def test_the_relay_sweeps_every_minute_unless_the_database_pauses(synth: Synth, lean_synth: Synth) -> None:
    (relay,) = [job for job in JOBS if job.name == "relay"]
    production, lean = synth.api_json, lean_synth.api_json
    assert schedule_rules_of(production, str(job_function_id(production, relay))) == ["rate(1 minute)"]
    assert schedule_rules_of(lean, str(job_function_id(lean, relay))) == ["rate(1 day)"]
