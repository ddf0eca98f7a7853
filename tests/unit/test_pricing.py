"""Price arithmetic is exact (Decimal, never float) and follows Lambda's and API Gateway's billing rules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shared.costs import pricing
from shared.costs.service import parse_report, priced_row
from shared.runtime.meter import (
    HTTP_API_STEP_BYTES,
    WEBSOCKET_STEP_BYTES,
    Component,
    Invocation,
    Usage,
    steps,
)

PRICES = pricing.PriceBook(
    1,
    "us-east-1",
    {
        "lambda.request": Decimal("0.0000002"),
        "lambda.gb-second.arm64": Decimal("0.0000133334"),
        "lambda.gb-second.x86_64": Decimal("0.0000166667"),
        "apigw.http.request": Decimal("0.000001"),
        "twilio.whatsapp.message": Decimal("0.005"),
    },
)


@pytest.mark.parametrize(
    ("duration", "init", "billed"),
    [("12.000", None, 12), ("12.001", None, 13), ("0.2", None, 1), ("0", None, 1), ("12.2", "300.5", 313)],
)
def test_billed_duration_rounds_up_to_the_millisecond_and_includes_init(
    duration: str, init: str | None, billed: int
) -> None:
    assert pricing.billed_ms(Decimal(duration), Decimal(init) if init else None) == billed


def test_gb_seconds_are_exact() -> None:
    assert pricing.gb_seconds(128, 1) == Decimal("0.000125")
    assert pricing.gb_seconds(512, 15) == Decimal("0.0075")
    assert pricing.gb_seconds(1024, 1000) == Decimal(1)


def test_the_worked_example_of_the_price_list() -> None:
    # arm64, 512 MB, 15 ms billed: 0.5 x 0.015 x 0.0000133334 of compute, exactly.
    compute = pricing.gb_seconds(512, 15) * PRICES.price("lambda.gb-second.arm64")
    assert compute == Decimal("0.0000001000005")
    assert pricing.usd(compute) == "0.0000001000005"  # every digit kept


def test_amounts_never_show_in_exponent_notation() -> None:
    assert str(Decimal("2E-7")) == "2E-7"
    assert pricing.usd(Decimal("2E-7")) == "0.0000002"
    assert pricing.usd(Decimal("1E+2")) == "100"
    assert pricing.usd(Decimal("0E-12")) == "0"


def test_a_share_of_a_fixed_cost_is_rounded_half_even_to_12_places() -> None:
    assert pricing.share(Decimal(1) / Decimal(3)) == Decimal("0.333333333333")
    assert pricing.share(Decimal("0.0000000000005")) == Decimal("0.000000000000")


@pytest.mark.parametrize(
    ("size", "step", "count"),
    [
        (0, HTTP_API_STEP_BYTES, 1),
        (HTTP_API_STEP_BYTES, HTTP_API_STEP_BYTES, 1),
        (HTTP_API_STEP_BYTES + 1, HTTP_API_STEP_BYTES, 2),
        (WEBSOCKET_STEP_BYTES * 3, WEBSOCKET_STEP_BYTES, 3),
    ],
)
def test_api_gateway_meters_in_steps(size: int, step: int, count: int) -> None:
    assert steps(size, step) == count


def test_an_invocation_is_priced_component_by_component() -> None:
    usage = Usage(channel="whatsapp", db_seconds=0.0021234, db_statements=3)
    usage.add(Component.LAMBDA_REQUEST)
    usage.add(Component.HTTP_API_REQUEST)
    usage.add(Component.TWILIO_MESSAGE, 2)
    invocation = Invocation(
        request_id="r-1", correlation_id="c-1", function="PostWebhook", entry="POST /api/v1/x", kind="http",
        status=200, started_at=datetime(2026, 1, 1, tzinfo=UTC), duration_ms=Decimal("14.2"), memory_mb=512,
        architecture="arm64", cold_start=False, init_ms=None, usage=usage,
    )  # fmt: skip
    row = priced_row(invocation, PRICES)
    assert row["billed_ms"] == 15
    assert row["usage"]["lambda.gb-second.arm64"] == "0.0075"
    assert row["lambda_usd"] == Decimal("0.0000002") + Decimal("0.0075") * Decimal("0.0000133334")
    assert row["gateway_usd"] == Decimal("0.000001")
    assert row["twilio_usd"] == Decimal("0.010")
    assert row["direct_usd"] == row["lambda_usd"] + row["gateway_usd"] + row["twilio_usd"]
    assert row["db_ms"] == Decimal("2.123")
    assert row["channel"] == "whatsapp"


def test_a_price_missing_from_the_book_is_an_error_not_a_zero() -> None:
    usage = Usage()
    usage.add(Component.S3_WRITE_REQUEST)
    invocation = Invocation(
        request_id="r", correlation_id=None, function="F", entry="job x", kind="job", status=200,
        started_at=datetime(2026, 1, 1, tzinfo=UTC), duration_ms=Decimal(1), memory_mb=128, architecture="arm64",
        cold_start=False, init_ms=None, usage=usage,
    )  # fmt: skip
    with pytest.raises(LookupError, match=r"s3\.request\.put"):
        priced_row(invocation, PRICES)


def test_a_real_report_line_is_read_field_by_field() -> None:
    line = (
        "REPORT RequestId: 8f5f1c7e-2b3c-4d5e-9f60-1a2b3c4d5e6f\tDuration: 102.25 ms\tBilled Duration: 103 ms\t"
        "Memory Size: 512 MB\tMax Memory Used: 87 MB\tInit Duration: 412.73 ms\t\n"
    )
    assert parse_report(line) == {
        "request_id": "8f5f1c7e-2b3c-4d5e-9f60-1a2b3c4d5e6f",
        "duration_ms": Decimal("102.25"),
        "billed_ms": 103,
        "memory_mb": 512,
        "max_memory_mb": 87,
        "init_ms": Decimal("412.73"),
    }
    warm = "REPORT RequestId: 8f5f1c7e-2b3c-4d5e-9f60-1a2b3c4d5e6f\tDuration: 2.01 ms\tBilled Duration: 3 ms\t" \
        "Memory Size: 256 MB\tMax Memory Used: 80 MB\t"  # fmt: skip
    assert parse_report(warm)["init_ms"] is None  # type: ignore[index]
    assert parse_report("START RequestId: 8f5f1c7e-2b3c-4d5e-9f60-1a2b3c4d5e6f Version: $LATEST") is None
