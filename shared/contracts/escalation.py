"""Handing a conversation to the spa's staff, and staff acting on it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID, uuid4

from pydantic import Field

from shared.contracts.envelope import Command, Event, OpaqueId
from shared.contracts.sms import E164

EscalationCategory = Literal[
    "medical",
    "cancellation",
    "reschedule",
    "refund",
    "payment_dispute",
    "complaint",
    "human_request",
    "blocked_reply",
    "send_cap",
    "delivery_failed",
    "dead_letter",
    "other",
]
# "urgent": a possible emergency (breathing, vision, overdose, a reaction after a treatment) that
# staff and notifiers should page on; everything else is "normal".
EscalationPriority = Literal["normal", "urgent"]


class EscalationRaised(Event):
    """A conversation (or the spa itself) needs a person. Staff are alerted; the AI pauses on it."""

    escalation_id: UUID = Field(default_factory=uuid4)
    conversation_id: OpaqueId | None = None
    category: EscalationCategory
    reason: str = Field(max_length=500, description="why, in staff words; no clinical detail")
    client_number: E164 | None = None
    client_name: str | None = None
    handoff_text: str | None = Field(
        default=None, description="the text to send the client; None when nothing is sent"
    )
    source: Literal["agent", "gateway", "escalation", "staff"] = "agent"
    priority: EscalationPriority = "normal"


class EscalationResolved(Event):
    """A staff member closed an escalation."""

    escalation_id: UUID
    conversation_id: OpaqueId | None = None
    staff_user: str


class PauseAi(Command):
    """Staff take over a conversation: no AI reply until resumed."""

    conversation_id: OpaqueId
    staff_user: str


class ResumeAi(Command):
    """Staff hand a conversation back to the AI."""

    conversation_id: OpaqueId
    staff_user: str


class StaffReply(Command):
    """A staff member's reply to a client, to be recorded in the conversation and sent."""

    conversation_id: OpaqueId
    staff_user: str
    to_number: E164
    body: str = Field(min_length=1, max_length=1600)
    draft_id: UUID | None = Field(default=None, description="the agent's draft this reply sends, if any")
    draft_edited: bool | None = Field(default=None, description="for a draft: edited by staff, or sent as is")


ReplyMode = Literal["automatic", "draft"]
"""How the agent's replies reach clients: sent at once, or kept as drafts for a staff click."""


class ReplyModeSet(Command):
    """A spa's reply mode, as the escalation service settled it (the owner's choice, else the spa
    file). The agent reads the last one on `Topology.staff(spa, "replies")` when a turn has a reply."""

    mode: ReplyMode
    staff_user: str | None = Field(default=None, description="the owner who chose it; None: the spa file")
