"""The two profiles: what each deploys, how functions leave the VPC without a NAT gateway, and the database
connection budget that reserved concurrency is cut from."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App

from infra.config import ConfigError, DeploySettings
from infra.profiles import LEAN, PRODUCTION, BudgetExceeded, ConnectionBudget, rate_seconds
from tests.infra.cdk_synth import Synth, cdk_context
from tests.infra.manifest_vs_template import resources
from tests.infra.test_cdk_security import exported_as, manifest_function_ids


def _routes(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [route["Properties"] for route in resources(template, "AWS::EC2::Route").values()]


@pytest.mark.parametrize("profile", ["production", "lean"])
def test_no_nat_gateway_or_public_address_functions_leave_over_ipv6(
    synth: Synth, lean_synth: Synth, profile: str
) -> None:
    deployed = synth if profile == "production" else lean_synth
    template = deployed.data_json
    assert resources(template, "AWS::EC2::NatGateway") == {}
    assert resources(template, "AWS::EC2::EIP") == {}
    (gateway_id,) = resources(template, "AWS::EC2::EgressOnlyInternetGateway")
    routes = _routes(template)
    # Every default route is IPv6 to the egress-only gateway; there is no IPv4 default route at all.
    assert routes
    assert all(route.get("DestinationIpv6CidrBlock") == "::/0" for route in routes)
    assert all(route.get("EgressOnlyInternetGatewayId") == {"Ref": gateway_id} for route in routes)
    data = deployed.deployment.data
    app_tables = {data.resolve(subnet.route_table.route_table_id)["Ref"] for subnet in data.vpc.private_subnets}
    assert {route["RouteTableId"]["Ref"] for route in routes} == app_tables  # the isolated subnets get none
    egress = [r["Properties"] for r in resources(template, "AWS::EC2::SecurityGroupEgress").values()]
    functions_sg = data.resolve(data.functions_security_group.security_group_id)
    functions_out = [
        rule for rule in [*egress, *template["Resources"][functions_sg["Fn::GetAtt"][0]]["Properties"].get(
            "SecurityGroupEgress", [])]
        if rule.get("GroupId", functions_sg) == functions_sg
    ]  # fmt: skip
    assert {(r.get("CidrIp"), r.get("CidrIpv6"), r["FromPort"]) for r in functions_out if "FromPort" in r} >= {
        ("0.0.0.0/0", None, 443),
        (None, "::/0", 443),
    }
    # S3 is reached through the free gateway endpoint in both profiles.
    endpoints = [e["Properties"] for e in resources(template, "AWS::EC2::VPCEndpoint").values()]
    assert [e for e in endpoints if e.get("VpcEndpointType") == "Gateway" and "s3" in str(e["ServiceName"])]


def test_production_pools_connections_in_rds_proxy_and_reads_secrets_through_an_endpoint(synth: Synth) -> None:
    assert len(resources(synth.data_json, "AWS::RDS::DBProxy")) == 1
    endpoints = [e["Properties"] for e in resources(synth.data_json, "AWS::EC2::VPCEndpoint").values()]
    (interface,) = [e for e in endpoints if e.get("VpcEndpointType") == "Interface"]
    assert len(interface["SubnetIds"]) == 2


def test_lean_aurora_pauses_at_zero_and_functions_connect_to_it_directly(lean_synth: Synth) -> None:
    template = lean_synth.data_json
    assert resources(template, "AWS::RDS::DBProxy") == {}
    assert [e for e in resources(template, "AWS::EC2::VPCEndpoint").values()
            if e["Properties"].get("VpcEndpointType") == "Interface"] == []  # fmt: skip
    (cluster,) = resources(template, "AWS::RDS::DBCluster").values()
    assert cluster["Properties"]["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": 0,
        "MaxCapacity": 4,
        "SecondsUntilAutoPause": 300,
    }
    (instance,) = resources(template, "AWS::RDS::DBInstance").values()
    group = template["Resources"][instance["Properties"]["DBParameterGroupName"]["Ref"]]["Properties"]
    # A frozen Lambda environment's idle connection is closed, so the instance can pause.
    assert group["Parameters"]["idle_session_timeout"] == "60000"
    data = lean_synth.deployment.data
    lean_synth.data.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "IpProtocol": "tcp",
            "FromPort": 5432,
            "SourceSecurityGroupId": data.resolve(data.functions_security_group.security_group_id),
            "GroupId": data.resolve(data.database_security_group.security_group_id),
        },
    )
    api = lean_synth.api_json
    for function_id in manifest_function_ids(api):
        variables = api["Resources"][function_id]["Properties"]["Environment"]["Variables"]
        if "VpcConfig" not in api["Resources"][function_id]["Properties"]:  # the Twilio egress: no database
            assert not [name for name in variables if name.startswith("DATABASE_")]
            continue
        assert variables["DATABASE_HOST"] == exported_as(lean_synth, data.cluster.cluster_endpoint.hostname)
        assert variables["DATABASE_NAME"] == "skills"
        assert "DATABASE_VIA_PROXY" not in variables


def test_the_budget_is_the_proxys_share_in_production_and_what_operators_leave_in_lean() -> None:
    assert PRODUCTION.connection_budget == 630  # 90% of 700
    assert LEAN.connection_budget == 390  # 400 less 10 for operators
    # Every function of today's manifest (the WebSocket API's three and the exports' ten included) fits at its share
    # (infra/manifest_functions.concurrency_of), with room for a fifth as many again.
    from functions.routes import ENTRIES
    from infra.manifest_functions import concurrency_of

    for profile in (PRODUCTION, LEAN):
        needed = sum(concurrency_of(entry, profile) or 0 for entry in ENTRIES)  # None: holds no connection
        assert needed * 1.2 <= profile.connection_budget, profile.name


def test_claims_add_up_to_the_budget_at_most() -> None:
    budget = ConnectionBudget(LEAN)
    assert budget.claim("GetHealth") == LEAN.default_function_concurrency
    assert budget.claim("PostAssessmentsSubmit", 100) == 100
    with pytest.raises(ValueError, match="already holds"):
        budget.claim("GetHealth")
    with pytest.raises(ValueError, match="at least 1"):
        budget.claim("Nothing", 0)
    room = budget.total - budget.claimed
    with pytest.raises(BudgetExceeded, match="over the lean budget of 390"):
        budget.claim("TooMuch", room + 1)
    assert budget.claim("Exactly", room) == room
    assert budget.claimed == budget.total
    assert "TooMuch" not in budget.claims


def test_lean_runs_database_jobs_at_most_daily_so_aurora_can_sleep() -> None:
    assert LEAN.job_schedule("rate(1 hour)") == "rate(1 day)"
    assert LEAN.job_schedule("rate(1 minute)") == "rate(1 day)"
    assert LEAN.job_schedule("rate(7 days)") == "rate(7 days)"
    assert PRODUCTION.job_schedule("rate(1 minute)") == "rate(1 minute)"
    with pytest.raises(ValueError, match="not a rate"):
        LEAN.job_schedule("cron(0 3 * * ? *)")
    assert rate_seconds("rate(5 minutes)") == 300
    with pytest.raises(ValueError, match="positive integer"):
        rate_seconds("rate(0 hours)")


def test_profile_comes_from_context_and_an_unknown_one_is_refused() -> None:
    def settings(**overrides: Any) -> DeploySettings:
        return DeploySettings.from_context(App(context=cdk_context(**overrides)).node, {})

    assert settings().profile is PRODUCTION
    assert settings(profile="lean").profile is LEAN
    with pytest.raises(ConfigError, match="profile must be one of"):
        settings(profile="cheap")
