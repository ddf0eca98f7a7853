"""The web stack: the SPA bucket is reachable only through CloudFront (origin access control), client-side routes
get index.html, every answer carries the security headers, and config.json is written at deploy time."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.web_stack import SPA_BUILD, SPA_PLACEHOLDER, SPA_ROUTING_FUNCTION
from tests.infra.cdk_synth import Synth
from tests.infra.manifest_vs_template import resources


def _distribution(synth: Synth) -> dict[str, Any]:
    (distribution,) = resources(synth.web_json, "AWS::CloudFront::Distribution").values()
    return dict(distribution["Properties"]["DistributionConfig"])


def test_cloudfront_reads_the_private_bucket_through_origin_access_control(synth: Synth) -> None:
    template = synth.web_json
    assert resources(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity") == {}
    (origin,) = _distribution(synth)["Origins"]
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    oac_id = origin["OriginAccessControlId"]["Fn::GetAtt"][0]
    oac = template["Resources"][oac_id]["Properties"]["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3"
    assert oac["SigningBehavior"] == "always"
    web = synth.deployment.web
    bucket_id = web.get_logical_id(web.bucket.node.default_child)  # type: ignore[arg-type]
    bucket = template["Resources"][bucket_id]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (policy,) = [p["Properties"]["PolicyDocument"] for p in resources(template, "AWS::S3::BucketPolicy").values()
                 if p["Properties"]["Bucket"] == {"Ref": bucket_id}]  # fmt: skip
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    # Only this distribution may read, and only objects
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source = json.dumps(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert web.get_logical_id(web.distribution.node.default_child) in source  # type: ignore[arg-type]
    denies = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert denies[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_viewers_are_sent_to_https_and_the_distribution_logs(synth: Synth) -> None:
    config = _distribution(synth)
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["Logging"]["Prefix"] == "cloudfront/"
    assert config["IPV6Enabled"] is True


def _route(uri: str) -> str:
    script = SPA_ROUTING_FUNCTION + f"\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    return subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/dashboard", "/index.html"),
        ("/exports/42/links", "/index.html"),
        ("/assets/index-3f9a.js", "/assets/index-3f9a.js"),
        ("/config.json", "/config.json"),
        ("/sw.js", "/sw.js"),
        ("/manifest.webmanifest", "/manifest.webmanifest"),
    ],
)
def test_client_side_routes_get_index_html_and_files_pass_through(synth: Synth, uri: str, served: str) -> None:
    # The function deployed is the one run here (with node, as CloudFront Functions run JavaScript).
    (function,) = resources(synth.web_json, "AWS::CloudFront::Function").values()
    assert function["Properties"]["FunctionCode"] == SPA_ROUTING_FUNCTION
    (association,) = _distribution(synth)["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert _route(uri) == served


def test_every_answer_carries_the_security_headers(synth: Synth) -> None:
    (policy,) = resources(synth.web_json, "AWS::CloudFront::ResponseHeadersPolicy").values()
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    headers = config["SecurityHeadersConfig"]
    assert all(header["Override"] for header in headers.values())
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31_536_000
    assert hsts["IncludeSubdomains"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = dict(
        ([*directive.split(" ", 1), ""])[:2]
        for directive in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"].split("; ")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no inline or remote scripts
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    connect = csp["connect-src"].split()
    assert "wss://*.execute-api.us-east-1.amazonaws.com" in connect
    assert "https://*.execute-api.us-east-1.amazonaws.com" in connect
    assert "*" not in connect
    assert "https:" not in connect
    custom = {h["Header"]: h["Value"] for h in config["CustomHeadersConfig"]["Items"]}
    assert "camera=()" in custom["Permissions-Policy"]


def _asset_dir(synth: Synth, asset_hash: str) -> Path:
    return synth.outdir / f"asset.{asset_hash}"


def test_the_spa_is_the_build_when_there_is_one_and_a_placeholder_otherwise(synth: Synth) -> None:
    deployments = [r["Properties"] for r in resources(synth.web_json, "Custom::CDKBucketDeployment").values()]
    assert len(deployments) == 2
    keys = {key.removesuffix(".zip") for d in deployments for key in d["SourceObjectKeys"]}
    (asset_hash,) = keys  # both passes deploy the same folder, with different caching
    expected = SPA_BUILD if (SPA_BUILD / "index.html").is_file() else SPA_PLACEHOLDER
    staged = _asset_dir(synth, asset_hash)
    assert (staged / "index.html").read_bytes() == (expected / "index.html").read_bytes()
    caching = {json.dumps(d.get("Include")): d["SystemMetadata"]["cache-control"] for d in deployments}
    assert caching == {'["assets/*"]': "public, max-age=31536000, immutable", "null": "no-cache"}
    # Neither writes nor prunes config.json, which the API stack owns.
    assert all("config.json" in d["Exclude"] or d.get("Include") == ["assets/*"] for d in deployments)


def test_config_json_is_written_at_deploy_time_with_the_api_url(synth: Synth) -> None:
    (config,) = [r["Properties"] for r in resources(synth.api_json, "Custom::CDKBucketDeployment").values()]
    assert config["Prune"] is False
    assert config["DestinationBucketName"] == {"Fn::ImportValue": "SkillsPlatformWeb-SpaBucketName"}
    assert config["DistributionPaths"] == ["/config.json"]
    assert config["SystemMetadata"] == {"cache-control": "no-cache"}
    (key,) = config["SourceObjectKeys"]
    written = json.loads(
        next(_asset_dir(synth, key.removesuffix(".zip")).glob("*.json"))
        .read_text()
        .replace("<<marker:0xbaba:0>>", '"API"')
        .replace("<<marker:0xbaba:1>>", '"WS"')
    )
    assert written == {"apiBase": "API", "wsUrl": "WS", "environment": "prod"}
    (marker,) = config["SourceMarkers"]
    api = synth.deployment.api
    api_id = api.get_logical_id(api.http_api.node.default_child)  # type: ignore[arg-type]
    assert {"Fn::GetAtt": [api_id, "ApiEndpoint"]} in marker["<<marker:0xbaba:0>>"]["Fn::Join"][1]
    # The WebSocket API's stage URL (wss://<api>.execute-api.<region>.amazonaws.com/live)
    websocket = api.functions.websocket
    assert websocket is not None
    ws_api_id = api.get_logical_id(websocket.api.node.default_child)  # type: ignore[arg-type]
    assert "wss://" in json.dumps(marker["<<marker:0xbaba:1>>"])
    assert {"Ref": ws_api_id} in marker["<<marker:0xbaba:1>>"]["Fn::Join"][1]
