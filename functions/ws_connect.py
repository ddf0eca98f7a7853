"""WebSocket $connect: the wrapper has checked the Origin and consumed the ticket; store the connection."""

from functions.routes import entry
from shared.realtime import service
from shared.realtime.models import SocketUser
from shared.runtime import Runtime
from shared.web.websocket import SocketReply, SocketRequest, make_websocket_handler


def connect(rt: Runtime, request: SocketRequest, user: SocketUser | None) -> SocketReply:
    assert user is not None  # the ticket rule refuses a connection without a user
    service.open_connection(rt, request.connection_id, user, request.source_ip, request.connected_at)
    return SocketReply(200)


handler = make_websocket_handler(entry(__name__), connect)
