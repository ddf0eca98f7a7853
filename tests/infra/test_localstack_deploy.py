"""``make localstack-deploy`` gives cdklocal the environment it demands: the check that refused to start is
aws-cdk-local's own (configureEnvironment), run here against what infra/cdk.sh exports. No LocalStack, no Docker:
a stand-in answers the health check and a stand-in cdklocal runs the real check and reports."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.infra.cdk_synth import REPO_ROOT

CDK_LOCAL = REPO_ROOT / "infra" / "node_modules" / "aws-cdk-local" / "src"
# What cdklocal does first with its environment (bin/cdklocal calls configureEnvironment before anything else).
CHECK = f"""
const {{ configureEnvironment }} = require({json.dumps(str(CDK_LOCAL))});
const env = {{ ...process.env }};
configureEnvironment(env, process.env.AWS_ENVAR_ALLOWLIST || "");
require("fs").appendFileSync(process.env.CALLS, JSON.stringify({{
  args: process.argv.slice(2), endpoint: env.AWS_ENDPOINT_URL, s3: env.AWS_ENDPOINT_URL_S3
}}) + "\\n");
"""


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/_localstack/health" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def localstack_health() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_cdklocal(tmp_path: Path) -> Path:
    check = tmp_path / "check.js"
    check.write_text(CHECK)
    script = tmp_path / "cdklocal"
    script.write_text(f'#!/usr/bin/env bash\nexec node {check} "$@"\n')
    script.chmod(0o755)
    return script


def _run(tmp_path: Path, cdklocal: Path, **env: str) -> subprocess.CompletedProcess[str]:
    calls = tmp_path / "calls.jsonl"
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "CDK_"))} | {
        "CDKLOCAL": str(cdklocal),
        "CALLS": str(calls),
        **env,
    }
    return subprocess.run(
        ["bash", "infra/cdk.sh", "localstack-deploy"], cwd=REPO_ROOT, env=environ, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_cdklocal_accepts_the_environment_cdk_sh_gives_it(
    tmp_path: Path, localstack_health: str, fake_cdklocal: Path
) -> None:
    done = _run(tmp_path, fake_cdklocal, AWS_ENDPOINT_URL=localstack_health, PROFILE="lean")
    assert done.returncode == 0, done.stderr
    bootstrap, deploy = (json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines())
    port = localstack_health.rsplit(":", 1)[1]
    for call in (bootstrap, deploy):
        assert call["endpoint"] == localstack_health
        assert call["s3"] == f"http://s3.localhost.localstack.cloud:{port}"
    assert bootstrap["args"][:1] == ["bootstrap"]
    assert deploy["args"][:4] == ["deploy", "--all", "--require-approval", "never"]
    assert "profile=lean" in deploy["args"]
    assert "bundle=true" in deploy["args"]
    assert "localstack=true" in deploy["args"]


def test_the_same_check_refuses_an_endpoint_without_its_s3_twin(tmp_path: Path) -> None:
    # What `make localstack-deploy` ran into before: the refusal is real, and it is cdklocal's.
    done = subprocess.run(
        ["node", "-e", CHECK], env={**os.environ, "AWS_ENDPOINT_URL": "http://localhost:4566",
                                    "CALLS": str(tmp_path / "calls.jsonl")},
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert "AWS_ENDPOINT_URL_S3' must be specified" in done.stderr


def test_without_a_localstack_answering_it_stops_before_deploying(tmp_path: Path, fake_cdklocal: Path) -> None:
    done = _run(tmp_path, fake_cdklocal, AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert done.returncode == 1
    assert "no LocalStack answers" in done.stderr
    assert not (tmp_path / "calls.jsonl").exists()
