"""The WebSocket API of the live dashboard: ``$connect``, ``$disconnect`` and ``$default``, each served by a function,
on one stage with throttling and access logs.

Ready to be wired by the API stack once the typed manifest names the three WebSocket functions:

    ws = WebSocketEndpoint(self, "Dashboard", connect=..., disconnect=..., default=...)
    ws.grant_manage_connections(relay)        # the functions that post to connections
    SpaConfig(..., ws_url=ws.url)             # wss://<api>.execute-api.<region>.amazonaws.com/live
    # and WEBSOCKET_MANAGEMENT_URL=ws.management_url in the environment of whoever posts

The API is dual-stack, so functions in the VPC reach its management endpoint (``@connections``) over IPv6 through
the egress-only gateway (README.md, "Deploying"). ``$connect`` authorizes in its function: it consumes the
single-use ticket of ``POST /api/v1/ws/ticket`` and checks the Origin header, so no JWT travels in a URL.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, RemovalPolicy, Validations
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.aws_apigatewayv2_integrations import WebSocketLambdaIntegration
from constructs import Construct

from infra.access_logs import AccessLogSettings

STAGE = "live"
# Per-connection messages are small and coalesced (one dashboard push a second per topic): these limits are for
# what clients send, well above what the SPA does.
THROTTLE_RATE = 100
THROTTLE_BURST = 200
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "connectionId": "$context.connectionId",
    "eventType": "$context.eventType",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "integrationError": "$context.integrationErrorMessage",
}


class WebSocketEndpoint(Construct):
    api: apigwv2.WebSocketApi
    stage: apigwv2.WebSocketStage

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        connect: lambda_.IFunction,
        disconnect: lambda_.IFunction,
        default: lambda_.IFunction,
        default_returns_response: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.WebSocketApi(
            self,
            "Api",
            description="Skills Assessment Platform live dashboard ($connect, $disconnect, $default)",
            ip_address_type=apigwv2.IpAddressType.DUAL_STACK,
            connect_route_options=apigwv2.WebSocketRouteOptions(
                integration=WebSocketLambdaIntegration("ConnectIntegration", connect)
            ),
            disconnect_route_options=apigwv2.WebSocketRouteOptions(
                integration=WebSocketLambdaIntegration("DisconnectIntegration", disconnect)
            ),
            # Two-way: the function's answer goes back to the client (a route response).
            default_route_options=apigwv2.WebSocketRouteOptions(
                integration=WebSocketLambdaIntegration("DefaultIntegration", default),
                return_response=default_returns_response,
            ),
        )
        access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY)
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=STAGE,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=THROTTLE_RATE, burst_limit=THROTTLE_BURST),
            access_log_settings=AccessLogSettings(access_logs, ACCESS_LOG_FORMAT),
        )
        Validations.of(self.api).acknowledge(
            Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="$connect authorizes in its function: it consumes a single-use, 60-second ticket issued to a "
                "signed-in user and checks the Origin header; $default and $disconnect only serve connections "
                "$connect accepted.",
            )
        )

    @property
    def url(self) -> str:
        """What clients connect to: ``wss://<api>.execute-api.<region>.amazonaws.com/live``."""
        return self.stage.url

    @property
    def management_url(self) -> str:
        """The ``@connections`` endpoint for boto3's apigatewaymanagementapi client (``endpoint_url``)."""
        return self.stage.callback_url

    @property
    def connections_arn(self) -> str:
        """The stage's ``@connections`` resources, every method: what posting, reading and closing need."""
        # Pseudo parameters rather than the stack's values: the ARN reads the same in every environment.
        return (
            f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:{self.api.api_id}/"
            f"{self.stage.stage_name}/*/@connections/*"
        )

    def grant_manage_connections(self, grantee: iam.IGrantable) -> iam.Grant:
        """Posting to, reading and closing this stage's connections; nothing else of the API."""
        return self.stage.grant_management_api_access(grantee)
