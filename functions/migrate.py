"""Applies pending migrations; the deployment runs it before the API takes traffic."""

from typing import Any

from functions.routes import entry
from shared.db.migrate import migrate
from shared.observability import logger
from shared.runtime import Runtime
from shared.web.jobs import make_job_handler


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    result = migrate(rt.settings.database_conninfo())
    logger.info("migrations done", extra={"applied": result.applied, "latest": result.latest})
    return {"applied": result.applied, "latest": result.latest}


handler = make_job_handler(entry(__name__), run)
