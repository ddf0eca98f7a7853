"""Compares the route manifest with a synthesized API template and lists every difference in words.

Pure functions over the template's JSON, so a test can feed them a fake manifest or an edited template and
prove that they notice what they should.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.manifest import HttpRoute, Job, WebSocketRoute

Template = dict[str, Any]
# HTTP API routes and WebSocket API routes alike: a route key, and the function behind it.
Route = HttpRoute | WebSocketRoute


def resources(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] == resource_type
    }


def api_routes(template: Template) -> dict[str, str]:
    """RouteKey -> logical id of the AWS::ApiGatewayV2::Route."""
    return {
        route["Properties"]["RouteKey"]: logical_id
        for logical_id, route in resources(template, "AWS::ApiGatewayV2::Route").items()
    }


def function_behind(template: Template, route_logical_id: str) -> str | None:
    """The logical id of the Lambda function that the route's integration invokes."""
    target = template["Resources"][route_logical_id]["Properties"].get("Target")
    # "integrations/<Ref Integration>" is rendered as Fn::Join ["", ["integrations/", {"Ref": id}]]
    try:
        integration_id = target["Fn::Join"][1][1]["Ref"]
        uri = template["Resources"][integration_id]["Properties"]["IntegrationUri"]
        if "Fn::Join" in uri:  # a WebSocket API's Lambda integration: arn:...:lambda:path/.../functions/<arn>/...
            (uri,) = [part for part in uri["Fn::Join"][1] if isinstance(part, dict) and "Fn::GetAtt" in part]
        function_id, attribute = uri["Fn::GetAtt"]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if attribute != "Arn" or function_id not in resources(template, "AWS::Lambda::Function"):
        return None
    return str(function_id)


def _sizing_problems(name: str, function: dict[str, Any], module: str, memory_mb: int, timeout_s: int) -> list[str]:
    properties = function["Properties"]
    problems = []
    if properties.get("Handler") != f"{module}.handler":
        problems.append(f"{name}: handler {properties.get('Handler')!r}, manifest says {module}.handler")
    if properties.get("MemorySize") != memory_mb:
        problems.append(f"{name}: memory {properties.get('MemorySize')} MB, manifest says {memory_mb}")
    if properties.get("Timeout") != timeout_s:
        problems.append(f"{name}: timeout {properties.get('Timeout')} s, manifest says {timeout_s}")
    return problems


def route_problems(template: Template, route: Route) -> list[str]:
    """What is missing or different for one route: its API route, its function, handler, memory, timeout."""
    route_id = api_routes(template).get(route.route_key)
    if route_id is None:
        return [f"{route.route_key}: no AWS::ApiGatewayV2::Route with this RouteKey"]
    function_id = function_behind(template, route_id)
    if function_id is None:
        return [f"{route.route_key}: its integration invokes no Lambda function of this template"]
    function = template["Resources"][function_id]
    return _sizing_problems(route.route_key, function, route.module, route.memory_mb, route.timeout_s)


def unexpected_routes(template: Template, routes: Sequence[Route]) -> list[str]:
    declared = {route.route_key for route in routes}
    return [f"{key}: in the template, not in the manifest" for key in sorted(set(api_routes(template)) - declared)]


def route_function_ids(template: Template) -> set[str]:
    return {
        function_id
        for route_id in api_routes(template).values()
        if (function_id := function_behind(template, route_id)) is not None
    }


def job_function_id(template: Template, job: Job) -> str | None:
    """The one function, outside the route functions, whose handler is the job's module."""
    behind_routes = route_function_ids(template)
    candidates = [
        logical_id
        for logical_id, function in resources(template, "AWS::Lambda::Function").items()
        if function["Properties"].get("Handler") == f"{job.module}.handler" and logical_id not in behind_routes
    ]
    return candidates[0] if len(candidates) == 1 else None


def deploy_trigger_of(template: Template, function_id: str) -> str | None:
    """The Custom::Trigger that invokes a version of the function on deploy."""
    for trigger_id, trigger in resources(template, "Custom::Trigger").items():
        version_ref = trigger["Properties"].get("HandlerArn", {})
        version = template["Resources"].get(version_ref.get("Ref", "") if isinstance(version_ref, dict) else "")
        if version and version["Properties"].get("FunctionName") == {"Ref": function_id}:
            return trigger_id
    return None


def schedule_rules_of(template: Template, function_id: str) -> list[str]:
    """The ScheduleExpression of every EventBridge rule that targets the function."""
    return [
        rule["Properties"]["ScheduleExpression"]
        for rule in resources(template, "AWS::Events::Rule").values()
        if "ScheduleExpression" in rule["Properties"]
        and any(target.get("Arn") == {"Fn::GetAtt": [function_id, "Arn"]} for target in rule["Properties"]["Targets"])
    ]


def _depends_on(resource: dict[str, Any], logical_id: str) -> bool:
    depends_on = resource.get("DependsOn", [])
    return logical_id in ([depends_on] if isinstance(depends_on, str) else depends_on)


def job_problems(template: Template, job: Job) -> list[str]:
    """What is missing or different for one job: its function, its schedule, its deploy trigger and ordering."""
    name = f"job {job.name}"
    function_id = job_function_id(template, job)
    if function_id is None:
        return [f"{name}: no single function with handler {job.module}.handler outside the routes"]
    problems = _sizing_problems(name, template["Resources"][function_id], job.module, job.memory_mb, job.timeout_s)

    schedules = schedule_rules_of(template, function_id)
    expected_schedules = [job.schedule] if job.schedule is not None else []
    if schedules != expected_schedules:
        problems.append(f"{name}: schedule rules {schedules}, manifest says {expected_schedules}")

    trigger_id = deploy_trigger_of(template, function_id)
    if job.on_deploy and trigger_id is None:
        problems.append(f"{name}: runs on deploy per the manifest, but no Custom::Trigger invokes it")
    if not job.on_deploy and trigger_id is not None:
        problems.append(f"{name}: the manifest does not run it on deploy, but {trigger_id} does")
    if job.on_deploy and trigger_id is not None:
        # Routes, and the functions behind them, are created or updated only after the job succeeded.
        for route_key, route_id in sorted(api_routes(template).items()):
            if not _depends_on(template["Resources"][route_id], trigger_id):
                problems.append(f"{name}: route {route_key} may take traffic before the job ran")
            route_function = function_behind(template, route_id)
            if route_function and not _depends_on(template["Resources"][route_function], trigger_id):
                problems.append(f"{name}: the function of {route_key} may be updated before the job ran")
    return problems


def manifest_problems(template: Template, routes: Sequence[Route], jobs: Sequence[Job]) -> list[str]:
    """Every difference between the manifest and the template; empty when they agree."""
    problems = [problem for route in routes for problem in route_problems(template, route)]
    problems += unexpected_routes(template, routes)
    problems += [problem for job in jobs for problem in job_problems(template, job)]
    manifest_functions = [
        logical_id
        for logical_id, function in resources(template, "AWS::Lambda::Function").items()
        if str(function["Properties"].get("Handler", "")).startswith("functions.")
    ]
    if len(manifest_functions) != len(routes) + len(jobs):
        problems.append(
            f"{len(manifest_functions)} functions run functions.* handlers; the manifest has "
            f"{len(routes)} routes + {len(jobs)} jobs"
        )
    return problems
