"""Password hashing (argon2id) and the password policy (length, no control characters, not common, not
guessable by zxcvbn's strength estimate)."""

from __future__ import annotations

import gzip
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# Long enough for any passphrase; bounded so nobody can make the server hash megabytes.
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"
# zxcvbn's scale: 0 (too guessable) .. 4 (very unguessable). 3 means about 10^8 guesses or more.
MIN_STRENGTH = 3

# argon2-cffi's defaults are RFC 9106's low-memory profile: argon2id, t=3, m=64 MiB, p=4.
_hasher = PasswordHasher()


def hasher_parameters() -> str:
    p = _hasher
    return f"argon2id t={p.time_cost} m={p.memory_cost} KiB p={p.parallelism}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("dummy password for unknown accounts")


def burn_verification_time(password: str) -> None:
    """Spend what a real verification costs, so an unknown email answers as slowly as a wrong password."""
    verify_password(_dummy_hash(), password)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def policy_problems(password: str, email: str | None = None) -> list[str]:
    """Why ``password`` is refused (empty when it is acceptable): length, control characters, a common
    password, the email address, or too easy to guess by zxcvbn's estimate (repeats, sequences, keyboard
    patterns, dictionary words and the email address itself)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in password):
        problems.append("must not contain control characters")
    lowered = password.lower()
    if lowered in _common():
        problems.append("is one of the most common passwords")
    if email and (lowered == email.lower() or lowered == email.lower().split("@")[0]):
        problems.append("must not be your email address")
    if not problems:
        from zxcvbn import zxcvbn  # ~60 ms to load its word lists: only where passwords are set

        estimate = zxcvbn(password, user_inputs=[email, email.split("@")[0]] if email else [], max_length=MAX_LENGTH)
        if estimate["score"] < MIN_STRENGTH:
            warning = estimate["feedback"].get("warning")
            problems.append("is too easy to guess" + (f" ({warning.rstrip('.')})" if warning else ""))
    return problems
