"""JWTs: HS256 pinned, every registered claim required and checked, a token type, and key ids for rotation.

Keys are a ring ``{kid: secret}``; new tokens are signed with the current kid, and tokens signed with any
kid still in the ring verify, so a key can be rotated without signing everyone out.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from shared.errors import Unauthorized

ALGORITHM = "HS256"
MIN_KEY_BYTES = 32
ACCESS_TTL_S = 15 * 60
REFRESH_TTL_S = 14 * 24 * 3600
MFA_TTL_S = 5 * 60
_REQUIRED = ["iss", "aud", "sub", "exp", "nbf", "iat", "jti", "typ"]


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"
    MFA = "mfa"


@dataclass(frozen=True)
class Claims:
    sub: str
    typ: TokenType
    jti: str
    iat: int
    exp: int
    fam: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: int


class TokenService:
    def __init__(
        self,
        keys: Mapping[str, bytes],
        current_kid: str,
        *,
        issuer: str = "skills-platform",
        audience: str = "skills-platform-api",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if current_kid not in keys:
            raise ValueError("the current signing key id is not in the key ring")
        if any(len(k) < MIN_KEY_BYTES for k in keys.values()):
            raise ValueError(f"signing keys must be at least {MIN_KEY_BYTES} bytes")
        self._keys = dict(keys)
        self._kid = current_kid
        self._issuer = issuer
        self._audience = audience
        self._clock = clock

    def issue(self, subject: str, typ: TokenType, ttl_s: int, *, family: str | None = None) -> IssuedToken:
        now = int(self._clock())
        jti = str(uuid.uuid4())
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_s,
            "jti": jti,
            "typ": typ.value,
        }
        if family is not None:
            claims["fam"] = family
        token = jwt.encode(claims, self._keys[self._kid], algorithm=ALGORITHM, headers={"kid": self._kid})
        return IssuedToken(token, jti, now + ttl_s)

    def verify(self, token: str, expected: TokenType) -> Claims:
        """Raises Unauthorized for anything but a valid, current token of the expected type."""
        try:
            header = jwt.get_unverified_header(token)
            key = self._keys.get(str(header.get("kid")))
            if key is None or header.get("alg") != ALGORITHM:
                raise Unauthorized("The token is invalid.")
            payload = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Times are checked below against this service's clock, the one that issued them.
                options={"require": _REQUIRED, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
            times = [payload["nbf"], payload["exp"], payload["iat"]]
            if not all(isinstance(t, int) for t in times):
                raise Unauthorized("The token is invalid.")
            now = self._clock()
            if not (payload["nbf"] <= now < payload["exp"] and payload["iat"] <= now):
                raise Unauthorized("The token is expired or not yet valid.")
        except jwt.PyJWTError:
            raise Unauthorized("The token is invalid or expired.") from None
        if payload.get("typ") != expected.value:
            raise Unauthorized("This kind of token is not accepted here.")
        return Claims(
            sub=str(payload["sub"]),
            typ=TokenType(payload["typ"]),
            jti=str(payload["jti"]),
            iat=int(payload["iat"]),
            exp=int(payload["exp"]),
            fam=payload.get("fam"),
        )
