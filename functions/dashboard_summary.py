"""GET /api/v1/dashboard/summary."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.dashboard import service
from shared.dashboard.models import DashboardSummary
from shared.i18n import Lang
from shared.web import CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["dashboard"])


@router.get("/api/v1/dashboard/summary", response_model=DashboardSummary, responses=error_responses(401, 403, 422))
async def summary(
    principal: CurrentUser,
    db: Db,
    questionnaire_version_id: UUID | None = None,
    lang: Lang = "en",
) -> DashboardSummary:
    """The dashboard: submissions today, in the last 7 days and in all (UTC days), by sector and by channel,
    the mean score per skill, the per-question funnel (reached and answered: the drop-off) of
    `questionnaire_version_id` or, without it, of the latest submission's version, and the last 20
    submissions. Exact to the last committed submission. Enumerators get the figures of what they entered.
    Live changes arrive over the WebSocket (`dashboard.delta` on topic `dashboard`): refetch this then."""
    return service.summary(db, principal.id, principal.role, questionnaire_version_id, lang)


app = create_app(router, entry(__name__))
handler = make_handler(app)
