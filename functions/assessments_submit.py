"""POST /api/v1/assessments/submit."""

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from functions.routes import entry
from shared.assessments import service
from shared.assessments.models import SubmissionCreate, SubmissionResult
from shared.outbox.service import kick_relay
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["assessments"])


@router.post(
    "/api/v1/assessments/submit",
    status_code=201,
    response_model=SubmissionResult,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def submit(
    body: SubmissionCreate,
    principal: CurrentUser,
    rt: Rt,
    ctx: Ctx,
    idempotency_key: str = Header(
        alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[ -~]*[!-~][ -~]*$"
    ),
) -> JSONResponse:
    """Submit a whole assessment: answers, scores, recommendations, dashboard aggregates and the
    `assessment.submitted` event are stored in one transaction. Requires an `Idempotency-Key` header (400
    without): a retry with the same key and body answers the stored response with
    `Idempotent-Replayed: true`; the same key with another body is 422; while the first request is still
    running, 409. Respondents belong to whoever entered them: a new respondent whose phone is that of one you
    may already see answers 409 `respondent_exists` with its `respondent_id` (submit with `{"id": ...}`);
    one you may not see stays invisible to you, and you get a respondent of your own."""
    key = service.check_key(idempotency_key)
    caller = service.Caller(scope=f"user:{principal.id}", user_id=principal.id, role=principal.role)
    outcome = service.submit(rt, caller, key, body, ctx)
    if not outcome.replayed:
        kick_relay(rt, "assessment.submitted")  # committed: the dashboard hears of it now, not at the sweep
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


app = create_app(router, entry(__name__))
handler = make_handler(app)
