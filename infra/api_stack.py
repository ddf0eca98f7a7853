"""The stateless API: an HTTP API and every function of the route manifest, their alarms, and the SPA's
``config.json``. Redeployed with each code change; holds no data, so it can be destroyed and recreated at will."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, CfnOutput, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.access_logs import AccessLogSettings
from infra.alarms import APPLICATION_ALARMS, Alarms
from infra.config import METRICS_NAMESPACE, SERVICE_NAME
from infra.manifest_functions import FunctionDefaults, ManifestFunctions
from infra.packaging import dependency_layer, function_code
from infra.profiles import ConnectionBudget
from infra.stateful_stack import APP_SUBNETS, LOG_RETENTION, StatefulStack
from infra.web_stack import SpaConfig, WebStack
from shared.manifest import HttpRoute, Job, LogSubscription, OutboxEvent, WebSocketRoute

# HTTP API $context variables; requestId is what a client reports and what the function logs carry.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}

# What the SPA sends: its bearer token, JSON bodies, the submission's idempotency key. Nothing else is allowed
# cross-origin, and only from the SPA's origin.
CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key"]
CORS_EXPOSE_HEADERS = ["content-disposition", "location", "retry-after"]
CORS_METHODS = [
    apigwv2.CorsHttpMethod.GET,
    apigwv2.CorsHttpMethod.POST,
    apigwv2.CorsHttpMethod.PATCH,
    apigwv2.CorsHttpMethod.PUT,
    apigwv2.CorsHttpMethod.DELETE,
]
# Stage-wide throttling: steady requests per second and burst. Past it API Gateway answers 429 itself, before any
# function runs (alarmed in infra/alarms.py).
THROTTLE_RATE = 200
THROTTLE_BURST = 400


class ApiStack(Stack):
    http_api: apigwv2.HttpApi
    functions: ManifestFunctions
    alarms: Alarms
    # Reserved concurrency per function, within what the database (or its proxy) accepts: profiles.py.
    connection_budget: ConnectionBudget

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: StatefulStack,
        web: WebStack,
        routes: Sequence[HttpRoute],
        jobs: Sequence[Job],
        bundle: bool,
        websocket_routes: Sequence[WebSocketRoute] = (),
        staging_root: Path,
        deploy_nonce: str | None = None,
        localstack: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.http_api = apigwv2.HttpApi(
            self,
            "HttpApi",
            description="Skills Assessment Platform API; routes from functions/routes.py",
            create_default_stage=False,
            cors_preflight=apigwv2.CorsPreflightOptions(
                allow_origins=[web.origin],
                allow_methods=CORS_METHODS,
                allow_headers=CORS_ALLOW_HEADERS,
                expose_headers=CORS_EXPOSE_HEADERS,
                allow_credentials=False,
                max_age=Duration.hours(1),
            ),
        )
        access_logs = logs.LogGroup(self, "AccessLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
        stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=AccessLogSettings(access_logs, ACCESS_LOG_FORMAT),
            throttle=apigwv2.ThrottleSettings(rate_limit=THROTTLE_RATE, burst_limit=THROTTLE_BURST),
        )

        self.functions = ManifestFunctions(
            self,
            "Functions",
            routes=routes,
            jobs=jobs,
            http_api=self.http_api,
            defaults=FunctionDefaults(
                code=function_code(staging_root),
                layers=[dependency_layer(self, "Dependencies", bundle=bundle)],
                vpc=data.vpc,
                subnets=APP_SUBNETS,
                security_group=data.functions_security_group,
                environment={
                    "APP_ENV": "aws",
                    "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                    "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                },
                database_secret=data.database_secret,
                # Through the proxy (production) or straight to the cluster (lean).
                database_environment=data.database_environment,
                jwt_secret=data.jwt_secret,
                totp_secret=data.totp_secret,
                twilio_secret=data.twilio_secret,
                exports_bucket=data.exports_bucket,
                spa_origin=web.origin,
                api_url=self.http_api.api_endpoint,
                # LocalStack answers every AWS API at its own endpoint, which it gives the functions itself.
                **({"endpoint_environment": {}} if localstack else {}),
            ),
            websocket_routes=websocket_routes,
            # A paused database (lean) is not woken every minute by the relay's sweep: the kick after each commit
            # delivers, the sweep catches up at the profile's pace. Reserved concurrency and database timeouts come
            # from the profile too.
            profile=data.profile,
            deploy_nonce=deploy_nonce,
        )
        self.connection_budget = self.functions.connection_budget
        self.alarms = Alarms(self, "Alarms", topic=data.alarm_topic)
        self.alarms.http_api(self.http_api, access_logs)
        self.alarms.functions()
        for spec in APPLICATION_ALARMS:
            self.alarms.application_metric(spec)
        functions = self.functions
        self.alarms.ledger_write_failures(
            [
                functions.job_functions[job.name]
                for job in jobs
                if any(isinstance(t, LogSubscription) for t in job.triggers)
            ]
        )
        export_workers = [job for job in jobs if any(
            isinstance(t, OutboxEvent) and any(event.startswith("export.") for event in t.event_types)
            for t in job.triggers
        )]  # fmt: skip
        if export_workers:
            self.alarms.export_failures([
                (functions.job_functions[job.name], functions.log_groups[job.function_id]) for job in export_workers
            ])  # fmt: skip

        # The $default stage serves at the API's endpoint itself. Both profiles are real deployments ("prod" hides
        # the SPA's development pages).
        websocket = self.functions.websocket
        SpaConfig(
            self, "SpaConfig", web=web, api_base=self.http_api.api_endpoint,
            ws_url=websocket.url if websocket is not None else None, environment="prod",
        )  # fmt: skip
        CfnOutput(self, "ApiUrl", value=stage.url, description="Base URL of the HTTP API")
        Validations.of(self.http_api).acknowledge(
            Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="Authorization is enforced inside each function by its route's auth rule in "
                "functions/routes.py (public, mfa-pending or roles; JWT + TOTP), the same code the local gateway "
                "and the tests run.",
            )
        )
