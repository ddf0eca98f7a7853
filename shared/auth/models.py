"""Request and response models of the auth and user endpoints (the OpenAPI document is built from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool

from shared.auth.permissions import Role
from shared.inputs import StrictModel
from shared.pagination import Page


class SignupCreate(StrictModel):
    email: EmailStr
    password: str = Field(
        min_length=12,
        max_length=128,
        description="12-128 characters, no control characters; common or easily guessed passwords are refused.",
    )
    full_name: str = Field(default="", max_length=200)
    invitation_token: str | None = Field(default=None, max_length=200)


class LoginRequest(StrictModel):
    # Any address-shaped text: signing in with one no account has is a plain 401, like a wrong password.
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=1, max_length=128)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class MfaRequired(BaseModel):
    mfa_required: Literal[True] = True
    mfa_token: str = Field(description="Good for POST /api/v1/auth/2fa/verify-login only, for 5 minutes.")


class VerifyLoginRequest(StrictModel):
    """Exactly one of ``code`` and ``recovery_code``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["code"], "properties": {"code": {"type": "string"}}},
                {"required": ["recovery_code"], "properties": {"recovery_code": {"type": "string"}}},
            ]
        },
    )

    mfa_token: str = Field(min_length=1, max_length=4096)
    code: str | None = Field(default=None, description="A current 6-digit TOTP code.", min_length=1, max_length=16)
    recovery_code: str | None = Field(
        default=None, description="One of the recovery codes.", min_length=1, max_length=32
    )


class TwoFactorSetup(BaseModel):
    secret: str = Field(description="Base32 TOTP secret (160 bits).")
    otpauth_uri: str
    qr: str = Field(description="data:image/png;base64,... QR code of otpauth_uri, drawn by the server.")


class CodeRequest(StrictModel):
    code: str = Field(min_length=1, max_length=16)


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="Ten single-use codes; shown once, stored hashed.")


class DisableTwoFactorRequest(StrictModel):
    password: str = Field(min_length=1, max_length=128)
    code: str = Field(min_length=1, max_length=32, description="A current TOTP code or a recovery code.")


class RefreshRequest(StrictModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class LogoutRequest(StrictModel):
    refresh_token: str | None = Field(default=None, max_length=4096)


class UserPublic(BaseModel):
    id: UUID
    email: str
    full_name: str
    role: Role
    disabled: bool
    two_factor_enabled: bool
    created_at: datetime


class UserPage(Page[UserPublic]):
    pass


class InvitationCreate(StrictModel):
    email: EmailStr
    role: Role


class InvitationPublic(BaseModel):
    id: UUID
    email: str
    role: Role
    expires_at: datetime
    token: str = Field(description="Give it to the invitee for POST /api/v1/auth/signup; shown only once.")


class UserUpdate(StrictModel):
    role: Role | None = None
    disabled: StrictBool | None = None
