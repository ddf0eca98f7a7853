"""GET /api/v1/d/{token}."""

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from functions.routes import entry
from shared.exports import service
from shared.web import Ctx, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.get(
    "/api/v1/d/{token}",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: {"description": "To the file: a presigned S3 URL, valid 5 minutes."},
        **error_responses(404, 410, 429),
    },
)
async def download_shared(token: str, rt: Rt, ctx: Ctx) -> RedirectResponse:
    """A shared export, for anyone holding the link; no account needed. Each download is counted and audited.
    410 when the link has expired, was revoked or is used up (the answer does not say which); 404 when there
    is no such link; 429 past the downloads one address may start in a minute."""
    url = service.public_download(rt, token, ctx)
    return RedirectResponse(
        url, status_code=303, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


app = create_app(router, entry(__name__))
handler = make_handler(app)
