"""A conversation's history: the events on its subject of the CONVERSATIONS stream.

One conversation per spa and client number (`Topology.conversation(tenant, conversation_id)`). The
agent's state is the fold of these events; the staff inbox reads them for the transcript and for what
the agent recovered (`BookingConfirmed.price_cents`). Every event carries a `type` discriminator so a
reader decodes any of them with `parse_conversation_event`.

A turn (one inbound text) appends `InboundReceived` first, then what it learned or did, then
`TurnCompleted`: the next text of the conversation is handled only after that marker.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID, uuid4

from pydantic import AwareDatetime, Field, TypeAdapter

from shared.contracts.envelope import Event, OpaqueId
from shared.contracts.escalation import EscalationCategory, EscalationPriority
from shared.contracts.sms import E164, Keyword
from shared.contracts.tools import SlotOption, TimePreference, Value


class ConversationEvent(Event):
    """Base of every conversation event: it names its conversation."""

    conversation_id: OpaqueId


class ConversationStarted(ConversationEvent):
    """The first text from a client number to a spa number."""

    type: Literal["conversation_started"] = "conversation_started"
    client_number: E164
    spa_number: E164


class InboundReceived(ConversationEvent):
    """A client's text, recorded once (deduplicated by its inbound message id)."""

    type: Literal["inbound_received"] = "inbound_received"
    inbound_id: UUID = Field(description="the SmsReceived id")
    message_sid: str
    inbound_seq: int = Field(ge=1, description="its sequence in the SMS_INBOUND stream")
    body: str = Field(max_length=10_000)
    keyword: Keyword | None = None


class ClientIdentified(ConversationEvent):
    """The scheduler's client record for this number; `first_name` once the client told us."""

    type: Literal["client_identified"] = "client_identified"
    client_id: UUID
    first_name: str | None = None
    is_new: bool = False


class ServiceCandidate(Value):
    """A catalog service the agent considered for the client's words."""

    service_id: UUID
    name: str
    price_cents: int = 0
    duration_minutes: int = 0
    is_consultation: bool = False
    free_consult: bool = False
    consult_service_id: UUID | None = Field(default=None, description="its consultation, for new clients")


class ServicesOffered(ConversationEvent):
    """The client's words matched several services: the agent asked which one."""

    type: Literal["services_offered"] = "services_offered"
    candidates: list[ServiceCandidate] = Field(min_length=1, max_length=5)


class ServiceMatched(ConversationEvent):
    """The service the client wants."""

    type: Literal["service_matched"] = "service_matched"
    service: ServiceCandidate
    confidence: float = Field(default=1.0, ge=0, le=1)
    requested: ServiceCandidate | None = Field(
        default=None, description="the service the client asked for, when its consultation comes first"
    )


class PreferenceUnderstood(ConversationEvent):
    """When the client would like to come, in the spa's time zone."""

    type: Literal["preference_understood"] = "preference_understood"
    preference: TimePreference
    provider_id: UUID | None = Field(
        default=None, description="only this provider, when the client named one"
    )
    provider_first_name: str | None = None
    after: AwareDatetime | None = Field(default=None, description="only slots after this ('anything later?')")
    exclude_starts: list[AwareDatetime] = Field(
        default_factory=list, max_length=20, description="starts already offered and turned down"
    )
    exclude_provider_ids: list[UUID] = Field(
        default_factory=list, max_length=20, description="providers the client ruled out ('anyone but Julia')"
    )


class ProposedOption(Value):
    """One option offered to the client, held by the scheduler while they decide."""

    hold_id: UUID
    option: SlotOption
    expires_at: AwareDatetime
    label: str = Field(description="how the reply named it, e.g. 'Monday at 1:30pm'")


class SlotsProposed(ConversationEvent):
    """Options offered (and held); a later proposal replaces an earlier one."""

    type: Literal["slots_proposed"] = "slots_proposed"
    service_id: UUID
    options: list[ProposedOption] = Field(min_length=1, max_length=5)


class SlotsUnavailable(ConversationEvent):
    """Nothing was free for the client's preference (or the chosen hold was lost)."""

    type: Literal["slots_unavailable"] = "slots_unavailable"
    service_id: UUID
    reason: Literal["none_free", "hold_expired", "slot_taken"] = "none_free"


class BookingConfirmed(ConversationEvent):
    """A booking the agent made: the inbox counts it as recovered revenue."""

    type: Literal["booking_confirmed"] = "booking_confirmed"
    booking_id: UUID
    hold_id: UUID
    service_id: UUID
    service_name: str
    price_cents: int = Field(ge=0)
    start: AwareDatetime
    provider_first_name: str
    local_label: str = ""
    covered_by_package: str | None = None


class ObjectionHandled(ConversationEvent):
    """A price objection answered with the client's own benefits or the spa's real offers."""

    type: Literal["objection_handled"] = "objection_handled"
    service_id: UUID | None = None
    answer: Literal[
        "package_balance", "membership", "package_offer", "free_consult", "price_only", "ask_service"
    ]


class EscalationRaised(ConversationEvent):
    """The conversation was handed to staff (on the bus: `contracts.escalation.EscalationRaised`)."""

    type: Literal["escalation_raised"] = "escalation_raised"
    escalation_id: UUID = Field(default_factory=uuid4)
    category: EscalationCategory
    reason: str = Field(max_length=500)
    handoff_text: str | None = None
    caused_by: UUID | None = Field(default=None, description="the inbound id that triggered it")
    priority: EscalationPriority = "normal"


class AiPaused(ConversationEvent):
    """No AI reply on this conversation until staff resume it."""

    type: Literal["ai_paused"] = "ai_paused"
    by: Literal["escalation", "staff"] = "escalation"
    staff_user: str | None = None
    escalation_id: UUID | None = None
    command_id: UUID | None = None


class AiResumed(ConversationEvent):
    """Staff handed the conversation back to the AI."""

    type: Literal["ai_resumed"] = "ai_resumed"
    staff_user: str
    command_id: UUID | None = None


class StaffReplied(ConversationEvent):
    """A staff member texted the client."""

    type: Literal["staff_replied"] = "staff_replied"
    staff_user: str
    body: str = Field(min_length=1, max_length=1600)
    command_id: UUID | None = None
    draft_id: UUID | None = Field(default=None, description="the agent's draft staff sent, if any")
    draft_edited: bool | None = Field(default=None, description="for a draft: edited, or sent as is")


class StaffNoteAdded(ConversationEvent):
    """Something the agent noted for staff, in staff words (e.g. the text was about someone else)."""

    type: Literal["staff_note_added"] = "staff_note_added"
    note: str = Field(min_length=1, max_length=300)


Asked = Literal["name", "service", "name_and_service", "service_choice", "time", "choice", "anything"]


class ReplySent(ConversationEvent):
    """The agent's reply to an inbound text (its SendSms has idempotency key `reply:{inbound id}`)."""

    type: Literal["reply_sent"] = "reply_sent"
    caused_by: UUID = Field(description="the inbound id")
    idempotency_key: str
    body: str = Field(min_length=1, max_length=1600)
    asks: Asked | None = Field(default=None, description="what the reply asked the client for")
    language: str = Field(default="en", description="the language the reply was written in (en, es)")


class ReplyDrafted(ReplySent):
    """The agent's reply in draft mode: recorded, not sent; staff send, edit and send, or discard it
    in the inbox. It counts as the turn's reply (the conversation moves on as if it were said)."""

    type: Literal["reply_drafted"] = "reply_drafted"  # type: ignore[assignment]


class TurnCompleted(ConversationEvent):
    """The last event of a turn: the next text of this conversation may be handled."""

    type: Literal["turn_completed"] = "turn_completed"
    inbound_id: UUID
    inbound_seq: int = Field(ge=1)
    outcome: Literal["replied", "drafted", "escalated", "paused", "keyword", "silent", "failed"]


ModelFallback = Literal[
    "error", "timeout", "rate_limited", "overloaded", "tool_cap", "token_cap", "no_reply", "overlong"
]


class ModelConsulted(ConversationEvent):
    """A model brain decided (or failed to decide) a turn: its usage, its tool calls, any fallback.

    `fallback` set means the deterministic brain answered the turn instead; `rejected_calls` are the
    model's tool calls the server refused (e.g. an argument naming another client), as `tool:reason`.
    """

    type: Literal["model_consulted"] = "model_consulted"
    route: str = Field(max_length=32)
    model: str = Field(max_length=100)
    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)
    tool_calls: list[str] = Field(default_factory=list, max_length=100)
    rejected_calls: list[str] = Field(default_factory=list, max_length=100)
    fallback: ModelFallback | None = None


AnyConversationEvent = Annotated[
    ConversationStarted
    | InboundReceived
    | ClientIdentified
    | ServicesOffered
    | ServiceMatched
    | PreferenceUnderstood
    | SlotsProposed
    | SlotsUnavailable
    | BookingConfirmed
    | ObjectionHandled
    | EscalationRaised
    | AiPaused
    | AiResumed
    | StaffReplied
    | StaffNoteAdded
    | ReplySent
    | ReplyDrafted
    | TurnCompleted
    | ModelConsulted,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[AnyConversationEvent] = TypeAdapter(AnyConversationEvent)


def parse_conversation_event(data: bytes | str) -> AnyConversationEvent:
    """Decode one message of the CONVERSATIONS stream (JSON) into its event class."""
    return _ADAPTER.validate_json(data)
