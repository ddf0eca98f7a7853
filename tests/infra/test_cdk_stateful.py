"""The stateful stack: Aurora PostgreSQL 16 Serverless v2 (behind RDS Proxy in production), forced TLS, the
exports bucket's lifecycle and CORS, the secrets and their rotation, the alarm topic."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match

from shared.config import is_placeholder
from tests.infra.cdk_synth import Synth
from tests.infra.manifest_vs_template import resources


def _one(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    (resource,) = resources(template, resource_type).values()
    return resource


def test_database_is_aurora_postgresql_16_serverless_v2_encrypted_in_isolated_subnets(synth: Synth) -> None:
    synth.data.has_resource_properties(
        "AWS::RDS::DBCluster",
        {
            "Engine": "aurora-postgresql",
            "EngineVersion": Match.string_like_regexp(r"^16\."),
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4},
            "StorageEncrypted": True,
            "DeletionProtection": True,
            "MasterUserPassword": Match.object_like({"Fn::Join": Match.any_value()}),  # from the generated secret
        },
    )
    synth.data.has_resource_properties("AWS::RDS::DBInstance", {"DBInstanceClass": "db.serverless"})
    synth.data.has_resource("AWS::RDS::DBCluster", {"DeletionPolicy": "Snapshot"})
    subnet_group = _one(synth.data_json, "AWS::RDS::DBSubnetGroup")
    isolated = synth.deployment.data.vpc.isolated_subnets
    assert subnet_group["Properties"]["SubnetIds"] == [
        synth.deployment.data.resolve(subnet.subnet_id) for subnet in isolated
    ]


def test_every_connection_to_the_database_must_use_tls(synth: Synth, lean_synth: Synth) -> None:
    for template in (synth.data_json, lean_synth.data_json):
        cluster = _one(template, "AWS::RDS::DBCluster")
        group_id = cluster["Properties"]["DBClusterParameterGroupName"]["Ref"]
        group = template["Resources"][group_id]
        assert group["Type"] == "AWS::RDS::DBClusterParameterGroup"
        assert group["Properties"]["Family"] == "aurora-postgresql16"
        assert group["Properties"]["Parameters"]["rds.force_ssl"] == "1"


def test_the_connection_limit_is_set_where_the_concurrency_budget_reads_it(synth: Synth, lean_synth: Synth) -> None:
    for deployed in (synth, lean_synth):
        profile = deployed.deployment.data.profile
        instance = _one(deployed.data_json, "AWS::RDS::DBInstance")
        group = deployed.data_json["Resources"][instance["Properties"]["DBParameterGroupName"]["Ref"]]
        assert group["Properties"]["Parameters"]["max_connections"] == str(profile.max_connections)


def test_proxy_requires_tls_and_authenticates_with_the_cluster_secret(synth: Synth) -> None:
    data = synth.deployment.data
    synth.data.has_resource_properties(
        "AWS::RDS::DBProxy",
        {
            "EngineFamily": "POSTGRESQL",
            "RequireTLS": True,
            "Auth": [
                Match.object_like({"AuthScheme": "SECRETS", "SecretArn": data.resolve(data.database_secret.secret_arn)})
            ],
        },
    )
    synth.data.has_resource_properties(
        "AWS::RDS::DBProxyTargetGroup",
        {"ConnectionPoolConfigurationInfo": Match.object_like({"MaxConnectionsPercent": 90})},
    )


def test_the_proxy_sets_the_statement_timeout_clients_cannot_send_through_it(synth: Synth) -> None:
    synth.data.has_resource_properties(
        "AWS::RDS::DBProxyTargetGroup",
        {"ConnectionPoolConfigurationInfo": Match.object_like({"InitQuery": "SET statement_timeout = 15000"})},
    )


def test_exports_bucket_is_encrypted_private_and_tls_only(synth: Synth) -> None:
    data = synth.deployment.data
    bucket = data.resolve(data.exports_bucket.bucket_name)
    synth.data.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": Match.any_value()}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LoggingConfiguration": Match.object_like({"DestinationBucketName": Match.any_value()}),
        },
    )
    synth.data.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": bucket,
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                ),
                "Version": Match.any_value(),
            },
        },
    )


def _exports_bucket(synth: Synth) -> dict[str, Any]:
    data = synth.deployment.data
    logical_id = data.get_logical_id(data.exports_bucket.node.default_child)  # type: ignore[arg-type]
    return dict(synth.data_json["Resources"][logical_id]["Properties"])


def test_exports_expire_after_30_days_with_their_old_versions_and_unfinished_uploads(synth: Synth) -> None:
    rules = {rule["Id"]: rule for rule in _exports_bucket(synth)["LifecycleConfiguration"]["Rules"]}
    expire = rules["expire-exports"]
    assert expire["Status"] == "Enabled"
    assert expire["ExpirationInDays"] == 30
    assert expire["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert expire["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert "Prefix" not in expire
    assert "TagFilters" not in expire
    assert rules["remove-expired-delete-markers"]["ExpiredObjectDeleteMarker"] is True


def test_exports_answer_cross_origin_reads_from_the_spa_only(synth: Synth) -> None:
    (rule,) = _exports_bucket(synth)["CorsConfiguration"]["CorsRules"]
    web = synth.deployment.web
    origin = synth.deployment.data.resolve(web.origin)
    assert rule["AllowedOrigins"] == [origin]
    assert "*" not in str(rule["AllowedOrigins"])
    assert sorted(rule["AllowedMethods"]) == ["GET", "HEAD"]
    assert "Content-Disposition" in rule["ExposedHeaders"]


def test_twilio_credentials_are_a_secret_whose_values_are_not_in_the_template(synth: Synth) -> None:
    data = synth.deployment.data
    secret = synth.data_json["Resources"][data.get_logical_id(data.twilio_secret.node.default_child)]  # type: ignore[arg-type]
    generator = secret["Properties"]["GenerateSecretString"]
    assert generator["GenerateStringKey"] == "auth_token"
    # The SID template is a placeholder shared/config.py refuses, so nothing works until the operator sets it.
    assert is_placeholder(json.loads(generator["SecretStringTemplate"])["account_sid"])
    assert "SecretString" not in secret["Properties"]


def test_database_secret_rotates_in_the_vpc_single_user_in_production(synth: Synth) -> None:
    data = synth.deployment.data
    schedules = resources(synth.data_json, "AWS::SecretsManager::RotationSchedule").values()
    (hosted,) = [s["Properties"] for s in schedules if "HostedRotationLambda" in s["Properties"]]
    assert hosted["SecretId"] == data.resolve(data.database_secret.secret_arn)
    assert hosted["HostedRotationLambda"]["RotationType"] == "PostgreSQLSingleUser"
    assert hosted["RotationRules"] == {"ScheduleExpression": "rate(30 days)"}
    # In the app subnets, where it reaches both Aurora and the Secrets Manager endpoint
    app_subnets = [data.resolve(subnet_id) for subnet_id in data.vpc.select_subnets(subnet_group_name="app").subnet_ids]
    joined = hosted["HostedRotationLambda"]["VpcSubnetIds"]["Fn::Join"][1]
    assert [part for part in joined if part != ","] == app_subnets
    endpoints = [e["Properties"] for e in resources(synth.data_json, "AWS::EC2::VPCEndpoint").values()]
    (secrets_endpoint,) = [e for e in endpoints if e.get("VpcEndpointType") == "Interface"]
    assert secrets_endpoint["PrivateDnsEnabled"] is True
    assert "secretsmanager" in str(secrets_endpoint["ServiceName"])


def test_lean_lets_aurora_manage_and_rotate_its_password(lean_synth: Synth) -> None:
    cluster = _one(lean_synth.data_json, "AWS::RDS::DBCluster")["Properties"]
    assert cluster["ManageMasterUserPassword"] is True
    assert "MasterUserPassword" not in cluster
    schedules = resources(lean_synth.data_json, "AWS::SecretsManager::RotationSchedule").values()
    assert not [s for s in schedules if "HostedRotationLambda" in s["Properties"]]


def test_jwt_key_rotates_every_90_days_through_the_function_that_keeps_the_previous_key(synth: Synth) -> None:
    data = synth.deployment.data
    jwt = data.resolve(data.jwt_secret.secret_arn)
    function_id = data.get_logical_id(data.jwt_rotation.node.default_child)  # type: ignore[arg-type]
    (schedule,) = [
        s["Properties"]
        for s in resources(synth.data_json, "AWS::SecretsManager::RotationSchedule").values()
        if s["Properties"]["SecretId"] == jwt
    ]
    assert schedule["RotationLambdaARN"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert schedule["RotationRules"] == {"ScheduleExpression": "rate(90 days)"}
    function = synth.data_json["Resources"][function_id]["Properties"]
    assert function["Handler"] == "jwt_key.handler"
    assert "VpcConfig" not in function  # it talks to Secrets Manager only


def test_alarm_topic_is_encrypted_with_a_rotating_key_cloudwatch_may_use(synth: Synth) -> None:
    topic = _one(synth.data_json, "AWS::SNS::Topic")["Properties"]
    key_id = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = synth.data_json["Resources"][key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    principals = [s.get("Principal", {}).get("Service") for s in key["KeyPolicy"]["Statement"]]
    assert "cloudwatch.amazonaws.com" in principals
