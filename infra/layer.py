"""The dependency layer every function shares, built on this machine without Docker and trimmed of what the runtime
never imports; cached by the hash of what goes into it, so a second synth reuses the first one's build.

What goes in: the locked runtime dependencies (uv.lock, ``[project].dependencies``) as manylinux aarch64 wheels
for CPython 3.12 (Lambda's python3.12 on arm64), then ``trim``. What the build yields is described in
``infra/layer_manifest.json``, which is committed: ``make layer`` (and every ``make synth``) rewrites it, the deploy
synth refuses a layer that disagrees with it, and the tests read it instead of building (tests/infra).

``python -m infra.layer`` builds (or finds) the layer, rewrites the manifest and the "Dependency layer" section of
BENCHMARKS.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from infra.packaging import REPO_ROOT, find_tool, pip_install_args, runtime_requirements

CACHE_ROOT = REPO_ROOT / ".cache" / "layer"
MANIFEST = Path(__file__).resolve().parent / "layer_manifest.json"
# Changing a rule below changes every layer: bump this so cached builds are not reused.
TRIM_RULES_VERSION = 1

# AWS APIs the platform calls through boto3 (clients only, never boto3.resource): exports and presigning (s3),
# secrets (secretsmanager, also through Powertools parameters), asynchronous invokes (lambda), WebSocket posts
# (apigatewaymanagementapi), IAM database tokens (rds), log and metric reads (logs, cloudwatch), and the
# credential chain (sts, sso, sso-oidc: botocore loads them when a profile asks for them).
BOTOCORE_SERVICES = frozenset(
    {"s3", "secretsmanager", "lambda", "apigatewaymanagementapi", "rds", "logs", "cloudwatch", "sts", "sso", "sso-oidc"}
)
# Twilio's REST domains the platform uses: Messages and their prices (api), messaging services, content templates,
# number lookups. The client imports a domain only when its property is first read.
TWILIO_DOMAINS = frozenset({"api", "messaging", "content", "lookups"})
# Import packages of distributions that only twilio's asynchronous HTTP client imports; the platform uses the
# synchronous one (a Lambda handles one request at a time).
UNUSED_PACKAGES = frozenset(
    {"aiohttp", "aiohttp_retry", "aiohappyeyeballs", "aiosignal", "frozenlist", "multidict", "propcache", "yarl"}
)
# Directory and file names nothing imports at run time.
UNUSED_DIRECTORIES = frozenset({"tests", "test", "__pycache__"})
UNUSED_SUFFIXES = (".pyi", ".pyc", ".pyo")
# botocore's per-service files that only its documentation generator reads.
BOTOCORE_DOC_FILES = frozenset({"examples-1.json"})


@dataclass(frozen=True)
class LayerManifest:
    """What a built layer holds; the committed infra/layer_manifest.json is one of these."""

    key: str
    files: int
    unzipped_bytes: int
    zipped_bytes: int
    removed_bytes: int
    botocore_services: list[str]
    twilio_domains: list[str]
    # Top-level entries of python/ (packages, modules, .libs folders) and their unzipped size.
    top_level: dict[str, int]

    @classmethod
    def read(cls, path: Path = MANIFEST) -> LayerManifest:
        return cls(**json.loads(path.read_text()))

    def write(self, path: Path = MANIFEST) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")


@dataclass(frozen=True)
class BuiltLayer:
    # The asset directory: it holds python/ and nothing else (Lambda puts <layer>/python on sys.path).
    path: Path
    manifest: LayerManifest


class LayerError(RuntimeError):
    """The layer cannot be built here, or the build disagrees with the committed manifest."""


def layer_key(requirements_text: str, pip_args: Sequence[str]) -> str:
    """The cache key: the locked requirements, how pip is asked to fetch them, and the trim rules."""
    rules = [
        str(TRIM_RULES_VERSION),
        *sorted(BOTOCORE_SERVICES),
        *sorted(TWILIO_DOMAINS),
        *sorted(UNUSED_PACKAGES),
        *sorted(UNUSED_DIRECTORIES),
        *UNUSED_SUFFIXES,
        *sorted(BOTOCORE_DOC_FILES),
    ]
    return hashlib.sha256("\n".join([requirements_text, *pip_args, *rules]).encode()).hexdigest()[:32]


def current_key() -> str:
    requirements = runtime_requirements()
    if not requirements.locked:
        raise LayerError("uv is needed to export the locked requirements (make .venv/.synced installs it)")
    return layer_key(requirements.text, _pip_args_for_key())


def build_layer(cache_root: Path = CACHE_ROOT) -> BuiltLayer:
    """The layer for the current lock file: from the cache, or built into it (about 40 s, downloads from PyPI).

    Raises LayerError when no pip can be found or the build fails.
    """
    key = current_key()
    target = cache_root / key
    if (target / "manifest.json").is_file():
        return BuiltLayer(target / "layer", LayerManifest.read(target / "manifest.json"))
    cache_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=cache_root))
    try:
        requirements_file = work / "requirements.txt"
        requirements_file.write_text(runtime_requirements().text)
        site = work / "layer" / "python"
        pip = pip_launcher()
        if pip is None:
            raise LayerError("no pip found: install one, or run uv sync so that .tools/bin/uv can run it")
        done = subprocess.run(  # noqa: S603 - fixed arguments; the requirements file is written just above
            [*pip, *pip_install_args(str(requirements_file), str(site), locked=True)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise LayerError(f"pip could not build the layer:\n{done.stderr[-4000:]}")
        removed = trim(site)
        manifest = measure(work / "layer", key=key, removed_bytes=removed)
        manifest.write(work / "manifest.json")
        requirements_file.unlink()
        # Another synth may have finished the same build meanwhile: theirs is as good as ours.
        try:
            work.rename(target)
        except OSError:
            if not (target / "manifest.json").is_file():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return BuiltLayer(target / "layer", LayerManifest.read(target / "manifest.json"))


def trim(site: Path) -> int:
    """Removes from an installed site directory what the runtime never imports; returns the bytes removed."""
    removed = 0
    doomed: list[Path] = []
    for name in UNUSED_PACKAGES:
        doomed += [path for path in (site / name,) if path.exists()]
        doomed += list(site.glob(f"{name.replace('_', '[-_]')}-*.dist-info"))
    data = site / "botocore" / "data"
    if data.is_dir():
        doomed += [path for path in data.iterdir() if path.is_dir() and path.name not in BOTOCORE_SERVICES]
        doomed += [path for path in data.rglob("*") if path.name in BOTOCORE_DOC_FILES]
    resources = site / "boto3" / "data"
    if resources.is_dir():
        doomed += [path for path in resources.iterdir() if path.is_dir() and path.name not in BOTOCORE_SERVICES]
    rest = site / "twilio" / "rest"
    if rest.is_dir():
        doomed += [path for path in rest.iterdir() if path.is_dir() and path.name not in TWILIO_DOMAINS]
    for path in site.rglob("*"):
        if (path.is_dir() and path.name in UNUSED_DIRECTORIES) or (
            path.is_file() and path.name.endswith(UNUSED_SUFFIXES)
        ):
            doomed.append(path)
    for path in sorted(set(doomed), key=lambda p: len(p.parts)):
        if not path.exists():  # inside a folder already removed
            continue
        removed += _size(path)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def measure(layer: Path, *, key: str, removed_bytes: int) -> LayerManifest:
    """Sizes of a layer directory (holding python/), zipped as CDK zips an asset (deflate)."""
    site = layer / "python"
    files = sorted(path for path in layer.rglob("*") if path.is_file())
    with tempfile.TemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.relative_to(layer).as_posix())
        zipped = buffer.tell()
    data = site / "botocore" / "data"
    rest = site / "twilio" / "rest"
    return LayerManifest(
        key=key,
        files=len(files),
        unzipped_bytes=sum(path.stat().st_size for path in files),
        zipped_bytes=zipped,
        removed_bytes=removed_bytes,
        botocore_services=sorted(p.name for p in data.iterdir() if p.is_dir()) if data.is_dir() else [],
        twilio_domains=sorted(p.name for p in rest.iterdir() if p.is_dir()) if rest.is_dir() else [],
        top_level={path.name: _size(path) for path in sorted(site.iterdir())},
    )


def check_against_committed(built: LayerManifest, committed: Path = MANIFEST) -> None:
    """Raises LayerError when the built layer is not the one the committed manifest describes."""
    if not committed.is_file():
        raise LayerError(f"{committed.name} is missing: run make layer and commit it")
    expected = LayerManifest.read(committed)
    if expected.key != built.key:
        raise LayerError(
            f"{committed.name} describes layer {expected.key}, this lock file builds {built.key}: run make layer "
            "and commit the manifest"
        )
    if expected.top_level.keys() != built.top_level.keys():
        raise LayerError(f"the built layer's packages differ from {committed.name}'s: run make layer")


def pip_launcher() -> list[str] | None:
    """pip for the build: this interpreter's, the bootstrap venv's (.tools, which the Makefile makes), or uvx's."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    tools_pip = REPO_ROOT / ".tools" / "bin" / "pip"
    if tools_pip.is_file():
        return [str(tools_pip)]
    uvx = find_tool("uvx")
    return [uvx, "pip"] if uvx is not None else None


def report_section(manifest: LayerManifest) -> str:
    """The "Dependency layer" section of BENCHMARKS.md."""
    mib = 1024 * 1024
    biggest = sorted(manifest.top_level.items(), key=lambda item: -item[1])[:8]
    rows = "\n".join(f"| `{name}` | {size / mib:.1f} |" for name, size in biggest)
    return (
        "## Dependency layer\n\n"
        "Written by `make layer` (and `make synth`, which builds the layer it synthesizes). The locked runtime "
        "dependencies as manylinux aarch64 wheels for CPython 3.12, trimmed of what the functions never import "
        "(infra/layer.py): tests, type stubs, botocore and boto3 data of services the platform does not call "
        f"(kept: {', '.join(manifest.botocore_services)}), Twilio REST domains it does not use (kept: "
        f"{', '.join(manifest.twilio_domains)}), and aiohttp with its dependencies (only Twilio's asynchronous "
        "client imports them).\n\n"
        "| layer | MiB |\n|---|---:|\n"
        f"| zipped (what Lambda receives; limit 50 MiB for a direct upload) | {manifest.zipped_bytes / mib:.1f} |\n"
        f"| unzipped (limit 250 MiB for a function and its layers) | {manifest.unzipped_bytes / mib:.1f} |\n"
        f"| removed by trimming | {manifest.removed_bytes / mib:.1f} |\n\n"
        f"{manifest.files} files. The largest entries:\n\n"
        "| entry | MiB unzipped |\n|---|---:|\n"
        f"{rows}\n"
    )


def main() -> int:
    from bench.sections import replace_section

    built = build_layer()
    built.manifest.write()
    replace_section(REPO_ROOT / "BENCHMARKS.md", "Dependency layer", report_section(built.manifest))
    sys.stderr.write(
        f"layer {built.manifest.key}: {built.manifest.zipped_bytes / 1e6:.1f} MB zipped, "
        f"{built.manifest.unzipped_bytes / 1e6:.1f} MB unzipped; wrote {MANIFEST.name} and BENCHMARKS.md\n"
    )
    return 0


def _pip_args_for_key() -> list[str]:
    # The target folder is not part of what is built.
    return pip_install_args("requirements.txt", "python", locked=True)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(child.stat().st_size for child in _files(path))


def _files(root: Path) -> Iterable[Path]:
    return (path for path in root.rglob("*") if path.is_file())


if __name__ == "__main__":
    sys.exit(main())
