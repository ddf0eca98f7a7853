"""cdk-nag findings on resources that CDK itself adds to a stack (singleton custom-resource functions)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations

# CDK's fixed id of the function behind ``cloudwatch_logs_retention`` (aws-logs LogRetention).
LOG_RETENTION_FUNCTION_ID = "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a"


def acknowledge_cdk_internals(stack: Stack) -> None:
    """Call after the stack is complete: the singletons exist only once a construct asked for them."""
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
