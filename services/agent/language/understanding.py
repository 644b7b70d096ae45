"""Everything one text gives the deterministic brain, read once: the brain acts on what it has.

Pure: no I/O. `understand` runs every detector of the language package over the normalised text
and returns one `Understanding`; the brain never re-reads the raw text itself. A text can carry
several things at once ("how much is botox? can I come sat morning - Jess" is a price question, a
service, a time and a name), so every field is filled independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from shared.contracts.tools import TimePreference
from shared.text import normalise

from . import intents
from .timeparse import parse_preference

__all__ = ["Language", "Question", "Shift", "Understanding", "understand"]

Language = Literal["en", "es", "other"]
# Front-desk questions answered from the spa's public profile.
Question = Literal[
    "price",  # "how much is botox", "what does a hydrafacial cost"
    "address",  # "where are you located", "what's your address"
    "hours",  # "what time do you close on saturday", "are you open sunday"
    "parking",  # "is there parking nearby"
    "providers",  # "who does lip filler"
    "provider_schedule",  # "is julia in on friday", "when does sloane work"
    "services",  # "what services do you offer", "do you do lip flips"
]
# A new constraint on options already offered.
Shift = Literal["later", "earlier", "another_day", "other_provider"]


@dataclass(frozen=True)
class Understanding:
    """What one text says, as far as the deterministic brain needs it."""

    text: str  # the normalised text (shared.text.normalise)
    language: Language = "en"
    greeting: bool = False
    thanks: bool = False
    goodbye: bool = False
    affirm: bool = False
    negate: bool = False
    name: str | None = None  # the client's own first name, never a third party's
    about_someone_else: bool = False  # "this is Ava's husband", "booking for my daughter"
    provider: str | None = None  # a provider first name the client asked for, as in the profile
    choice: int | None = None  # 0-based index among the offered option labels
    questions: frozenset[Question] = frozenset()
    question_weekday: int | None = None  # the weekday a question is about (0 = Monday)
    reject_options: bool = False  # "none of those work"
    shift: Shift | None = None
    price_objection: bool = False
    preference: TimePreference | None = None
    service_text: str = ""  # the text with names, signatures and time words left for catalog matching
    small_talk: bool = False  # only greets and/or gives a name: no treatment can be in it
    notes: tuple[str, ...] = field(default=())  # what was understood, for logs (no client words)


def understand(
    text: str,
    *,
    now: datetime,
    tz: str,
    option_labels: Sequence[str] = (),
    provider_names: Sequence[str] = (),
    name_asked: bool = False,
) -> Understanding:
    """Read one text: every field of `Understanding` that the text gives."""
    flat = normalise(text)
    parsed = parse_preference(flat, now, tz)
    choice = intents.parse_choice(flat, len(option_labels), list(option_labels)) if option_labels else None
    lowered = flat.lower()
    provider = next((p for p in provider_names if p and p.lower() in lowered.split()), None)
    return Understanding(
        text=flat,
        greeting=intents.is_greeting(flat),
        thanks=intents.is_thanks(flat),
        goodbye=intents.is_goodbye(flat),
        affirm=intents.is_affirmative(flat),
        negate=intents.is_negative(flat),
        name=intents.extract_name(flat, asked=name_asked),
        provider=provider,
        choice=choice,
        reject_options=intents.is_rejection(flat),
        price_objection=intents.is_price_objection(flat),
        preference=parsed.preference if parsed else None,
        service_text=flat,
        small_talk=intents.is_small_talk(flat),
    )
