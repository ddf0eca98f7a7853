"""GET /api/v1/exports/assessments.xlsx."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, RedirectResponse, Response

from functions.routes import entry
from shared.exports.models import ExportCreated
from shared.exports.worker import assessments_now_or_later
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler
from shared.web.assessment_query import AssessmentQuery

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
    where: AssessmentQuery,
) -> Response:
    """The assessments of GET /api/v1/assessments as an xlsx workbook: up to the configured number (5,000 by
    default) made at once, else started as an export (202)."""
    made = assessments_now_or_later(rt, principal, where.as_query(), ctx, ROUTE.timeout_s)
    if isinstance(made, ExportCreated):
        return JSONResponse(made.model_dump(mode="json"), status_code=202)
    return RedirectResponse(made, status_code=303, headers={"Cache-Control": "no-store"})


app = create_app(router, ROUTE)
handler = make_handler(app)
