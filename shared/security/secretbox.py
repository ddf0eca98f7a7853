"""Secrets sealed at rest (the TOTP secrets), bound to their owner."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.errors import Unauthorized

NONCE_BYTES = 12


class SecretBox:
    """AES-256-GCM with the owner's id as associated data: a ciphertext moved to another user, or altered,
    fails to open, and every failure is refused (fail closed)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the TOTP encryption key must be 32 bytes (AES-256)")
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, owner: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), owner.encode())

    def open(self, sealed: bytes, owner: str) -> str:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], owner.encode()).decode()
        except (InvalidTag, ValueError):
            raise Unauthorized("The second factor could not be verified.") from None
