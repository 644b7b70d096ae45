"""Texts the agent does not hold a conversation about.

A picture goes to staff (the client gets a short "we got your picture"); an empty text and a text
the gateway held for staff (a reply loop, a number over its limits, an auto-reply) get no answer;
someone saying "wrong number" is answered once, politely, and staff check the number on file. A text
the guard hands to staff is answered in the client's language.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.escalation import EscalationCategory
from shared.contracts.sms import SmsReceived

from .domain import HANDOFF_TEXT
from .language.guard import URGENT_HANDOFF_TEXT
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


# What a client is told when the guard hands their text to staff, in the client's language
# (language, urgent): an urgent handoff also says to call 911 in an emergency.
GUARD_HANDOFF_TEXTS: dict[tuple[str, bool], str] = {
    ("en", False): HANDOFF_TEXT,
    ("en", True): URGENT_HANDOFF_TEXT,
    ("es", False): "Gracias, te comunico con nuestro equipo; alguien te escribirá pronto.",
    ("es", True): (
        "Si es una emergencia, llama al 911. Te comunico con nuestro equipo ahora; "
        "alguien te escribirá pronto."
    ),
}


def guard_handoff_text(lang: str, *, urgent: bool) -> str:
    """The handoff text for a text the guard hands to staff ("es" in Spanish, English otherwise)."""
    return GUARD_HANDOFF_TEXTS.get((lang, urgent), GUARD_HANDOFF_TEXTS[("en", urgent)])


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
