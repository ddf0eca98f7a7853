"""What outlives a deployment: the network, the database (Aurora PostgreSQL behind RDS Proxy) and the buckets.

Code changes never touch this stack; the API stack reads its resources through the attributes set here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from shared.config import DEFAULT_STATEMENT_TIMEOUT_MS

POSTGRES_PORT = 5432
DATABASE_NAME = "skills"
DATABASE_USER = "skills_admin"
LOG_RETENTION = logs.RetentionDays.ONE_MONTH

# Functions and the proxy live in the private subnets (NAT egress: AWS APIs, Twilio); the database in the
# isolated ones, reachable only from the proxy's security group.
APP_SUBNETS = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
DATA_SUBNETS = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)


class StatefulStack(Stack):
    vpc: ec2.Vpc
    functions_security_group: ec2.SecurityGroup
    cluster: rds.DatabaseCluster
    database_secret: secretsmanager.ISecret
    proxy: rds.DatabaseProxy
    exports_bucket: s3.Bucket
    jwt_secret: secretsmanager.Secret
    totp_secret: secretsmanager.Secret

    def __init__(
        self, scope: Construct, construct_id: str, *, availability_zones: Sequence[str], **kwargs: Any
    ) -> None:
        self._availability_zones = list(availability_zones)
        super().__init__(scope, construct_id, **kwargs)
        self.vpc = self._network()
        self.functions_security_group = ec2.SecurityGroup(
            self,
            "FunctionsSecurityGroup",
            vpc=self.vpc,
            description="Lambda functions: HTTPS out and PostgreSQL to the RDS Proxy, nothing in",
            allow_all_outbound=False,
        )
        self.functions_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs and third parties (Twilio)"
        )
        self._database()
        self.exports_bucket = self._exports_bucket()
        self._auth_secrets()

    @property
    def availability_zones(self) -> list[str]:
        # The zones come from cdk.json, so synth makes no availability-zones lookup (which needs credentials).
        return self._availability_zones

    def _network(self) -> ec2.Vpc:
        vpc = ec2.Vpc(
            self,
            "Network",
            ip_addresses=ec2.IpAddresses.cidr("10.40.0.0/16"),
            max_azs=len(self._availability_zones),
            # One NAT gateway keeps the bill small; a second AZ's NAT is a later resilience decision.
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
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
        # Exports go to S3 through the free gateway endpoint instead of the NAT.
        vpc.add_gateway_endpoint("S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3)
        return vpc

    def _database(self) -> None:
        database_sg = ec2.SecurityGroup(
            self, "DatabaseSecurityGroup", vpc=self.vpc, description="Aurora: PostgreSQL from the proxy only",
            allow_all_outbound=False,
        )  # fmt: skip
        proxy_sg = ec2.SecurityGroup(
            self,
            "ProxySecurityGroup",
            vpc=self.vpc,
            description="RDS Proxy: PostgreSQL from the functions; out to Aurora and Secrets Manager",
            # The proxy reads the database secret from Secrets Manager over HTTPS.
            allow_all_outbound=True,
        )
        self.cluster = rds.DatabaseCluster(
            self,
            "Database",
            engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_6),
            # Generated in Secrets Manager and attached to the cluster: the JSON holds host, port, dbname,
            # username and password, which is what shared/config.py reads through DATABASE_SECRET_ARN.
            credentials=rds.Credentials.from_generated_secret(DATABASE_USER),
            default_database_name=DATABASE_NAME,
            port=POSTGRES_PORT,
            writer=rds.ClusterInstance.serverless_v2("Writer"),
            serverless_v2_min_capacity=0.5,
            serverless_v2_max_capacity=4,
            vpc=self.vpc,
            vpc_subnets=DATA_SUBNETS,
            security_groups=[database_sg],
            storage_encrypted=True,
            iam_authentication=True,
            deletion_protection=True,
            removal_policy=RemovalPolicy.SNAPSHOT,
            backup=rds.BackupProps(retention=Duration.days(7)),
            cloudwatch_logs_exports=["postgresql"],
            cloudwatch_logs_retention=LOG_RETENTION,
        )
        assert self.cluster.secret is not None  # from_generated_secret always makes one
        self.database_secret = self.cluster.secret
        self.proxy = self.cluster.add_proxy(
            "Proxy",
            vpc=self.vpc,
            vpc_subnets=APP_SUBNETS,
            security_groups=[proxy_sg],
            secrets=[self.database_secret],
            # Functions authenticate with the secret's password (shared/config.py), over TLS only.
            iam_auth=False,
            require_tls=True,
            client_password_auth_type=rds.ClientPasswordAuthType.POSTGRES_SCRAM_SHA_256,
            # The proxy refuses clients' startup options, so it sets the statement timeout on each database
            # connection it opens (functions run with DATABASE_VIA_PROXY=true and send none).
            init_query=f"SET statement_timeout = {DEFAULT_STATEMENT_TIMEOUT_MS}",
        )
        # add_proxy already lets the proxy's security group into the cluster's; the functions reach the proxy.
        self.proxy.connections.allow_from(
            self.functions_security_group, ec2.Port.tcp(POSTGRES_PORT), "Lambda functions to RDS Proxy"
        )
        Validations.of(self.cluster).acknowledge(
            Acknowledgment(
                id="AwsSolutions-RDS11",
                reason="A non-default port adds no protection here: the cluster is in isolated subnets and only "
                "the proxy's security group may reach it.",
            )
        )
        # The generated secret is a child of the cluster (Database/Secret), so the cluster acknowledges for it.
        Validations.of(self.cluster).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="Not rotated yet: functions cache the secret for 5 minutes and would be refused by the "
                "proxy after a single-user rotation. Rotation arrives with the complete infrastructure, together "
                "with IAM authentication to the proxy.",
            )
        )

    def _auth_secrets(self) -> None:
        """Keys generated by Secrets Manager, never seen by anyone: read by shared/config.py (auth_secrets)."""
        self.jwt_secret = self._generated_key(
            "JwtSigningSecret", "JWT signing key (HS256) and its key id", "jwt_key", {"jwt_current_kid": "k1"}
        )
        self.totp_secret = self._generated_key(
            "TotpEncryptionSecret", "AES-256-GCM key for TOTP secrets at rest", "totp_key"
        )

    def _generated_key(
        self, construct_id: str, description: str, key: str, template: dict[str, str] | None = None
    ) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
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
        Validations.of(secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="Rotating these keys signs everyone out (JWT) or needs re-encryption (TOTP); rotation "
                "is an operator action: add a new key id to the ring, then retire the old one.",
            )
        )
        return secret

    def _exports_bucket(self) -> s3.Bucket:
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
        )
