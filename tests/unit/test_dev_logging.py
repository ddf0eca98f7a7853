"""make dev logs each request once (uvicorn's access line), not again from Mangum inside the function."""

from __future__ import annotations

import logging

from local.dev import configure_logging


def test_each_request_is_logged_once() -> None:
    configure_logging()
    assert not logging.getLogger("mangum.http").isEnabledFor(logging.INFO)
    assert logging.getLogger("mangum.http").isEnabledFor(logging.WARNING)
