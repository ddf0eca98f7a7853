"""A broadcast's posts through the real boto3 management API client (answers stubbed, no socket): a throttled post
(429 LimitExceededException) is retried with a growing backoff until it goes through or the attempts run out;
a gone connection (410) is not retried."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from shared.realtime import broadcast
from shared.runtime.aws import ApiGatewaySockets
from shared.runtime.meter import Component, Meter, Usage

DATA = b'{"type":"dashboard.delta"}'


@pytest.fixture
def sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ApiGatewaySockets, Stubber]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unit")
    # boto3's default session keeps the credentials it first resolved: this test's own, then the run's again.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    # Each backoff at its upper bound, so that the waits can be compared.
    monkeypatch.setattr(broadcast.random, "uniform", lambda low, high: high)
    adapter = ApiGatewaySockets("https://abc123.execute-api.us-east-1.amazonaws.com/prod", "us-east-1", Meter())
    with Stubber(adapter._api) as stubber:
        yield adapter, stubber


def _throttled(stubber: Stubber, times: int) -> None:
    for _ in range(times):
        stubber.add_client_error(
            "post_to_connection", "LimitExceededException", "Rate exceeded", http_status_code=429,
            expected_params={"ConnectionId": "conn-a", "Data": DATA},
        )  # fmt: skip


def test_a_throttled_post_is_retried_with_a_growing_backoff_until_it_goes_through(
    sockets: tuple[ApiGatewaySockets, Stubber],
) -> None:
    adapter, stubber = sockets
    _throttled(stubber, broadcast.POST_ATTEMPTS - 1)
    stubber.add_response("post_to_connection", {}, {"ConnectionId": "conn-a", "Data": DATA})
    waits: list[float] = []
    usage = Usage()

    with adapter._meter.measure(usage):
        outcome = broadcast._post_with_retries(adapter.post, "conn-a", DATA, waits.append)

    assert outcome is None  # sent
    stubber.assert_no_pending_responses()
    assert waits == [0.05 * 2**n for n in range(broadcast.POST_ATTEMPTS - 1)]
    assert usage.counts[Component.WEBSOCKET_MESSAGE] == 1  # only the post that got through is a billed message


def test_a_post_throttled_every_time_fails_with_the_error_after_the_last_attempt(
    sockets: tuple[ApiGatewaySockets, Stubber],
) -> None:
    adapter, stubber = sockets
    _throttled(stubber, broadcast.POST_ATTEMPTS)
    waits: list[float] = []

    outcome = broadcast._post_with_retries(adapter.post, "conn-a", DATA, waits.append)

    assert outcome is not None
    assert "LimitExceededException" in outcome
    assert len(waits) == broadcast.POST_ATTEMPTS - 1  # no wait after the last attempt
    stubber.assert_no_pending_responses()


def test_a_gone_connection_is_not_retried(sockets: tuple[ApiGatewaySockets, Stubber]) -> None:
    adapter, stubber = sockets
    stubber.add_client_error("post_to_connection", "GoneException", http_status_code=410)
    waits: list[Any] = []

    assert broadcast._post_with_retries(adapter.post, "conn-a", DATA, waits.append) == "gone"
    assert waits == []
    stubber.assert_no_pending_responses()


def test_every_posting_thread_has_a_kept_alive_connection() -> None:
    assert ApiGatewaySockets.POOL_CONNECTIONS >= broadcast.POOL_SIZE
