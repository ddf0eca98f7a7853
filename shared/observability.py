"""The one Logger, Tracer and Metrics of every function; service name and namespace come from POWERTOOLS_*."""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "skills-platform"))
tracer = Tracer()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "SkillsPlatform"))

# Modules log through the standard library (logging.getLogger(__name__)); give them the same JSON format
# and the same correlation id as the Powertools logger.
copy_config_to_registered_loggers(source_logger=logger, include={"shared"})

# Functions that only record the cold-start metric would warn on every request otherwise.
warnings.filterwarnings("ignore", message="No application metrics to publish")
