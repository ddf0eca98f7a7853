"""Scheduled clean-up of expired idempotency keys, old failed attempts and old sign-in attempts."""

from typing import Any

from functions.routes import entry
from shared.housekeeping import service
from shared.observability import logger
from shared.runtime import Runtime
from shared.web.jobs import make_job_handler


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    deleted = service.run(rt.db)
    logger.info("housekeeping done", extra={"deleted": deleted})
    return {"deleted": deleted}


handler = make_job_handler(entry(__name__), run)
