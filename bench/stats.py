from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def per_call_us(fn: Callable[[], object], calls: int, warmup: int = 200) -> float:
    """Median of 5 batches, in microseconds per call."""
    for _ in range(warmup):
        fn()
    batches = []
    per_batch = max(1, calls // 5)
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_batch):
            fn()
        batches.append((time.perf_counter() - start) / per_batch * 1e6)
    return statistics.median(batches)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
