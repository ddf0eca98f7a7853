"""The token service and the TOTP secret box of this execution environment, built once from the settings."""

from __future__ import annotations

from functools import lru_cache

from shared.auth.tokens import TokenService
from shared.auth.totp import SecretBox
from shared.config import get_settings


@lru_cache(maxsize=1)
def token_service() -> TokenService:
    secrets = get_settings().auth_secrets()
    return TokenService(secrets.jwt_keys, secrets.current_kid)


@lru_cache(maxsize=1)
def secret_box() -> SecretBox:
    return SecretBox(get_settings().auth_secrets().totp_key)


def reset() -> None:
    """Forget the keys (tests rotate them)."""
    token_service.cache_clear()
    secret_box.cache_clear()
