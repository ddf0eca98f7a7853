"""The one place that turns the route manifest into Lambda functions: one function and one HTTP API route per
``Route``, one function per ``Job`` (a schedule rule if it has one, a deploy trigger if it runs on deploy).

Adding an endpoint means adding a ``Route`` to ``functions/routes.py``; nothing here changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Acknowledgment, CfnResource, Duration, RemovalPolicy, Validations, triggers
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct

from functions.routes import Job, Route
from infra.packaging import ARCHITECTURE, RUNTIME

LOG_RETENTION = logs.RetentionDays.ONE_MONTH

# cdk-nag findings every manifest function has, reviewed once. Each acknowledgment names one finding, so a new
# kind of finding (another managed policy, a wildcard action) still fails synth.
FUNCTION_ACKNOWLEDGMENTS = (
    Acknowledgment(
        id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason="AWS-managed policy for writing the function's own CloudWatch logs; maintained by AWS.",
    ),
    Acknowledgment(
        id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]",
        reason="AWS-managed policy with the network-interface permissions Lambda needs to run in the VPC.",
    ),
    Acknowledgment(
        id="AwsSolutions-IAM5[Resource::*]",
        reason="Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no "
        "resource scoping; tests/infra checks that no other action is granted on '*'.",
    ),
    Acknowledgment(
        id="AwsSolutions-L1",
        reason="python3.12 is pinned on purpose: the dependency layer holds cp312 wheels, so a runtime upgrade "
        "rebuilds the layer in the same change.",
    ),
)


@dataclass(frozen=True)
class FunctionDefaults:
    """What every function of the manifest shares: code, layers, network, environment, database access."""

    code: lambda_.Code
    layers: Sequence[lambda_.ILayerVersion]
    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup
    environment: Mapping[str, str]
    database_secret: secretsmanager.ISecret
    # Further secrets every function reads (the JWT signing key, the TOTP encryption key).
    app_secrets: Sequence[secretsmanager.ISecret] = ()


class ManifestFunctions(Construct):
    """Route functions are keyed by ``route_key``, job functions by job name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[Route],
        jobs: Sequence[Job],
        http_api: apigwv2.HttpApi,
        defaults: FunctionDefaults,
        deploy_nonce: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._defaults = defaults
        self.route_functions: dict[str, lambda_.Function] = {}
        self.job_functions: dict[str, lambda_.Function] = {}
        self.deploy_triggers: dict[str, triggers.Trigger] = {}

        for route in routes:
            function = self._function(
                route.function_id, route.module, route.memory_mb, route.timeout_s, route.route_key
            )
            http_api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod[route.method]],
                integration=HttpLambdaIntegration(f"{route.function_id}Integration", function),
            )
            self.route_functions[route.route_key] = function

        for job in jobs:
            job_id = "".join(word.capitalize() for word in job.name.replace("_", "-").split("-")) + "Job"
            function = self._function(job_id, job.module, job.memory_mb, job.timeout_s, f"job {job.name}")
            if job.schedule is not None:
                events.Rule(
                    self,
                    f"{job_id}Schedule",
                    description=f"Runs job {job.name} {job.schedule}",
                    schedule=events.Schedule.expression(job.schedule),
                    targets=[targets.LambdaFunction(function, retry_attempts=2)],
                )
            if job.on_deploy:
                self.deploy_triggers[job.name] = self._on_deploy(
                    job_id, job, function, before=[http_api, *self.route_functions.values()], nonce=deploy_nonce
                )
            self.job_functions[job.name] = function

    def _function(
        self, function_id: str, module: str, memory_mb: int, timeout_s: int, purpose: str
    ) -> lambda_.Function:
        defaults = self._defaults
        function = lambda_.Function(
            self,
            function_id,
            description=f"{purpose}: {module}.handler",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{module}.handler",
            code=defaults.code,
            layers=list(defaults.layers),
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_s),
            environment=dict(defaults.environment),
            tracing=lambda_.Tracing.ACTIVE,
            # Versions exist only for the deploy trigger; keep the latest, not one per deploy forever.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY),
            log_group=logs.LogGroup(
                self, f"{function_id}Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
            ),
            vpc=defaults.vpc,
            vpc_subnets=defaults.subnets,
            security_groups=[defaults.security_group],
        )
        # Every function may open a database connection and check tokens: it reads these secrets, no others.
        defaults.database_secret.grant_read(function)
        for secret in defaults.app_secrets:
            secret.grant_read(function)
        Validations.of(function).acknowledge(*FUNCTION_ACKNOWLEDGMENTS)
        return function

    def _on_deploy(
        self,
        job_id: str,
        job: Job,
        function: lambda_.Function,
        *,
        before: Sequence[Construct],
        nonce: str | None,
    ) -> triggers.Trigger:
        # The trigger invokes the job synchronously and fails the deployment if the job fails. Route functions
        # and the API depend on it, so new code takes traffic only after the job (migrations) succeeded.
        trigger = triggers.Trigger(
            self,
            f"{job_id}OnDeploy",
            handler=function,
            invocation_type=triggers.InvocationType.REQUEST_RESPONSE,
            timeout=Duration.seconds(job.timeout_s + 30),
            execute_on_handler_change=True,
            execute_before=list(before),
        )
        if nonce is not None:
            # A trigger reruns when its properties change; a new nonce per deploy makes that every deploy.
            resource = trigger.node.find_child("Default").node.default_child
            assert isinstance(resource, CfnResource)
            resource.add_property_override("DeployNonce", nonce)
        return trigger
