"""JWT checks: algorithm pinned, every claim required, token types kept apart, keys rotate by kid."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from shared.errors import Unauthorized
from shared.security.tokens import TokenService, TokenType

KEY = b"k" * 32
OTHER = b"o" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock: Clock) -> TokenService:
    return TokenService({"k1": KEY}, "k1", clock=clock)


def _forge(claims: dict[str, object], header: dict[str, object], key: bytes | None, alg: str) -> str:
    if alg == "none":
        segments = [
            base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode() for part in (header, claims)
        ]
        return ".".join([*segments, ""])
    return jwt.encode(claims, key, algorithm=alg, headers=header)


def _claims(tokens: TokenService, clock: Clock, **override: object) -> dict[str, object]:
    issued = tokens.issue("user-1", TokenType.ACCESS, 900)
    claims = jwt.decode(issued.token, options={"verify_signature": False})
    claims.update(override)
    return claims


def test_a_valid_token_round_trips(tokens: TokenService) -> None:
    issued = tokens.issue("user-1", TokenType.ACCESS, 900, family="fam")
    claims = tokens.verify(issued.token, TokenType.ACCESS)
    assert (claims.sub, claims.typ, claims.fam, claims.jti) == ("user-1", TokenType.ACCESS, "fam", issued.jti)
    assert jwt.get_unverified_header(issued.token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}


@pytest.mark.parametrize(
    ("alg", "key", "header"),
    [
        ("none", None, {"alg": "none", "kid": "k1"}),
        ("HS512", KEY * 2, {"kid": "k1"}),
        ("HS256", OTHER, {"kid": "k1"}),
        ("HS256", KEY, {"kid": "unknown"}),
        ("HS256", KEY, {}),
    ],
    ids=["alg-none", "wrong-algorithm", "wrong-key", "unknown-kid", "no-kid"],
)
def test_forged_tokens_are_refused(
    tokens: TokenService, clock: Clock, alg: str, key: bytes | None, header: dict
) -> None:
    token = _forge(_claims(tokens, clock), header, key, alg)
    with pytest.raises(Unauthorized):
        tokens.verify(token, TokenType.ACCESS)


def test_a_tampered_payload_is_refused(tokens: TokenService) -> None:
    head, payload, signature = tokens.issue("user-1", TokenType.ACCESS, 900).token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "user-2"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthorized):
        tokens.verify(f"{head}.{forged}.{signature}", TokenType.ACCESS)


@pytest.mark.parametrize("missing", ["iss", "aud", "exp", "nbf", "iat", "jti", "typ", "sub"])
def test_every_claim_is_required(tokens: TokenService, clock: Clock, missing: str) -> None:
    claims = _claims(tokens, clock)
    del claims[missing]
    with pytest.raises(Unauthorized):
        tokens.verify(_forge(claims, {"kid": "k1"}, KEY, "HS256"), TokenType.ACCESS)


@pytest.mark.parametrize(
    "override", [{"iss": "someone-else"}, {"aud": "another-api"}], ids=["wrong-issuer", "wrong-audience"]
)
def test_issuer_and_audience_are_checked(tokens: TokenService, clock: Clock, override: dict[str, object]) -> None:
    with pytest.raises(Unauthorized):
        tokens.verify(_forge(_claims(tokens, clock, **override), {"kid": "k1"}, KEY, "HS256"), TokenType.ACCESS)


def test_expired_and_not_yet_valid_tokens_are_refused(tokens: TokenService, clock: Clock) -> None:
    issued = tokens.issue("user-1", TokenType.ACCESS, 900)
    clock.now += 900
    with pytest.raises(Unauthorized):
        tokens.verify(issued.token, TokenType.ACCESS)
    future = _claims(tokens, clock, nbf=int(clock.now) + 60)
    with pytest.raises(Unauthorized):
        tokens.verify(_forge(future, {"kid": "k1"}, KEY, "HS256"), TokenType.ACCESS)


@pytest.mark.parametrize("wrong", [TokenType.REFRESH, TokenType.MFA])
def test_a_token_of_another_type_is_refused(tokens: TokenService, wrong: TokenType) -> None:
    with pytest.raises(Unauthorized):
        tokens.verify(tokens.issue("user-1", wrong, 300).token, TokenType.ACCESS)


def test_rotation_keeps_tokens_of_the_previous_key_valid(clock: Clock) -> None:
    old = TokenService({"k1": KEY}, "k1", clock=clock).issue("user-1", TokenType.ACCESS, 900)
    rotated = TokenService({"k1": KEY, "k2": OTHER}, "k2", clock=clock)
    assert rotated.verify(old.token, TokenType.ACCESS).sub == "user-1"
    assert jwt.get_unverified_header(rotated.issue("u", TokenType.ACCESS, 900).token)["kid"] == "k2"
    retired = TokenService({"k2": OTHER}, "k2", clock=clock)
    with pytest.raises(Unauthorized):
        retired.verify(old.token, TokenType.ACCESS)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        TokenService({"k1": b"short"}, "k1")
