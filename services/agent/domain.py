"""A conversation's state, folded from its events, and how catalog matches become its service. No I/O.

What to do next and how to say it live in policy.py and replies.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any
from uuid import UUID

from shared.contracts.conversation import (
    AiPaused,
    AiResumed,
    AnyConversationEvent,
    Asked,
    BookingConfirmed,
    ClientIdentified,
    ConversationStarted,
    EscalationRaised,
    InboundReceived,
    ObjectionHandled,
    PreferenceUnderstood,
    ProposedOption,
    ReplySent,
    ServiceCandidate,
    ServiceMatched,
    ServicesOffered,
    SlotsProposed,
    SlotsUnavailable,
    StaffNoteAdded,
    StaffReplied,
    TurnCompleted,
)
from shared.contracts.tools import BookingRecord, ServiceMatch, TimePreference

MAX_REPLY_CHARS = 320
# Completed turns remembered for redelivery (a redelivered text is a recent one).
RECENT_TURNS = 32

HANDOFF_TEXT = "Thanks — I'm connecting you with our team; someone will text you back shortly."


@dataclass(frozen=True)
class TurnRecord:
    """What a completed (or open) turn did, so a redelivered text repeats its effects, not its work."""

    inbound_id: UUID
    inbound_seq: int
    reply: ReplySent | None = None
    escalation: EscalationRaised | None = None
    completed: bool = False


@dataclass(frozen=True)
class ConversationState:
    """Everything the agent knows about one conversation; rebuilt by `fold`."""

    tenant_id: str = ""
    conversation_id: str = ""
    started: bool = False
    client_number: str | None = None
    spa_number: str | None = None
    client_id: UUID | None = None
    first_name: str | None = None
    service: ServiceCandidate | None = None
    requested: ServiceCandidate | None = None  # what the client asked for (the service may be its consult)
    candidates: tuple[ServiceCandidate, ...] = ()
    preference: TimePreference | None = None
    search: PreferenceUnderstood | None = None  # the last constraint: provider, after, turned-down starts
    proposals: tuple[ProposedOption, ...] = ()
    unavailable: bool = False
    bookings: tuple[BookingConfirmed, ...] = ()
    objections: int = 0
    paused: bool = False
    escalations: tuple[EscalationRaised, ...] = ()
    last_asked: Asked | None = None
    name_asks: int = 0
    just_booked: bool = False
    replies: int = 0
    last_completed_seq: int = 0
    open_turn: InboundReceived | None = None
    turns: tuple[TurnRecord, ...] = field(default_factory=tuple)
    staff_commands: tuple[UUID, ...] = ()
    new_client: bool = False
    language: str = "en"
    staff_replies: int = 0
    last_staff_text: str | None = None
    notes: tuple[str, ...] = ()
    offers: int = 0  # sets of options offered so far

    def turn_for(self, inbound_id: UUID) -> TurnRecord | None:
        """The recorded turn of an inbound text, if it was received."""
        for turn in reversed(self.turns):
            if turn.inbound_id == inbound_id:
                return turn
        return None

    @property
    def greeted(self) -> bool:
        """The agent has already said hello on this conversation."""
        return self.replies > 0

    @property
    def staff_involved(self) -> bool:
        """Staff have had the conversation (a handoff or a staff text): the AI picks up, never re-greets."""
        return bool(self.escalations) or self.staff_replies > 0


_STATE_FIELDS = frozenset(f.name for f in fields(ConversationState))


def _evolve(state: ConversationState, **changes: object) -> ConversationState:
    """`dataclasses.replace` without re-running __init__: a fold applies thousands of events, and
    copying the field dict is several times faster for a state of this many fields."""
    unknown = changes.keys() - _STATE_FIELDS
    if unknown:
        raise TypeError(f"ConversationState has no field {sorted(unknown)}")
    new = object.__new__(ConversationState)
    new.__dict__.update(state.__dict__)
    new.__dict__.update(changes)
    return new


def _with_turn(state: ConversationState, inbound_id: UUID, **changes: object) -> ConversationState:
    turns = list(state.turns)
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].inbound_id == inbound_id:
            turns[i] = replace(turns[i], **changes)  # type: ignore[arg-type]
            return _evolve(state, turns=tuple(turns))
    return state


def _with_command(state: ConversationState, command_id: UUID | None) -> ConversationState:
    if command_id is None:
        return state
    return _evolve(state, staff_commands=(*state.staff_commands, command_id)[-RECENT_TURNS:])


def _started(state: ConversationState, event: ConversationStarted) -> ConversationState:
    return _evolve(
        state,
        tenant_id=event.tenant_id,
        conversation_id=event.conversation_id,
        started=True,
        client_number=event.client_number,
        spa_number=event.spa_number,
    )


def _inbound(state: ConversationState, event: InboundReceived) -> ConversationState:
    if state.turn_for(event.inbound_id) is not None:
        return state
    record = TurnRecord(inbound_id=event.inbound_id, inbound_seq=event.inbound_seq)
    return _evolve(state, open_turn=event, turns=(*state.turns, record)[-RECENT_TURNS:])


def _identified(state: ConversationState, event: ClientIdentified) -> ConversationState:
    return _evolve(
        state,
        client_id=event.client_id,
        first_name=event.first_name or state.first_name,
        new_client=event.is_new or state.new_client,
    )


def _service_matched(state: ConversationState, event: ServiceMatched) -> ConversationState:
    changed = state.service is None or state.service.service_id != event.service.service_id
    return _evolve(
        state,
        service=event.service,
        requested=event.requested or event.service,
        candidates=(),
        # Options for another service no longer apply.
        proposals=() if changed else state.proposals,
        unavailable=False if changed else state.unavailable,
        just_booked=False,
    )


def _booked(state: ConversationState, event: BookingConfirmed) -> ConversationState:
    if any(b.booking_id == event.booking_id for b in state.bookings):
        return state
    return _evolve(
        state,
        bookings=(*state.bookings, event),
        proposals=(),
        unavailable=False,
        just_booked=True,
        # A next booking starts with its own "when".
        preference=None,
        search=None,
    )


def _escalated(state: ConversationState, event: EscalationRaised) -> ConversationState:
    new = _evolve(state, escalations=(*state.escalations, event))
    if event.caused_by is not None:
        new = _with_turn(new, event.caused_by, escalation=event)
    return new


def _staff_replied(state: ConversationState, event: StaffReplied) -> ConversationState:
    spoke = _evolve(state, staff_replies=state.staff_replies + 1, last_staff_text=event.body)
    return _with_command(spoke, event.command_id)


def _replied(state: ConversationState, event: ReplySent) -> ConversationState:
    asked_name = event.asks in ("name", "name_and_service")
    new = _evolve(
        state,
        replies=state.replies + 1,
        last_asked=event.asks,
        language=event.language,
        name_asks=state.name_asks + (1 if asked_name else 0),
    )
    return _with_turn(new, event.caused_by, reply=event)


def _completed(state: ConversationState, event: TurnCompleted) -> ConversationState:
    new = _with_turn(state, event.inbound_id, completed=True)
    still_open = state.open_turn is not None and state.open_turn.inbound_id != event.inbound_id
    return _evolve(
        new,
        last_completed_seq=max(state.last_completed_seq, event.inbound_seq),
        open_turn=state.open_turn if still_open else None,
    )


# How each fact changes the state; an event type not here (or a subclass's parent) changes nothing.
_APPLY: dict[type, Callable[[ConversationState, Any], ConversationState]] = {
    ConversationStarted: _started,
    InboundReceived: _inbound,
    ClientIdentified: _identified,
    ServicesOffered: lambda state, e: _evolve(state, candidates=tuple(e.candidates)),
    ServiceMatched: _service_matched,
    PreferenceUnderstood: lambda state, e: _evolve(
        state, preference=e.preference, search=e, unavailable=False, just_booked=False
    ),
    SlotsProposed: lambda state, e: _evolve(
        state, proposals=tuple(e.options), unavailable=False, offers=state.offers + 1
    ),
    SlotsUnavailable: lambda state, _e: _evolve(state, proposals=(), unavailable=True),
    BookingConfirmed: _booked,
    ObjectionHandled: lambda state, _e: _evolve(state, objections=state.objections + 1),
    EscalationRaised: _escalated,
    AiPaused: lambda state, e: _with_command(_evolve(state, paused=True), e.command_id),
    AiResumed: lambda state, e: _with_command(_evolve(state, paused=False), e.command_id),
    StaffReplied: _staff_replied,
    StaffNoteAdded: lambda state, e: _evolve(state, notes=(*state.notes, e.note)[-8:]),
    ReplySent: _replied,
    TurnCompleted: _completed,
}


def apply(state: ConversationState, event: AnyConversationEvent) -> ConversationState:
    """The state after one event; unknown or repeated facts leave it consistent."""
    for kind in type(event).__mro__:  # a ReplyDrafted is applied as the ReplySent it extends
        change = _APPLY.get(kind)
        if change is not None:
            return change(state, event)
    return state


def fold(events: Iterable[AnyConversationEvent], state: ConversationState | None = None) -> ConversationState:
    """The state of a conversation: its events applied in order (to `state`, or from nothing)."""
    current = state or ConversationState()
    for event in events:
        current = apply(current, event)
    return current


# ---------------------------------------------------------------- catalog matching


# Catalog matching: a clear winner is matched; close runners-up make the agent ask.
MATCH_MIN = 0.45
MATCH_MARGIN = 0.15
CANDIDATE_MIN = 0.25


def candidate(match: ServiceMatch) -> ServiceCandidate:
    """The conversation's view of a catalog match."""
    return ServiceCandidate(
        service_id=match.service_id,
        name=match.name,
        price_cents=match.price_cents,
        duration_minutes=match.duration_minutes,
        is_consultation=match.is_consultation,
        free_consult=match.free_consult,
        consult_service_id=match.consult_service_id,
    )


def choose_service(matches: list[ServiceMatch]) -> tuple[ServiceMatch | None, list[ServiceMatch]]:
    """A clear match, or the close candidates to ask about (both empty when nothing fits)."""
    ranked = sorted(matches, key=lambda m: m.confidence, reverse=True)
    if not ranked or ranked[0].confidence < CANDIDATE_MIN:
        return None, []
    top = ranked[0]
    close = [
        m for m in ranked if m.confidence >= CANDIDATE_MIN and top.confidence - m.confidence < MATCH_MARGIN
    ]
    if top.confidence >= MATCH_MIN and len(close) == 1:
        return top, []
    if len(close) == 1:
        return top, []
    return None, close[:3]


# Words of catalog names that say what kind of visit it is, not which treatment.
GENERIC_NAME_WORDS = frozenset({"consultation", "treatment", "session", "area", "one", "and", "the", "for"})


def names_a_service(text: str, service_names: Iterable[str]) -> bool:
    """Whether plain text holds a word of a catalog service's name ("what about a peel then")."""
    said = set(re.findall(r"[a-z]{3,}", text.casefold()))
    if not said:
        return False
    for name in service_names:
        for word in re.findall(r"[a-z]{3,}", name.casefold()):
            if word in GENERIC_NAME_WORDS:
                continue
            if any(w in (word, word + "s") or (len(word) >= 4 and w.startswith(word)) for w in said):
                return True
    return False


def booking_facts(
    booking: BookingRecord, chosen: ProposedOption, service: ServiceCandidate | None
) -> dict[str, object]:
    """The fields of BookingConfirmed for a booked option; the price only when it is the matched service."""
    same = service is not None and service.service_id == chosen.option.service_id
    return {
        "booking_id": booking.booking_id,
        "hold_id": booking.hold_id,
        "service_id": chosen.option.service_id,
        "service_name": booking.service_name,
        "price_cents": service.price_cents if same and service else 0,
        "start": booking.start,
        "provider_first_name": booking.provider_first_name,
        "local_label": booking.local_label or chosen.label,
        "covered_by_package": booking.covered_by_package,
    }
