"""Counts database round trips on the wire: a TCP relay between a client and PostgreSQL that counts the times
the client speaks again after the server answered (each is one round trip, however many statements it
carries, whatever the driver layer does: pipelining, prepared statements, a health check).

It runs in threads of this process, forwarding chunks as they come; nothing is delayed.

A chunk made only of Flush messages is a turn only once the server answers it: psycopg ends a pipeline with a
Sync and then a Flush, and when the server's answer to the Sync overtakes that Flush (a loaded machine), the
Flush arrives alone, asks for nothing more, and gets no answer; counting it would move a trip from one
request to the one before.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

FLUSH = b"H\x00\x00\x00\x04"  # the protocol's Flush message: its type and its length


class Turns:
    """The counting alone: ``spoke(connection, client, data)`` for every chunk each way, ``trips`` since the
    last ``reset()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._trips = 0
        self._client_turn: dict[int, bool] = {}
        self._unanswered_flush: dict[int, bool] = {}

    @property
    def trips(self) -> int:
        with self._lock:
            return self._trips

    def reset(self) -> None:
        with self._lock:
            self._trips = 0

    def spoke(self, connection: int, client: bool, data: bytes) -> None:
        with self._lock:
            if client and data == FLUSH * (len(data) // len(FLUSH)):
                if not self._client_turn.get(connection, False):
                    self._unanswered_flush[connection] = True  # a turn if the server answers it
                return
            if self._unanswered_flush.pop(connection, False) and not client:
                self._trips += 1
            if client and not self._client_turn.get(connection, False):
                self._trips += 1
            self._client_turn[connection] = client


class RoundTripCounter:
    """``with RoundTripCounter(upstream_port) as wire:`` connect to 127.0.0.1:``wire.port``; ``wire.trips``
    counts every client turn since the last ``reset()``."""

    def __init__(self, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._turns = Turns()

    @property
    def trips(self) -> int:
        return self._turns.trips

    def reset(self) -> None:
        self._turns.reset()

    def _pipe(self, connection: int, source: socket.socket, target: socket.socket, client: bool) -> None:
        try:
            while data := source.recv(65536):
                self._turns.spoke(connection, client, data)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def _serve(self) -> None:
        connection = 0
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            connection += 1
            server = socket.create_connection(("127.0.0.1", self._upstream_port))
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pipe, args=(connection, client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(connection, server, client, False), daemon=True).start()

    def __enter__(self) -> RoundTripCounter:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._listener.close()
