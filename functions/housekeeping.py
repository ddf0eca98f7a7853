"""Scheduled clean-up of expired idempotency keys, old failed attempts and old sign-in attempts."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.db import get_database
from shared.housekeeping import service
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deleted = service.run(get_database())
    logger.info("housekeeping done", extra={"deleted": deleted})
    return {"deleted": deleted}
