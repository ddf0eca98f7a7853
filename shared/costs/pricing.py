"""Price arithmetic, exact: Decimal throughout, never float. Pure functions, unit-tested."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from shared.runtime.meter import Component

MS_PER_S = Decimal(1000)
MB_PER_GB = Decimal(1024)
HOURS_PER_MONTH = Decimal(730)  # AWS's convention for monthly prices

# Which column of the ledger each component's cost goes to.
LAMBDA = frozenset({Component.LAMBDA_REQUEST, Component.LAMBDA_GB_SECOND_ARM64, Component.LAMBDA_GB_SECOND_X86_64})
GATEWAY = frozenset({Component.HTTP_API_REQUEST, Component.WEBSOCKET_MESSAGE, Component.WEBSOCKET_CONNECTION_MINUTE})
S3 = frozenset({Component.S3_WRITE_REQUEST, Component.S3_READ_REQUEST, Component.DATA_TRANSFER_OUT_GB})
TWILIO = frozenset({Component.TWILIO_MESSAGE})


@dataclass(frozen=True)
class PriceBook:
    """The prices of one version in one region."""

    version: int
    region: str
    unit_prices: Mapping[str, Decimal]

    def price(self, component: str) -> Decimal:
        try:
            return self.unit_prices[component]
        except KeyError:
            raise LookupError(f"price version {self.version} has no price for {component} in {self.region}") from None


def billed_ms(duration_ms: Decimal, init_ms: Decimal | None = None) -> int:
    """Lambda bills the invoke phase, and since August 2025 the init phase of a cold start, rounded up to
    the millisecond; at least 1 ms."""
    return max(1, math.ceil(duration_ms + (init_ms or Decimal(0))))


def gb_seconds(memory_mb: int, billed: int) -> Decimal:
    """Configured memory in GB times billed seconds, exact (128 MB for 1 ms = 0.000125 GB-s)."""
    return Decimal(memory_mb) / MB_PER_GB * Decimal(billed) / MS_PER_S


def duration_component(architecture: str) -> Component:
    return Component.LAMBDA_GB_SECOND_ARM64 if architecture == "arm64" else Component.LAMBDA_GB_SECOND_X86_64


def line_items(usage: Mapping[str, Decimal], prices: PriceBook) -> dict[str, Decimal]:
    """Cost of each component used: quantity times unit price."""
    return {component: quantity * prices.price(component) for component, quantity in sorted(usage.items())}


def total(items: Mapping[str, Decimal], components: frozenset[Component] | None = None) -> Decimal:
    return sum((cost for component, cost in items.items() if components is None or component in components), Decimal(0))


SHARED_PLACES = Decimal("1E-12")


def usd(amount: Decimal) -> str:
    """An amount as the API shows it: a plain decimal string, never exponent notation, every digit kept
    (direct costs are exact products of quantities and unit prices)."""
    return format(amount.normalize(), "f")


def share(amount: Decimal) -> Decimal:
    """A share of a fixed cost (a division, so not exact): rounded half-even to 12 decimal places."""
    return amount.quantize(SHARED_PLACES)


def fixed_cost(quantity: Decimal, unit_price: Decimal, hours: Decimal, component: str) -> Decimal:
    """What fixed capacity costs over ``hours``; per-month prices are spread over 730 hours a month."""
    per_hour = unit_price / HOURS_PER_MONTH if component.endswith("-month") else unit_price
    return quantity * per_hour * hours
