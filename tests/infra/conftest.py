"""Synthesizes the CDK app once per session per profile (and a variant from a fake manifest) for every infra test."""

from __future__ import annotations

import pytest
from aws_cdk import aws_s3 as s3

from infra.app import Deployment
from tests.infra.cdk_synth import FAKE_JOBS, FAKE_NONCE, FAKE_ROUTES, Synth, synthesize


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The real app: the real manifest, the real stacks."""
    return synthesize(tmp_path_factory.mktemp("cdk-out"))


@pytest.fixture(scope="session")
def lean_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The real app in the lean profile (-c profile=lean)."""
    return synthesize(tmp_path_factory.mktemp("cdk-out-lean"), context={"profile": "lean"})


@pytest.fixture(scope="session")
def fake_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The same app from FAKE_ROUTES / FAKE_JOBS, deployed with a nonce, plus one bucket that breaks cdk-nag rules."""

    def add_nag_probe(deployment: Deployment) -> None:
        s3.Bucket(deployment.api, "NagProbe")  # no TLS-only policy, no access logs

    return synthesize(
        tmp_path_factory.mktemp("cdk-out-fake"),
        routes=FAKE_ROUTES,
        jobs=FAKE_JOBS,
        context={"deployNonce": FAKE_NONCE},
        extend=add_nag_probe,
        cloudformation_validation=False,  # the real app's synth runs it; cdk-nag still runs here
    )
