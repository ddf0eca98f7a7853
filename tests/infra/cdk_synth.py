"""Synthesizes the CDK app in-process: templates and the validation (cdk-nag) report for the assertions.

No CLI, no AWS account, no wheel downloads (``bundle=false`` puts a placeholder in the dependency layer).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App
from aws_cdk.assertions import Template

from functions.routes import JOBS, PUBLIC, ROUTES
from infra.app import Deployment, build
from shared.manifest import HttpRoute as Route
from shared.manifest import Job, Need, OutboxEvent, Schedule

REPO_ROOT = Path(__file__).resolve().parents[2]

# A manifest with what the real one lacks today: a path parameter in a new route, a scheduled job that writes to
# the exports bucket, a worker the relay starts for export requests.
FAKE_ROUTES: tuple[Route, ...] = (
    *ROUTES,
    Route("GET", "/api/v1/infra-probe/{item_id}", "functions.infra_probe", PUBLIC, memory_mb=384, timeout_s=7),
)
FAKE_JOBS: tuple[Job, ...] = (
    *JOBS,
    Job("nightly-sweep", "functions.nightly_sweep", (Schedule("rate(1 day)"),), frozenset({Need.EXPORTS_BUCKET})),
    Job("probe-export-worker", "functions.probe_export_worker", (OutboxEvent(frozenset({"export.requested"})),),
        frozenset({Need.EXPORTS_BUCKET, Need.INVOKE_RELAY}), memory_mb=1769, timeout_s=900),
)  # fmt: skip
FAKE_NONCE = "20990101T000000Z"


def cdk_context(**overrides: Any) -> dict[str, Any]:
    """cdk.json's context, as the CLI would pass it, for an offline synth that reports instead of raising."""
    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    context.update({"bundle": False, "@aws-cdk/core:failSynthOnValidationErrors": False})
    context.update(overrides)
    return context


@dataclass(frozen=True)
class Synth:
    deployment: Deployment
    web: Template
    data: Template
    api: Template
    # The templates as JSON, read once: every to_json() is a round trip to the jsii kernel.
    web_json: dict[str, Any]
    data_json: dict[str, Any]
    api_json: dict[str, Any]
    report: dict[str, Any]
    outdir: Path

    @property
    def templates(self) -> dict[str, dict[str, Any]]:
        """Every template by stack name, as infra/cost_floor.py reads them."""
        deployment = self.deployment
        return {
            deployment.web.stack_name: self.web_json,
            deployment.data.stack_name: self.data_json,
            deployment.api.stack_name: self.api_json,
        }

    def violations(self) -> list[tuple[str, str, str]]:
        """Unacknowledged findings of every validation plugin: (severity, rule, construct path)."""
        return [
            (violation["severity"], violation["ruleName"], construct["constructPath"])
            for plugin in self.report.get("pluginReports", [])
            for violation in plugin["violations"]
            for construct in violation["violatingConstructs"]
        ]

    def errors(self) -> list[tuple[str, str]]:
        return [(rule, path) for severity, rule, path in self.violations() if severity in ("error", "fatal")]


def synthesize(
    outdir: Path,
    *,
    routes: Sequence[Route] = ROUTES,
    jobs: Sequence[Job] = JOBS,
    context: dict[str, Any] | None = None,
    extend: Callable[[Deployment], None] | None = None,
    cloudformation_validation: bool = True,
) -> Synth:
    app = App(
        outdir=str(outdir),
        context=cdk_context(**(context or {})),
        # CDK's built-in template check against CloudFormation's schemas; about 10 s of each synth.
        builtin_cloud_formation_validation=cloudformation_validation,
    )
    deployment = build(app, routes=routes, jobs=jobs, environ={})
    if extend is not None:
        extend(deployment)
    app.synth()
    report_file = outdir / "validation-report.json"
    web, data, api = (Template.from_stack(stack) for stack in (deployment.web, deployment.data, deployment.api))
    return Synth(
        deployment=deployment,
        web=web,
        data=data,
        api=api,
        web_json=dict(web.to_json()),
        data_json=dict(data.to_json()),
        api_json=dict(api.to_json()),
        report=json.loads(report_file.read_text()) if report_file.exists() else {},
        outdir=outdir,
    )
