"""Lambda packaging and deployment settings: what goes into the code asset and the layer, and how pip is asked
to build the layer. Nothing here downloads a wheel: the layer's contents are checked through the committed
manifest the deploy synth checks its build against (tests/infra/test_layer.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra import layer, packaging
from infra.config import ConfigError, DeploySettings
from infra.layer import BuiltLayer, LayerManifest
from tests.infra.cdk_synth import REPO_ROOT, Synth, cdk_context
from tests.infra.manifest_vs_template import resources
from tests.infra.test_cdk_security import manifest_function_ids


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


def _manifest_layer(synth: Synth) -> dict[str, Any]:
    """The layer the manifest's functions run with (CDK's own functions bring their own)."""
    template = synth.api_json
    functions = [resources(template, "AWS::Lambda::Function")[i] for i in manifest_function_ids(template)]
    (layer_ref,) = {json.dumps(f["Properties"]["Layers"]) for f in functions}
    (layer_id,) = [ref["Ref"] for ref in json.loads(layer_ref)]
    return dict(template["Resources"][layer_id])


def test_without_bundling_the_layer_is_the_placeholder(synth: Synth) -> None:
    layer = _manifest_layer(synth)
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert "PLACEHOLDER" in layer["Properties"]["Description"]
    asset = _asset_dir(synth, layer["Properties"]["Content"])
    assert sorted(str(path.relative_to(asset)) for path in asset.rglob("*")) == ["python", "python/README.md"]


def test_bundled_layer_is_the_cached_build_the_committed_manifest_describes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a cached build of the current lock file (a stand-in: building here would download wheels)
    committed = LayerManifest.read()
    built_dir = tmp_path / "layer"
    (built_dir / "python" / "fake_package").mkdir(parents=True)
    (built_dir / "python" / "fake_package" / "__init__.py").write_text("")
    monkeypatch.setattr(layer, "build_layer", lambda: BuiltLayer(built_dir, committed))
    app = App(outdir=str(tmp_path / "out"))
    stack = Stack(app, "LayerOnly")
    # When the real layer is defined and synthesized
    packaging.dependency_layer(stack, "Dependencies", bundle=True)
    template = dict(Template.from_stack(stack).to_json())
    # Then the asset is that build, addressed by the manifest's key (CDK hashes a custom hash once more)
    (deployed,) = resources(template, "AWS::Lambda::LayerVersion").values()
    asset_hash = hashlib.sha256(committed.key.encode()).hexdigest()
    assert deployed["Properties"]["Content"]["S3Key"] == f"{asset_hash}.zip"
    assert committed.key in deployed["Properties"]["Description"]
    staged = tmp_path / "out" / f"asset.{asset_hash}"
    assert (staged / "python" / "fake_package" / "__init__.py").is_file()


def test_a_build_the_committed_manifest_does_not_describe_is_refused() -> None:
    committed = LayerManifest.read()
    other = dataclasses.replace(committed, key="0" * 32)
    with pytest.raises(layer.LayerError, match="run make layer"):
        layer.check_against_committed(other)
    fewer = dataclasses.replace(committed, top_level={"boto3": 1})
    with pytest.raises(layer.LayerError, match="packages differ"):
        layer.check_against_committed(fewer)
    layer.check_against_committed(committed)


def test_the_layer_requirements_are_every_runtime_dependency_and_no_tool() -> None:
    requirements = packaging.runtime_requirements()
    assert requirements.locked
    names = {_name(line) for line in requirements.text.splitlines() if line and not line.startswith((" ", "#"))}
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)
    assert {_name(dependency) for dependency in project["project"]["dependencies"]} <= names
    assert not names & {"pytest", "aws-cdk-lib", "cdk-nag", "moto", "ruff"}


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
