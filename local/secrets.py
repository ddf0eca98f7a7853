"""Local stand-ins for the secrets AWS keeps in Secrets Manager: generated once, kept in .local/, never committed;
and the development Twilio settings that .env.example publishes."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from dotenv import dotenv_values

ENV_EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"


def generate_auth_secrets() -> dict[str, str]:
    kid = "local-" + secrets.token_hex(4)
    return {
        "JWT_SIGNING_KEYS": json.dumps({kid: secrets.token_urlsafe(48)}),
        "JWT_CURRENT_KID": kid,
        "TOTP_ENCRYPTION_KEY": secrets.token_urlsafe(48),
    }


def load_or_create(path: Path) -> dict[str, str]:
    """The secrets in ``path`` (a JSON object), created with fresh random keys on first use."""
    if path.exists():
        return dict(json.loads(path.read_text()))
    values = generate_auth_secrets()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(values, out)
    return values


def twilio_development_settings() -> dict[str, str]:
    """The TWILIO_* values of .env.example (a development token everyone knows; locally nothing reaches Twilio)."""
    return {k: v for k, v in dotenv_values(ENV_EXAMPLE).items() if k.startswith("TWILIO_") and v}
