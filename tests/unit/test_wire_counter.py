"""The round-trip counting of bench/wire.py, fed the chunks of connections as its relay threads see them."""

from __future__ import annotations

from bench.wire import FLUSH, Turns

BATCH = b"P\x00\x00\x00\x08abcdS\x00\x00\x00\x04"  # any client bytes that are not Flush messages alone
ANSWER = b"Z\x00\x00\x00\x05I"


def _counter() -> Turns:
    return Turns()


def test_each_time_the_client_speaks_after_an_answer_is_one_trip() -> None:
    wire = _counter()
    for data, client in [(BATCH, True), (ANSWER, False), (BATCH, True), (BATCH, True), (ANSWER, False)]:
        wire.spoke(1, client, data)
    assert wire.trips == 2


def test_a_flush_the_server_never_answers_moves_no_trip_to_the_request_before() -> None:
    wire = _counter()
    # A pipeline's last Sync answered before its trailing Flush went out: the Flush arrives alone, unanswered.
    for data, client in [(BATCH, True), (ANSWER, False), (BATCH, True), (ANSWER, False), (FLUSH, True)]:
        wire.spoke(1, client, data)
    assert wire.trips == 2
    wire.reset()
    for data, client in [(BATCH, True), (ANSWER, False), (BATCH, True), (ANSWER, False)]:
        wire.spoke(1, client, data)
    assert wire.trips == 2


def test_a_flush_the_server_answers_is_a_trip_of_its_own() -> None:
    wire = _counter()
    for data, client in [(BATCH, True), (ANSWER, False), (FLUSH * 2, True), (ANSWER, False), (BATCH, True)]:
        wire.spoke(1, client, data)
    assert wire.trips == 3


def test_connections_are_counted_apart() -> None:
    wire = _counter()
    for connection, data, client in [(1, BATCH, True), (2, BATCH, True), (1, ANSWER, False), (2, FLUSH, True)]:
        wire.spoke(connection, client, data)
    assert wire.trips == 2
