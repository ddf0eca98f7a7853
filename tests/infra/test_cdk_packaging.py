"""Lambda packaging and deployment settings: what goes into the code asset and the layer, and how pip is asked
to build the layer. Nothing here downloads a wheel."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra import packaging
from infra.config import ConfigError, DeploySettings
from tests.infra.cdk_synth import REPO_ROOT, Synth, cdk_context
from tests.infra.manifest_vs_template import resources


def _asset_dir(synth: Synth, code: dict[str, Any]) -> Path:
    return synth.outdir / f"asset.{code['S3Key'].removesuffix('.zip')}"


def test_function_code_is_shared_and_functions_only(synth: Synth) -> None:
    functions = resources(synth.api_json, "AWS::Lambda::Function")
    codes = {
        str(function["Properties"]["Code"]["S3Key"])
        for function in functions.values()
        if str(function["Properties"]["Handler"]).startswith("functions.")
    }
    assert len(codes) == 1  # one asset, shared by every function
    asset = _asset_dir(synth, {"S3Key": codes.pop()})
    assert sorted(path.name for path in asset.iterdir()) == ["functions", "shared"]
    assert (asset / "functions" / "routes.py").is_file()
    assert list((asset / "shared" / "db" / "migrations").glob("*.sql"))  # the migrate job applies them
    assert not [path for path in asset.rglob("*") if path.name == "__pycache__" or path.suffix == ".pyc"]


def test_without_bundling_the_layer_is_the_placeholder(synth: Synth) -> None:
    (layer,) = resources(synth.api_json, "AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert "PLACEHOLDER" in layer["Properties"]["Description"]
    asset = _asset_dir(synth, layer["Properties"]["Content"])
    assert sorted(str(path.relative_to(asset)) for path in asset.rglob("*")) == ["python", "python/README.md"]


def test_bundled_layer_is_built_from_the_locked_runtime_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given bundling that must not run (CDK skips bundling for stacks outside aws:cdk:bundling-stacks)
    monkeypatch.setattr(packaging, "_pip_launcher", _fail_if_called)
    app = App(outdir=str(tmp_path / "out"), context={"aws:cdk:bundling-stacks": []})
    stack = Stack(app, "LayerOnly")
    # When the real layer is defined
    packaging.dependency_layer(stack, "Dependencies", bundle=True, staging_root=tmp_path / "staging")
    template = dict(Template.from_stack(stack).to_json())
    # Then its requirements name every runtime dependency of pyproject.toml, and no dev or infra tool
    requirements = (tmp_path / "staging" / "layer-requirements" / "requirements.txt").read_text()
    names = {_name(line) for line in requirements.splitlines() if line and not line.startswith((" ", "#"))}
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)
    assert {_name(dependency) for dependency in project["project"]["dependencies"]} <= names
    assert not names & {"pytest", "aws-cdk-lib", "cdk-nag", "moto", "ruff"}
    (layer,) = resources(template, "AWS::Lambda::LayerVersion").values()
    assert "PLACEHOLDER" not in layer["Properties"]["Description"]


def test_pip_fetches_only_lambda_compatible_wheels() -> None:
    args = packaging.pip_install_args("req.txt", "/out/python", locked=True)
    assert args[:5] == ["install", "--requirement", "req.txt", "--target", "/out/python"]
    assert "--only-binary=:all:" in args
    assert args[args.index("--python-version") + 1] == "3.12"
    platforms = {args[i + 1] for i, arg in enumerate(args) if arg == "--platform"}
    # manylinux2014 as the brief asks, plus the newer tags some wheels (psycopg-binary) publish exclusively
    assert {"manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64"} <= platforms
    assert not [platform for platform in platforms if "x86_64" in platform]
    assert "--no-deps" in args  # the lock is complete: nothing unlocked gets resolved
    assert "--no-deps" not in packaging.pip_install_args("req.txt", "/out", locked=False)


def test_local_bundling_runs_pip_into_the_layer_python_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(packaging, "_pip_launcher", lambda: ["pip"])
    monkeypatch.setattr(packaging.subprocess, "run", lambda command, **_: calls.append(command))
    bundling = packaging.PipLayerBundling(tmp_path / "requirements.txt", locked=True)

    assert bundling.try_bundle(str(tmp_path / "out"), None) is True  # type: ignore[arg-type]
    (command,) = calls
    assert command[:2] == ["pip", "install"]
    assert command[command.index("--target") + 1] == str(tmp_path / "out" / "python")


def test_without_pip_local_bundling_leaves_it_to_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packaging, "_pip_launcher", lambda: None)
    bundling = packaging.PipLayerBundling(tmp_path / "requirements.txt", locked=True)
    assert bundling.try_bundle(str(tmp_path / "out"), None) is False  # type: ignore[arg-type]


def _settings(context: dict[str, Any], environ: dict[str, str] | None = None) -> DeploySettings:
    return DeploySettings.from_context(App(context=context).node, environ or {})


def test_settings_come_from_cdk_json_without_any_aws_account() -> None:
    settings = _settings(cdk_context(bundle=True))
    assert settings.account == "123456789012"
    assert settings.region == "us-east-1"
    assert settings.availability_zones == ("us-east-1a", "us-east-1b")
    assert settings.bundle is True
    assert settings.deploy_nonce is None


def test_synth_needs_no_context_lookup(synth: Synth) -> None:
    # A lookup (availability zones, VPCs, ...) would need AWS credentials; cdk.json answers everything.
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    assert manifest.get("missing", []) == []
    subnets = resources(synth.data_json, "AWS::EC2::Subnet").values()
    assert {subnet["Properties"]["AvailabilityZone"] for subnet in subnets} == {"us-east-1a", "us-east-1b"}


def test_the_deploying_account_replaces_the_placeholder_account() -> None:
    assert _settings(cdk_context(), {"CDK_DEFAULT_ACCOUNT": "111111111111"}).account == "111111111111"
    environ = {"CDK_DEFAULT_ACCOUNT": "111111111111", "CDK_DEPLOY_ACCOUNT": "222222222222"}
    assert _settings(cdk_context(), environ).account == "222222222222"


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("true", True), (False, False), (True, True)])
def test_bundle_flag_reads_cli_strings_and_json_booleans(value: object, expected: bool) -> None:
    assert _settings(cdk_context(bundle=value)).bundle is expected


def test_zones_must_belong_to_the_region() -> None:
    context = cdk_context(region="eu-west-1")
    with pytest.raises(ConfigError, match="not in region eu-west-1"):
        _settings(context)
    context["availabilityZones"] = "eu-west-1a,eu-west-1b"
    assert _settings(context).availability_zones == ("eu-west-1a", "eu-west-1b")


def _name(requirement: str) -> str:
    for separator in ("[", "=", "<", ">", "~", "!", ";", " "):
        requirement = requirement.split(separator, 1)[0]
    return requirement.strip().lower().replace("_", "-")


def _fail_if_called() -> list[str]:
    raise AssertionError("bundling ran: the test would download wheels")
