"""The CDK app: ``cdk.json`` runs ``python -m infra.app`` from the repository root (see infra/cdk.sh)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import App, Environment, Stage, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from functions.routes import JOBS, ROUTES
from infra.api_stack import ApiStack
from infra.config import SERVICE_NAME, DeploySettings
from infra.nag import acknowledge_cdk_internals
from infra.stateful_stack import StatefulStack
from shared.manifest import HttpRoute, Job

STATEFUL_STACK = "SkillsPlatformData"
API_STACK = "SkillsPlatformApi"


@dataclass(frozen=True)
class Deployment:
    data: StatefulStack
    api: ApiStack


def build(
    app: App | Stage,
    *,
    routes: Sequence[HttpRoute] = ROUTES,
    jobs: Sequence[Job] = JOBS,
    environ: Mapping[str, str] = os.environ,
) -> Deployment:
    """Adds both stacks and the cdk-nag checks to ``app``; tests pass a fake manifest through routes/jobs."""
    settings = DeploySettings.from_context(app.node, environ)
    env = Environment(account=settings.account, region=settings.region)
    data = StatefulStack(
        app,
        STATEFUL_STACK,
        env=env,
        availability_zones=settings.availability_zones,
        description="Skills Assessment Platform: network, Aurora PostgreSQL + RDS Proxy, buckets",
        termination_protection=True,
    )
    api = ApiStack(
        app,
        API_STACK,
        env=env,
        data=data,
        routes=routes,
        jobs=jobs,
        bundle=settings.bundle,
        staging_root=Path(app.outdir) / ".staging",
        deploy_nonce=settings.deploy_nonce,
        description="Skills Assessment Platform: HTTP API and the functions of functions/routes.py",
    )
    # Cost allocation: finance reads spend per service tag. DBProxyTargetGroup takes no tags (CloudFormation
    # rejects the property).
    Tags.of(app).add("service", SERVICE_NAME, exclude_resource_types=["AWS::RDS::DBProxyTargetGroup"])
    acknowledge_cdk_internals(data)
    acknowledge_cdk_internals(api)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return Deployment(data=data, api=api)


def main() -> None:
    app = App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
