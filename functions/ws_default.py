"""WebSocket $default: ping -> pong, subscribe / unsubscribe to topics; the reply goes back to the client."""

from functions.routes import entry
from shared.realtime import service
from shared.realtime.models import SocketUser
from shared.runtime import Runtime
from shared.web.websocket import SocketReply, SocketRequest, make_websocket_handler


def message(rt: Runtime, request: SocketRequest, user: SocketUser | None) -> SocketReply:
    return SocketReply(200, service.handle_message(rt, request.connection_id, user, request.body))


handler = make_websocket_handler(entry(__name__), message)
