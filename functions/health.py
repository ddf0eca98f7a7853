"""GET /api/v1/health."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.db import Database
from shared.health import service
from shared.health.models import HealthPublic
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["health"])


@router.get("/api/v1/health", response_model=HealthPublic, responses=error_responses(503))
async def get_health(db: Database = Depends(database)) -> HealthPublic:
    """Report that the API runs, reaches its database, and which migration the database is at.

    Answers 503 with `database_unavailable` when the database cannot be reached."""
    return service.check(db)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
