"""The stateful stack: Aurora PostgreSQL 16 Serverless v2 behind RDS Proxy, and a locked-down exports bucket."""

from __future__ import annotations

from aws_cdk.assertions import Match

from tests.infra.cdk_synth import Synth


def test_database_is_aurora_postgresql_16_serverless_v2_encrypted_in_isolated_subnets(synth: Synth) -> None:
    synth.data.has_resource_properties(
        "AWS::RDS::DBCluster",
        {
            "Engine": "aurora-postgresql",
            "EngineVersion": Match.string_like_regexp(r"^16\."),
            "ServerlessV2ScalingConfiguration": {"MinCapacity": Match.any_value(), "MaxCapacity": Match.any_value()},
            "StorageEncrypted": True,
            "DeletionProtection": True,
            "MasterUserPassword": Match.object_like({"Fn::Join": Match.any_value()}),  # from the generated secret
        },
    )
    synth.data.has_resource_properties("AWS::RDS::DBInstance", {"DBInstanceClass": "db.serverless"})
    synth.data.has_resource("AWS::RDS::DBCluster", {"DeletionPolicy": "Snapshot"})
    template = synth.data_json
    (subnet_group,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::RDS::DBSubnetGroup"]
    isolated = synth.deployment.data.vpc.isolated_subnets
    assert subnet_group["Properties"]["SubnetIds"] == [
        synth.deployment.data.resolve(subnet.subnet_id) for subnet in isolated
    ]


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
