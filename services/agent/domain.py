"""A conversation's state, folded from its events, and the plain-language replies. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

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
    StaffReplied,
    TurnCompleted,
)
from shared.contracts.tools import ClientBenefits, ServiceMatch, TimePreference

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
    candidates: tuple[ServiceCandidate, ...] = ()
    preference: TimePreference | None = None
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


def _with_turn(state: ConversationState, inbound_id: UUID, **changes: object) -> ConversationState:
    turns = list(state.turns)
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].inbound_id == inbound_id:
            turns[i] = replace(turns[i], **changes)  # type: ignore[arg-type]
            return replace(state, turns=tuple(turns))
    return state


def _with_command(state: ConversationState, command_id: UUID | None) -> ConversationState:
    if command_id is None:
        return state
    return replace(state, staff_commands=(*state.staff_commands, command_id)[-RECENT_TURNS:])


def apply(state: ConversationState, event: AnyConversationEvent) -> ConversationState:
    """The state after one event; unknown or repeated facts leave it consistent."""
    match event:
        case ConversationStarted():
            return replace(
                state,
                tenant_id=event.tenant_id,
                conversation_id=event.conversation_id,
                started=True,
                client_number=event.client_number,
                spa_number=event.spa_number,
            )
        case InboundReceived():
            if state.turn_for(event.inbound_id) is not None:
                return state
            record = TurnRecord(inbound_id=event.inbound_id, inbound_seq=event.inbound_seq)
            return replace(state, open_turn=event, turns=(*state.turns, record)[-RECENT_TURNS:])
        case ClientIdentified():
            return replace(state, client_id=event.client_id, first_name=event.first_name or state.first_name)
        case ServicesOffered():
            return replace(state, candidates=tuple(event.candidates))
        case ServiceMatched():
            changed = state.service is None or state.service.service_id != event.service.service_id
            return replace(
                state,
                service=event.service,
                candidates=(),
                # Options for another service no longer apply.
                proposals=() if changed else state.proposals,
                unavailable=False if changed else state.unavailable,
                just_booked=False,
            )
        case PreferenceUnderstood():
            return replace(state, preference=event.preference, unavailable=False, just_booked=False)
        case SlotsProposed():
            return replace(state, proposals=tuple(event.options), unavailable=False)
        case SlotsUnavailable():
            return replace(state, proposals=(), unavailable=True)
        case BookingConfirmed():
            if any(b.booking_id == event.booking_id for b in state.bookings):
                return state
            return replace(
                state,
                bookings=(*state.bookings, event),
                proposals=(),
                unavailable=False,
                just_booked=True,
                # A next booking starts with its own "when".
                preference=None,
            )
        case ObjectionHandled():
            return replace(state, objections=state.objections + 1)
        case EscalationRaised():
            new = replace(state, escalations=(*state.escalations, event))
            if event.caused_by is not None:
                new = _with_turn(new, event.caused_by, escalation=event)
            return new
        case AiPaused():
            return _with_command(replace(state, paused=True), event.command_id)
        case AiResumed():
            return _with_command(replace(state, paused=False), event.command_id)
        case StaffReplied():
            return _with_command(state, event.command_id)
        case ReplySent():
            asked_name = event.asks in ("name", "name_and_service")
            new = replace(
                state,
                replies=state.replies + 1,
                last_asked=event.asks,
                name_asks=state.name_asks + (1 if asked_name else 0),
            )
            return _with_turn(new, event.caused_by, reply=event)
        case TurnCompleted():
            new = _with_turn(state, event.inbound_id, completed=True)
            open_turn = (
                None
                if state.open_turn and state.open_turn.inbound_id == event.inbound_id
                else state.open_turn
            )
            return replace(
                new, last_completed_seq=max(state.last_completed_seq, event.inbound_seq), open_turn=open_turn
            )
    return state


def fold(events: Iterable[AnyConversationEvent], state: ConversationState | None = None) -> ConversationState:
    """The state of a conversation: its events applied in order (to `state`, or from nothing)."""
    current = state or ConversationState()
    for event in events:
        current = apply(current, event)
    return current


# ---------------------------------------------------------------- plain-language replies


def money(cents: int) -> str:
    """$300, or $12.50 when there are cents."""
    return f"${cents // 100:,}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def time_label(moment: datetime) -> str:
    """1:30pm, 2pm (in the moment's own time zone)."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def day_label(moment: datetime, today: date) -> str:
    """today, tomorrow, Monday (within the week), or Monday, Mar 11."""
    days = (moment.date() - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if 1 < days < 7:
        return moment.strftime("%A")
    return f"{moment.strftime('%A')}, {moment.strftime('%b')} {moment.day}"


def option_label(start: datetime, provider_first_name: str, tz: ZoneInfo, today: date) -> str:
    """'Monday at 1:30pm with Julia', in the spa's time zone."""
    local = start.astimezone(tz)
    return f"{day_label(local, today)} at {time_label(local)} with {provider_first_name}"


def join_or(items: Sequence[str]) -> str:
    """A, B, or C."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} or {items[1]}"
    return f"{', '.join(items[:-1])}, or {items[-1]}"


def proposal_text(labels: Sequence[str]) -> str:
    """'I have A, B, or C. Reply 1, 2, or 3 to confirm.'"""
    numbers = [str(i + 1) for i in range(len(labels))]
    return f"I have {join_or(labels)}. Reply {join_or(numbers)} to confirm."


def confirmation_text(
    service_name: str, start: datetime, provider: str, tz: ZoneInfo, spa_name: str, address: str
) -> str:
    """The booking confirmation: service, day, time, provider, address."""
    local = start.astimezone(tz)
    when = f"{local.strftime('%A')}, {local.strftime('%b')} {local.day} at {time_label(local)}"
    where = f" at {spa_name}, {address}" if address else f" at {spa_name}"
    return f"You're booked: {service_name} on {when} with {provider}{where}. See you then!"


def article(name: str) -> str:
    """'a Botox consultation', 'an HydraFacial' (by sound of the first letter)."""
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


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


def objection_reply(state: ConversationState, benefits: ClientBenefits) -> tuple[str, str]:
    """The answer to a price objection from the client's own benefits; never an invented discount."""
    service = state.service
    name = state.service.name if service else "that"
    covering = [p for p in benefits.packages if p.covers_service and p.sessions_remaining > 0]
    if covering:
        pkg = max(covering, key=lambda p: p.sessions_remaining)
        sessions = "session" if pkg.sessions_remaining == 1 else "sessions"
        return (
            f"Good news: your {pkg.package_name} has {pkg.sessions_remaining} {sessions} left, "
            f"so this {name} is covered.",
            "package_balance",
        )
    parts: list[str] = []
    answer = "price_only"
    if benefits.membership and benefits.membership.covers_service and benefits.membership.discount_percent:
        m = benefits.membership
        parts.append(f"As a {m.tier} member you get {m.discount_percent}% off {name}.")
        answer = "membership"
    if benefits.package_offers:
        offer = min(benefits.package_offers, key=lambda o: o.per_session_cents)
        parts.append(
            f"Our {offer.name} ({offer.sessions} sessions for {money(offer.price_cents)}) works out "
            f"to {money(offer.per_session_cents)} per session."
        )
        answer = "package_offer" if answer == "price_only" else answer
    if benefits.free_consult_available:
        parts.append("The consultation is free, so you can meet the provider and get a plan first.")
        answer = "free_consult" if answer == "price_only" else answer
    if not parts:
        parts.append("I understand. Our team can walk you through options for your budget at your visit.")
    return " ".join(parts), answer


Step = Literal[
    "greet",  # say hello, ask for name and interest
    "ask_service",
    "ask_service_choice",
    "ask_name",
    "ask_time",
    "propose",
    "booked_followup",
]


def next_step(state: ConversationState) -> Step:
    """What the conversation needs next, once this turn's facts are in the state."""
    if state.just_booked:
        return "booked_followup"
    if state.service is None:
        if state.candidates:
            return "ask_service_choice"
        if not state.greeted:
            return "greet"
        return "ask_service"
    # Asked at most twice (the greeting and once more): a client who would rather not say still books.
    if state.first_name is None and state.name_asks < 2:
        return "ask_name"
    if state.preference is None:
        return "ask_time"
    return "propose"


def question_for(step: Step, state: ConversationState, spa_name: str) -> tuple[str, Asked | None]:
    """The reply text of a step that asks the client something, and what it asked."""
    name = f", {state.first_name}" if state.first_name else ""
    if step == "greet":
        if state.first_name:
            return (
                f"Hi{name}! Thanks for texting {spa_name}. What can we help you with today?",
                "service",
            )
        return (
            f"Hi! Thanks for texting {spa_name}. May I have your name, and what treatment are you "
            "interested in?",
            "name_and_service",
        )
    if step == "ask_service":
        return (f"Thanks{name}! What treatment are you interested in?", "service")
    if step == "ask_service_choice":
        names = [c.name for c in state.candidates[:3]]
        return (f"Happy to help{name}! Did you mean {join_or(names)}?", "service_choice")
    if step == "ask_name":
        service = state.service.name if state.service else "that"
        return (f"Great, {service} it is. May I have your first name?", "name")
    if step == "ask_time":
        service = state.service.name if state.service else "your visit"
        return (
            f"Great{name}! When would you like to come in for {article(service)}? "
            "For example 'Monday around 2pm' or 'tomorrow morning'.",
            "time",
        )
    if step == "booked_followup" and state.bookings:
        last = state.bookings[-1]
        return (
            f"You're all set{name}: {last.service_name}, {last.local_label}. Anything else I can help with?",
            "anything",
        )
    return ("What day and time would work best for you?", "time")
