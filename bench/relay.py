"""A TCP relay that holds every chunk for a fixed time in each direction: a network between the clients and
PostgreSQL, as between Lambda and RDS Proxy, on a machine with only loopback (no netem here).

It runs in a process of its own, one thread per direction of each connection. A chunk is forwarded once it
has been held ``one_way_s``; chunks that arrive while one is held wait behind it, as on a real link.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import threading
import time
from types import TracebackType


def _pipe(source: socket.socket, target: socket.socket, one_way_s: float) -> None:
    try:
        while data := source.recv(65536):
            due = time.monotonic() + one_way_s
            while (left := due - time.monotonic()) > 0:
                time.sleep(left)
            target.sendall(data)
    except OSError:
        pass  # either side went away: close both below
    finally:
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def _serve(listener: socket.socket, upstream_port: int, one_way_s: float) -> None:
    while True:
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", upstream_port))
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_pipe, args=(client, server, one_way_s), daemon=True).start()
        threading.Thread(target=_pipe, args=(server, client, one_way_s), daemon=True).start()


class Relay:
    """``with Relay(upstream_port, round_trip_s) as relay:`` then connect to 127.0.0.1:``relay.port``."""

    def __init__(self, upstream_port: int, round_trip_s: float) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port: int = self.listener.getsockname()[1]
        self.process = multiprocessing.get_context("fork").Process(
            target=_serve, args=(self.listener, upstream_port, round_trip_s / 2), daemon=True
        )

    def __enter__(self) -> Relay:
        self.process.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.process.terminate()
        self.process.join()
        self.listener.close()
