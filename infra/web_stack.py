"""The SPA: a private S3 bucket behind CloudFront (origin access control), client-side routes served index.html,
security headers on every answer. ``config.json`` (API and WebSocket URLs) is written by the API stack, which
is deployed after this one: the API's CORS names this distribution's origin.

The SPA's files come from ``frontend/dist`` when it has been built, or from a placeholder page otherwise, so the
app synthesizes offline and without a Node build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parent.parent
SPA_BUILD = REPO_ROOT / "frontend" / "dist"
SPA_PLACEHOLDER = Path(__file__).resolve().parent / "spa_placeholder"
CONFIG_FILE = "config.json"
# Vite names everything under assets/ by content hash: cached for a year. The rest (index.html, sw.js,
# manifest.webmanifest, config.json) is revalidated on every load, so a deploy is seen at once.
HASHED_ASSETS = "assets/*"

# A viewer-request function: a path whose last segment has no dot is a client-side route (/dashboard,
# /exports/42) and gets index.html; files (/assets/x.js, /config.json, /sw.js) pass through. Unlike mapping
# S3's 403/404 to index.html, a missing asset still answers an error instead of a page of HTML.
SPA_ROUTING_FUNCTION = """\
function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
"""


def content_security_policy(region: str) -> str:
    """The SPA's CSP. The API, the WebSocket API and the exports bucket answer on AWS hosts of ``region`` whose
    exact names this stack cannot know (the API stack comes after it), hence the regional wildcards in
    connect-src; everything else is the SPA's own origin."""
    connect = [
        "'self'",
        f"https://*.execute-api.{region}.amazonaws.com",
        f"wss://*.execute-api.{region}.amazonaws.com",
        # Presigned export downloads, in the forms boto3 builds them (virtual-hosted, regional or global, dual-stack).
        f"https://*.s3.{region}.amazonaws.com",
        f"https://*.s3.dualstack.{region}.amazonaws.com",
        "https://*.s3.amazonaws.com",
    ]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # The 2FA QR code arrives as a data: URL.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": connect,
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class WebStack(Stack):
    bucket: s3.Bucket
    distribution: cloudfront.Distribution

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        logs_bucket = s3.Bucket(
            self,
            "Logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # CloudFront's standard logs are delivered with an ACL grant, so ACLs stay enabled on this bucket.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        Validations.of(logs_bucket).acknowledge(
            Acknowledgment(id="AwsSolutions-S1", reason="This is the log bucket; logging it into itself would loop.")
        )
        self.bucket = s3.Bucket(
            self,
            "Spa",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=logs_bucket,
            server_access_logs_prefix="spa-bucket/",
            # The files are rebuilt from the repository on every deploy; nothing here is only here.
            removal_policy=RemovalPolicy.RETAIN,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Skills platform SPA: CSP, HSTS, frame and content-type options, referrer policy",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(self.region), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, preload=True, override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="camera=(), microphone=(), geolocation=(), payment=(), usb=()",
                        override=True,
                    ),
                    cloudfront.ResponseCustomHeader(
                        header="Cross-Origin-Opener-Policy", value="same-origin", override=True
                    ),
                ]
            ),
        )
        routing = cloudfront.Function(
            self,
            "SpaRouting",
            comment="Client-side routes get index.html; files pass through",
            code=cloudfront.FunctionCode.from_inline(SPA_ROUTING_FUNCTION),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Skills platform SPA",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=routing, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_ipv6=True,
            enable_logging=True,
            log_bucket=logs_bucket,
            log_file_prefix="cloudfront/",
        )
        Validations.of(self.distribution).acknowledge(
            Acknowledgment(
                id="AwsSolutions-CFR1",
                reason="Respondents and enumerators may be anywhere; sign-in, roles and TOTP protect the data, not "
                "geography.",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR2",
                reason="The distribution serves static files only; the API behind it has its own throttling. AWS "
                "WAF bills 5 USD a month per web ACL plus 1 USD per rule, above the zero-traffic floor targets.",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR4",
                reason="The default *.cloudfront.net certificate is used (no custom domain), and CloudFront does "
                "not allow a minimum protocol version with it.",
            ),
        )
        self._deploy_files()
        CfnOutput(self, "SpaUrl", value=self.origin, description="The SPA")
        # Named exports for SpaConfig (the API stack): with names of our own, the bucket-deployment policy there
        # reads the same at every synth, so its cdk-nag findings can be acknowledged one by one (infra/nag.py).
        for name, value in self._exports().items():
            CfnOutput(self, name, value=value, export_name=self.export_name(name))

    def export_name(self, name: str) -> str:
        return f"{self.stack_name}-{name}"

    def _exports(self) -> dict[str, str]:
        return {
            "SpaBucketName": self.bucket.bucket_name,
            "SpaBucketArn": self.bucket.bucket_arn,
            "DistributionId": self.distribution.distribution_id,
            "DistributionDomainName": self.distribution.distribution_domain_name,
        }

    @property
    def origin(self) -> str:
        """The SPA's origin, as browsers send it in Origin headers (the CORS of the API and the exports bucket)."""
        return f"https://{self.distribution.distribution_domain_name}"

    def _deploy_files(self) -> None:
        source = SPA_BUILD if (SPA_BUILD / "index.html").is_file() else SPA_PLACEHOLDER
        # Two passes over the same folder, one per caching rule; config.json belongs to the API stack, so neither
        # writes nor prunes it.
        s3deploy.BucketDeployment(
            self,
            "SpaHashedAssets",
            sources=[s3deploy.Source.asset(str(source))],
            destination_bucket=self.bucket,
            exclude=["*"],
            include=[HASHED_ASSETS],
            cache_control=[
                s3deploy.CacheControl.set_public(),
                s3deploy.CacheControl.max_age(Duration.days(365)),
                s3deploy.CacheControl.immutable(),
            ],
        )
        s3deploy.BucketDeployment(
            self,
            "SpaShell",
            sources=[s3deploy.Source.asset(str(source))],
            destination_bucket=self.bucket,
            exclude=[HASHED_ASSETS, CONFIG_FILE],
            cache_control=[s3deploy.CacheControl.no_cache()],
            distribution=self.distribution,
            distribution_paths=["/*"],
        )


class SpaConfig(Construct):
    """Writes ``config.json`` next to the SPA's index.html with the values only a deployment knows (the shape
    frontend/src/config/env.ts validates), and invalidates its cached copy."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        web: WebStack,
        api_base: str,
        ws_url: str | None,
        environment: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # No simulatorUrl: the WhatsApp simulator exists only locally.
        config: dict[str, Any] = {"apiBase": api_base, "environment": environment}
        if ws_url is not None:
            config["wsUrl"] = ws_url
        self.values = config
        bucket = s3.Bucket.from_bucket_attributes(
            self,
            "SpaBucket",
            bucket_name=Fn.import_value(web.export_name("SpaBucketName")),
            bucket_arn=Fn.import_value(web.export_name("SpaBucketArn")),
        )
        distribution = cloudfront.Distribution.from_distribution_attributes(
            self,
            "Distribution",
            distribution_id=Fn.import_value(web.export_name("DistributionId")),
            domain_name=Fn.import_value(web.export_name("DistributionDomainName")),
        )
        s3deploy.BucketDeployment(
            self,
            "Deployment",
            sources=[s3deploy.Source.json_data(CONFIG_FILE, config)],
            destination_bucket=bucket,
            # Only this file: the SPA's own deployments own the rest of the bucket.
            prune=False,
            cache_control=[s3deploy.CacheControl.no_cache()],
            distribution=distribution,
            distribution_paths=[f"/{CONFIG_FILE}"],
        )
