"""The local AWS endpoint: a moto server on a free 127.0.0.1 port, reached through AWS_ENDPOINT_URL."""

from __future__ import annotations

from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from local.postgres import free_port


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
