"""AWS adapters of the runtime's ports, through boto3. Locally the same code talks to moto (S3) and to the
local gateway (the WebSocket management API), through AWS_ENDPOINT_URL and the configured endpoint URLs."""

from __future__ import annotations

import contextlib
import json
import logging
from functools import cached_property
from pathlib import Path
from typing import Any

from shared.errors import ConfigError
from shared.runtime.meter import WEBSOCKET_STEP_BYTES, Component, Meter, steps
from shared.runtime.ports import StoredObject

logger = logging.getLogger(__name__)


def _client(service: str, region: str, *, max_pool_connections: int = 10, **kwargs: Any) -> Any:
    import boto3
    from botocore.config import Config

    # Bounded waits: a function must answer before API Gateway's 29 s, whatever AWS does.
    config = Config(
        connect_timeout=3,
        read_timeout=10,
        retries={"mode": "standard", "max_attempts": 3},
        max_pool_connections=max_pool_connections,
    )
    return boto3.client(service, region_name=region, config=config, **kwargs)  # type: ignore[call-overload]


class S3Storage:
    def __init__(self, bucket: str, region: str, meter: Meter) -> None:
        self._bucket = bucket
        self._region = region
        self._meter = meter

    @cached_property
    def _s3(self) -> Any:
        return _client("s3", self._region)

    def put_file(self, key: str, path: Path, *, content_type: str) -> StoredObject:
        size = path.stat().st_size
        # One PUT up to 8 MB, then multipart (each part a billed PUT); the bucket's default encryption applies
        # and is asked for explicitly too.
        self._s3.upload_file(
            str(path), self._bucket, key,
            ExtraArgs={"ContentType": content_type, "ServerSideEncryption": "AES256"},
        )  # fmt: skip
        parts = 1 if size <= 8 * 1024 * 1024 else 2 + -(-size // (8 * 1024 * 1024))
        self._meter.count(Component.S3_WRITE_REQUEST, parts)
        return StoredObject(key, size)

    def presign_get(self, key: str, *, expires_s: int, filename: str, content_type: str) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires_s,
        )
        # The GET the URL leads to is billed to the request that handed it out.
        self._meter.count(Component.S3_READ_REQUEST)
        return url

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        self._meter.count(Component.S3_READ_REQUEST)
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


class ApiGatewaySockets:
    """``post_to_connection`` / ``delete_connection`` of the WebSocket API's management endpoint. Broadcasts post
    from a pool of threads: one kept-alive HTTP connection each (POOL_CONNECTIONS)."""

    POOL_CONNECTIONS = 32

    def __init__(self, endpoint_url: str, region: str, meter: Meter) -> None:
        self._endpoint_url = endpoint_url
        self._region = region
        self._meter = meter

    @cached_property
    def _api(self) -> Any:
        return _client(
            "apigatewaymanagementapi", self._region, endpoint_url=self._endpoint_url,
            max_pool_connections=self.POOL_CONNECTIONS,
        )  # fmt: skip

    def post(self, connection_id: str, data: bytes) -> bool:
        try:
            self._api.post_to_connection(ConnectionId=connection_id, Data=data)
        except self._api.exceptions.GoneException:
            return False
        self._meter.count(Component.WEBSOCKET_MESSAGE, steps(len(data), WEBSOCKET_STEP_BYTES))
        return True

    def disconnect(self, connection_id: str) -> None:
        with contextlib.suppress(self._api.exceptions.GoneException):
            self._api.delete_connection(ConnectionId=connection_id)


class LambdaInvoker:
    """Event invokes; each target is a function this one was granted (INVOKE_TARGETS)."""

    def __init__(self, targets: dict[str, str], region: str, meter: Meter) -> None:
        self._targets = targets
        self._region = region
        self._meter = meter

    @cached_property
    def _lambda(self) -> Any:
        return _client("lambda", self._region)

    def invoke_async(self, job: str, payload: dict[str, Any]) -> None:
        target = self._targets.get(job)
        if target is None:
            raise ConfigError(f"this function may not invoke {job!r} (not in INVOKE_TARGETS)")
        self._lambda.invoke(FunctionName=target, InvocationType="Event", Payload=json.dumps(payload).encode())
        # The invoked function's own invocation is metered by that function.
