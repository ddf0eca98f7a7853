"""GET /api/v1/health."""

from fastapi import APIRouter

from functions.routes import entry
from shared.health import service
from shared.health.models import HealthPublic
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["health"])


@router.get("/api/v1/health", response_model=HealthPublic, responses=error_responses(503))
async def get_health(db: Db) -> HealthPublic:
    """Report that the API runs, reaches its database, and which migration the database is at.

    Answers 503 with `database_unavailable` when the database cannot be reached."""
    return service.check(db)


app = create_app(router, entry(__name__))
handler = make_handler(app)
