"""Infra tests: the CDK app synthesized in-process and asserted on; no CLI, no AWS account."""

import os

# jsii prints a banner about Node 20 whenever aws_cdk is first imported; the machines run Node 20 on purpose.
# Set here, in the package, because it must precede any import of aws_cdk in this directory.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
