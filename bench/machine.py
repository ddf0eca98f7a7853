"""What machine and when, for the header of BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path


def describe() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"- Date: {today}\n- Machine: {cpu}, {os.cpu_count()} cores{memory}\n"
        f"- Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )
