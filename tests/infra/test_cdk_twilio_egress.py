"""The Twilio egress in both profiles: a function outside the VPC that holds nothing but its logs (and tracing), and
that exactly the functions whose entries need it may invoke, with exactly lambda:InvokeFunction on it alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.routes import ENTRIES
from infra.manifest_functions import in_vpc
from shared.manifest import Job, Need, SyncInvoke
from shared.runtime.twilio_egress import EGRESS_JOB
from tests.infra.cdk_synth import Synth
from tests.infra.manifest_vs_template import resources
from tests.infra.test_cdk_security import (
    ACTIONS_ALLOWED_ON_ANY_RESOURCE,
    _as_list,
    _entry_of,
    manifest_function_ids,
    role_statements,
    statements,
)

PROFILES = ["synth", "lean_synth"]
BASIC_EXECUTION = "service-role/AWSLambdaBasicExecutionRole"


def _egress_job() -> Job:
    (job,) = [e for e in ENTRIES if isinstance(e, Job) and any(isinstance(t, SyncInvoke) for t in e.triggers)]
    return job


def _egress_id(template: dict[str, Any]) -> str:
    (found,) = [f for f in manifest_function_ids(template) if _entry_of(template, f).key == f"job {EGRESS_JOB}"]
    return found


def _egress_arn(synth: Synth) -> str:
    properties = synth.api_json["Resources"][_egress_id(synth.api_json)]["Properties"]
    return f"arn:aws:lambda:us-east-1:123456789012:function:{properties['FunctionName']}"


def test_the_manifest_declares_one_egress_job_outside_the_vpc_that_needs_nothing() -> None:
    job = _egress_job()
    assert (job.name, job.in_vpc, job.needs, job.triggers) == (EGRESS_JOB, False, frozenset(),
                                                               (SyncInvoke(Need.TWILIO_EGRESS),))  # fmt: skip
    with pytest.raises(ValueError, match="outside the VPC"):
        Job("leaky", "functions.x", (SyncInvoke(Need.TWILIO_EGRESS),), frozenset({Need.TWILIO}), in_vpc=False)


@pytest.mark.parametrize("which", PROFILES)
def test_the_egress_runs_outside_the_vpc_with_nothing_but_logs_and_tracing(
    which: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    template = synth.api_json
    function_id = _egress_id(template)
    properties = template["Resources"][function_id]["Properties"]
    # No VPC: Lambda's own network, which reaches Twilio over IPv4.
    assert "VpcConfig" not in properties
    assert properties["Timeout"] == _egress_job().timeout_s
    assert "ReservedConcurrentExecutions" not in properties
    # No secret, no database, no endpoint settings: only what every function's environment holds.
    assert set(properties["Environment"]["Variables"]) == {
        "APP_ENV", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "FUNCTION_ARCHITECTURE",
    }  # fmt: skip
    # A role of its own: the basic execution policy (its log group), no network-interface policy, and tracing.
    role_id = properties["Role"]["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]
    assert [json.dumps(arn) for arn in role["ManagedPolicyArns"]] == [
        json.dumps({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::aws:policy/{BASIC_EXECUTION}"]]})
    ]
    assert "Policies" not in role
    actions = {a for s in role_statements(template, function_id) for a in _as_list(s["Action"])}
    assert actions <= ACTIONS_ALLOWED_ON_ANY_RESOURCE
    shared = [f for f in manifest_function_ids(template)
              if template["Resources"][f]["Properties"]["Role"]["Fn::GetAtt"][0] == role_id]  # fmt: skip
    assert shared == [function_id]


@pytest.mark.parametrize("which", PROFILES)
def test_exactly_the_callers_may_invoke_the_egress_and_nothing_else_through_it(
    which: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    template = synth.api_json
    arn = _egress_arn(synth)
    callers = {e.key for e in ENTRIES if Need.TWILIO_EGRESS in e.all_needs}
    assert callers == {"POST /api/v1/respondents/{respondent_id}/invite", "POST /api/v1/webhooks/twilio/status"}
    granted = set()
    for function_id in manifest_function_ids(template):
        entry = _entry_of(template, function_id)
        on_egress = [s for s in role_statements(template, function_id) if arn in _as_list(s.get("Resource"))]
        if entry.key not in callers:
            assert on_egress == [], function_id
            continue
        # One statement: the one action, on the one function (unqualified, as the invoker names it).
        assert on_egress == [{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": arn}], function_id
        assert in_vpc(entry)
        variables = template["Resources"][function_id]["Properties"]["Environment"]["Variables"]
        assert json.loads(variables["INVOKE_TARGETS"]) == {EGRESS_JOB: arn}
        granted.add(entry.key)
    assert granted == callers
    # Nothing else in the stack names the egress in a permission: no other policy, no resource-based permission.
    caller_roles = {
        json.dumps({"Ref": template["Resources"][f]["Properties"]["Role"]["Fn::GetAtt"][0]})
        for f in manifest_function_ids(template) if _entry_of(template, f).key in callers
    }  # fmt: skip
    for holder, statement in statements(template):
        if arn in json.dumps(statement):
            roles = {json.dumps(r) for r in template["Resources"][holder]["Properties"].get("Roles", [])}
            assert roles, holder
            assert roles <= caller_roles, holder
    egress_id = _egress_id(template)
    permissions = [p for p in resources(template, "AWS::Lambda::Permission").values() if egress_id in json.dumps(p)]
    assert permissions == []
