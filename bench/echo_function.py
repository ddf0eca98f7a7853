"""A function module shaped like the real ones but with no I/O, to measure the request path's own cost."""

from fastapi import APIRouter
from pydantic import BaseModel

from shared.manifest import HttpRoute, Public
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


ENTRY = HttpRoute("GET", "/api/v1/bench/async", __name__, Public())
app = create_app(router, ENTRY)
handler = make_handler(app)
