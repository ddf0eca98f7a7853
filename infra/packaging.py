"""Lambda packaging without Docker: the application packages as one code asset shared by every function, and
the locked runtime dependencies as one layer that pip builds on this machine for Lambda's arm64 python3.12
(infra/layer.py builds, trims and caches it).

With ``bundle=False`` the layer is a placeholder directory, so tests and fully offline synths never download
wheels; ``make synth`` and every deploy use the real layer.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import AssetHashType, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parent.parent
CODE_PACKAGES = ("shared", "functions")
PLACEHOLDER_LAYER = Path(__file__).resolve().parent / "layer_placeholder"

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
PYTHON_VERSION = "3.12"
# Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34), so any manylinux wheel up to 2_34 works there.
# pip matches --platform tags exactly, hence the whole list: psycopg-binary and argon2-cffi-bindings, for
# instance, publish only manylinux_2_28 wheels for aarch64, which manylinux2014 alone would refuse.
PLATFORMS = ("manylinux2014_aarch64", *(f"manylinux_2_{minor}_aarch64" for minor in range(17, 35)))

_CODE_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache", ".pytest_cache")


def function_code(staging_root: Path) -> lambda_.Code:
    """The code asset of every function: a fresh copy of ``shared/`` and ``functions/`` and nothing else."""
    target = staging_root / "function-code"
    if target.exists():
        shutil.rmtree(target)
    for package in CODE_PACKAGES:
        shutil.copytree(REPO_ROOT / package, target / package, ignore=_CODE_IGNORE)
    return lambda_.Code.from_asset(str(target))


@dataclass(frozen=True)
class Requirements:
    text: str
    # True: exported from uv.lock, complete and hashed, so pip installs exactly these (--no-deps).
    locked: bool


def runtime_requirements() -> Requirements:
    """The project's runtime dependencies (``[project].dependencies``), pinned by uv.lock when uv is there."""
    uv = find_tool("uv")
    if uv is not None:
        exported = subprocess.run(  # noqa: S603 - fixed arguments, the tool found in .tools/bin or on PATH
            [
                uv, "export", "--frozen", "--no-default-groups", "--no-emit-project",
                "--no-header", "--no-annotate", "--format", "requirements.txt",
            ],
            cwd=REPO_ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return Requirements(exported.stdout, locked=True)
    # Without uv: the direct dependencies as pyproject.toml states them; pip resolves the rest.
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    return Requirements("\n".join(dependencies) + "\n", locked=False)


def pip_install_args(requirements_file: str, target: str, *, locked: bool) -> list[str]:
    """``pip install`` arguments that fetch Lambda-compatible wheels (never sdists) whatever the build host."""
    args = [
        "install",
        "--requirement", requirements_file,
        "--target", target,
        "--implementation", "cp",
        "--python-version", PYTHON_VERSION,
        "--only-binary=:all:",
        *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
        # .pyc files compiled by the build host's Python would be for the wrong version.
        "--no-compile",
        "--disable-pip-version-check",
        "--quiet",
    ]  # fmt: skip
    if locked:
        args.append("--no-deps")
    return args


def dependency_layer(scope: Construct, construct_id: str, *, bundle: bool) -> lambda_.LayerVersion:
    """The layer of locked runtime dependencies; ``bundle=False``: a placeholder that must not be deployed.

    Raises infra.layer.LayerError when the layer cannot be built or disagrees with infra/layer_manifest.json.
    """
    if bundle:
        from infra.layer import build_layer, check_against_committed

        built = build_layer()
        check_against_committed(built.manifest)
        # The key already hashes everything the layer is made from: CDK need not hash 100 MB of files again, and
        # skips copying them when cdk.out holds this asset from an earlier synth.
        code = lambda_.Code.from_asset(
            str(built.path), asset_hash=built.manifest.key, asset_hash_type=AssetHashType.CUSTOM
        )
        description = f"Locked runtime dependencies for {RUNTIME.name} on arm64 (layer {built.manifest.key})"
    else:
        code = lambda_.Code.from_asset(str(PLACEHOLDER_LAYER))
        description = "PLACEHOLDER without packages (synthesized with bundle=false): do not deploy"
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=code,
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description=description,
        removal_policy=RemovalPolicy.DESTROY,
    )


def find_tool(name: str) -> str | None:
    bundled = REPO_ROOT / ".tools" / "bin" / name
    return str(bundled) if bundled.is_file() else shutil.which(name)
