"""What outlives a deployment: the network, the database (Aurora PostgreSQL, behind RDS Proxy in production), the
exports bucket and the secrets.

Code changes never touch this stack; the API stack reads its resources through the attributes set here. What
differs between the profiles (infra/profiles.py) is decided here, in one place per resource.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.packaging import ARCHITECTURE, RUNTIME
from infra.profiles import Profile
from shared.config import DEFAULT_STATEMENT_TIMEOUT_MS
from shared.exports import RETENTION_DAYS

POSTGRES_PORT = 5432
DATABASE_NAME = "skills"
DATABASE_USER = "skills_admin"
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
EXPORTS_RETENTION = Duration.days(RETENTION_DAYS)  # as the API shows them (shared/exports)
DATABASE_ROTATION_INTERVAL = Duration.days(30)
JWT_ROTATION_INTERVAL = Duration.days(90)

# Functions, the proxy and the endpoints live in the app subnets, which reach the internet over IPv6 only (an
# egress-only internet gateway, no NAT); the database lives in the isolated ones, reachable only from the proxy
# (production) or the functions (lean).
APP_SUBNETS = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
DATA_SUBNETS = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)

ROTATION_CODE = Path(__file__).resolve().parent / "rotation"

# CORS for the SPA: presigned GETs of exports, read by the SPA's fetch after the API's 303.
EXPORTS_CORS_EXPOSED_HEADERS = ["Content-Disposition", "Content-Length", "Content-Type", "ETag"]


class StatefulStack(Stack):
    vpc: ec2.Vpc
    functions_security_group: ec2.SecurityGroup
    database_security_group: ec2.SecurityGroup
    cluster: rds.DatabaseCluster
    database_secret: secretsmanager.ISecret
    proxy: rds.DatabaseProxy | None
    exports_bucket: s3.Bucket
    jwt_secret: secretsmanager.Secret
    totp_secret: secretsmanager.Secret
    twilio_secret: secretsmanager.Secret
    jwt_rotation: lambda_.Function
    alarm_topic: sns.Topic

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        profile: Profile,
        availability_zones: Sequence[str],
        spa_origin: str,
        alarm_email: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._availability_zones = list(availability_zones)
        super().__init__(scope, construct_id, **kwargs)
        self.profile = profile
        self.vpc = self._network()
        self.functions_security_group = ec2.SecurityGroup(
            self,
            "FunctionsSecurityGroup",
            vpc=self.vpc,
            description="Lambda functions: HTTPS out and PostgreSQL to the database or its proxy, nothing in",
            allow_all_outbound=False,
        )
        self.functions_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to the VPC's endpoints (Secrets Manager, S3)"
        )
        self.functions_security_group.add_egress_rule(
            ec2.Peer.any_ipv6(), ec2.Port.tcp(443), "HTTPS to AWS APIs over IPv6 (egress-only gateway)"
        )
        self._database()
        if profile.secrets_endpoint_azs:
            self._secrets_manager_endpoint()
        self.exports_bucket = self._exports_bucket(spa_origin)
        self._app_secrets()
        self.alarm_topic = self._alarm_topic(alarm_email)

    @property
    def availability_zones(self) -> list[str]:
        # The zones come from cdk.json, so synth makes no availability-zones lookup (which needs credentials).
        return self._availability_zones

    @property
    def database_environment(self) -> Mapping[str, str]:
        """The settings (shared/config.py) a function needs besides DATABASE_SECRET_ARN to open a connection."""
        if self.proxy is not None:
            # The secret names the cluster; functions connect through the proxy instead and send no startup options.
            return {"DATABASE_HOST": self.proxy.endpoint, "DATABASE_VIA_PROXY": "true"}
        # An Aurora-managed secret holds only the user name and password.
        return {"DATABASE_HOST": self.cluster.cluster_endpoint.hostname, "DATABASE_NAME": DATABASE_NAME}

    def _network(self) -> ec2.Vpc:
        vpc = ec2.Vpc(
            self,
            "Network",
            ip_addresses=ec2.IpAddresses.cidr("10.40.0.0/16"),
            # Dual stack: an Amazon-provided IPv6 block, and an egress-only internet gateway (no hourly charge)
            # as the app subnets' IPv6 default route. No NAT gateway: 32.85 USD a month and a public IPv4 address
            # for what IPv6 does for free (README.md, "Deploying").
            ip_protocol=ec2.IpProtocol.DUAL_STACK,
            max_azs=len(self._availability_zones),
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20),
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
        )
        vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                logs.LogGroup(self, "FlowLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
            ),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        Validations.of(vpc).acknowledge(
            Acknowledgment(
                id="CloudFormation-Validate::W3010",
                reason="The availability zones are fixed in cdk.json on purpose, so synth needs no lookup.",
            )
        )
        # S3 (exports) through the free gateway endpoint, over IPv4.
        vpc.add_gateway_endpoint("S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3)
        return vpc

    def _secrets_manager_endpoint(self) -> None:
        # RDS Proxy reads the database secret, and the hosted rotation function rotates it, from inside the VPC
        # over IPv4: neither can take the IPv6 route. Functions use the endpoint too (private DNS).
        endpoint_sg = ec2.SecurityGroup(
            self,
            "SecretsManagerEndpointSecurityGroup",
            vpc=self.vpc,
            description="Secrets Manager endpoint: HTTPS from the functions, the proxy and the secret rotation",
            allow_all_outbound=False,
        )
        endpoint = self.vpc.add_interface_endpoint(
            "SecretsManagerEndpoint",
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
            subnets=ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                availability_zones=self._availability_zones[: self.profile.secrets_endpoint_azs],
            ),
            private_dns_enabled=True,
            security_groups=[endpoint_sg],
            open=False,
        )
        clients = [("Lambda functions", self.functions_security_group)]
        if self.proxy is not None:
            clients += [("RDS Proxy", group) for group in self.proxy.connections.security_groups]
        if self._rotation_security_group is not None:
            clients.append(("database secret rotation", self._rotation_security_group))
        for name, group in clients:
            endpoint.connections.allow_from(group, ec2.Port.tcp(443), f"{name} to Secrets Manager")

    def _database(self) -> None:
        profile = self.profile
        self.database_security_group = ec2.SecurityGroup(
            self,
            "DatabaseSecurityGroup",
            vpc=self.vpc,
            description="Aurora: PostgreSQL from the proxy (production) or the functions (lean) only",
            allow_all_outbound=False,
        )
        credentials = (
            # RDS rotates a secret it manages itself, with no function and no network path to Secrets Manager
            # from the VPC. Its JSON holds username and password only; database_environment adds the rest.
            rds.Credentials.from_username(DATABASE_USER)
            if profile.database_rotation == "managed"
            # Generated in Secrets Manager and attached to the cluster: the JSON holds host, port, dbname,
            # username and password, which is what shared/config.py reads through DATABASE_SECRET_ARN.
            else rds.Credentials.from_generated_secret(DATABASE_USER)
        )
        engine = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_6)
        self.cluster = rds.DatabaseCluster(
            self,
            "Database",
            engine=engine,
            credentials=credentials,
            manage_master_user_password=profile.database_rotation == "managed",
            default_database_name=DATABASE_NAME,
            port=POSTGRES_PORT,
            parameter_group=rds.ParameterGroup(
                self,
                "ClusterParameters",
                engine=engine,
                description="Skills platform cluster: TLS required on every connection",
                parameters={"rds.force_ssl": "1"},
            ),
            writer=rds.ClusterInstance.serverless_v2(
                "Writer",
                parameter_group=rds.ParameterGroup(
                    self,
                    "InstanceParameters",
                    engine=engine,
                    description=f"Skills platform instances ({profile.name}): connection limit and idle sessions",
                    parameters=_instance_parameters(profile),
                ),
            ),
            serverless_v2_min_capacity=profile.min_acu,
            serverless_v2_max_capacity=profile.max_acu,
            serverless_v2_auto_pause_duration=(
                Duration.seconds(profile.auto_pause_s) if profile.auto_pause_s is not None else None
            ),
            vpc=self.vpc,
            vpc_subnets=DATA_SUBNETS,
            security_groups=[self.database_security_group],
            storage_encrypted=True,
            iam_authentication=True,
            deletion_protection=True,
            removal_policy=RemovalPolicy.SNAPSHOT,
            backup=rds.BackupProps(retention=Duration.days(7)),
            cloudwatch_logs_exports=["postgresql"],
            cloudwatch_logs_retention=LOG_RETENTION,
        )
        assert self.cluster.secret is not None  # both credential kinds make one
        self.database_secret = self.cluster.secret
        Validations.of(self.cluster).acknowledge(
            Acknowledgment(
                id="AwsSolutions-RDS11",
                reason="A non-default port adds no protection here: the cluster is in isolated subnets and only "
                "the proxy's (production) or the functions' (lean) security group may reach it.",
            )
        )
        if profile.rds_proxy:
            self.proxy = self._proxy()
        else:
            self.proxy = None
            self.cluster.connections.allow_from(
                self.functions_security_group, ec2.Port.tcp(POSTGRES_PORT), "Lambda functions to Aurora (lean)"
            )
        self._rotation_security_group: ec2.SecurityGroup | None = None
        if profile.database_rotation == "hosted":
            self._hosted_database_rotation()

    def _proxy(self) -> rds.DatabaseProxy:
        proxy_sg = ec2.SecurityGroup(
            self,
            "ProxySecurityGroup",
            vpc=self.vpc,
            description="RDS Proxy: PostgreSQL from the functions; out to Aurora and Secrets Manager",
            # The proxy reads the database secret from Secrets Manager over HTTPS (the interface endpoint).
            allow_all_outbound=True,
        )
        proxy = self.cluster.add_proxy(
            "Proxy",
            vpc=self.vpc,
            vpc_subnets=APP_SUBNETS,
            security_groups=[proxy_sg],
            secrets=[self.database_secret],
            # Functions authenticate with the secret's password (shared/config.py), over TLS only.
            iam_auth=False,
            require_tls=True,
            client_password_auth_type=rds.ClientPasswordAuthType.POSTGRES_SCRAM_SHA_256,
            # The share of max_connections the functions' concurrency budget is computed from (profiles.py).
            max_connections_percent=self.profile.proxy_connections_percent,
            # The proxy refuses clients' startup options, so it sets the statement timeout on each database
            # connection it opens (functions run with DATABASE_VIA_PROXY=true and send none).
            init_query=f"SET statement_timeout = {DEFAULT_STATEMENT_TIMEOUT_MS}",
        )
        # add_proxy already lets the proxy's security group into the cluster's; the functions reach the proxy.
        proxy.connections.allow_from(
            self.functions_security_group, ec2.Port.tcp(POSTGRES_PORT), "Lambda functions to RDS Proxy"
        )
        return proxy

    def _hosted_database_rotation(self) -> None:
        # Secrets Manager's own single-user PostgreSQL rotation function, in the app subnets: it reaches the
        # cluster directly and Secrets Manager through the interface endpoint. After a rotation the proxy reads the
        # new password; a function whose cached secret (5 minutes) is older retries with a fresh one.
        rotation_sg = ec2.SecurityGroup(
            self,
            "DatabaseRotationSecurityGroup",
            vpc=self.vpc,
            description="Database secret rotation function: PostgreSQL to Aurora, HTTPS to Secrets Manager",
            allow_all_outbound=True,
        )
        self._rotation_security_group = rotation_sg
        self.cluster.connections.allow_from(rotation_sg, ec2.Port.tcp(POSTGRES_PORT), "Secret rotation to Aurora")
        self.database_secret.add_rotation_schedule(
            "Rotation",
            automatically_after=DATABASE_ROTATION_INTERVAL,
            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(
                vpc=self.vpc, vpc_subnets=APP_SUBNETS, security_groups=[rotation_sg]
            ),
        )

    def _app_secrets(self) -> None:
        """Keys generated by Secrets Manager, never seen by anyone: read by shared/config.py (auth_secrets)."""
        self.jwt_secret = self._generated_secret(
            "JwtSigningSecret", "JWT signing key (HS256) and its key id", "jwt_key", {"jwt_current_kid": "k1"}
        )
        self.jwt_rotation = self._jwt_rotation()
        self.totp_secret = self._generated_secret(
            "TotpEncryptionSecret", "AES-256-GCM key for TOTP secrets at rest", "totp_key"
        )
        Validations.of(self.totp_secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="Rotating the TOTP key means re-encrypting every stored TOTP secret with the new one: an "
                "operator runs that as a job (README.md, Deploying), it cannot be a blind schedule.",
            )
        )
        # The operator replaces both values with the account's (README.md); until then every webhook is refused:
        # the SID is a placeholder shared/config.py rejects, the token a random string no signature matches.
        self.twilio_secret = self._generated_secret(
            "TwilioSecret",
            "Twilio account SID and auth token: replace both with the account's values",
            "auth_token",
            {"account_sid": "<replace with the Twilio account SID>"},
        )
        Validations.of(self.twilio_secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="Twilio issues the auth token: it is rotated in Twilio's console (secondary token, then "
                "promote) and written here by the operator; Secrets Manager cannot rotate it.",
            )
        )

    def _generated_secret(
        self, construct_id: str, description: str, key: str, template: dict[str, str] | None = None
    ) -> secretsmanager.Secret:
        return secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(template or {}),
                generate_string_key=key,
                password_length=64,
                exclude_punctuation=True,
            ),
        )

    def _jwt_rotation(self) -> lambda_.Function:
        # Outside the VPC: it talks to Secrets Manager only. Each rotation makes a new key id current and keeps the
        # previous key as jwt_previous_kid/jwt_previous_key, which shared/config.py still accepts, so tokens
        # signed before a rotation stay valid until the next one (90 days, far longer than any token lives).
        function = lambda_.Function(
            self,
            "JwtKeyRotation",
            description="Rotates the JWT signing key, keeping the previous key for verification",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler="jwt_key.handler",
            code=lambda_.Code.from_asset(str(ROTATION_CODE), exclude=["__pycache__", "*.pyc"]),
            memory_size=128,
            timeout=Duration.seconds(30),
            log_group=logs.LogGroup(
                self, "JwtKeyRotationLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
            ),
        )
        self.jwt_secret.add_rotation_schedule(
            "Rotation", rotation_lambda=function, automatically_after=JWT_ROTATION_INTERVAL
        )
        Validations.of(function).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                reason="AWS-managed policy for writing the function's own CloudWatch logs; maintained by AWS.",
            ),
            Acknowledgment(
                id="AwsSolutions-L1",
                reason="python3.12 is pinned with the functions' runtime (infra/packaging.py); they move together.",
            ),
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="CDK's rotation grant includes secretsmanager:GetRandomPassword, which has no resource to "
                "scope to; the function does not call it (it draws keys from Python's secrets module).",
            ),
        )
        return function

    def _alarm_topic(self, email: str | None) -> sns.Topic:
        # Encrypted with a key of our own: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS
        # key, whose policy cannot be changed to let them use it.
        key = kms.Key(
            self,
            "AlarmTopicKey",
            description="Encrypts the alarm topic; CloudWatch alarms may use it to publish",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        topic = sns.Topic(self, "AlarmTopic", display_name="Skills platform alarms", master_key=key, enforce_ssl=True)
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        if email:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        return topic

    def _exports_bucket(self, spa_origin: str) -> s3.Bucket:
        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        Validations.of(access_logs).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1", reason="This is the server-access-log bucket; logging it into itself would loop."
            )
        )
        return s3.Bucket(
            self,
            "Exports",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="exports/",
            removal_policy=RemovalPolicy.RETAIN,
            # An export lives 30 days (the API then shows it as expired). Versioning keeps an overwritten or
            # expired file as a noncurrent version: gone one day later, then its delete marker; uploads that never
            # completed are aborted after a day.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-exports",
                    expiration=EXPORTS_RETENTION,
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(id="remove-expired-delete-markers", expired_object_delete_marker=True),
            ],
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                    allowed_origins=[spa_origin],
                    exposed_headers=EXPORTS_CORS_EXPOSED_HEADERS,
                    max_age=3600,
                )
            ],
        )


def _instance_parameters(profile: Profile) -> dict[str, str]:
    parameters = {"max_connections": str(profile.max_connections)}
    if profile.idle_session_timeout_ms is not None:
        parameters["idle_session_timeout"] = str(profile.idle_session_timeout_ms)
    return parameters
