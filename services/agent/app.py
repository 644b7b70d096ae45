"""The agent's wiring: JetStream consumers for texts and staff commands, the HTTP health routes."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any

import structlog
from fastapi import FastAPI
from faststream.nats import NatsBroker
from pydantic import ValidationError

from shared.bus import (
    Delivery,
    Unprocessable,
    current_message,
    durable_subscriber,
    jetstream,
    make_broker,
    publish_event,
)
from shared.contracts.escalation import PauseAi, ReplyModeSet, ResumeAi, StaffReply
from shared.contracts.sms import SmsReceived
from shared.reply_mode import ReplyModes
from shared.runtime import ServiceContext, ServiceSpec, build_context, run_service
from shared.subjects import Topology

from .brain import Brain
from .deterministic import DeterministicBrain
from .handlers import (
    AgentPorts,
    Outgoing,
    StaffCommand,
    handle_inbound,
    handle_staff_command,
    record_failed_turn,
)
from .settings import AgentSettings
from .store import ConversationStore
from .tools import ToolRefused, ToolUnavailable

log = structlog.get_logger()

INBOUND_DURABLE = "agent-inbound"
STAFF_DURABLE = "agent-staff"


def make_brain(settings: AgentSettings) -> Brain:
    """The configured brain (the deterministic one needs no key and carries the whole flow).

    AGENT_BRAIN=claude builds the model route's client here, so a misconfigured route fails at
    start-up (ModelRouteError), not at the first text.
    """
    if settings.brain == "claude":
        from .claude.factory import claude_brain  # the SDK is imported only when a model is used

        return claude_brain(settings)
    return DeterministicBrain()


@dataclass
class AgentRuntime:
    """What the subscribers reach at call time; filled in once the broker is connected."""

    settings: AgentSettings = field(default_factory=AgentSettings)
    ports: AgentPorts | None = None

    def require(self) -> AgentPorts:
        """The ports, or a clear error when a message arrives before start-up finished."""
        if self.ports is None:
            raise RuntimeError("the agent is not started")
        return self.ports


async def publish_all(ports: AgentPorts, outgoing: list[Outgoing]) -> None:
    """Publish a turn's messages (acknowledged; the same msg ids make a repeat a no-op)."""
    js = jetstream(ports.broker)
    for out in outgoing:
        await publish_event(js, out.subject, out.message, msg_id=out.msg_id)


# The actions the escalation service publishes on Topology.staff(tenant, action), and their payloads.
STAFF_ACTIONS: dict[str, type[PauseAi] | type[ResumeAi] | type[StaffReply] | type[ReplyModeSet]] = {
    "pause": PauseAi,
    "resume": ResumeAi,
    "reply": StaffReply,
    "replies": ReplyModeSet,  # a spa's reply mode (draft or automatic), read when a turn replies
}


def _staff_command(subject: str, body: bytes) -> StaffCommand:
    action = subject.rsplit(".", 1)[-1]
    model = STAFF_ACTIONS.get(action)
    if model is None:
        raise ValueError(f"unknown staff action {action!r}")
    return model.model_validate_json(body)


def agent_delivery(settings: AgentSettings) -> Delivery:
    """The agent's retry policy: its own AGENT_* settings (a failed scheduler call waits, doubling)."""
    return Delivery(
        max_deliver=settings.max_deliver,
        ack_wait=settings.ack_wait_seconds,
        retry_first=settings.retry_delay_seconds,
        retry_max=max(30.0, settings.retry_delay_seconds),
    )


async def _after_failed_attempt(
    message: SmsReceived, seq: int, exc: Exception, delivered: int, max_deliver: int, ports: AgentPorts
) -> bool:
    """A turn's attempt failed: note a retry, or after the last attempt hand the text to staff.

    Returns True when that settles the text: the scheduler stayed away, the text is recorded and
    with staff, and one alert is enough. Anything else (a fault of the agent's own) is dead-lettered
    as well, so operators see it.
    """
    if delivered >= max_deliver:
        log.error("agent.turn.failed", conversation_id=message.conversation_id, attempts=delivered)
        # Handed to staff with the handoff text: the client is never left in silence.
        await publish_all(ports, await record_failed_turn(message, seq, ports=ports, cause=exc))
        return isinstance(exc, ToolUnavailable | ToolRefused)
    if isinstance(exc, ToolUnavailable | ToolRefused):
        # The scheduler is busy or briefly failing: tried again after a pause that grows.
        log.info(
            "agent.turn.retry",
            conversation_id=message.conversation_id,
            attempt=delivered,
            tool=getattr(exc, "tool", None),
            code=getattr(exc, "code", None),
        )
    return False


def register_bus(
    broker: NatsBroker,
    topology: Topology | None = None,
    runtime: AgentRuntime | None = None,
    *,
    delivery: Delivery | None = None,
) -> AgentRuntime:
    """Register the agent's consumers on a broker (also used to build the AsyncAPI document)."""
    topology = topology or Topology()
    runtime = runtime or AgentRuntime()
    settings = runtime.settings
    delivery = delivery or agent_delivery(settings)

    @durable_subscriber(
        broker,
        topology,
        service="agent",
        subject=topology.all_sms_inbound,
        stream=topology.stream_sms_inbound,
        durable=INBOUND_DURABLE,
        delivery=replace(delivery, batch_size=settings.max_workers, max_workers=settings.max_workers),
        title="agent-inbound",
    )
    async def on_sms_received(message: SmsReceived) -> None:
        """A client's text: one turn of its conversation, in order."""
        ports = runtime.require()
        msg = current_message(broker)
        meta = msg.raw_message.metadata
        seq, delivered = meta.sequence.stream, meta.num_delivered
        deadline = time.monotonic() + settings.order_wait_seconds
        pause = 0.005
        try:
            while True:
                result = await handle_inbound(message, seq, ports=ports)
                if result.outcome != "wait" or time.monotonic() >= deadline:
                    break
                # An earlier text of this conversation is being handled: it usually takes milliseconds.
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.1)
        except Exception as exc:
            if await _after_failed_attempt(message, seq, exc, delivered, delivery.max_deliver, ports):
                return
            raise
        if result.outcome == "wait":
            log.info("agent.turn.deferred", conversation_id=message.conversation_id, detail=result.detail)
            await msg.nack(delay=settings.order_nak_delay_seconds)
            return
        await publish_all(ports, result.outgoing)

    # no_reply: these are JetStream publishes; an answer from here would reach the publisher before
    # the stream's acknowledgement and break its publish.
    @broker.subscriber(topology.staff("*", "replies"), title="agent-reply-modes", no_reply=True)
    async def on_reply_mode(change: ReplyModeSet) -> None:
        """A spa's reply mode changed: every replica hears it (a plain subscription, no queue)."""
        ports = runtime.ports
        if ports is not None and ports.reply_modes is not None:
            ports.reply_modes.heard(change)

    @durable_subscriber(
        broker,
        topology,
        service="agent",
        subject=topology.all_staff,
        stream=topology.stream_escalations,
        durable=STAFF_DURABLE,
        # One command at a time, in stream order, across every replica: a pause and a resume
        # pressed in quick succession must land in the conversation in the order staff pressed them.
        # Staff commands are rare (people clicking), so one in flight is plenty.
        delivery=replace(delivery, batch_size=1, max_workers=1, max_ack_pending=1),
        title="agent-staff",
    )
    async def on_staff_command(body: Any) -> None:
        """Staff paused, resumed or replied on a conversation: recorded in its stream."""
        ports = runtime.require()
        msg = current_message(broker)
        try:
            command = _staff_command(msg.raw_message.subject, msg.body)
        except (ValidationError, ValueError) as exc:
            # A malformed command can never succeed: dead-lettered at once, not retried. Only the
            # field names go to the log: a validation error's text repeats the input (a number, a
            # reply's body).
            fields = (
                [".".join(map(str, e["loc"])) for e in exc.errors()]
                if isinstance(exc, ValidationError)
                else []
            )
            log.error(
                "agent.staff.invalid",
                subject=msg.raw_message.subject,
                fields=fields,
                error=type(exc).__name__,
            )
            raise Unprocessable(type(exc).__name__) from None
        await publish_all(ports, await handle_staff_command(command, ports=ports))

    return runtime


def build(settings: AgentSettings) -> tuple[ServiceSpec, ServiceContext]:
    """The agent's service spec and context (no database: the conversation log is JetStream)."""
    # FastStream's lines go through the shared logging setup, which keeps an exception's type and
    # place but never its text (shared.logging.LibraryExceptions).
    broker = make_broker(settings.nats_url, name=f"agent-{settings.instance_id}")
    http = FastAPI(title="frontdesk agent", version="1.0.0")
    runtime = AgentRuntime(settings=settings)
    topology = Topology(settings.subject_prefix)
    register_bus(broker, topology, runtime)

    async def start(ctx: ServiceContext) -> None:
        runtime.ports = AgentPorts(
            store=ConversationStore(jetstream(broker), topology, cache_size=settings.cache_size),
            broker=broker,
            topology=topology,
            brain=make_brain(settings),
            tool_timeout=settings.request_timeout_seconds,
            instance=settings.instance_id,
            hold_ttl_seconds=settings.hold_ttl_seconds,
            reply_modes=ReplyModes(jetstream(broker), topology),
        )
        ctx.extras["runtime"] = runtime

    spec = ServiceSpec(name="agent", http_port=settings.http_port, on_start=[start])
    ctx = build_context(spec, settings, broker, http)
    return spec, ctx


def run(settings: AgentSettings) -> None:
    """Run the agent until SIGTERM."""
    spec, ctx = build(settings)
    run_service(spec, ctx)
