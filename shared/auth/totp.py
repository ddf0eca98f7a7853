"""TOTP (RFC 6238: SHA-1, 6 digits, 30-second step, one step of drift); secrets are sealed at rest by
shared.security.secretbox."""

from __future__ import annotations

import base64
import hmac
import io

import pyotp

ISSUER = "Skills Assessment Platform"
STEP_S = 30
SECRET_CHARS = 32  # base32: 32 characters = 160 bits, RFC 4226's recommended length


def new_secret() -> str:
    return pyotp.random_base32(length=SECRET_CHARS)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_S).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a PNG QR code, drawn here (never by a third-party service)."""
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(uri, image_factory=PyPNGImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code equals ``code`` (current, previous or next), or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_S)
    current = int(now // STEP_S)
    found = None
    for step in (current - 1, current, current + 1):
        # Compare all three in constant time; remember the match.
        if hmac.compare_digest(totp.at(step * STEP_S), code):
            found = step
    return found
