"""Applies pending migrations; the deployment runs it before the API takes traffic."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import get_settings
from shared.db.migrate import migrate
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = migrate(get_settings().database_conninfo())
    logger.info("migrations done", extra={"applied": result.applied, "latest": result.latest})
    return {"applied": result.applied, "latest": result.latest}
