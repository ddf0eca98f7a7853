from __future__ import annotations

import pytest

from shared.observability import tracing_enabled


@pytest.mark.parametrize(
    ("function_name", "disabled", "expected"),
    [(None, None, False), ("fn", None, True), ("fn", "true", False), ("fn", "false", True), (None, "false", False)],
)
def test_tracing_only_inside_lambda_unless_disabled(
    monkeypatch: pytest.MonkeyPatch, function_name: str | None, disabled: str | None, expected: bool
) -> None:
    for name, value in (("AWS_LAMBDA_FUNCTION_NAME", function_name), ("POWERTOOLS_TRACE_DISABLED", disabled)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert tracing_enabled() is expected
