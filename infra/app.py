"""The CDK app: ``cdk.json`` runs ``python -m infra.app`` from the repository root (see infra/cdk.sh)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import App, Environment, Stage, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from functions.routes import JOBS, ROUTES, WEBSOCKET_ROUTES
from infra.api_stack import ApiStack
from infra.config import SERVICE_NAME, DeploySettings
from infra.nag import acknowledge_cdk_internals
from infra.stateful_stack import StatefulStack
from infra.web_stack import WebStack
from shared.manifest import HttpRoute, Job, WebSocketRoute

WEB_STACK = "SkillsPlatformWeb"
STATEFUL_STACK = "SkillsPlatformData"
API_STACK = "SkillsPlatformApi"


@dataclass(frozen=True)
class Deployment:
    web: WebStack
    data: StatefulStack
    api: ApiStack


def build(
    app: App | Stage,
    *,
    routes: Sequence[HttpRoute] = ROUTES,
    jobs: Sequence[Job] = JOBS,
    websocket_routes: Sequence[WebSocketRoute] = WEBSOCKET_ROUTES,
    environ: Mapping[str, str] = os.environ,
) -> Deployment:
    """Adds the three stacks and the cdk-nag checks to ``app``; tests pass a fake manifest through routes/jobs.

    Deployment order: web (the SPA's bucket and distribution), data (whose exports bucket's CORS names the SPA's
    origin), api (whose CORS names it too, and which writes the SPA's config.json with the API's URL).
    """
    settings = DeploySettings.from_context(app.node, environ)
    profile = settings.profile
    env = Environment(account=settings.account, region=settings.region)
    web = WebStack(
        app,
        WEB_STACK,
        env=env,
        description="Skills Assessment Platform: the SPA on S3 behind CloudFront",
    )
    data = StatefulStack(
        app,
        STATEFUL_STACK,
        env=env,
        profile=profile,
        availability_zones=settings.availability_zones,
        spa_origin=web.origin,
        alarm_email=settings.alarm_email,
        description=f"Skills Assessment Platform ({profile.name}): network, Aurora PostgreSQL"
        f"{' + RDS Proxy' if profile.rds_proxy else ''}, buckets, secrets",
        termination_protection=True,
    )
    api = ApiStack(
        app,
        API_STACK,
        env=env,
        data=data,
        web=web,
        routes=routes,
        jobs=jobs,
        websocket_routes=websocket_routes,
        bundle=settings.bundle,
        staging_root=Path(app.outdir) / ".staging",
        deploy_nonce=settings.deploy_nonce,
        localstack=settings.localstack,
        description="Skills Assessment Platform: HTTP API and the functions of functions/routes.py",
    )
    # Cost allocation: finance reads spend per service tag. DBProxyTargetGroup takes no tags (CloudFormation
    # rejects the property).
    untaggable = ["AWS::RDS::DBProxyTargetGroup"]
    Tags.of(app).add("service", SERVICE_NAME, exclude_resource_types=untaggable)
    Tags.of(app).add("profile", profile.name, exclude_resource_types=untaggable)
    for stack in (web, data, api):
        acknowledge_cdk_internals(stack)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return Deployment(web=web, data=data, api=api)


def main() -> None:
    app = App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
