"""POST /api/v1/questionnaires/import."""

from fastapi import APIRouter, Depends, Query, Request

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import importer, service
from shared.questionnaires.models import ImportResult
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

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
    publish: bool = Query(default=False, description="Publish the imported version at once."),
    principal: object = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> ImportResult:
    """Import a questionnaire as a new draft version: JSON (the definition format) or an xlsx workbook
    (sheets questionnaire, skills, questions, options, rubric_bands, recommendations). Everything is
    validated first; on any error, 422 lists every problem by sheet and row (or JSON path) and nothing is
    stored."""
    definition = importer.parse(request.headers.get("content-type", ""), await request.body())
    return service.import_definition(db, principal, definition, ctx, publish=publish)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
