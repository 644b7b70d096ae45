"""Use cases of the agent: a client's text (one turn), and staff commands on a conversation.

A turn is: order check → guard → bind client → brain → outbound guard → append the turn's events
(the append is the commit) → return what to publish. The conversation log is the outbox: a
redelivered text whose turn is complete gets the same outgoing messages again (same Nats-Msg-Id,
same idempotency key), never a second reply.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

import structlog
from pydantic import BaseModel

from shared import metrics
from shared.bus import ToolCallFailed, jetstream, publish_event
from shared.contracts import conversation as conv
from shared.contracts.envelope import utcnow
from shared.contracts.escalation import (
    EscalationCategory,
    EscalationPriority,
    PauseAi,
    ReplyModeSet,
    ResumeAi,
    StaffReply,
)
from shared.contracts.escalation import EscalationRaised as BusEscalationRaised
from shared.contracts.sms import SendSms, SmsReceived
from shared.contracts.tools import SpaProfile
from shared.reply_mode import ReplyModes, reply_mode
from shared.subjects import Topology

from . import special_texts
from .brain import Brain, Decision, TurnContext
from .domain import HANDOFF_TEXT, MAX_REPLY_CHARS, ConversationState, TurnRecord, fold
from .language.guard import URGENT_HANDOFF_TEXT, check_inbound, check_outbound
from .language.language_id import detect_language
from .replies import lang_of, say
from .store import AppendConflict, ConversationStore, FirstInbound, Loaded
from .tools import ConversationTools, ToolUnavailable

if TYPE_CHECKING:  # the broker is only a handle passed to shared.bus: no FastStream API here
    from faststream.nats import NatsBroker

log = structlog.get_logger()

# A turn another replica opened this recently is still being worked on: wait for it.
OPEN_TURN_STALE_AFTER = timedelta(seconds=30)
CONFLICT_RETRIES = 5
# How long a client's text waits for the scheduler before they hear "one moment" (once per text):
# soon when nothing serves the tools (the scheduler is down), later when it is up but does not answer
# in time (its database restarting for a few seconds is better answered late than interrupted).
HOLDING_AFTER = timedelta(seconds=3)
HOLDING_AFTER_NO_ANSWER = timedelta(seconds=15)
# Why a text the agent could not answer after its last attempt went to staff, by what failed last.
UNANSWERED_REASONS: dict[type[Exception], str] = {
    ToolUnavailable: "The booking system (scheduler) was unavailable, so the agent could not answer "
    "this text. Please reply to the client.",
    Exception: "The agent could not answer this text (an internal error). Please reply to the client.",
}


@dataclass(frozen=True)
class Outgoing:
    """A message to publish to JetStream once the turn's events are appended."""

    subject: str
    message: BaseModel
    msg_id: str


@dataclass
class TurnResult:
    """What handling one inbound text came to."""

    outcome: Literal["handled", "duplicate", "wait"]
    outgoing: list[Outgoing] = field(default_factory=list)
    detail: str = ""


@dataclass
class AgentPorts:
    """What the handlers use: the log, the bus, the brain and a clock."""

    store: ConversationStore
    broker: NatsBroker
    topology: Topology
    brain: Brain
    tool_timeout: float
    instance: str = ""
    hold_ttl_seconds: int | None = None
    clock: Callable[[], datetime] = utcnow
    holding_after: timedelta = HOLDING_AFTER
    holding_after_no_answer: timedelta = HOLDING_AFTER_NO_ANSWER
    reply_modes: ReplyModes | None = None  # each spa's reply mode as this process knows it

    async def drafting(self, tenant_id: str) -> bool:
        """Whether the spa's replies wait as drafts for staff (read from the server without a cache)."""
        if self.reply_modes is not None:
            return await self.reply_modes.mode(tenant_id) == "draft"
        return await reply_mode(jetstream(self.broker), self.topology, tenant_id) == "draft"


def reply_key(inbound_id: UUID) -> str:
    """The idempotency key of the agent's reply to a text."""
    return f"reply:{inbound_id}"


def holding_key(inbound_id: UUID) -> str:
    """The idempotency key of the "one moment" text to a text: one per text, however often retried."""
    return f"holding:{inbound_id}"


def _effects(topology: Topology, state: ConversationState, turn: TurnRecord) -> list[Outgoing]:
    """The messages a turn publishes, rebuilt from its recorded events (same ids every time)."""
    out: list[Outgoing] = []
    number = state.client_number
    if turn.escalation is not None and number:
        esc = turn.escalation
        out.append(
            Outgoing(
                topology.escalation(state.tenant_id),
                BusEscalationRaised(
                    id=esc.escalation_id,
                    tenant_id=state.tenant_id,
                    correlation_id=esc.correlation_id,
                    escalation_id=esc.escalation_id,
                    conversation_id=state.conversation_id,
                    category=esc.category,
                    reason=esc.reason,
                    client_number=number,
                    client_name=state.first_name,
                    handoff_text=esc.handoff_text,
                    priority=esc.priority,
                    source="agent",
                ),
                f"escalation:{esc.escalation_id}",
            )
        )
    # A draft waits in the inbox: staff send it (or not) through the staff reply path.
    if turn.reply is not None and number and not isinstance(turn.reply, conv.ReplyDrafted):
        reply = turn.reply
        out.append(
            Outgoing(
                topology.sms_outbound(state.tenant_id, state.conversation_id),
                SendSms(
                    id=reply.id,
                    tenant_id=state.tenant_id,
                    correlation_id=reply.correlation_id,
                    idempotency_key=reply.idempotency_key,
                    conversation_id=state.conversation_id,
                    to_number=number,
                    body=reply.body,
                    purpose="confirmation" if reply.asks is None and state.bookings else "reply",
                    caused_by=str(reply.caused_by),
                ),
                reply.idempotency_key,
            )
        )
    return out


def _escalation_events(
    base: Callable[..., dict[str, object]],
    category: EscalationCategory,
    reason: str,
    inbound_id: UUID,
    handoff_text: str | None = None,
    priority: EscalationPriority = "normal",
) -> list[conv.ConversationEvent]:
    # An urgent handoff also tells the client to call 911 if it is an emergency.
    default_text = URGENT_HANDOFF_TEXT if priority == "urgent" else HANDOFF_TEXT
    raised = conv.EscalationRaised(
        **base(),
        category=category,
        reason=reason[:500],
        handoff_text=handoff_text or default_text,
        caused_by=inbound_id,
        priority=priority,
    )
    return [raised, conv.AiPaused(**base(), by="escalation", escalation_id=raised.escalation_id)]


async def _decide(
    msg: SmsReceived, state: ConversationState, ports: AgentPorts
) -> tuple[list[conv.ConversationEvent], str]:
    """The events of one turn after InboundReceived, and its outcome (no I/O but the tools)."""

    base = functools.partial(_common, msg)

    if msg.keyword is not None:
        # STOP/START/HELP belong to the gateway: the agent records the text and stays quiet.
        return [], "keyword"
    if state.paused:
        return [], "paused"
    if special_texts.stays_quiet(msg):
        return [], "silent"
    verdict = check_inbound(msg.body)
    if verdict.escalate:
        log.info(
            "agent.escalated",
            category=verdict.category,
            priority=verdict.priority,
            conversation_id=msg.conversation_id,
        )
        text = special_texts.guard_handoff_text(
            _holding_language(msg, state), urgent=verdict.priority == "urgent"
        )
        raised = _escalation_events(base, verdict.category, verdict.reason, msg.id, text, verdict.priority)
        return raised, "escalated"
    special = special_texts.handoff_for(msg)
    if special is not None:
        log.info("agent.handed_to_staff", kind=special.name, conversation_id=msg.conversation_id)
        handoff = _escalation_events(base, special.category, special.reason, msg.id, special.handoff_text)
        return handoff, "escalated"

    events: list[conv.ConversationEvent] = []
    tools = _tools(msg, state, ports)
    if state.client_id is None:
        record = await tools.identify()
        identified = conv.ClientIdentified(
            **base(), client_id=record.client_id, first_name=record.first_name, is_new=record.is_new
        )
        events.append(identified)
        state = _apply_all(state, [identified])
    spa = await tools.spa_profile()
    ctx = TurnContext(
        state=state,
        text=msg.body,
        now=ports.clock(),
        spa=spa,
        tools=tools,
        correlation_id=msg.correlation_id,
        hold_ttl_seconds=ports.hold_ttl_seconds,
    )
    decision: Decision = await ports.brain.decide(ctx)
    events.extend(decision.facts)
    if decision.handoff is not None:
        handoff = decision.handoff
        events.extend(_escalation_events(base, handoff.category, handoff.reason, msg.id, handoff.text))
        return events, "escalated"
    if not decision.reply:
        return events, "silent"
    outbound = check_outbound(
        decision.reply, MAX_REPLY_CHARS, allowed_terms=_spa_terms(fold(events, state), spa)
    )
    if not outbound.allowed:
        log.warning("agent.reply.blocked", reason=outbound.reason, conversation_id=msg.conversation_id)
        reason = f"The agent's reply was blocked by the outbound guard ({outbound.reason})."
        events.extend(_escalation_events(base, "blocked_reply", reason, msg.id))
        return events, "escalated"
    drafting = await ports.drafting(msg.tenant_id)
    reply_event = conv.ReplyDrafted if drafting else conv.ReplySent
    events.append(
        reply_event(
            **base(),
            caused_by=msg.id,
            idempotency_key=reply_key(msg.id),
            body=decision.reply,
            asks=decision.asks,
            language=decision.language,
        )
    )
    return events, "drafted" if drafting else "replied"


def _spa_terms(state: ConversationState, spa: SpaProfile) -> tuple[str, ...]:
    """The spa's own words in a reply (its name, its service names) are not clinical content: every
    catalog name counts, since a price answer may name a service the conversation is not about."""
    names = {spa.name, *(s.name for s in spa.services), *(c.name for c in state.candidates)}
    names |= {b.service_name for b in state.bookings}
    if state.service is not None:
        names.add(state.service.name)
    # Sorted so one catalog is one key of the guard's compiled pattern (the guard orders by length).
    return tuple(sorted(names))


def _apply_all(state: ConversationState, events: list[conv.ConversationEvent]) -> ConversationState:
    return fold(events, state)  # type: ignore[arg-type]


async def _is_next(
    msg: SmsReceived,
    inbound_seq: int,
    state: ConversationState,
    ports: AgentPorts,
    prefetched: tuple[int, FirstInbound] | None = None,
) -> bool:
    """No earlier text of the conversation is waiting (a repeat of a handled text does not count).

    `prefetched` is the first text after some sequence, read together with the state; it is used
    when that sequence is still the state's last completed one.
    """
    after = state.last_completed_seq
    while True:
        if prefetched is not None and prefetched[0] == after:
            first = prefetched[1]
        else:
            first = await ports.store.first_inbound_after(msg.tenant_id, msg.conversation_id, after)
        if first is None or first[0] >= inbound_seq:
            return True
        earlier = state.turn_for(first[1]) if first[1] is not None else None
        if earlier is None or not earlier.completed:
            return False
        after = first[0]


async def handle_inbound(msg: SmsReceived, inbound_seq: int, *, ports: AgentPorts) -> TurnResult:
    """Handle one client text in its conversation's order; a repeat of a handled text only re-publishes."""
    for _attempt in range(CONFLICT_RETRIES):
        # The state and the order check read JetStream at the same time: one round trip, not two.
        # The order check assumes the cached state is current, which it nearly always is.
        cached = ports.store.cached(msg.tenant_id, msg.conversation_id)
        after = cached.state.last_completed_seq if cached is not None else 0
        loaded, first = await asyncio.gather(
            ports.store.load(msg.tenant_id, msg.conversation_id),
            ports.store.first_inbound_after(msg.tenant_id, msg.conversation_id, after),
        )
        state = loaded.state
        turn = state.turn_for(msg.id)
        if turn is not None and turn.completed:
            return TurnResult("duplicate", _effects(ports.topology, state, turn))
        if turn is None and inbound_seq <= state.last_completed_seq:
            return TurnResult("duplicate", detail="older than the conversation's last turn")
        if state.open_turn is not None:
            opened_at = state.open_turn.occurred_at
            if ports.clock() - opened_at < OPEN_TURN_STALE_AFTER:
                return TurnResult("wait", detail="another turn of this conversation is in progress")
            if state.open_turn.inbound_id != msg.id:
                return TurnResult("wait", detail="an earlier turn was left open")
        if not await _is_next(msg, inbound_seq, state, ports, prefetched=(after, first)):
            return TurnResult("wait", detail="an earlier text of this conversation is not handled yet")
        try:
            if turn is not None:
                # A crash left this text's turn half-written (its events are appended one by one).
                log.warning("agent.turn.resumed", conversation_id=msg.conversation_id)
                return await _resume_turn(msg, inbound_seq, loaded, turn, ports=ports)
            return await _run_turn(msg, inbound_seq, loaded, ports=ports)
        except AppendConflict:
            log.info("agent.turn.conflict", conversation_id=msg.conversation_id)
            continue
        except ToolUnavailable as exc:
            await _hold_on(msg, state, ports, after=holding_after(exc, ports))
            raise  # the text is tried again after a pause: its turn completes when the scheduler is back
    return TurnResult("wait", detail="the conversation kept changing")


def holding_after(exc: ToolUnavailable, ports: AgentPorts) -> timedelta:
    """How long the text may wait before "one moment": longer when the scheduler is up but slow."""
    no_answer = isinstance(exc.__cause__, ToolCallFailed)  # a timeout, not "nobody serves the tool"
    return ports.holding_after_no_answer if no_answer else ports.holding_after


async def _hold_on(
    msg: SmsReceived, state: ConversationState, ports: AgentPorts, *, after: timedelta
) -> None:
    """The scheduler is away and the client has waited `after`: tell them to hold on.

    Sent on every failed attempt from then on, always with the same idempotency key (and bus message
    id), so the gateway sends it once. Not in draft mode: staff send every text then.
    """
    if ports.clock() - msg.occurred_at < after:
        return
    if await ports.drafting(msg.tenant_id):
        return
    js = jetstream(ports.broker)
    key = holding_key(msg.id)
    holding = SendSms(
        tenant_id=msg.tenant_id,
        correlation_id=msg.correlation_id,
        idempotency_key=key,
        conversation_id=msg.conversation_id,
        to_number=msg.from_number,
        body=say(_holding_language(msg, state), "holding"),
        purpose="reply",
        caused_by=str(msg.id),
    )
    await publish_event(
        js, ports.topology.sms_outbound(msg.tenant_id, msg.conversation_id), holding, msg_id=key
    )
    log.info("agent.turn.holding", conversation_id=msg.conversation_id)


def _holding_language(msg: SmsReceived, state: ConversationState) -> str:
    """The conversation's language once the agent has replied; before that, the text's own (a new
    client who writes in Spanish is not told to hold on in English)."""
    if state.replies:
        return lang_of(state.language)
    return lang_of(detect_language(msg.body))


async def _resume_turn(
    msg: SmsReceived, inbound_seq: int, loaded: Loaded, turn: TurnRecord, *, ports: AgentPorts
) -> TurnResult:
    """Finish a turn a crash left open.

    If its reply or handoff was already recorded, the decision stands: only TurnCompleted is
    missing, and the recorded messages go out (same ids). Otherwise the turn is decided again from
    the state before it opened: the dead attempt's partial facts (options it held that the client
    never saw) must not steer the new decision, and its holds are released.
    """
    common = _common(msg)
    if turn.reply is not None or turn.escalation is not None:
        outcome = "escalated" if turn.reply is None else "replied"
        if isinstance(turn.reply, conv.ReplyDrafted):
            outcome = "drafted"
        completed = conv.TurnCompleted(**common, inbound_id=msg.id, inbound_seq=inbound_seq, outcome=outcome)
        after = await ports.store.append(loaded, [completed])
        done = after.state.turn_for(msg.id)
        assert done is not None
        metrics.turn_finished(outcome)
        return TurnResult("handled", _effects(ports.topology, after.state, done))
    before, partial = await ports.store.before_open_turn(msg.tenant_id, msg.conversation_id, msg.id)
    held = [o.hold_id for e in partial if isinstance(e, conv.SlotsProposed) for o in e.options]
    if held and before.client_number:
        await _tools(msg, before, ports).release(held)
    return await _run_turn(msg, inbound_seq, loaded, ports=ports, decide_from=before)


def _tools(msg: SmsReceived, state: ConversationState, ports: AgentPorts) -> ConversationTools:
    assert state.client_number is not None
    return ConversationTools(
        ports.broker,
        ports.topology,
        msg.tenant_id,
        msg.conversation_id,
        state.client_number,
        ports.tool_timeout,
        ports.instance,
        client_id=state.client_id,
    )


def _common(msg: SmsReceived) -> dict[str, Any]:
    """The envelope fields every event of this text's turn shares."""
    return {
        "tenant_id": msg.tenant_id,
        "conversation_id": msg.conversation_id,
        "correlation_id": msg.correlation_id,
    }


def _opening_events(
    msg: SmsReceived, inbound_seq: int, *, started: bool, received: bool
) -> list[conv.ConversationEvent]:
    """What opens a turn: the conversation's start (first text only) and the text itself (once)."""
    common = _common(msg)
    events: list[conv.ConversationEvent] = []
    if not started:
        events.append(
            conv.ConversationStarted(**common, client_number=msg.from_number, spa_number=msg.to_number)
        )
    if not received:
        events.append(
            conv.InboundReceived(
                **common,
                inbound_id=msg.id,
                message_sid=msg.message_sid,
                inbound_seq=inbound_seq,
                body=msg.body,
                keyword=msg.keyword,
            )
        )
    return events


async def _run_turn(
    msg: SmsReceived,
    inbound_seq: int,
    loaded: Loaded,
    *,
    ports: AgentPorts,
    decide_from: ConversationState | None = None,
) -> TurnResult:
    """Decide a turn and append its events after `loaded`; `decide_from` is the state to decide on
    when it differs from the log's (a resumed turn: its InboundReceived is already recorded)."""
    resumed = decide_from is not None
    state = decide_from if decide_from is not None else loaded.state
    common = _common(msg)
    head = _opening_events(msg, inbound_seq, started=state.started, received=resumed)
    before = _apply_all(state, head)
    events, outcome = await _decide(msg, before, ports)
    completed = conv.TurnCompleted(**common, inbound_id=msg.id, inbound_seq=inbound_seq, outcome=outcome)  # type: ignore[arg-type]
    try:
        after = await ports.store.append(loaded, [*head, *events, completed])
    except AppendConflict:
        # Nothing of this turn was written: let go of options it held before deciding again.
        held = [o.hold_id for e in events if isinstance(e, conv.SlotsProposed) for o in e.options]
        if held and before.client_number:
            await _tools(msg, before, ports).release(held)
        raise
    turn = after.state.turn_for(msg.id)
    assert turn is not None
    log.info("agent.turn.handled", outcome=outcome, conversation_id=msg.conversation_id, facts=len(events))
    metrics.turn_finished(outcome)
    return TurnResult("handled", _effects(ports.topology, after.state, turn))


async def record_failed_turn(
    msg: SmsReceived, inbound_seq: int, *, ports: AgentPorts, cause: BaseException | None = None
) -> list[Outgoing]:
    """After the last attempt: hand the text to staff (the handoff text, the AI paused) and close its
    turn, so the client is not left in silence and later texts of the conversation are not blocked.

    Returns what to publish (the escalation). A conversation staff already hold gets no new handoff.
    """
    loaded = await ports.store.load(msg.tenant_id, msg.conversation_id)
    turn = loaded.state.turn_for(msg.id)
    if turn is not None and turn.completed:
        return _effects(ports.topology, loaded.state, turn)
    events = _opening_events(msg, inbound_seq, started=loaded.state.started, received=turn is not None)
    answered = turn is not None and (turn.reply is not None or turn.escalation is not None)
    hand_over = not loaded.state.paused and not answered
    if hand_over:
        kind = ToolUnavailable if isinstance(cause, ToolUnavailable) else Exception
        reason = UNANSWERED_REASONS[kind]
        events.extend(_escalation_events(functools.partial(_common, msg), "other", reason, msg.id))
    completed = conv.TurnCompleted(
        **_common(msg), inbound_id=msg.id, inbound_seq=inbound_seq, outcome="failed"
    )
    after = await ports.store.append(loaded, [*events, completed], strict=False)
    metrics.turn_finished("failed")
    log.error("agent.turn.unanswered", conversation_id=msg.conversation_id, handed_to_staff=hand_over)
    done = after.state.turn_for(msg.id)
    return _effects(ports.topology, after.state, done) if done is not None else []


async def _between_turns(tenant_id: str, conversation_id: str, ports: AgentPorts) -> Loaded:
    """The conversation once none of its turns is open: a staff command is recorded between two
    turns, never among one turn's events (a turn appends its facts together, store.append). A turn
    normally stays open for the milliseconds its events take; one left open by a replica that died
    is stale after OPEN_TURN_STALE_AFTER and no longer waited for."""
    pause = 0.005
    while True:
        loaded = await ports.store.load(tenant_id, conversation_id)
        opened = loaded.state.open_turn
        if opened is None or ports.clock() - opened.occurred_at >= OPEN_TURN_STALE_AFTER:
            return loaded
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)


StaffCommand = PauseAi | ResumeAi | StaffReply | ReplyModeSet


async def handle_staff_command(cmd: StaffCommand, *, ports: AgentPorts) -> list[Outgoing]:
    """Record a staff command in its conversation: pause, resume, or a staff reply."""
    if isinstance(cmd, ReplyModeSet):
        return []  # a spa setting, read by subject when a turn replies (reply_mode.py): nothing to record
    common = {
        "tenant_id": cmd.tenant_id,
        "conversation_id": cmd.conversation_id,
        "correlation_id": cmd.correlation_id,
    }
    event: conv.ConversationEvent
    if isinstance(cmd, PauseAi):
        event = conv.AiPaused(**common, by="staff", staff_user=cmd.staff_user, command_id=cmd.id)
    elif isinstance(cmd, ResumeAi):
        event = conv.AiResumed(**common, staff_user=cmd.staff_user, command_id=cmd.id)
    else:
        event = conv.StaffReplied(
            **common,
            staff_user=cmd.staff_user,
            body=cmd.body,
            command_id=cmd.id,
            draft_id=cmd.draft_id,
            draft_edited=cmd.draft_edited,
        )
    for _attempt in range(CONFLICT_RETRIES * 2):
        loaded = await _between_turns(cmd.tenant_id, cmd.conversation_id, ports)
        if cmd.id in loaded.state.staff_commands:
            return []
        try:
            await ports.store.append(loaded, [event])
        except AppendConflict:
            continue
        log.info("agent.staff.recorded", action=event.type, conversation_id=cmd.conversation_id)
        return []
    raise AppendConflict(f"staff command {cmd.id} kept conflicting")
