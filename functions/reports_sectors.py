"""GET /api/v1/reports/sectors."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.i18n import Lang
from shared.reports import service
from shared.web import Db, create_app, error_responses, make_handler
from shared.web.guards import Timestamp

router = APIRouter(tags=["reports"])


@router.get("/api/v1/reports/sectors", response_model=service.SectorReports, responses=error_responses(401, 403, 422))
async def sector_reports(
    db: Db,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    questionnaire_version_id: UUID | None = None,
    lang: Lang = "en",
) -> service.SectorReports:
    """Per sector: submitted and started assessments, completion rate, and per skill the mean score, band
    counts and the distribution of scores in 10-point buckets."""
    return service.sector_reports(db, since, until, questionnaire_version_id, lang)


app = create_app(router, entry(__name__))
handler = make_handler(app)
