"""cdk-nag findings on resources that CDK itself adds to a stack (singleton custom-resource functions)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam

# CDK's fixed id of the function behind ``cloudwatch_logs_retention`` (aws-logs LogRetention).
LOG_RETENTION_FUNCTION_ID = "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a"


def acknowledge_cdk_internals(stack: Stack) -> None:
    """Call after the stack is complete: the singletons exist only once a construct asked for them."""
    _acknowledge_bucket_deployment(stack)
    log_retention = stack.node.try_find_child(LOG_RETENTION_FUNCTION_ID)
    if log_retention is not None:
        Validations.of(log_retention).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                reason="CDK's log-retention function writes its own logs through the AWS-managed basic policy.",
            ),
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="CDK's log-retention function sets retention on log groups that RDS creates at run time "
                "(logs:PutRetentionPolicy / DeleteRetentionPolicy only); their names are unknown at synth.",
            ),
        )


# CDK's fixed id of the function behind s3_deployment.BucketDeployment (the SPA's files and its config.json).
BUCKET_DEPLOYMENT_FUNCTION_ID = "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C"


def _acknowledge_bucket_deployment(stack: Stack) -> None:
    function = stack.node.try_find_child(BUCKET_DEPLOYMENT_FUNCTION_ID)
    if function is None:
        return
    policy = function.node.find_child("ServiceRole").node.find_child("DefaultPolicy").node.default_child
    assert isinstance(policy, iam.CfnPolicy)
    wildcards = iam5_findings(stack.resolve(policy.policy_document))
    Validations.of(function).acknowledge(
        Acknowledgment(
            id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            reason="CDK's bucket-deployment function writes its own logs through the AWS-managed basic policy.",
        ),
        Acknowledgment(
            id="AwsSolutions-L1",
            reason="CDK chooses and upgrades the runtime of its bucket-deployment function with aws-cdk-lib.",
        ),
        # One acknowledgment per finding its policy holds now, so a grant added later is still reported.
        *(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[{finding}]",
                reason="CDK's bucket-deployment function copies the SPA's files from the CDK asset bucket into the "
                "SPA bucket (read and list on the asset objects, write and delete on the SPA bucket's objects) and "
                "invalidates the distribution (cloudfront:CreateInvalidation takes no resource).",
            )
            for finding in wildcards
        ),
    )


def iam5_findings(policy_document: dict[str, Any]) -> list[str]:
    """The wildcard findings cdk-nag's AwsSolutions-IAM5 reports for a resolved policy document, spelled as it
    spells them (its IAMNoWildcardPermissions rule and flattenCfnReference, ported)."""
    findings: dict[str, None] = {}
    for statement in _as_list(policy_document.get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement.get("Action")):
            if "*" in action:
                findings[f"Action::{action}"] = None
        for resource in map(_flatten, _as_list(statement.get("Resource"))):
            if "*" in resource:
                findings[f"Resource::{resource}"] = None
    return list(findings)


def _flatten(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(_flatten(item) for item in items)
        if "Fn::Sub" in node:
            return _flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
        if "Fn::ImportValue" in node:
            return _flatten(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{_flatten(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
