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


def test_missing_database_fails_fast_naming_both_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_SECRET_ARN", raising=False)
    monkeypatch.chdir("/")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="DATABASE_SECRET_ARN"):
        get_settings()
    get_settings.cache_clear()


def test_secret_arn_alone_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_secret_arn is not None
