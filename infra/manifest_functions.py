"""The one place that turns the manifest into Lambda functions: one function and one HTTP API route per
``HttpRoute``, one function per ``WebSocketRoute`` behind the WebSocket API (infra/websocket.py), one function
per ``Job`` (a schedule rule if it has one, a deploy trigger if it runs on deploy, invoke rights for the
functions that start it). Each function is granted exactly what its entry needs, and its environment holds only
those settings.

Adding an endpoint means adding an entry to ``functions/routes.py``; nothing here changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    Aws,
    CfnElement,
    CfnResource,
    Duration,
    RemovalPolicy,
    Stack,
    Validations,
    triggers,
)
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as logs_destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.packaging import ARCHITECTURE, RUNTIME
from infra.profiles import PRODUCTION, ConnectionBudget, Profile
from infra.websocket import WebSocketEndpoint
from shared.manifest import (
    API_GATEWAY_TIMEOUT_S,
    AsyncInvoke,
    Entry,
    HttpRoute,
    Job,
    LogSubscription,
    Need,
    OnDeploy,
    OutboxEvent,
    Schedule,
    SyncInvoke,
    WebSocketRoute,
    WebSocketTicket,
)

LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# What the cost reconciler is sent of the other functions' logs: Lambda's REPORT lines (billed duration, memory,
# init) and the functions' own measurement lines (shared/runtime/ledger.py: {"type":"cost.invocation",...}).
# Either term selects a line; every other line stays out (a subscription bills per GB it delivers).
COST_LINE_TERMS = ("REPORT RequestId", "cost.invocation")
COST_LINES = logs.FilterPattern.any_term(*COST_LINE_TERMS)
T = TypeVar("T")
EXPORTS_BUCKET_ARN_EXPORT = "SkillsPlatformExportsBucketArn"

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
    """What every function of the manifest shares (code, layers, network, base environment), and the resources
    a function may be granted; each function gets only those its manifest entry needs."""

    code: lambda_.Code
    layers: Sequence[lambda_.ILayerVersion]
    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup
    environment: Mapping[str, str]
    # Need.DATABASE: the secret, plus the environment naming it (and, behind RDS Proxy, its endpoint).
    database_secret: secretsmanager.ISecret
    database_environment: Mapping[str, str]
    jwt_secret: secretsmanager.ISecret
    totp_secret: secretsmanager.ISecret
    twilio_secret: secretsmanager.ISecret | None = None
    exports_bucket: s3.IBucket | None = None
    # Need.WEBSOCKET_MANAGEMENT: the management endpoint's URL and the ARN of its @connections resources (set
    # from the WebSocket API when the manifest has WebSocket routes).
    websocket_management_url: str | None = None
    websocket_connections_arn: str | None = None
    # The WebSocketTicket rule: $connect accepts only the SPA's origin.
    spa_origin: str | None = None
    # The HTTP API's URL (https://<api>.execute-api.<region>.amazonaws.com): Twilio calls the webhook routes under
    # it, and their signatures are checked against it (TWILIO_WEBHOOK_BASE_URL).
    api_url: str | None = None
    # AWS_ENDPOINT_ENVIRONMENT in AWS; nothing on LocalStack.
    endpoint_environment: Mapping[str, str] = field(default_factory=lambda: dict(AWS_ENDPOINT_ENVIRONMENT))


# What each need sets in a function's environment; the values come from FunctionDefaults or the jobs.
NEED_ENVIRONMENT: dict[Need, tuple[str, ...]] = {
    Need.DATABASE: (
        "DATABASE_SECRET_ARN",
        "DATABASE_HOST",
        "DATABASE_VIA_PROXY",
        "DATABASE_NAME",
        "DB_CONNECT_TIMEOUT_S",
    ),
    Need.JWT_KEYS: ("JWT_SECRET_ARN",),
    Need.TOTP_KEY: ("TOTP_SECRET_ARN",),
    Need.TWILIO: ("TWILIO_SECRET_ARN", "TWILIO_WEBHOOK_BASE_URL"),
    Need.EXPORTS_BUCKET: ("EXPORTS_BUCKET",),
    Need.WEBSOCKET_MANAGEMENT: ("WEBSOCKET_MANAGEMENT_URL",),
    Need.INVOKE_RELAY: ("INVOKE_TARGETS",),
    Need.INVOKE_WORKERS: ("INVOKE_TARGETS",),
    Need.TWILIO_EGRESS: ("INVOKE_TARGETS",),
}

# What enforcing an auth rule reads from the environment.
RULE_ENVIRONMENT: dict[type, tuple[str, ...]] = {WebSocketTicket: ("SPA_ORIGINS",)}

# Every function in the VPC holds the database, whatever else it needs (the VPC is there for it).
ALWAYS_NEEDED = frozenset({Need.DATABASE})

# Every function's environment, whatever it needs.
BASE_ENVIRONMENT = {"FUNCTION_ARCHITECTURE": "arm64"}
# How functions reach AWS APIs from the VPC's dual-stack subnets with no NAT: over IPv6 (the egress-only gateway) or
# through an endpoint in the VPC (README.md, "How functions reach what they need"):
# - boto3 uses dual-stack endpoints (lambda.<region>.api.aws, s3.dualstack.<region>.amazonaws.com);
# - Secrets Manager keeps its regional name, which is dual-stack itself and, in production, is what the interface
#   endpoint's private DNS answers for (its api.aws name would bypass the endpoint).
# Not set on LocalStack (-c localstack=true), whose own AWS_ENDPOINT_URL must win.
AWS_ENDPOINT_ENVIRONMENT = {
    "AWS_USE_DUALSTACK_ENDPOINT": "true",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER": f"https://secretsmanager.{Aws.REGION}.{Aws.URL_SUFFIX}",
}


def in_vpc(entry: Entry) -> bool:
    """Whether the entry's function runs in the VPC (every one but a job declared outside it: the Twilio egress)."""
    return not isinstance(entry, Job) or entry.in_vpc


def needs_of(entry: Entry) -> frozenset[Need]:
    return (entry.all_needs | ALWAYS_NEEDED) if in_vpc(entry) else entry.all_needs


# Jobs that run one at a time by design (a deploy's migrations, an hourly sweep) hold one connection at most.
SINGLE_RUN_TRIGGERS = (OnDeploy, Schedule)


def concurrency_of(entry: Entry, profile: Profile) -> int | None:
    """The reserved concurrency a function claims from the profile's connection budget: one for a job that only
    runs on deploy or on a schedule, the profile's default share for every other function in the VPC; none for a
    function outside it (it holds no connection; its callers' shares bound how many of it run)."""
    if not in_vpc(entry):
        return None
    if isinstance(entry, Job) and all(isinstance(t, SINGLE_RUN_TRIGGERS) for t in entry.triggers):
        return 1
    return profile.default_function_concurrency


def timeout_of(entry: Entry, profile: Profile) -> int:
    """A function's timeout in this profile: its entry's, raised to what a resuming database takes (lean), and
    within API Gateway's integration timeout for routes. Outside the VPC (no database) its entry's."""
    if not in_vpc(entry):
        return entry.timeout_s
    ceiling = None if isinstance(entry, Job) else API_GATEWAY_TIMEOUT_S
    return profile.function_timeout_s(entry.timeout_s, ceiling_s=ceiling)


class ManifestFunctions(Construct):
    """One function per manifest entry: route functions keyed by route key, job functions by job name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[HttpRoute],
        jobs: Sequence[Job],
        http_api: apigwv2.HttpApi,
        defaults: FunctionDefaults,
        websocket_routes: Sequence[WebSocketRoute] = (),
        profile: Profile = PRODUCTION,
        deploy_nonce: str | None = None,
    ) -> None:
        """``profile`` decides how often a job that opens a database connection may run (Profile.job_schedule: a
        paused Aurora is woken by each run), how long functions wait for the database, and the connection budget
        each function's reserved concurrency is claimed from (raises BudgetExceeded past it)."""
        super().__init__(scope, construct_id)
        self._defaults = defaults
        self._exports_arn: str | None = None
        self.profile = profile
        self.connection_budget = ConnectionBudget(profile)
        self.route_functions: dict[str, lambda_.Function] = {}
        self.websocket_functions: dict[str, lambda_.Function] = {}
        self.job_functions: dict[str, lambda_.Function] = {}
        self.deploy_triggers: dict[str, triggers.Trigger] = {}
        self._log_groups: dict[str, logs.LogGroup] = {}
        self._roles: dict[tuple[frozenset[Need], bool], iam.Role] = {}

        # The WebSocket API first: functions that post to its connections are given its management endpoint.
        self.websocket: WebSocketEndpoint | None = None
        if websocket_routes:
            for ws_route in websocket_routes:
                self.websocket_functions[ws_route.route_key] = self._function(ws_route, ws_route.key)
            default = next(r for r in websocket_routes if r.route_key == "$default")
            self.websocket = WebSocketEndpoint(
                self, "WebSocket", connect=self.websocket_functions["$connect"],
                disconnect=self.websocket_functions["$disconnect"], default=self.websocket_functions["$default"],
                default_returns_response=default.two_way,
            )  # fmt: skip
            self._defaults = replace(
                defaults,
                websocket_management_url=self.websocket.management_url,
                websocket_connections_arn=self.websocket.connections_arn,
            )

        # Jobs first: functions that invoke them are granted exactly those.
        workers = [job for job in jobs if any(isinstance(t, OutboxEvent) for t in job.triggers)]
        relays = [job for job in jobs if any(isinstance(t, AsyncInvoke) for t in job.triggers)]
        invoked = [job for job in jobs if any(isinstance(t, SyncInvoke) for t in job.triggers)]
        # Jobs that others invoke have names known before they exist, so that invokers refer to them by ARN
        # without a reference: the relay starts workers that kick the relay (references both ways would be a cycle).
        stack = Stack.of(self)
        named = {j.name: f"{stack.stack_name}-{j.function_id}"[:64] for j in (*workers, *relays, *invoked)}
        for job in jobs:
            self.job_functions[job.name] = self._function(job, f"job {job.name}", function_name=named.get(job.name))

        def arn(name: str) -> str:
            return stack.format_arn(
                service="lambda", resource="function", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
            )

        invoke_targets: dict[Need, dict[str, str]] = {
            Need.INVOKE_RELAY: {j.name: arn(named[j.name]) for j in relays},
            Need.INVOKE_WORKERS: {j.name: arn(named[j.name]) for j in workers},
        }
        # A synchronous invoke is granted by the need its trigger names (Need.TWILIO_EGRESS: the Twilio egress).
        for job in invoked:
            for trigger in job.triggers:
                if isinstance(trigger, SyncInvoke):
                    invoke_targets.setdefault(trigger.by, {})[job.name] = arn(named[job.name])
        for job in jobs:
            self._grant_invokes(job, self.job_functions[job.name], invoke_targets)

        # The HTTP API invokes the route functions with one role of its own (a permission on each function would
        # cost a resource per route, of the stack's 500), allowed to invoke exactly those functions.
        self.http_api_role = iam.Role(
            self, "HttpApiInvoker", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="The HTTP API invokes the route functions of the manifest, and nothing else.",
        )  # fmt: skip
        for route in routes:
            function = self._function(route, route.key)
            self._grant_invokes(route, function, invoke_targets)
            http_api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod[route.method]],
                integration=_LambdaWithRole(f"{route.function_id}Integration", function, self.http_api_role),
            )
            self.route_functions[route.key] = function
        if self.route_functions:
            self.http_api_role.add_to_policy(
                iam.PolicyStatement(
                    actions=["lambda:InvokeFunction"],
                    resources=[f.function_arn for f in self.route_functions.values()],
                )
            )

        for job in jobs:
            function = self.job_functions[job.name]
            if job.schedule is not None:
                schedule = profile.job_schedule(job.schedule)
                events.Rule(
                    self,
                    f"{job.function_id}Schedule",
                    description=f"Runs job {job.name} {schedule}",
                    schedule=events.Schedule.expression(schedule),
                    targets=[targets.LambdaFunction(function, retry_attempts=2)],
                )
            if job.on_deploy:
                before = [http_api, *self.route_functions.values(), *self.websocket_functions.values()]
                if self.websocket is not None:
                    before.append(self.websocket)
                self.deploy_triggers[job.name] = self._on_deploy(
                    job.function_id, job, function, before=before, nonce=deploy_nonce
                )
            if any(isinstance(t, LogSubscription) for t in job.triggers):
                self._subscribe_to_reports(job, function)

    @property
    def log_groups(self) -> Mapping[str, logs.LogGroup]:
        """Each manifest function's log group, by the function's construct id (its entry's function_id)."""
        return self._log_groups

    def _subscribe_to_reports(self, job: Job, function: lambda_.Function) -> None:
        """Lambda's REPORT lines and the measurement lines of every other function feed the job (the cost ledger's
        reconciler, shared/costs/service.ingest); never its own log group, where each run would start another."""
        # One invoke permission for every subscription (a permission per log group would cost a resource each, of
        # the stack's 500): CloudWatch Logs, from this account's log groups of this stack (their generated names
        # start with the stack's).
        stack = Stack.of(self)
        function.add_permission(
            "ReportLinesFromThisStack",
            principal=iam.ServicePrincipal("logs.amazonaws.com"),
            source_account=stack.account,
            source_arn=stack.format_arn(
                service="logs", resource="log-group", resource_name=f"{stack.stack_name}-*",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
        )  # fmt: skip
        permission = function.node.find_child("ReportLinesFromThisStack")
        destination = logs_destinations.LambdaDestination(function, add_permissions=False)
        for other in (*self.route_functions.values(), *self.websocket_functions.values(), *self.job_functions.values()):
            if other is function:
                continue
            subscription = logs.SubscriptionFilter(
                self,
                f"{other.node.id}To{job.function_id}",
                log_group=self._log_groups[other.node.id],
                destination=destination,
                filter_pattern=COST_LINES,
            )
            subscription.node.add_dependency(permission)

    def _function(self, entry: Entry, purpose: str, *, function_name: str | None = None) -> lambda_.Function:
        defaults = self._defaults
        needs = needs_of(entry)
        inside = in_vpc(entry)
        # Outside the VPC (the Twilio egress): no network configuration at all, so Lambda's own network, with IPv4.
        network = (
            {"vpc": defaults.vpc, "vpc_subnets": defaults.subnets, "security_groups": [defaults.security_group],
             # An IPv6 address in the dual-stack subnets: the egress-only gateway is the way out (no NAT).
             "ipv6_allowed_for_dual_stack": True}
            if inside else {}
        )  # fmt: skip
        concurrency = concurrency_of(entry, self.profile)
        log_group = logs.LogGroup(
            self, f"{entry.function_id}Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        self._log_groups[entry.function_id] = log_group
        function = lambda_.Function(
            self,
            entry.function_id,
            function_name=function_name,
            description=f"{purpose}: {entry.module}.handler",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{entry.module}.handler",
            code=defaults.code,
            layers=list(defaults.layers),
            memory_size=entry.memory_mb,
            timeout=Duration.seconds(timeout_of(entry, self.profile)),
            # Each execution environment holds one database connection at most: the function's share of the
            # connections the database (production: its proxy) accepts (infra/profiles.py ConnectionBudget).
            reserved_concurrent_executions=(
                None if concurrency is None else self.connection_budget.claim(entry.function_id, concurrency)
            ),
            environment={**defaults.environment, **self._environment(entry, needs)},
            tracing=lambda_.Tracing.ACTIVE,
            # Versions exist only for the deploy trigger; keep the latest, not one per deploy forever.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY),
            log_group=log_group,
            **network,
            role=self._role_for(needs, in_vpc=inside),
        )
        self._grant(entry, needs, function)
        Validations.of(function).acknowledge(*FUNCTION_ACKNOWLEDGMENTS)
        return function

    def _role_for(self, needs: frozenset[Need], *, in_vpc: bool = True) -> iam.Role:
        """One execution role per set of needs, shared by the functions with exactly those needs: each function still
        holds exactly what its entry needs, and the stack stays far from CloudFormation's 500 resources (a role
        and a policy per function would be two resources each). Outside the VPC, no network-interface rights."""
        key = (needs, in_vpc)
        role = self._roles.get(key)
        if role is None:
            names = "".join(need.value.title().replace("-", "") for need in sorted(needs)) or "Nothing"
            policies = ["service-role/AWSLambdaBasicExecutionRole"]
            if in_vpc:
                policies.append("service-role/AWSLambdaVPCAccessExecutionRole")
            role = iam.Role(
                self,
                f"Role{names}" if in_vpc else f"Role{names}OutsideVpc",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"Functions that need exactly: {', '.join(sorted(needs)) or 'nothing'}"
                + ("" if in_vpc else " (outside the VPC)"),
                managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in policies],
            )
            Validations.of(role).acknowledge(*FUNCTION_ACKNOWLEDGMENTS)
            self._roles[key] = role
        return role

    @staticmethod
    def _acknowledge(function: lambda_.Function, *acknowledgments: Acknowledgment) -> None:
        """Findings on what a function was granted, reported on its (shared) role's policy."""
        Validations.of(function).acknowledge(*acknowledgments)
        if function.role is not None:
            Validations.of(function.role).acknowledge(*acknowledgments)

    def _required(self, entry: Entry, need: Need | str, value: T | None) -> T:
        if value is None:
            raise ValueError(f"{entry.key} needs {need}, which this deployment does not provide")
        return value

    def _environment(self, entry: Entry, needs: frozenset[Need]) -> dict[str, str]:
        d = self._defaults
        # The endpoint settings are for leaving the VPC; outside it the default endpoints answer over IPv4.
        env = {**BASE_ENVIRONMENT, **(d.endpoint_environment if in_vpc(entry) else {})}
        for need in sorted(needs):
            match need:
                case Need.DATABASE:
                    env.update(d.database_environment)
                    env["DATABASE_SECRET_ARN"] = d.database_secret.secret_arn
                    env["DB_CONNECT_TIMEOUT_S"] = str(self.profile.database_connect_timeout_s)
                case Need.JWT_KEYS:
                    env["JWT_SECRET_ARN"] = d.jwt_secret.secret_arn
                case Need.TOTP_KEY:
                    env["TOTP_SECRET_ARN"] = d.totp_secret.secret_arn
                case Need.TWILIO:
                    env["TWILIO_SECRET_ARN"] = self._required(entry, need, d.twilio_secret).secret_arn
                    # Webhook signatures are checked against this URL, never one rebuilt from request headers.
                    env["TWILIO_WEBHOOK_BASE_URL"] = self._required(entry, "the HTTP API's URL", d.api_url)
                case Need.EXPORTS_BUCKET:
                    env["EXPORTS_BUCKET"] = self._required(entry, need, d.exports_bucket).bucket_name
                case Need.WEBSOCKET_MANAGEMENT:
                    env["WEBSOCKET_MANAGEMENT_URL"] = self._required(entry, need, d.websocket_management_url)
        if isinstance(entry.auth, WebSocketTicket):
            env["SPA_ORIGINS"] = self._required(entry, "the SPA's origin", d.spa_origin)
        return env

    def _grant(self, entry: Entry, needs: frozenset[Need], function: lambda_.Function) -> None:
        d = self._defaults
        for need in needs:
            match need:
                case Need.DATABASE:
                    d.database_secret.grant_read(function)
                case Need.JWT_KEYS:
                    d.jwt_secret.grant_read(function)
                case Need.TOTP_KEY:
                    d.totp_secret.grant_read(function)
                case Need.TWILIO:
                    self._required(entry, need, d.twilio_secret).grant_read(function)
                case Need.EXPORTS_BUCKET:
                    # Objects only: write an export, read it back, presign GETs of it (the URL carries this
                    # role's permission), and abort a multipart upload left behind by a timeout.
                    arn = self._exports_bucket_arn(entry, need)
                    function.add_to_role_policy(
                        iam.PolicyStatement(
                            actions=["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                            resources=[f"{arn}/*"],
                        )
                    )
                    self._acknowledge(
                        function,
                        Acknowledgment(
                            id=f"AwsSolutions-IAM5[Resource::{EXPORTS_BUCKET_ARN_EXPORT}/*]",
                            reason="Objects of the exports bucket only: one key per export, not known in advance.",
                        ),
                    )
                case Need.WEBSOCKET_MANAGEMENT:
                    connections = self._required(entry, need, d.websocket_connections_arn)
                    function.add_to_role_policy(
                        iam.PolicyStatement(actions=["execute-api:ManageConnections"], resources=[connections])
                    )
                    if self.websocket is not None:
                        cfn_api = self.websocket.api.node.default_child
                        assert isinstance(cfn_api, CfnElement)
                        api = Stack.of(self).get_logical_id(cfn_api)
                        stage = self.websocket.stage.stage_name
                        self._acknowledge(
                            function,
                            Acknowledgment(
                                id="AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:"
                                f"<AWS::AccountId>:<{api}>/{stage}/*/@connections/*]",
                                reason="The connections of the WebSocket API's stage only: their ids are made by "
                                "API Gateway as clients connect.",
                            ),
                        )

    def _exports_bucket_arn(self, entry: Entry, need: Need) -> str:
        """The bucket's ARN through one named export of the stateful stack (made once, whichever functions
        need it), so that the policy's resource (and its acknowledgment) reads the same in every synth."""
        if self._exports_arn is None:
            bucket = self._required(entry, need, self._defaults.exports_bucket)
            self._exports_arn = Stack.of(bucket).export_value(bucket.bucket_arn, name=EXPORTS_BUCKET_ARN_EXPORT)
        return self._exports_arn

    @staticmethod
    def _grant_invokes(
        entry: Entry, function: lambda_.Function, targets_by_need: Mapping[Need, Mapping[str, str]]
    ) -> None:
        """Asynchronous invokes of the jobs its needs name (by ARN: unqualified, as the invoker calls them), and
        INVOKE_TARGETS naming them by job name."""
        granted: dict[str, str] = {}
        for need, jobs in targets_by_need.items():
            if need in needs_of(entry) and jobs:
                function.add_to_role_policy(
                    iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=sorted(jobs.values()))
                )
                granted.update(jobs)
        if granted:
            function.add_environment("INVOKE_TARGETS", Stack.of(function).to_json_string(granted))

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


class _LambdaWithRole(apigwv2.HttpRouteIntegration):
    """A Lambda proxy integration (payload 2.0, as HttpLambdaIntegration's) that invokes its function with the
    API's role instead of a resource-based permission on the function."""

    def __init__(self, integration_id: str, function: lambda_.IFunction, role: iam.IRole) -> None:
        super().__init__(integration_id)
        self._function = function
        self._role = role

    def bind(self, *, route: apigwv2.IHttpRoute, scope: Construct) -> apigwv2.HttpRouteIntegrationConfig:
        return apigwv2.HttpRouteIntegrationConfig(
            type=apigwv2.HttpIntegrationType.AWS_PROXY,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            uri=self._function.function_arn,
            credentials=apigwv2.IntegrationCredentials.from_role(self._role),
        )
