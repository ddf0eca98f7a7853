"""The route manifest and the synthesized API agree: one function + one route per Route (HTTP and WebSocket), one
function per Job.

Parametrized over functions/routes.py itself, so a new Route or Job is checked without touching this file.
"""

from __future__ import annotations

import copy

import pytest
from msgspec import structs

from functions.routes import JOBS, PUBLIC, ROUTES, WEBSOCKET_ROUTES
from shared.manifest import HttpRoute, Job, Schedule
from tests.infra.cdk_synth import FAKE_JOBS, FAKE_NONCE, FAKE_ROUTES, Synth
from tests.infra.manifest_vs_template import (
    Route,
    api_routes,
    deploy_trigger_of,
    function_behind,
    job_function_id,
    job_problems,
    manifest_problems,
    resources,
    route_problems,
    unexpected_routes,
)

ALL_ROUTES: tuple[Route, ...] = (*ROUTES, *WEBSOCKET_ROUTES)


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda route: route.route_key)
def test_every_route_has_its_function_and_api_route(synth: Synth, route: Route) -> None:
    assert route_problems(synth.api_json, route) == []


def test_the_api_has_no_route_outside_the_manifest(synth: Synth) -> None:
    assert unexpected_routes(synth.api_json, ALL_ROUTES) == []


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_every_job_has_its_function_schedule_and_deploy_trigger(synth: Synth, job: Job) -> None:
    assert job_problems(synth.api_json, job) == []


def test_manifest_and_template_agree_as_a_whole(synth: Synth) -> None:
    assert manifest_problems(synth.api_json, ALL_ROUTES, JOBS) == []


def test_migrate_runs_on_every_deploy_before_the_api(synth: Synth) -> None:
    # Given the manifest's migrate job
    (migrate,) = [job for job in JOBS if job.module == "functions.migrate"]
    template = synth.api_json
    # Then a deploy trigger invokes its function synchronously and fails the deploy when it fails
    function_id = job_function_id(template, migrate)
    assert function_id is not None
    trigger_id = deploy_trigger_of(template, function_id)
    assert trigger_id is not None
    trigger = template["Resources"][trigger_id]["Properties"]
    assert trigger["InvocationType"] == "RequestResponse"
    assert int(trigger["Timeout"]) >= migrate.timeout_s * 1000
    # And without a deploy nonce (plain synth) the template stays deterministic
    assert "DeployNonce" not in trigger


def test_each_function_serves_exactly_one_route(synth: Synth) -> None:
    template = synth.api_json
    behind = [function_behind(template, route_id) for route_id in api_routes(template).values()]
    assert None not in behind
    assert len(set(behind)) == len(behind) == len(ALL_ROUTES)


def test_the_construct_follows_a_manifest_it_has_never_seen(fake_synth: Synth) -> None:
    # Given a manifest with an extra parametrized route and a scheduled job (see conftest.FAKE_*)
    # Then the synthesized API matches it exactly, schedule rule included
    assert manifest_problems(fake_synth.api_json, (*FAKE_ROUTES, *WEBSOCKET_ROUTES), FAKE_JOBS) == []


def test_a_deploy_nonce_reaches_the_migrate_trigger(fake_synth: Synth) -> None:
    template = fake_synth.api_json
    (migrate,) = [job for job in FAKE_JOBS if job.on_deploy]
    function_id = job_function_id(template, migrate)
    assert function_id is not None
    trigger_id = deploy_trigger_of(template, function_id)
    assert trigger_id is not None
    assert template["Resources"][trigger_id]["Properties"]["DeployNonce"] == FAKE_NONCE


# The comparison can fail: each check below feeds it one known difference and expects it to be named.


def test_comparison_names_a_manifest_route_missing_from_the_template(synth: Synth) -> None:
    extra = HttpRoute("POST", "/api/v1/not-deployed", "functions.not_deployed", PUBLIC)
    problems = manifest_problems(synth.api_json, (*ALL_ROUTES, extra), JOBS)
    assert "POST /api/v1/not-deployed: no AWS::ApiGatewayV2::Route with this RouteKey" in problems


def test_comparison_names_a_template_route_missing_from_the_manifest(fake_synth: Synth) -> None:
    problems = manifest_problems(fake_synth.api_json, ALL_ROUTES, FAKE_JOBS)
    assert "GET /api/v1/infra-probe/{item_id}: in the template, not in the manifest" in problems


def test_comparison_names_a_job_missing_from_the_template(synth: Synth) -> None:
    sweep = Job("sweep", "functions.sweep", (Schedule("rate(5 minutes)"),))
    problems = job_problems(synth.api_json, sweep)
    assert problems == ["job sweep: no single function with handler functions.sweep.handler outside the routes"]


def test_comparison_names_memory_timeout_and_handler_differences(synth: Synth) -> None:
    route = ROUTES[0]
    changed = structs.replace(route, memory_mb=route.memory_mb + 64, timeout_s=route.timeout_s + 1)
    assert route_problems(synth.api_json, changed) == [
        f"{route.route_key}: memory {route.memory_mb} MB, manifest says {route.memory_mb + 64}",
        f"{route.route_key}: timeout {route.timeout_s} s, manifest says {route.timeout_s + 1}",
    ]
    moved = structs.replace(route, module="functions.elsewhere")
    assert route_problems(synth.api_json, moved) == [
        f"{route.route_key}: handler '{route.module}.handler', manifest says functions.elsewhere.handler"
    ]


def test_comparison_notices_a_route_wired_to_another_routes_function(fake_synth: Synth) -> None:
    # Given a template where the first route's integration invokes the last route's function
    template = copy.deepcopy(fake_synth.api_json)
    first, second = FAKE_ROUTES[0], FAKE_ROUTES[-1]
    routes = api_routes(template)
    integration_id = template["Resources"][routes[first.route_key]]["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
    other_function = function_behind(template, routes[second.route_key])
    template["Resources"][integration_id]["Properties"]["IntegrationUri"] = {"Fn::GetAtt": [other_function, "Arn"]}
    # Then the first route is reported with the second route's handler
    assert f"{first.route_key}: handler '{second.module}.handler', manifest says {first.module}.handler" in (
        route_problems(template, first)
    )


def test_comparison_notices_a_job_that_stopped_running_on_deploy(synth: Synth) -> None:
    (migrate,) = [job for job in JOBS if job.on_deploy]
    template = copy.deepcopy(synth.api_json)
    function_id = job_function_id(template, migrate)
    assert function_id is not None
    del template["Resources"][str(deploy_trigger_of(template, function_id))]
    assert job_problems(template, migrate) == [
        f"job {migrate.name}: runs on deploy per the manifest, but no Custom::Trigger invokes it"
    ]


def test_the_cost_reconciler_hears_every_other_function_s_report_lines(synth: Synth) -> None:
    template = synth.api_json
    (reconciler,) = [job for job in JOBS if job.name == "cost-reconciler"]
    reconciler_id = job_function_id(template, reconciler)
    filters = list(resources(template, "AWS::Logs::SubscriptionFilter").values())
    functions = resources(template, "AWS::Lambda::Function")
    subscribed = {f["Properties"]["LogGroupName"]["Ref"] for f in filters}
    assert {f["Properties"]["DestinationArn"]["Fn::GetAtt"][0] for f in filters} == {reconciler_id}
    # Lambda's REPORT lines and the functions' measurement lines (tests/infra/test_cdk_operations.py applies it)
    assert {f["Properties"]["FilterPattern"] for f in filters} == {'?"REPORT RequestId" ?"cost.invocation"'}
    own_group = functions[reconciler_id]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    others = {
        f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        for logical_id, f in functions.items()
        if logical_id != reconciler_id and str(f["Properties"].get("Handler", "")).startswith("functions.")
    }
    assert subscribed == others
    assert own_group not in subscribed
