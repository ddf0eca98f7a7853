"""GET /api/v1/sectors."""

from typing import Literal

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.questionnaires.models import SectorList
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.get("/api/v1/sectors", response_model=SectorList, responses=error_responses(401, 403, 422))
async def list_sectors(lang: Literal["en", "fr"] = "en", db: Database = Depends(database)) -> SectorList:
    """Sector codes and their labels (`label` in `lang`, and both languages)."""
    return service.sectors(db, lang)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
