"""Cold import time of a function module, in fresh interpreters: what a Lambda cold start pays for init."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7

_PROBE = """
import time
start = time.perf_counter()
{imports}
print(time.perf_counter() - start)
"""

PLAIN_HANDLER = """
import json
import boto3
import psycopg
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"status": "ok"})}
"""


def _cold_ms(code: str, **env: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(imports=code)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "POWERTOOLS_METRICS_NAMESPACE": "Bench", **env},
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def run() -> tuple[str, dict[str, float]]:
    from functions.routes import JOBS, ROUTES

    modules = sorted({r.module for r in ROUTES} | {j.module for j in JOBS})
    # name -> (code, environment); "traced" is what Lambda pays with X-Ray tracing on.
    cases: dict[str, tuple[str, dict[str, str]]] = {
        "one": ("import functions.health", {}),
        "all": ("\n".join(f"import {m}" for m in modules), {}),
        "plain": (PLAIN_HANDLER, {}),
        "traced": ("import functions.health", {"AWS_LAMBDA_FUNCTION_NAME": "bench"}),
    }
    samples: dict[str, list[float]] = {k: [] for k in cases}
    _cold_ms(cases["all"][0])  # fill the bytecode cache so every case compares imports, not compiles
    for _ in range(RUNS):  # interleaved, so drift on a noisy machine hits every case alike
        for name, (code, env) in cases.items():
            samples[name].append(_cold_ms(code, **env))
    med = {k: statistics.median(v) for k, v in samples.items()}
    lines = [
        "## Cold import time",
        "",
        f"Import time in a fresh interpreter, median of {RUNS} interleaved runs (bytecode cached, as in a"
        " deployment package).",
        "",
        "| what is imported | ms | ratio to one function |",
        "|---|---:|---:|",
        f"| plain handler importing boto3 + psycopg (baseline of the drivers alone) | {med['plain']:.0f} | "
        f"{med['plain'] / med['one']:.2f}x |",
        "| one function module (`functions.health`: FastAPI, Mangum, Powertools, psycopg) | "
        f"{med['one']:.0f} | 1.00x |",
        f"| every function module at once ({len(modules)} modules) | {med['all']:.0f} | "
        f"{med['all'] / med['one']:.2f}x |",
        f"| one function module with X-Ray tracing on, as deployed | {med['traced']:.0f} | "
        f"{med['traced'] / med['one']:.2f}x |",
        "",
        f"One function costs {med['one'] / med['plain']:.2f}x a plain handler's import. Modules import boto3 clients,"
        " openpyxl, twilio and qrcode lazily, where they are used, so a function pays only for what it needs."
        " The X-Ray SDK builds a botocore client when imported; it is imported only where tracing is on.",
        "",
    ]
    return "\n".join(lines), {f"import_{k}_ms": v for k, v in med.items()}
