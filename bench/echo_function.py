"""A function module shaped like the real ones but with no I/O, to measure the request path's own cost."""

from fastapi import APIRouter
from pydantic import BaseModel

from shared.web import create_app, make_handler

router = APIRouter()


class Echo(BaseModel):
    status: str
    n: int


@router.get("/api/v1/bench/async")
async def echo_async() -> Echo:
    return Echo(status="ok", n=1)


@router.get("/api/v1/bench/sync")
def echo_sync() -> Echo:
    return Echo(status="ok", n=1)


app = create_app(router, auth="public")
handler = make_handler(app)
