"""Text messages in and out of the spa's number, as the gateway sees them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from shared.contracts.envelope import Command, Event, OpaqueId

# ASCII digits only: a `\d` would also take other scripts' digits.
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
E164 = Annotated[str, StringConstraints(pattern=E164_PATTERN)]
Keyword = Literal["stop", "start", "help"]
Provider = Literal["twilio", "simulator"]
# Why the gateway held a text for staff instead of letting the agent answer it (services/gateway/abuse.py).
HeldFor = Literal["auto_reply", "rate_limit", "number_share", "loop"]
DeliveryStatus = Literal[
    "accepted",
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "read",
    "receiving",
    "received",
    "scheduled",
    "canceled",
]
"""The message statuses Twilio reports in status callbacks."""


class SmsReceived(Event):
    """A client's text reached the spa's number (published only after JetStream acknowledged it)."""

    message_sid: str = Field(min_length=1, max_length=64)
    conversation_id: OpaqueId
    from_number: E164
    to_number: E164
    body: str = Field(max_length=10_000)
    num_media: int = Field(default=0, ge=0)
    media_urls: list[str] = Field(default_factory=list)
    keyword: Keyword | None = None
    provider: Provider = "twilio"
    held: HeldFor | None = Field(default=None, description="set when staff, not the agent, answer it")


class SendSms(Command):
    """Send one text to a client. The idempotency key names what caused it, so a retry is one text."""

    idempotency_key: str = Field(min_length=1, max_length=200)
    conversation_id: OpaqueId
    to_number: E164
    body: str = Field(min_length=1, max_length=1600)
    # "page": an urgent escalation paging the spa's on-call staff (not a client text).
    purpose: Literal["reply", "handoff", "staff", "help", "confirmation", "system", "page"] = "reply"
    caused_by: str | None = None


class SmsSent(Event):
    """The carrier (or the simulator) accepted an outbound text."""

    idempotency_key: str
    conversation_id: OpaqueId
    provider_sid: str
    segments: int = Field(ge=1)
    encoding: Literal["GSM-7", "UCS-2"]
    provider: Provider = "twilio"
    body: str = ""


class SmsSendFailed(Event):
    """An outbound text could not be sent; permanent failures reach staff."""

    idempotency_key: str
    conversation_id: OpaqueId
    reason: str
    error_code: int | None = None
    permanent: bool = True


class SmsDeferred(Event):
    """An outbound text is waiting (daily send cap reached) instead of being dropped."""

    idempotency_key: str
    conversation_id: OpaqueId
    reason: Literal["daily_cap"] = "daily_cap"


class SmsDeliveryUpdated(Event):
    """A carrier status callback: queued, sent, delivered, undelivered or failed."""

    provider_sid: str
    status: DeliveryStatus
    error_code: int | None = None
    conversation_id: OpaqueId | None = None


class ClientOptedOut(Event):
    """A client texted STOP (or another opt-out keyword): nothing more is sent until they opt in."""

    conversation_id: OpaqueId
    phone_ref: str


class ClientOptedIn(Event):
    """A client texted START (or another opt-in keyword)."""

    conversation_id: OpaqueId
    phone_ref: str
