"""Least privilege and cdk-nag: functions read the database secret and nothing wider; every cdk-nag finding
is either fixed or acknowledged with a reason."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from functions.routes import ENTRIES, WEBSOCKET_ROUTES
from infra.manifest_functions import (
    AWS_ENDPOINT_ENVIRONMENT,
    BASE_ENVIRONMENT,
    EXPORTS_BUCKET_ARN_EXPORT,
    NEED_ENVIRONMENT,
    RULE_ENVIRONMENT,
    in_vpc,
    needs_of,
)
from shared.manifest import Entry, Need
from tests.infra.cdk_synth import FAKE_JOBS, FAKE_ROUTES, Synth
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


@pytest.mark.parametrize("profile", ["production", "lean"])
@pytest.mark.parametrize("template_name", ["web", "data", "api"])
def test_no_wildcard_action_on_a_wildcard_resource(
    synth: Synth, lean_synth: Synth, profile: str, template_name: str
) -> None:
    template = getattr(synth if profile == "production" else lean_synth, f"{template_name}_json")
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


def _entry_of(template: dict[str, Any], function_id: str, entries: Sequence[Entry] = ENTRIES) -> Entry:
    module = template["Resources"][function_id]["Properties"]["Handler"].removesuffix(".handler")
    (found,) = [e for e in entries if e.module == module]
    return found


def _needs_granted(synth: Synth, function_id: str) -> set[Need]:
    """Every permission of a function's role, named by the need it serves; anything else fails the test."""
    data = synth.deployment.data
    secrets = {
        str(exported_as(synth, data.database_secret.secret_arn)): Need.DATABASE,
        str(exported_as(synth, data.jwt_secret.secret_arn)): Need.JWT_KEYS,
        str(exported_as(synth, data.totp_secret.secret_arn)): Need.TOTP_KEY,
        str(exported_as(synth, data.twilio_secret.secret_arn)): Need.TWILIO,
    }
    granted: set[Need] = set()
    for statement in role_statements(synth.api_json, function_id):
        actions = set(_as_list(statement["Action"]))
        targets = [str(r) for r in _as_list(statement["Resource"])]
        if actions <= ACTIONS_ALLOWED_ON_ANY_RESOURCE:
            continue
        if actions <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}:
            assert all(t in secrets for t in targets), (function_id, targets)
            granted |= {secrets[t] for t in targets}
        elif all(a.startswith("s3:") for a in actions):
            objects_only = all(EXPORTS_BUCKET_ARN_EXPORT in t and t.endswith("'/*']]}") for t in targets)
            assert objects_only, (function_id, targets)
            granted.add(Need.EXPORTS_BUCKET)
        elif actions == {"lambda:InvokeFunction"}:
            if "TwilioEgress" in str(targets):
                granted.add(Need.TWILIO_EGRESS)
            else:
                granted.add(Need.INVOKE_RELAY if "Relay" in str(targets) else Need.INVOKE_WORKERS)
        elif actions == {"execute-api:ManageConnections"}:
            granted.add(Need.WEBSOCKET_MANAGEMENT)
        else:
            raise AssertionError(f"{function_id}: a permission no need explains: {statement}")
    return granted


@pytest.mark.parametrize(
    ("which", "entries"), [("synth", ENTRIES), ("fake_synth", (*FAKE_ROUTES, *WEBSOCKET_ROUTES, *FAKE_JOBS))]
)
def test_each_function_holds_exactly_the_permissions_its_entry_needs(
    which: str, entries: Sequence[Entry], request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    function_ids = manifest_function_ids(synth.api_json)
    functions = synth.deployment.api.functions
    assert len(function_ids) == len(functions.route_functions) + len(functions.websocket_functions) + len(
        functions.job_functions
    )
    for function_id in function_ids:
        item = _entry_of(synth.api_json, function_id, entries)
        expected = set(needs_of(item))
        assert _needs_granted(synth, function_id) == expected, function_id


def test_health_cannot_read_a_secret_it_does_not_use(synth: Synth) -> None:
    template = synth.api_json
    (health_id,) = [f for f in manifest_function_ids(template) if _entry_of(template, f).module == "functions.health"]
    assert _needs_granted(synth, health_id) == {Need.DATABASE}
    variables = template["Resources"][health_id]["Properties"]["Environment"]["Variables"]
    assert not {"JWT_SECRET_ARN", "TOTP_SECRET_ARN", "TWILIO_SECRET_ARN"} & set(variables)


def test_a_function_environment_holds_only_what_its_needs_set(synth: Synth) -> None:
    template = synth.api_json
    base = {"APP_ENV", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", *BASE_ENVIRONMENT}
    for function_id in manifest_function_ids(template):
        variables = set(template["Resources"][function_id]["Properties"]["Environment"]["Variables"])
        entry = _entry_of(template, function_id)
        allowed = base | (set(AWS_ENDPOINT_ENVIRONMENT) if in_vpc(entry) else set())
        allowed |= {name for need in needs_of(entry) for name in NEED_ENVIRONMENT[need]}
        allowed |= set(RULE_ENVIRONMENT.get(type(entry.auth), ()))
        assert variables <= allowed, (function_id, variables - allowed)


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
        if not in_vpc(_entry_of(template, function_id)):  # the Twilio egress: test_cdk_twilio_egress.py
            assert "VpcConfig" not in properties
            continue
        assert properties["VpcConfig"]["SecurityGroupIds"] == [security_group]
        variables = properties["Environment"]["Variables"]
        assert {k: variables[k] for k in ("DATABASE_SECRET_ARN", "DATABASE_HOST", "DATABASE_VIA_PROXY")} == {
            "DATABASE_SECRET_ARN": secret,
            "DATABASE_HOST": proxy_host,
            "DATABASE_VIA_PROXY": "true",
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


def test_cdk_nag_and_cloudformation_validation_report_nothing_unacknowledged(synth: Synth, lean_synth: Synth) -> None:
    # Errors fail `cdk synth`; warnings (CloudFormation schema findings are reported as warnings, e.g. a
    # property CloudFormation would reject at deploy time) are held to the same bar here. Both profiles.
    assert synth.errors() == []
    assert synth.violations() == []
    assert lean_synth.violations() == []


def test_every_acknowledgment_carries_a_written_reason(synth: Synth, lean_synth: Synth) -> None:
    # CDK records acknowledgments as construct metadata; an empty or placeholder reason is no reason.
    from aws_cdk import Validations
    from constructs import IConstruct

    def acknowledgments(root: IConstruct) -> list[tuple[str, str, str]]:
        found = []
        for construct in root.node.find_all():
            for entry in construct.node.metadata:
                if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY and entry.data:
                    found += [(construct.node.path, rule, str(reason)) for rule, reason in dict(entry.data).items()]
        return found

    found = [ack for s in (synth, lean_synth) for stack in (s.deployment.web, s.deployment.data, s.deployment.api)
             for ack in acknowledgments(stack)]  # fmt: skip
    assert len(found) > 10
    too_short = [(path, rule) for path, rule, reason in found if len(reason.split()) < 8]
    assert too_short == []


def test_cdk_nag_is_active_and_its_report_is_read(fake_synth: Synth) -> None:
    # Given the app with one bucket added that breaks AwsSolutions rules (conftest.fake_synth)
    # Then exactly that bucket's findings are reported, so the empty list above means something
    errors = fake_synth.errors()
    assert ("AwsSolutions-S10", "SkillsPlatformApi/NagProbe/Resource") in errors
    assert {path for _, path in errors} == {"SkillsPlatformApi/NagProbe/Resource"}
