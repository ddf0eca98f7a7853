"""Unit tests open no socket: the runtime they run with keeps its ledger in memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.config import get_settings
from shared.runtime import Runtime, install_runtime
from tests.fakes import RecordingLedger


@pytest.fixture(autouse=True)
def unit_runtime() -> Iterator[Runtime]:
    runtime = Runtime(get_settings(), ledger=RecordingLedger())
    install_runtime(runtime)
    yield runtime
    install_runtime(None)
