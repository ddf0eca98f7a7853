from __future__ import annotations

import pytest

from shared.config import Settings, get_settings
from shared.errors import ConfigError


def test_database_url_is_read_and_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:s3cr3t-Val@127.0.0.1:5432/skills")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_conninfo().endswith("/skills")
    assert "s3cr3t" not in repr(settings)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:changeme@db/skills",
        "postgresql://app:<password>@db/skills",
        "host=db password=secret",
    ],
)
def test_placeholder_password_fails_fast(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.chdir("/")  # no .env
    with pytest.raises(ConfigError, match="placeholder"):
        get_settings()
    get_settings.cache_clear()


def test_missing_database_fails_on_first_use_naming_both_options(monkeypatch: pytest.MonkeyPatch) -> None:
    # A function with no database (the Twilio egress, outside the VPC) reads its settings; one that connects
    # without a database configured is told what to set.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_SECRET_ARN", raising=False)
    monkeypatch.chdir("/")
    get_settings.cache_clear()
    settings = get_settings()
    with pytest.raises(ConfigError, match=r"DATABASE_URL .*DATABASE_SECRET_ARN"):
        settings.database_conninfo()
    get_settings.cache_clear()


def test_secret_arn_alone_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_secret_arn is not None


def _twilio_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name in ("TWILIO_AUTH_TOKEN", "TWILIO_SECRET_ARN", "TWILIO_WEBHOOK_BASE_URL", "PORT", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize("token", [None, "", "changeme", "<your token>"])
def test_without_a_usable_twilio_token_there_is_no_twilio_config(
    monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    settings = _twilio_settings(monkeypatch, **({"TWILIO_AUTH_TOKEN": token} if token is not None else {}))
    with pytest.raises(ConfigError, match="Twilio auth token"):
        settings.twilio()


def test_locally_twilio_signs_for_the_gateways_own_url(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _twilio_settings(monkeypatch, TWILIO_AUTH_TOKEN="a-development-token-0123456789", PORT="8123").twilio()
    assert (
        config.webhook_url("/api/v1/webhooks/twilio/whatsapp")
        == "http://127.0.0.1:8123/api/v1/webhooks/twilio/whatsapp"
    )
    assert config.outbound == "recording"
    assert "a-development-token" not in repr(config)


def test_in_aws_the_public_webhook_url_must_be_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _twilio_settings(monkeypatch, TWILIO_AUTH_TOKEN="a-real-token-0123456789abcdef", APP_ENV="aws")
    with pytest.raises(ConfigError, match="TWILIO_WEBHOOK_BASE_URL"):
        settings.twilio()
    configured = _twilio_settings(
        monkeypatch, TWILIO_AUTH_TOKEN="a-real-token-0123456789abcdef", APP_ENV="aws",
        TWILIO_WEBHOOK_BASE_URL="https://api.example.org/",
    ).twilio()  # fmt: skip
    assert (
        configured.webhook_url("/api/v1/webhooks/twilio/status")
        == "https://api.example.org/api/v1/webhooks/twilio/status"
    )
    assert configured.outbound == "twilio"
