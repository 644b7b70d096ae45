"""Texts the agent does not hold a conversation about.

A picture goes to staff (the client gets a short "we got your picture"); an empty text and a text
the gateway held for staff (a reply loop, a number over its limits, an auto-reply) get no answer;
someone saying "wrong number" is answered once, politely, and staff check the number on file.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.escalation import EscalationCategory
from shared.contracts.sms import SmsReceived

from .language.names import says_wrong_number

PICTURE_REPLY = "Thanks, we got your picture! Someone from the team will look at it and text you back."
WRONG_NUMBER_REPLY = (
    "Sorry for the mix-up! We'll let the team know so this number isn't texted by mistake again."
)


@dataclass(frozen=True)
class Handoff:
    """A text staff take from here: why, and the one text the client gets."""

    name: str
    category: EscalationCategory
    reason: str
    handoff_text: str


PICTURE = Handoff(
    "picture",
    "other",
    "The client sent a picture (linked in the conversation): look at it and reply.",
    PICTURE_REPLY,
)
WRONG_NUMBER = Handoff(
    "wrong_number",
    "other",
    "The person texting says this is a wrong number: check the phone number on file.",
    WRONG_NUMBER_REPLY,
)


def stays_quiet(msg: SmsReceived) -> bool:
    """No answer at all: the gateway held the text for staff, or it has neither text nor media."""
    has_media = msg.num_media > 0 or bool(msg.media_urls)
    return msg.held is not None or (not msg.body.strip() and not has_media)


def handoff_for(msg: SmsReceived) -> Handoff | None:
    """A picture (with or without words) or a wrong number goes to staff; anything else is None."""
    if msg.num_media > 0 or msg.media_urls:
        return PICTURE
    if says_wrong_number(msg.body):
        return WRONG_NUMBER
    return None
