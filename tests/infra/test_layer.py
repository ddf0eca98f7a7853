"""The dependency layer: what trimming removes and keeps, the build cache, and the committed manifest that says
what the deployed layer holds (in step with uv.lock, within Lambda's limits, recorded in BENCHMARKS.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from bench.sections import split_sections
from infra import layer
from infra.layer import (
    BOTOCORE_SERVICES,
    TWILIO_DOMAINS,
    UNUSED_PACKAGES,
    LayerManifest,
    current_key,
    measure,
    report_section,
    trim,
)
from infra.packaging import REPO_ROOT, runtime_requirements

MIB = 1024 * 1024


def _write(root: Path, *paths: str) -> None:
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x" * 100)


def _files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_trim_keeps_what_the_runtime_imports_and_removes_the_rest(tmp_path: Path) -> None:
    # Given an installed site directory with one of everything trimming knows about
    kept = {
        "botocore/__init__.py",
        "botocore/data/endpoints.json",
        "botocore/data/s3/2006-03-01/service-2.json.gz",
        "botocore/data/secretsmanager/2017-10-17/service-2.json.gz",
        "boto3/data/s3/2006-03-01/resources-1.json",
        "twilio/rest/__init__.py",
        "twilio/rest/api/__init__.py",
        "twilio/twiml/__init__.py",
        "psycopg/__init__.py",
        "psycopg/py.typed",
        "psycopg-3.3.9.dist-info/METADATA",
    }
    removed = {
        "botocore/data/ec2/2016-11-15/service-2.json.gz",
        "botocore/data/s3/2006-03-01/examples-1.json",
        "boto3/data/ec2/2016-11-15/resources-1.json",
        "twilio/rest/flex_api/__init__.py",
        "aiohttp/__init__.py",
        "aiohttp-3.13.2.dist-info/METADATA",
        "aiohttp_retry/__init__.py",
        "aiohttp_retry-2.9.1.dist-info/METADATA",
        "yarl/__init__.py",
        "qrcode/tests/test_qrcode.py",
        "psycopg/__pycache__/connection.cpython-312.pyc",
        "psycopg/types.pyi",
    }
    site = tmp_path / "python"
    _write(site, *kept, *removed)
    # When it is trimmed
    freed = trim(site)
    # Then exactly the unused files are gone, and their bytes are counted
    assert _files(site) == kept
    assert freed == 100 * len(removed)
    assert not (site / "qrcode" / "tests").exists()


def test_measure_counts_files_and_zips_them_as_an_asset(tmp_path: Path) -> None:
    _write(tmp_path / "layer" / "python", "a/__init__.py", "b.py")
    manifest = measure(tmp_path / "layer", key="k", removed_bytes=7)
    assert manifest.files == 2
    assert manifest.unzipped_bytes == 200
    assert 0 < manifest.zipped_bytes < 1000
    assert manifest.top_level == {"a": 100, "b.py": 100}
    assert manifest.removed_bytes == 7


def test_a_build_is_cached_by_its_key_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a pip that writes one package and one test folder, and counts its runs
    runs = tmp_path / "runs"
    fake_pip = tmp_path / "fake_pip.py"
    fake_pip.write_text(
        "import sys, pathlib\n"
        "target = pathlib.Path(sys.argv[sys.argv.index('--target') + 1])\n"
        "(target / 'pkg' / 'tests').mkdir(parents=True)\n"
        "(target / 'pkg' / '__init__.py').write_text('')\n"
        "(target / 'pkg' / 'tests' / 'test_pkg.py').write_text('')\n"
        f"open({str(runs)!r}, 'a').write('run\\n')\n"
    )
    monkeypatch.setattr(layer, "pip_launcher", lambda: [sys.executable, str(fake_pip)])
    cache = tmp_path / "cache"
    # When the layer is asked for twice
    first = layer.build_layer(cache)
    second = layer.build_layer(cache)
    # Then pip ran once, the second answer is the cached build, trimmed and described
    assert runs.read_text() == "run\n"
    assert first == second
    assert first.path == cache / current_key() / "layer"
    assert _files(first.path) == {"python/pkg/__init__.py"}
    assert first.manifest.key == current_key()
    assert [p.name for p in cache.iterdir()] == [current_key()]  # no work folder left behind


def test_a_failed_build_leaves_nothing_in_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layer, "pip_launcher", lambda: [sys.executable, "-c", "import sys; sys.exit(3)"])
    with pytest.raises(layer.LayerError, match="pip could not build the layer"):
        layer.build_layer(tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_the_committed_manifest_is_the_layer_of_the_current_lock_file() -> None:
    # A changed uv.lock (or trim rule) changes the key: make layer rewrites the manifest, to be committed with it.
    assert LayerManifest.read().key == current_key(), (
        "uv.lock or the trim rules changed: run make layer and commit infra/layer_manifest.json with BENCHMARKS.md"
    )


def test_the_committed_layer_holds_every_runtime_dependency_and_nothing_trimmed() -> None:
    manifest = LayerManifest.read()
    assert manifest.botocore_services == sorted(BOTOCORE_SERVICES)
    assert set(manifest.twilio_domains) == TWILIO_DOMAINS
    entries = set(manifest.top_level)
    assert not entries & UNUSED_PACKAGES
    assert not [entry for entry in entries if entry.endswith((".pyi", "tests"))]
    installed = {entry.split("-")[0].lower().replace("_", "-") for entry in entries if entry.endswith(".dist-info")}
    lambda_python = {"sys_platform": "linux", "platform_system": "Linux", "python_version": "3.12"}
    requirements = [
        Requirement(line.rstrip(" \\"))
        for line in runtime_requirements().text.splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    ]
    locked = {
        requirement.name.lower().replace("_", "-")
        for requirement in requirements
        if requirement.marker is None or requirement.marker.evaluate(lambda_python)
    }
    trimmed_distributions = {name.replace("_", "-") for name in UNUSED_PACKAGES}
    assert locked - trimmed_distributions <= installed
    for package in ("psycopg_binary", "cryptography", "pydantic_core", "argon2", "twilio", "botocore"):
        assert package in entries


def test_the_layer_fits_lambdas_limits_with_room_to_spare() -> None:
    manifest = LayerManifest.read()
    assert manifest.zipped_bytes < 25 * MIB  # 50 MiB is the limit for a direct upload
    assert manifest.unzipped_bytes < 100 * MIB  # 250 MiB for a function and all its layers
    assert manifest.removed_bytes > 0


def test_benchmarks_md_records_the_committed_layer() -> None:
    _, sections = split_sections((REPO_ROOT / "BENCHMARKS.md").read_text(encoding="utf-8"))
    assert sections["Dependency layer"].rstrip() == report_section(LayerManifest.read()).rstrip()
