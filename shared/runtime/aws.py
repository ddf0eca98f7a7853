"""AWS adapters of the runtime's ports, through boto3. Locally the same code talks to moto (S3) and to the
local gateway (the WebSocket management API), through AWS_ENDPOINT_URL and the configured endpoint URLs."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from shared.errors import ConfigError
from shared.runtime.meter import WEBSOCKET_STEP_BYTES, Component, Meter, steps
from shared.runtime.ports import InvokeFailed, StoredObject

logger = logging.getLogger(__name__)


def _client(service: str, region: str, *, max_pool_connections: int = 10, config: Any = None, **kwargs: Any) -> Any:
    import boto3
    from botocore.config import Config

    # Bounded waits: a function must answer before API Gateway's 29 s, whatever AWS does.
    bounded = Config(
        connect_timeout=3,
        read_timeout=10,
        retries={"mode": "standard", "max_attempts": 3},
        max_pool_connections=max_pool_connections,
    )
    if config is not None:
        bounded = bounded.merge(config)
    return boto3.client(service, region_name=region, config=bounded, **kwargs)  # type: ignore[call-overload]


class S3Storage:
    """The exports bucket through boto3 (moto locally, at ``endpoint_url``). Every call is counted into the
    meter as S3 bills it: PUTs per part, GETs and HEADs, and the transfer out of a presigned download."""

    def __init__(self, bucket: str, region: str, meter: Meter, *, endpoint_url: str | None = None) -> None:
        self._bucket = bucket
        self._region = region
        self._meter = meter
        self._endpoint_url = endpoint_url

    @cached_property
    def _s3(self) -> Any:
        from botocore.config import Config

        # Presigned URLs are SigV4 (the only kind S3 accepts in newer regions); a local endpoint is an address
        # with a port, where bucket names cannot be host names.
        s3: Any = {"addressing_style": "path"} if self._endpoint_url else {}
        return _client(
            "s3", self._region, endpoint_url=self._endpoint_url, config=Config(signature_version="s3v4", s3=s3)
        )

    def put_file(self, key: str, path: Path, *, content_type: str, sha256: str | None = None) -> StoredObject:
        from boto3.s3.transfer import TransferConfig

        size = path.stat().st_size
        extra = {"ContentType": content_type, "ServerSideEncryption": "AES256"}
        if sha256:
            extra["Metadata"] = {"sha256": sha256}  # type: ignore[assignment]
        # Streamed from disk: one PUT up to 8 MB, then 8 MB parts (each a billed PUT, plus the create and
        # complete calls), a few at a time. The bucket encrypts by default; the upload asks for it too.
        config = TransferConfig(multipart_threshold=_PART_BYTES, multipart_chunksize=_PART_BYTES, max_concurrency=4)
        self._s3.upload_file(str(path), self._bucket, key, ExtraArgs=extra, Config=config)
        self._meter.count(Component.S3_WRITE_REQUEST, put_requests(size))
        return StoredObject(key, size, sha256)

    def presign_get(
        self, key: str, *, expires_s: int, filename: str, content_type: str, size_bytes: int | None = None
    ) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{safe_filename(filename)}"',
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires_s,
        )
        # The GET the URL leads to, and its bytes leaving AWS, are billed to the request that handed it out.
        self._meter.count(Component.S3_READ_REQUEST)
        if size_bytes:
            self._meter.count(Component.DATA_TRANSFER_OUT_GB, Decimal(size_bytes) / _BYTES_PER_GB)
        return url

    def head(self, key: str) -> StoredObject | None:
        from botocore.exceptions import ClientError

        self._meter.count(Component.S3_READ_REQUEST)
        try:
            found = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredObject(key, int(found["ContentLength"]), (found.get("Metadata") or {}).get("sha256"))


_PART_BYTES = 8 * 1024 * 1024
_BYTES_PER_GB = Decimal(1024**3)


def put_requests(size: int) -> int:
    """Billed PUT-class requests of an upload: one up to a part's size, else create + each part + complete."""
    return 1 if size <= _PART_BYTES else 2 + -(-size // _PART_BYTES)


def safe_filename(name: str) -> str:
    """A filename that needs no quoting in a Content-Disposition header: letters, digits, dot, dash, underscore."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "download"
    return cleaned[:120]


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
    """Event and RequestResponse invokes; each target is a function this one was granted (INVOKE_TARGETS)."""

    # A synchronous invoke waits for the job (functions/routes.py: the Twilio egress has 10 s), and is never retried:
    # the job may have acted (sent a message) before its answer was lost.
    SYNC_READ_TIMEOUT_S = 12

    def __init__(self, targets: dict[str, str], region: str, meter: Meter) -> None:
        self._targets = targets
        self._region = region
        self._meter = meter

    @cached_property
    def _lambda(self) -> Any:
        return _client("lambda", self._region)

    @cached_property
    def _lambda_sync(self) -> Any:
        from botocore.config import Config

        return _client(
            "lambda", self._region,
            config=Config(read_timeout=self.SYNC_READ_TIMEOUT_S, retries={"mode": "standard", "total_max_attempts": 1}),
        )  # fmt: skip

    def _target(self, job: str) -> str:
        target = self._targets.get(job)
        if target is None:
            raise ConfigError(f"this function may not invoke {job!r} (not in INVOKE_TARGETS)")
        return target

    def invoke_async(self, job: str, payload: dict[str, Any]) -> None:
        target = self._target(job)
        self._lambda.invoke(FunctionName=target, InvocationType="Event", Payload=json.dumps(payload).encode())
        # The invoked function's own invocation is metered by that function.

    def invoke(self, job: str, payload: dict[str, Any]) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        target = self._target(job)
        try:
            answer = self._lambda_sync.invoke(
                FunctionName=target, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
            )
            body = answer["Payload"].read()
        except (BotoCoreError, ClientError) as exc:
            raise InvokeFailed(f"{job}: not invoked ({type(exc).__name__})") from exc
        if answer.get("FunctionError"):
            # The job crashed or timed out; its own log says why (its payload may echo the request: not logged here).
            raise InvokeFailed(f"{job}: {answer['FunctionError']} function error")
        result = json.loads(body or b"null")
        if not isinstance(result, dict):
            raise InvokeFailed(f"{job}: answered {type(result).__name__}, not an object")
        return result
