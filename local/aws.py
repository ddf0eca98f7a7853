"""The local AWS endpoint: a moto server on a free 127.0.0.1 port, reached through AWS_ENDPOINT_URL."""

from __future__ import annotations

from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from local.postgres import free_port
from shared.exports import RETENTION_DAYS


@dataclass
class MotoEndpoint:
    server: ThreadedMotoServer
    url: str

    def stop(self) -> None:
        self.server.stop()


def start_moto() -> MotoEndpoint:
    port = free_port(None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return MotoEndpoint(server, f"http://127.0.0.1:{port}")


def local_aws_environment(endpoint_url: str, region: str = "us-east-1") -> dict[str, str]:
    """Environment for boto3 and Powertools to talk to the local endpoint with throwaway credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }


def create_exports_bucket(endpoint_url: str, name: str, region: str = "us-east-1") -> None:
    """The exports bucket as the stateful stack makes it: private, encrypted, objects expiring after 30 days."""
    import boto3

    local = local_aws_environment(endpoint_url, region)
    s3 = boto3.client(
        "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=local["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=local["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip
    s3.create_bucket(Bucket=name)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        },
    )  # fmt: skip
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {"ID": "ExpireExports", "Status": "Enabled", "Filter": {"Prefix": ""},
                 "Expiration": {"Days": RETENTION_DAYS}}
            ]
        },
    )  # fmt: skip
