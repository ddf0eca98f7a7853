"""WebSocket $disconnect: forget the connection (it may already be gone: a post found it stale)."""

from functions.routes import entry
from shared.realtime import service
from shared.realtime.models import SocketUser
from shared.runtime import Runtime
from shared.web.websocket import SocketReply, SocketRequest, make_websocket_handler


def disconnect(rt: Runtime, request: SocketRequest, user: SocketUser | None) -> SocketReply:
    service.close_connection(rt, request.connection_id)
    return SocketReply(200)


handler = make_websocket_handler(entry(__name__), disconnect)
