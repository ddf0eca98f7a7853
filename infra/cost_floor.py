"""``make cost-floor``: what each profile costs a month at zero traffic, read from its synthesized templates.

Every resource billed by the hour or by the month is priced from the price table (shared/pricing/prices.csv, the
same rows the cost ledger seeds from); everything billed by use (requests, GB-seconds, messages, stored bytes)
costs nothing at zero traffic and is listed as such. The result replaces the "Zero-traffic floor" section of
BENCHMARKS.md.

Billing rules the templates cannot say, each with its source:
- A month is 730 hours (AWS's pricing pages use it).
- RDS Proxy in front of Aurora Serverless v2 is billed for 8 ACUs at least (https://aws.amazon.com/rds/proxy/pricing/).
- An Aurora Serverless v2 instance with a 0-ACU minimum is billed nothing while paused and at least 0.5 ACU while
  awake; it pauses after SecondsUntilAutoPause without a connection, and resumes in about 15 s
  (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html).
  A scheduled job that connects wakes it for idle_session_timeout + SecondsUntilAutoPause + the resume.
- RDS rotates a password it manages every 7 days unless told otherwise, which wakes a paused instance.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from infra.packaging import REPO_ROOT
from infra.profiles import PROFILES, rate_seconds

PRICE_TABLE = REPO_ROOT / "shared" / "pricing" / "prices.csv"
REGION = "us-east-1"
HOURS = Decimal(730)
RDS_PROXY_MIN_ACUS = Decimal(8)
AURORA_AWAKE_MIN_ACU = Decimal("0.5")
AURORA_RESUME_S = 15
MANAGED_ROTATIONS_PER_MONTH = Decimal(730) / Decimal(24 * 7)
SECTION = "Zero-traffic floor"

Template = dict[str, Any]


class PriceTable:
    """Unit prices by component for one region, from the CSV."""

    def __init__(self, path: Path = PRICE_TABLE, region: str = REGION) -> None:
        with path.open(newline="") as file:
            rows = [row for row in csv.DictReader(file) if row["region"] == region]
        self._prices = {row["component"]: Decimal(row["unit_price_usd"]) for row in rows}
        self.path = path

    def __getitem__(self, component: str) -> Decimal:
        try:
            return self._prices[component]
        except KeyError:
            raise KeyError(f"{component}: not in {self.path.name}") from None


@dataclass(frozen=True)
class Line:
    what: str
    monthly_usd: Decimal
    why: str


@dataclass
class Floor:
    profile: str
    lines: list[Line] = field(default_factory=list)
    free: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.monthly_usd for line in self.lines), Decimal(0))

    def add(self, what: str, monthly_usd: Decimal, why: str) -> None:
        self.lines.append(Line(what, monthly_usd, why))


def compute_floor(profile: str, templates: Mapping[str, Template], prices: PriceTable) -> Floor:
    """The floor of one deployment: ``templates`` maps stack names to their synthesized templates."""
    floor = Floor(profile)
    resources = {
        logical_id: resource
        for template in templates.values()
        for logical_id, resource in template.get("Resources", {}).items()
    }
    _aurora(floor, resources, prices)
    for _ in _of_type(resources, "AWS::RDS::DBProxy"):
        floor.add(
            "RDS Proxy",
            RDS_PROXY_MIN_ACUS * HOURS * prices["rds-proxy.acu-hour"],
            f"pools the functions' connections (production); billed for {RDS_PROXY_MIN_ACUS} ACUs at least",
        )
    nats = list(_of_type(resources, "AWS::EC2::NatGateway"))
    if nats:
        floor.add(
            f"NAT gateway x{len(nats)}",
            len(nats) * HOURS * prices["nat.hour"],
            "IPv4 egress from private subnets",
        )
    eips = list(_of_type(resources, "AWS::EC2::EIP"))
    if eips:
        floor.add(f"public IPv4 address x{len(eips)}", len(eips) * HOURS * prices["public_ipv4.hours"], "NAT's")
    for _, endpoint in _of_type(resources, "AWS::EC2::VPCEndpoint"):
        properties = endpoint["Properties"]
        if properties.get("VpcEndpointType") != "Interface":
            floor.free.append(f"gateway endpoint {_service_name(properties)} (free)")
            continue
        zones = len(properties.get("SubnetIds", []))
        floor.add(
            f"interface endpoint {_service_name(properties)} in {zones} AZ",
            zones * HOURS * prices["vpc-endpoint.hour"],
            "RDS Proxy and the hosted rotation function read Secrets Manager from inside the VPC over IPv4",
        )
    secrets = [_secret_purpose(secret) for _, secret in _of_type(resources, "AWS::SecretsManager::Secret")]
    secrets += ["database credentials (managed and rotated by RDS)"
                for _, cluster in _of_type(resources, "AWS::RDS::DBCluster")
                if cluster["Properties"].get("ManageMasterUserPassword")]  # fmt: skip
    floor.add(
        f"Secrets Manager secrets x{len(secrets)}",
        len(secrets) * prices["secrets.secret-month"],
        "; ".join(secrets),
    )
    keys = list(_of_type(resources, "AWS::KMS::Key"))
    if keys:
        floor.add(
            f"KMS customer-managed key x{len(keys)}",
            len(keys) * prices["kms.keys"],
            "encrypts the alarm topic (CloudWatch cannot publish to a topic under the AWS-managed SNS key)",
        )
    alarms = list(_of_type(resources, "AWS::CloudWatch::Alarm"))
    metrics = sum(_alarm_metrics(alarm) for _, alarm in alarms)
    floor.add(
        f"CloudWatch alarms x{len(alarms)} ({metrics} metrics)",
        metrics * prices["cloudwatch.alarms.standard"],
        "; ".join(_alarm_purpose(alarm) for _, alarm in alarms),
    )
    _free_at_rest(floor, resources)
    return floor


def _aurora(floor: Floor, resources: Mapping[str, Template], prices: PriceTable) -> None:
    acu_hour = prices["aurora.acu-hour"]
    for cluster_id, cluster in _of_type(resources, "AWS::RDS::DBCluster"):
        scaling = cluster["Properties"].get("ServerlessV2ScalingConfiguration", {})
        minimum = Decimal(str(scaling.get("MinCapacity", 0)))
        instances = [i for _, i in _of_type(resources, "AWS::RDS::DBInstance")
                     if i["Properties"].get("DBClusterIdentifier") == {"Ref": cluster_id}
                     and i["Properties"].get("DBInstanceClass") == "db.serverless"]  # fmt: skip
        if minimum > 0:
            floor.add(
                f"Aurora Serverless v2, {len(instances)} instance at {minimum} ACU",
                len(instances) * minimum * HOURS * acu_hour,
                "the database never pauses: its minimum capacity, every hour",
            )
            continue
        floor.add(
            f"Aurora Serverless v2, {len(instances)} instance at 0 ACU",
            Decimal(0),
            f"pauses after {scaling.get('SecondsUntilAutoPause', 300)} s without a connection",
        )
        awake = _awake_fraction(resources, cluster)
        if awake:
            wakes, fraction = awake
            floor.add(
                "Aurora woken by schedules",
                len(instances) * fraction * AURORA_AWAKE_MIN_ACU * HOURS * acu_hour,
                f"{wakes}; {fraction * 100:.1f}% of the month at {AURORA_AWAKE_MIN_ACU} ACU",
            )


def _awake_fraction(resources: Mapping[str, Template], cluster: Template) -> tuple[str, Decimal] | None:
    """Share of the month a 0-ACU cluster is kept awake by what runs on a schedule, and by what."""
    properties = cluster["Properties"]
    pause_s = int(properties["ServerlessV2ScalingConfiguration"].get("SecondsUntilAutoPause", 300))
    idle_s = _idle_session_timeout_s(resources)
    window_s = Decimal(idle_s + pause_s + AURORA_RESUME_S)
    month_s = HOURS * 3600
    asleep = Decimal(1)
    reasons = []
    for rule_id, rule in _of_type(resources, "AWS::Events::Rule"):
        expression = rule["Properties"].get("ScheduleExpression")
        if not expression:
            continue
        targets = [t["Arn"]["Fn::GetAtt"][0] for t in rule["Properties"].get("Targets", [])
                   if isinstance(t.get("Arn"), dict) and "Fn::GetAtt" in t["Arn"]]  # fmt: skip
        # A function in the VPC is one that connects to the database (the only thing the VPC holds).
        if not any("VpcConfig" in resources.get(target, {}).get("Properties", {}) for target in targets):
            continue
        interval = Decimal(rate_seconds(expression))
        share = min(Decimal(1), window_s / interval)
        asleep *= 1 - share
        reasons.append(f"{_short(rule_id)} {expression}")
    if properties.get("ManageMasterUserPassword"):
        share = min(Decimal(1), MANAGED_ROTATIONS_PER_MONTH * window_s / month_s)
        asleep *= 1 - share
        reasons.append("the weekly password rotation")
    if not reasons:
        return None
    return (
        f"{', '.join(reasons)}; each run keeps it awake about {window_s} s (idle_session_timeout {idle_s} s + "
        f"pause delay {pause_s} s + resume {AURORA_RESUME_S} s)",
        1 - asleep,
    )


def _idle_session_timeout_s(resources: Mapping[str, Template]) -> int:
    for _, group in _of_type(resources, "AWS::RDS::DBParameterGroup"):
        value = group["Properties"].get("Parameters", {}).get("idle_session_timeout")
        if value is not None:
            return int(value) // 1000
    # Without it a frozen Lambda environment's connection keeps the instance awake for the environment's life.
    return 3600


def _free_at_rest(floor: Floor, resources: Mapping[str, Template]) -> None:
    counts: dict[str, int] = {}
    for _, resource in resources.items():
        counts[resource["Type"]] = counts.get(resource["Type"], 0) + 1
    for resource_type, words in (
        ("AWS::Lambda::Function", "Lambda functions (per request and GB-second)"),
        ("AWS::ApiGatewayV2::Api", "API Gateway APIs (per request or message)"),
        ("AWS::CloudFront::Distribution", "CloudFront distributions (per request and GB)"),
        ("AWS::CloudFront::Function", "CloudFront Functions (per invocation)"),
        ("AWS::EC2::EgressOnlyInternetGateway", "egress-only internet gateways (free)"),
        ("AWS::S3::Bucket", "S3 buckets (per GB stored and per request)"),
        ("AWS::Logs::LogGroup", "log groups (per GB ingested and stored)"),
        ("AWS::SNS::Topic", "SNS topics (per notification)"),
        ("AWS::Events::Rule", "EventBridge schedules (free)"),
    ):
        if counts.get(resource_type):
            floor.free.append(f"{words}: {counts[resource_type]}")


def _secret_purpose(secret: Template) -> str:
    description = secret["Properties"].get("Description")
    # CDK describes the cluster's generated secret by the stack that made it (a Join on the stack name).
    if not isinstance(description, str) or description.startswith("Generated by the CDK"):
        return "database credentials (rotated by a hosted function)"
    return description


def _alarm_purpose(alarm: Template) -> str:
    """What an alarm watches: its description up to the first colon ("HTTP API", "Exports", ...) and the metrics."""
    description = str(alarm["Properties"].get("AlarmDescription", "")).split(":")[0]
    metrics = alarm["Properties"].get("Metrics")
    names = (
        [alarm["Properties"].get("MetricName", "?")]
        if metrics is None
        else [m["MetricStat"].get("Metric", {}).get("MetricName", "?") for m in metrics if "MetricStat" in m]
    )
    return f"{description} ({', '.join(names)})"


def _alarm_metrics(alarm: Template) -> int:
    metrics = alarm["Properties"].get("Metrics")
    if metrics is None:
        return 1
    return sum(1 for metric in metrics if "MetricStat" in metric)


def _of_type(resources: Mapping[str, Template], resource_type: str) -> Iterator[tuple[str, Template]]:
    return ((logical_id, r) for logical_id, r in resources.items() if r["Type"] == resource_type)


def _service_name(properties: Mapping[str, Any]) -> str:
    """``com.amazonaws.<region>.secretsmanager`` -> ``secretsmanager``, also when the region is a Ref."""
    name = properties.get("ServiceName")
    if isinstance(name, dict) and "Fn::Join" in name:
        name = "".join(part for part in name["Fn::Join"][1] if isinstance(part, str))
    return str(name).rsplit(".", 1)[-1]


def _short(logical_id: str) -> str:
    """A logical id without the 8-character hash CDK appends."""
    return re.sub(r"[0-9A-F]{8}$", "", logical_id) or logical_id


def synthesize_profile(profile: str, outdir: Path) -> dict[str, Template]:
    """Synthesizes the app for one profile, offline (placeholder layer), and returns its templates by stack."""
    from aws_cdk import App

    from infra.app import build

    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    context.update({"bundle": False, "profile": profile})
    app = App(outdir=str(outdir), context=context)
    deployment = build(app, environ={})
    assembly = app.synth()
    return {
        stack.stack_name: assembly.get_stack_by_name(stack.stack_name).template
        for stack in (deployment.web, deployment.data, deployment.api)
    }


def _usd(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def report_section(floors: list[Floor], targets: Mapping[str, Decimal]) -> str:
    parts = [
        f"## {SECTION}\n\n"
        "Written by `make cost-floor`: each profile synthesized (`-c profile=...`), every resource of its templates "
        "billed by the hour or the month priced from `shared/pricing/prices.csv` (us-east-1, 730 hours a month). "
        "Use-billed resources cost nothing at zero traffic; data stored (Aurora 0.10 USD per GB-month, S3, logs) "
        "comes on top and is not counted.\n\n"
        "| profile | floor (USD a month) | target |\n|---|---:|---|\n"
        + "".join(f"| {f.profile} | {_usd(f.total)} | {targets[f.profile]} or less |\n" for f in floors)
    ]
    for floor in floors:
        rows = "".join(f"| {line.what} | {_usd(line.monthly_usd)} | {line.why} |\n" for line in floor.lines)
        parts.append(
            f"### {floor.profile}\n\n| resource | USD a month | why it is there |\n|---|---:|---|\n{rows}"
            f"| **total** | **{_usd(floor.total)}** | |\n\n"
            f"Free at rest: {'; '.join(floor.free)}.\n"
        )
    return "\n".join(parts)


TARGETS = {"production": Decimal(165), "lean": Decimal(15)}


def main() -> int:
    from bench.sections import replace_section

    prices = PriceTable()
    floors = []
    with tempfile.TemporaryDirectory(prefix="cost-floor-") as tmp:
        for profile in PROFILES:
            templates = synthesize_profile(profile, Path(tmp) / profile)
            floors.append(compute_floor(profile, templates, prices))
    replace_section(REPO_ROOT / "BENCHMARKS.md", SECTION, report_section(floors, TARGETS))
    for floor in floors:
        sys.stderr.write(f"cost-floor: {floor.profile} {_usd(floor.total)} USD a month\n")
    over = [f.profile for f in floors if f.total > TARGETS[f.profile]]
    if over:
        sys.stderr.write(f"cost-floor: over target: {', '.join(over)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
