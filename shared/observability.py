"""The one Logger, Metrics and Tracer of every function; service name and namespace come from POWERTOOLS_*.

The X-Ray SDK behind Tracer costs ~0.4-0.6 s of init (it builds a botocore client at import), so the
Tracer is only built where it records anything: inside Lambda with tracing not disabled, which is
Powertools' own rule. Locally and in tests it is never imported.
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "skills-platform"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "SkillsPlatform"))

# Modules log through the standard library (logging.getLogger(__name__)); give them the same JSON format
# and the same correlation id as the Powertools logger.
copy_config_to_registered_loggers(source_logger=logger, include={"shared"})

# Functions that only record the cold-start metric would warn on every request otherwise.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def tracing_enabled() -> bool:
    in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true", "yes")
    return in_lambda and not disabled


@lru_cache(maxsize=1)
def get_tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer()
