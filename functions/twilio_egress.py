"""The Twilio egress job, outside the VPC: forwards a REST call that a function inside it signed to Twilio, and
answers Twilio's status, headers and body (shared/runtime/twilio_egress.py). No database, no secret."""

from typing import Any

from functions.routes import entry
from shared.runtime import Runtime
from shared.runtime.twilio_egress import forward
from shared.web.jobs import make_job_handler


def run(rt: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    return forward(rt.twilio_https, event, rt.meter)


handler = make_job_handler(entry(__name__), run)
