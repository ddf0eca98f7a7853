"""GET /api/v1/sectors."""

from fastapi import APIRouter

from functions.routes import entry
from shared.i18n import Lang
from shared.questionnaires import service
from shared.questionnaires.models import SectorList
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.get("/api/v1/sectors", response_model=SectorList, responses=error_responses(401, 403, 422))
async def list_sectors(db: Db, lang: Lang = "en") -> SectorList:
    """Sector codes and their labels (`label` in `lang`, and both languages)."""
    return service.sectors(db, lang)


app = create_app(router, entry(__name__))
handler = make_handler(app)
