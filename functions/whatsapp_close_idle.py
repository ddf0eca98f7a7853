"""Scheduled: close WhatsApp conversations idle longer than WHATSAPP_IDLE_HOURS as abandoned."""

from typing import Any

from functions.routes import entry
from shared.observability import logger
from shared.runtime import Runtime
from shared.web.jobs import make_job_handler
from shared.whatsapp import service


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    closed = service.close_idle(rt)
    logger.info("idle WhatsApp conversations closed", extra={"closed": len(closed)})
    return {"closed": len(closed)}


handler = make_job_handler(entry(__name__), run)
