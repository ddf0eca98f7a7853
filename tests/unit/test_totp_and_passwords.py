"""TOTP codes and drift, at-rest encryption that fails closed, the password policy."""

from __future__ import annotations

import base64
import os

import pyotp
import pytest

from shared.auth import passwords, totp
from shared.errors import Unauthorized
from shared.security.secretbox import SecretBox

NOW = 1_800_000_015.0


def test_secrets_have_160_bits_and_a_scannable_uri_and_qr() -> None:
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) * 8 >= 160
    uri = totp.provisioning_uri(secret, "ada@example.org")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in uri
    qr = totp.qr_data_uri(uri)
    assert qr.startswith("data:image/png;base64,")
    assert base64.b64decode(qr.split(",", 1)[1]).startswith(b"\x89PNG")


def test_codes_match_their_step_with_one_step_of_drift() -> None:
    secret = totp.new_secret()
    code = pyotp.TOTP(secret)
    step = int(NOW // 30)
    assert totp.matching_step(secret, code.at(NOW), NOW) == step
    assert totp.matching_step(secret, code.at(NOW - 30), NOW) == step - 1
    assert totp.matching_step(secret, code.at(NOW + 30), NOW) == step + 1
    assert totp.matching_step(secret, code.at(NOW - 60), NOW) is None
    assert totp.matching_step(secret, "12345a", NOW) is None


def test_sealed_secrets_open_only_for_their_owner_and_untampered() -> None:
    box = SecretBox(os.urandom(32))
    sealed = box.seal("SECRET", "user-1")
    assert box.open(sealed, "user-1") == "SECRET"
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for ciphertext, owner in ((tampered, "user-1"), (sealed, "user-2"), (sealed[:5], "user-1")):
        with pytest.raises(Unauthorized):
            box.open(ciphertext, owner)
    with pytest.raises(Unauthorized):
        SecretBox(os.urandom(32)).open(sealed, "user-1")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pw", "at least 12"),
        ("q1w2e3r4t5y6", "common"),
        ("ada@example.org", "email"),
        ("x" * 129, "at most 128"),
        (" " * 12, "too easy to guess"),
        ("\x00" * 12, "control characters"),
        ("a sturdy\x00passphrase 42", "control characters"),
        ("a sturdy\npassphrase 42", "control characters"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("123456789012", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    assert any(problem in p for p in passwords.policy_problems(password, "ada@example.org"))


def test_a_long_uncommon_password_passes() -> None:
    assert passwords.policy_problems("correct horse battery staple", "ada@example.org") == []
