"""The CDK app: the SPA's stack, a stateful stack (network, database, buckets, secrets) and a stateless API stack
whose functions come from the route manifest in ``functions/routes.py``. Run it through ``infra/cdk.sh``."""

import os

# jsii prints a banner about Node 20 whenever aws_cdk is first imported; the machines run Node 20 on purpose.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
