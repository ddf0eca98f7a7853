"""POST /api/v1/questionnaires/import."""

from fastapi import APIRouter, Query, Request

from functions.routes import entry
from shared.questionnaires import importer, service
from shared.questionnaires.models import ImportResult
from shared.web import Ctx, CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.post(
    "/api/v1/questionnaires/import",
    status_code=201,
    response_model=ImportResult,
    responses=error_responses(401, 403, 409, 413, 415, 422),
    openapi_extra=importer.OPENAPI_REQUEST_BODY,
)
async def import_questionnaire(
    request: Request,
    principal: CurrentUser,
    db: Db,
    ctx: Ctx,
    publish: bool = Query(default=False, description="Publish the imported version at once."),
) -> ImportResult:
    """Import a questionnaire as a new draft version: JSON (the definition format) or an xlsx workbook
    (sheets questionnaire, skills, questions, options, rubric_bands, recommendations). Everything is
    validated first; on any error, 422 lists every problem by sheet and row (or JSON path) and nothing is
    stored."""
    definition = importer.parse(request.headers.get("content-type", ""), await request.body())
    return service.import_definition(db, principal, definition, ctx, publish=publish)


app = create_app(router, entry(__name__))
handler = make_handler(app)
