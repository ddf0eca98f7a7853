"""What Twilio posts to the webhooks (validated, every field bounded) and what the invitation route answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SID = r"^[A-Za-z0-9_-]{2,64}$"
WHATSAPP_ADDRESS = r"^(whatsapp:)?\+[1-9][0-9]{6,14}$"
MAX_FIELDS = 80
MAX_FIELD_CHARS = 4096  # WhatsApp's longest message body; no other field of Twilio's comes close
REQUEST_REF = r"^[A-Za-z0-9._:-]{1,100}$"

MessageStatus = Literal[
    "accepted", "scheduled", "queued", "sending", "sent", "delivered", "read", "failed", "undelivered", "canceled",
    "received", "receiving",
]  # fmt: skip


class _TwilioForm(BaseModel):
    """Twilio sends about twenty fields and adds new ones over time: the ones used are typed, every field is
    bounded, the others are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if len(data) > MAX_FIELDS:
                raise ValueError(f"at most {MAX_FIELDS} fields")
            long = sorted(k for k, v in data.items() if isinstance(v, str) and len(v) > MAX_FIELD_CHARS)
            if long:
                raise ValueError(f"fields longer than {MAX_FIELD_CHARS} characters: {', '.join(long)[:200]}")
        return data


def phone_of(address: str) -> str:
    """``whatsapp:+254700000001`` -> ``+254700000001``."""
    return address.removeprefix("whatsapp:")


class InboundMessage(_TwilioForm):
    message_sid: str = Field(alias="MessageSid", pattern=SID)
    sender: str = Field(alias="From", pattern=WHATSAPP_ADDRESS)
    body: str = Field(default="", alias="Body", max_length=MAX_FIELD_CHARS)
    num_media: int = Field(default=0, alias="NumMedia", ge=0, le=100)

    @field_validator("body")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @property
    def phone(self) -> str:
        return phone_of(self.sender)


class StatusCallback(_TwilioForm):
    message_sid: str = Field(alias="MessageSid", pattern=SID)
    status: MessageStatus = Field(alias="MessageStatus")
    recipient: str | None = Field(default=None, alias="To", pattern=WHATSAPP_ADDRESS)
    error_code: int | None = Field(default=None, alias="ErrorCode", ge=0, le=999_999)
    price: Decimal | None = Field(default=None, alias="Price", max_digits=20, decimal_places=12)
    price_unit: str | None = Field(default=None, alias="PriceUnit", pattern=r"^[A-Za-z]{3}$")

    @field_validator("error_code", "price", "price_unit", "recipient", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        # Twilio sends empty values (ErrorCode=, Price=) for what it does not know yet.
        return None if value == "" else value

    @field_validator("price")
    @classmethod
    def _finite(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and not value.is_finite():
            raise ValueError("must be a finite number")
        return value


class Invitation(BaseModel):
    message_sid: str
    status: str = Field(description="Twilio's status of the message when accepted, e.g. queued.")
    kind: Literal["invitation", "reminder"] = Field(
        description="A reminder when the respondent has a conversation under way, otherwise an invitation."
    )
    template: bool = Field(description="Sent as a Content template: outside WhatsApp's 24-hour window.")
    conversation_id: UUID


def form_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI requestBody of a webhook: the form Twilio posts (the fields used; Twilio sends more)."""
    schema = model.model_json_schema(by_alias=True)
    return {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}}
