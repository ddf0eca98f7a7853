"""Least privilege and cdk-nag: functions read the database secret and nothing wider; every cdk-nag finding
is either fixed or acknowledged with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.routes import JOBS, ROUTES
from tests.infra.cdk_synth import Synth
from tests.infra.manifest_vs_template import resources

# Active tracing needs these on "*": X-Ray offers no resource-level permissions.
ACTIONS_ALLOWED_ON_ANY_RESOURCE = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM statement of the template, with the logical id of the resource that holds it."""
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        documents = []
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents.append(properties["PolicyDocument"])
        if resource["Type"] == "AWS::IAM::Role":
            documents += [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        for document in documents:
            for statement in _as_list(document["Statement"]):
                yield logical_id, statement


def role_statements(template: dict[str, Any], function_id: str) -> list[dict[str, Any]]:
    role_id = template["Resources"][function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in _as_list(policy["Properties"]["PolicyDocument"]["Statement"])
    ]


def manifest_function_ids(template: dict[str, Any]) -> list[str]:
    return [
        logical_id
        for logical_id, function in resources(template, "AWS::Lambda::Function").items()
        if str(function["Properties"].get("Handler", "")).startswith("functions.")
    ]


def exported_as(synth: Synth, value: Any) -> dict[str, Any]:
    """How the API stack imports a value of the stateful stack: its Fn::ImportValue."""
    resolved = synth.deployment.data.resolve(value)
    outputs = synth.data_json["Outputs"]
    (name,) = [output["Export"]["Name"] for output in outputs.values() if output["Value"] == resolved]
    return {"Fn::ImportValue": name}


@pytest.mark.parametrize("template_name", ["data", "api"])
def test_no_wildcard_action_on_a_wildcard_resource(synth: Synth, template_name: str) -> None:
    template = getattr(synth, f"{template_name}_json")
    offenders = [
        (logical_id, statement)
        for logical_id, statement in statements(template)
        if statement.get("Effect") == "Allow"
        and "*" in _as_list(statement.get("Resource"))
        and any("*" in action for action in _as_list(statement.get("Action")))
    ]
    assert offenders == []


def test_functions_get_nothing_on_any_resource_but_tracing(synth: Synth) -> None:
    template = synth.api_json
    wide = {
        (function_id, action)
        for function_id in manifest_function_ids(template)
        for statement in role_statements(template, function_id)
        if "*" in _as_list(statement.get("Resource"))
        for action in _as_list(statement["Action"])
        if action not in ACTIONS_ALLOWED_ON_ANY_RESOURCE
    }
    assert wide == set()


def test_every_function_reads_its_three_secrets_and_no_other(synth: Synth) -> None:
    template = synth.api_json
    data = synth.deployment.data
    expected = [exported_as(synth, s.secret_arn) for s in (data.database_secret, data.jwt_secret, data.totp_secret)]
    function_ids = manifest_function_ids(template)
    assert len(function_ids) == len(ROUTES) + len(JOBS)
    for function_id in function_ids:
        secret_statements = [
            statement
            for statement in role_statements(template, function_id)
            if any(str(action).startswith("secretsmanager:") for action in _as_list(statement["Action"]))
        ]
        assert all("secretsmanager:GetSecretValue" in _as_list(s["Action"]) for s in secret_statements)
        resources_read = [r for s in secret_statements for r in _as_list(s["Resource"])]
        assert sorted(map(str, resources_read)) == sorted(map(str, expected)), function_id


def test_functions_run_in_the_vpc_and_reach_the_database_through_the_proxy(synth: Synth) -> None:
    data = synth.deployment.data
    secret = exported_as(synth, data.database_secret.secret_arn)
    proxy_host = exported_as(synth, data.proxy.endpoint)
    security_group = exported_as(synth, data.functions_security_group.security_group_id)
    template = synth.api_json
    for function_id in manifest_function_ids(template):
        properties = template["Resources"][function_id]["Properties"]
        assert properties["Runtime"] == "python3.12"
        assert properties["Architectures"] == ["arm64"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["VpcConfig"]["SecurityGroupIds"] == [security_group]
        assert properties["Environment"]["Variables"] == {
            "APP_ENV": "aws",
            "POWERTOOLS_SERVICE_NAME": "skills-platform",
            "POWERTOOLS_METRICS_NAMESPACE": "SkillsPlatform",
            "DATABASE_SECRET_ARN": secret,
            "DATABASE_HOST": proxy_host,
            "DATABASE_VIA_PROXY": "true",
            "JWT_SECRET_ARN": exported_as(synth, data.jwt_secret.secret_arn),
            "TOTP_SECRET_ARN": exported_as(synth, data.totp_secret.secret_arn),
        }
        log_group_id = properties["LoggingConfig"]["LogGroup"]["Ref"]
        assert template["Resources"][log_group_id]["Properties"]["RetentionInDays"] > 0
    # The functions' security group may reach the proxy on 5432, and the proxy's the cluster.
    functions_sg = data.resolve(data.functions_security_group.security_group_id)
    (proxy_sg,) = [data.resolve(group.security_group_id) for group in data.proxy.connections.security_groups]
    (cluster_sg,) = [data.resolve(group.security_group_id) for group in data.cluster.connections.security_groups]
    synth.data.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "IpProtocol": "tcp",
            "FromPort": 5432,
            "ToPort": 5432,
            "SourceSecurityGroupId": functions_sg,
            "GroupId": proxy_sg,
        },
    )
    synth.data.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {"IpProtocol": "tcp", "SourceSecurityGroupId": proxy_sg, "GroupId": cluster_sg},
    )


def test_cdk_nag_and_cloudformation_validation_report_nothing_unacknowledged(synth: Synth) -> None:
    # Errors fail `cdk synth`; warnings (CloudFormation schema findings are reported as warnings, e.g. a
    # property CloudFormation would reject at deploy time) are held to the same bar here.
    assert synth.errors() == []
    assert synth.violations() == []


def test_cdk_nag_is_active_and_its_report_is_read(fake_synth: Synth) -> None:
    # Given the app with one bucket added that breaks AwsSolutions rules (conftest.fake_synth)
    # Then exactly that bucket's findings are reported, so the empty list above means something
    errors = fake_synth.errors()
    assert ("AwsSolutions-S10", "SkillsPlatformApi/NagProbe/Resource") in errors
    assert {path for _, path in errors} == {"SkillsPlatformApi/NagProbe/Resource"}
