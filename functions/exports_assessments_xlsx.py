"""GET /api/v1/exports/assessments.xlsx."""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response

from functions.routes import entry
from shared.exports.models import ExportCreated
from shared.exports.worker import assessments_now_or_later
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler
from shared.web.guards import Timestamp

router = APIRouter(tags=["exports"])
ROUTE = entry(__name__)


@router.get(
    "/api/v1/exports/assessments.xlsx",
    status_code=303,
    response_class=RedirectResponse,
    response_model=None,
    responses={
        303: {"description": "The file, made now: a presigned S3 URL, valid 5 minutes."},
        202: {"model": ExportCreated, "description": "Too many assessments to make now: an export was started."},
        **error_responses(401, 403, 422, 503),
    },
)
async def assessments_xlsx(
    principal: CurrentUser,
    rt: Rt,
    ctx: Ctx,
    sector: str | None = Query(default=None, max_length=40),
    since: Timestamp | None = Query(default=None, description="Submitted at or after."),
    until: Timestamp | None = Query(default=None, description="Submitted before."),
    channel: Literal["web", "whatsapp"] | None = None,
    questionnaire_id: UUID | None = None,
    questionnaire_version_id: UUID | None = None,
    respondent_id: UUID | None = None,
) -> Response:
    """The assessments of GET /api/v1/assessments as an xlsx workbook: up to the configured number (5,000 by
    default) made at once, else started as an export (202)."""
    filters = {"sector": sector, "since": since, "until": until, "channel": channel,
               "questionnaire_id": questionnaire_id, "questionnaire_version_id": questionnaire_version_id,
               "respondent_id": respondent_id}  # fmt: skip
    made = assessments_now_or_later(rt, principal, filters, ctx, ROUTE.timeout_s)
    if isinstance(made, ExportCreated):
        return JSONResponse(made.model_dump(mode="json"), status_code=202)
    return RedirectResponse(made, status_code=303, headers={"Cache-Control": "no-store"})


app = create_app(router, ROUTE)
handler = make_handler(app)
