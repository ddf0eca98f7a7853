"""Lambda packaging without Docker: the application packages as one code asset shared by every function, and
the locked runtime dependencies as one layer that pip builds locally for Lambda's arm64 python3.12.

With ``bundle=False`` the layer is a placeholder directory, so tests and offline synths never download wheels.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling, RemovalPolicy
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
# Only used if local bundling is impossible (no pip and no uvx) and Docker is there.
DOCKER_FALLBACK_IMAGE = "public.ecr.aws/sam/build-python3.12:latest"

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
    uv = _find_tool("uv")
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


@jsii.implements(ILocalBundling)
class PipLayerBundling:
    """Builds the layer on the build host with pip; CDK falls back to Docker only if no pip is found."""

    def __init__(self, requirements_file: Path, *, locked: bool) -> None:
        self._requirements_file = requirements_file
        self._locked = locked

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        pip = _pip_launcher()
        if pip is None:
            return False
        target = Path(output_dir) / "python"  # Lambda puts <layer>/python on sys.path
        subprocess.run(  # noqa: S603 - fixed arguments; the requirements file is written by this module
            [*pip, *pip_install_args(str(self._requirements_file), str(target), locked=self._locked)],
            check=True,
        )
        return True


def dependency_layer(scope: Construct, construct_id: str, *, bundle: bool, staging_root: Path) -> lambda_.LayerVersion:
    if bundle:
        code = _bundled_layer_code(staging_root)
        description = f"Locked runtime dependencies for {RUNTIME.name} on arm64"
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


def _bundled_layer_code(staging_root: Path) -> lambda_.Code:
    requirements = runtime_requirements()
    source = staging_root / "layer-requirements"
    source.mkdir(parents=True, exist_ok=True)
    requirements_file = source / "requirements.txt"
    requirements_file.write_text(requirements.text)
    docker_args = pip_install_args("/asset-input/requirements.txt", "/asset-output/python", locked=requirements.locked)
    # The layer changes exactly when the locked requirements or the target platform change.
    asset_hash = hashlib.sha256("\n".join([requirements.text, *docker_args]).encode()).hexdigest()
    return lambda_.Code.from_asset(
        str(source),
        asset_hash=asset_hash,
        bundling=BundlingOptions(
            image=DockerImage.from_registry(DOCKER_FALLBACK_IMAGE),
            command=["bash", "-c", shlex.join(["pip", *docker_args])],
            # jsii hands the options struct over positionally; its stub spells them as keywords, hence the ignore.
            local=PipLayerBundling(requirements_file, locked=requirements.locked),  # type: ignore[arg-type]
        ),
    )


def _pip_launcher() -> list[str] | None:
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    # uv-made virtualenvs have no pip; uvx runs pip from PyPI in a throwaway environment.
    uvx = _find_tool("uvx")
    return [uvx, "pip"] if uvx is not None else None


def _find_tool(name: str) -> str | None:
    bundled = REPO_ROOT / ".tools" / "bin" / name
    return str(bundled) if bundled.is_file() else shutil.which(name)
