"""The CDK app: a stateful stack (network, database, buckets) and a stateless API stack whose functions come
from the route manifest in ``functions/routes.py``. Run it through ``infra/cdk.sh``."""
