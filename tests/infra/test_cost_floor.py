"""``make cost-floor``: the zero-traffic floor of each profile, priced from its templates. The arithmetic is checked
on hand-made templates; the real floors against their targets and against what BENCHMARKS.md says."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bench.sections import split_sections
from infra.cost_floor import SECTION, TARGETS, PriceTable, compute_floor
from tests.infra.cdk_synth import REPO_ROOT, Synth

PRICES = PriceTable()


def _resource(resource_type: str, **properties: Any) -> dict[str, Any]:
    return {"Type": resource_type, "Properties": properties}


def _writer() -> dict[str, Any]:
    return _resource("AWS::RDS::DBInstance", DBClusterIdentifier={"Ref": "Db"}, DBInstanceClass="db.serverless")


def _lines(floor: Any) -> dict[str, Decimal]:
    return {line.what: line.monthly_usd for line in floor.lines}


def test_production_shapes_are_priced_by_the_hour_and_the_month() -> None:
    template = {
        "Resources": {
            "Db": _resource("AWS::RDS::DBCluster", ServerlessV2ScalingConfiguration={"MinCapacity": 0.5}),
            "Writer": _writer(),
            "Proxy": _resource("AWS::RDS::DBProxy", EngineFamily="POSTGRESQL"),
            "Nat": _resource("AWS::EC2::NatGateway"),
            "Ip": _resource("AWS::EC2::EIP"),
            "Secrets": _resource(
                "AWS::EC2::VPCEndpoint", VpcEndpointType="Interface", SubnetIds=["a", "b"],
                ServiceName={"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".secretsmanager"]]},
            ),
            "S3": _resource("AWS::EC2::VPCEndpoint", VpcEndpointType="Gateway", ServiceName="com.amazonaws.x.s3"),
            "One": _resource("AWS::SecretsManager::Secret", Description="JWT key"),
            "Two": _resource("AWS::SecretsManager::Secret"),
            "Key": _resource("AWS::KMS::Key"),
            "Plain": _resource("AWS::CloudWatch::Alarm", MetricName="Throttles"),
            "Rate": _resource(
                "AWS::CloudWatch::Alarm",
                Metrics=[{"Expression": "100*e/r"}, {"MetricStat": {}}, {"MetricStat": {}}],
            ),
            "Fn": _resource("AWS::Lambda::Function"),
        }
    }  # fmt: skip
    floor = compute_floor("production", {"Stack": template}, PRICES)
    assert _lines(floor) == {
        "Aurora Serverless v2, 1 instance at 0.5 ACU": Decimal("43.800"),  # 0.5 x 730 x 0.12
        "RDS Proxy": Decimal("87.600"),  # its 8-ACU minimum x 730 x 0.015
        "NAT gateway x1": Decimal("32.850"),
        "public IPv4 address x1": Decimal("3.650"),
        "interface endpoint secretsmanager in 2 AZ": Decimal("14.60"),
        "Secrets Manager secrets x2": Decimal("0.80"),
        "KMS customer-managed key x1": Decimal("1.00"),
        "CloudWatch alarms x2 (3 metrics)": Decimal("0.30"),
    }
    assert floor.total == Decimal("184.600")
    assert "gateway endpoint s3 (free)" in floor.free
    assert "Lambda functions (per request and GB-second): 1" in floor.free


def test_a_paused_database_costs_only_the_hours_schedules_keep_it_awake() -> None:
    # Given Aurora at 0 ACU pausing after 300 s, sessions closed after 60 s idle, an hourly job in the VPC, one
    # daily job outside it, and a password RDS rotates weekly
    template = {
        "Resources": {
            "Db": _resource(
                "AWS::RDS::DBCluster", ManageMasterUserPassword=True,
                ServerlessV2ScalingConfiguration={"MinCapacity": 0, "SecondsUntilAutoPause": 300},
            ),
            "Writer": _writer(),
            "Params": _resource("AWS::RDS::DBParameterGroup", Parameters={"idle_session_timeout": "60000"}),
            "InVpc": _resource("AWS::Lambda::Function", VpcConfig={}),
            "Outside": _resource("AWS::Lambda::Function"),
            "Hourly": _resource("AWS::Events::Rule", ScheduleExpression="rate(1 hour)",
                                Targets=[{"Arn": {"Fn::GetAtt": ["InVpc", "Arn"]}}]),
            "Daily": _resource("AWS::Events::Rule", ScheduleExpression="rate(1 day)",
                               Targets=[{"Arn": {"Fn::GetAtt": ["Outside", "Arn"]}}]),
        }
    }  # fmt: skip
    floor = compute_floor("lean", {"Stack": template}, PRICES)
    lines = _lines(floor)
    assert lines["Aurora Serverless v2, 1 instance at 0 ACU"] == 0
    # Each wake: 60 s idle timeout + 300 s pause delay + 15 s resume = 375 s.
    hourly = Decimal(375) / Decimal(3600)
    weekly = (Decimal(730) / Decimal(168)) * Decimal(375) / (Decimal(730) * 3600)
    awake = 1 - (1 - hourly) * (1 - weekly)
    assert lines["Aurora woken by schedules"] == awake * Decimal("0.5") * 730 * Decimal("0.12")
    assert lines["Secrets Manager secrets x1"] == Decimal("0.40")  # the one RDS manages
    (woken,) = [line for line in floor.lines if line.what == "Aurora woken by schedules"]
    assert "Hourly rate(1 hour)" in woken.why
    assert "Daily" not in woken.why


def test_a_schedule_faster_than_the_pause_delay_keeps_the_database_awake_all_month() -> None:
    template = {
        "Resources": {
            "Db": _resource("AWS::RDS::DBCluster", ServerlessV2ScalingConfiguration={"MinCapacity": 0}),
            "Writer": _writer(),
            "Relay": _resource("AWS::Lambda::Function", VpcConfig={}),
            "Sweep": _resource("AWS::Events::Rule", ScheduleExpression="rate(1 minute)",
                               Targets=[{"Arn": {"Fn::GetAtt": ["Relay", "Arn"]}}]),
        }
    }  # fmt: skip
    floor = compute_floor("lean", {"Stack": template}, PRICES)
    assert _lines(floor)["Aurora woken by schedules"] == Decimal("43.80")


def test_every_price_the_floor_uses_is_in_the_table_and_an_unknown_one_is_named() -> None:
    for component in (
        "aurora.acu-hour", "rds-proxy.acu-hour", "nat.hour", "public_ipv4.hours",
        "vpc-endpoint.hour", "secrets.secret-month", "kms.keys", "cloudwatch.alarms.standard",
    ):  # fmt: skip
        assert PRICES[component] > 0
    with pytest.raises(KeyError, match=r"no\.such: not in prices\.csv"):
        PRICES["no.such"]


def _benchmarks_floors() -> dict[str, Decimal]:
    _, sections = split_sections((REPO_ROOT / "BENCHMARKS.md").read_text(encoding="utf-8"))
    rows = re.findall(r"^\| (production|lean) \| ([0-9.]+) \|", sections[SECTION], re.MULTILINE)
    return {profile: Decimal(amount) for profile, amount in rows}


def test_both_floors_meet_their_targets_and_benchmarks_md_says_what_the_templates_cost(
    synth: Synth, lean_synth: Synth
) -> None:
    recorded = _benchmarks_floors()
    for deployed in (synth, lean_synth):
        profile = deployed.deployment.data.profile.name
        floor = compute_floor(profile, deployed.templates, PRICES)
        assert floor.total <= TARGETS[profile], profile
        # BENCHMARKS.md is rewritten by `make cost-floor`; a change to the stacks must come with it.
        assert recorded[profile] == floor.total.quantize(Decimal("0.01")), profile


def test_the_price_table_is_one_file_the_ledger_can_seed_from() -> None:
    header = (REPO_ROOT / "shared" / "pricing" / "prices.csv").read_text().splitlines()[0]
    assert header == "region,component,unit,unit_price_usd,valid_from,source,checked"
    assert Path(PRICES.path).name == "prices.csv"
