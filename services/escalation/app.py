"""The only wiring of the escalation service: bus subscribers, the inbox HTTP app, background tasks."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI, HTTPException
from faststream.nats import NatsBroker

from services.escalation import accounts, handlers, readmodel
from services.escalation.calendar import calendar_router
from services.escalation.conversation_bookings import conversation_bookings_router
from services.escalation.drafts import drafts_router, publish_modes
from services.escalation.handlers import Ports
from services.escalation.inbox import inbox_router
from services.escalation.live import LiveHub
from services.escalation.notifiers import AlertDispatcher
from services.escalation.paging import Pager, paging_router
from services.escalation.scheduler_desk import SchedulerDesk
from services.escalation.sessions import Throttle
from services.escalation.settings import EscalationSettings
from services.escalation.signin import Gate
from services.escalation.spas import Spa, load_spas
from shared.bus import (
    DeadLetter,
    Delivery,
    current_message,
    durable_subscriber,
    jetstream,
    make_broker,
    read_dead_letter,
)
from shared.contracts.escalation import EscalationRaised, EscalationResolved
from shared.contracts.sms import SendSms, SmsReceived
from shared.outbox import OutboxRelay
from shared.runtime import ServiceContext, ServiceSpec, build_context, run_service
from shared.subjects import MAX_DELIVERIES_ADVISORY_PREFIX, WHOLE_STREAM, StreamSpec, Topology

log = structlog.get_logger()

MIGRATIONS = Path(__file__).parent / "migrations"
DEADLETTER_DURABLE = "escalation-deadletters"


class EscalationService:
    """What the running service holds; `ports` exists between start and stop."""

    def __init__(self, settings: EscalationSettings, topology: Topology, spas: dict[str, Spa]) -> None:
        self.settings = settings
        self.topology = topology
        self.spas = spas
        self._ports: Ports | None = None
        self.relay: OutboxRelay | None = None
        self.dispatcher: AlertDispatcher | None = None
        self.pager: Pager | None = None
        self._hub: LiveHub | None = None

    @property
    def ports(self) -> Ports:
        """The handlers' ports; 503 to a request that arrives before start."""
        if self._ports is None:
            raise HTTPException(503, "the escalation service is starting")
        return self._ports

    @property
    def hub(self) -> LiveHub:
        """The live update hub."""
        if self._hub is None:
            raise HTTPException(503, "the escalation service is starting")
        return self._hub

    async def start(self, ctx: ServiceContext) -> None:
        """Start the outbox relay, the alert dispatcher and live updates (before the consumers)."""
        assert ctx.pool is not None
        self.relay = OutboxRelay(ctx.pool, jetstream(ctx.broker))
        self.dispatcher = AlertDispatcher(ctx.pool, self.spas, self.settings)
        self.pager = Pager(lambda: self.ports, self.settings.notifier_poll_seconds)
        self._hub = LiveHub(self.settings.database_url)
        await self._hub.start()
        self._ports = Ports(
            pool=ctx.pool,
            topology=self.topology,
            settings=self.settings,
            spas=self.spas,
            after_commit=[self.relay.kick, self.dispatcher.kick, self.pager.kick],
        )
        self.relay.start()
        self.dispatcher.start()
        self.pager.start()
        await publish_modes(self._ports, jetstream(ctx.broker))  # each spa's reply mode, for the agent
        await self._dev_owners(ctx.pool)

    async def _dev_owners(self, pool: Any) -> None:
        password = self.settings.inbox_dev_owner_password.get_secret_value()
        if password:
            async with pool.acquire() as conn:
                made = await accounts.ensure_dev_owners(conn, list(self.spas), password)
            log.info("inbox.dev_owners", spas=made)

    async def stop(self, _ctx: ServiceContext) -> None:
        """Stop background work; pending outbox rows are published first."""
        if self._hub:
            await self._hub.stop()
        if self.pager:
            await self.pager.stop()
        if self.dispatcher:
            await self.dispatcher.stop()
        if self.relay:
            await self.relay.stop()

    async def dead_letter(self, letter: DeadLetter, body: bytes, broker: NatsBroker) -> None:
        """A message one of this system's consumers gave up on → a dead_letter escalation."""
        if not letter.stream.startswith(f"{self.topology.prefix.upper()}_"):
            return  # another system (or test) sharing the server
        tenant = await self._tenant_of(broker, letter, body)
        await handlers.record_dead_letter(
            tenant_id=tenant,
            stream=letter.stream,
            consumer=letter.consumer,
            stream_seq=letter.stream_seq,
            deliveries=letter.deliveries,
            ports=self.ports,
            cause=letter.reason,
        )

    async def _tenant_of(self, broker: NatsBroker, letter: DeadLetter, body: bytes) -> str:
        # Only the spa id is read from the dead message; nothing of its content is kept. A parked
        # letter carries the message; for an advisory it is read back from its stream.
        try:
            if not body:
                body = (await jetstream(broker).get_msg(letter.stream, letter.stream_seq)).data or b""
            tenant = json.loads(body or b"{}").get("tenant_id")
            if isinstance(tenant, str) and tenant:
                return tenant
        except Exception as exc:
            log.warning("deadletter.tenant_unknown", stream=letter.stream, error=type(exc).__name__)
        return next(iter(self.spas), "system")


def register_bus(
    broker: NatsBroker,
    topology: Topology | None = None,
    service: EscalationService | None = None,
    *,
    delivery: Delivery = Delivery(),
) -> None:
    """Register every subscriber (also used, without a service, to document the bus in AsyncAPI)."""
    topology = topology or Topology()
    fetched = replace(delivery, batch_size=20)

    def _durable(
        subject: str, stream: StreamSpec, durable: str, *, description: str, in_order: bool = False
    ) -> Any:
        return durable_subscriber(
            broker,
            topology,
            service="escalation",
            subject=subject,
            stream=stream,
            durable=durable,
            delivery=replace(fetched, in_order=in_order),
            title=durable,
            description=description,
        )

    def ports() -> Ports:
        if service is None:
            raise RuntimeError("registered for documentation only")
        return service.ports

    @_durable(
        topology.escalation("*", "raised"),
        topology.stream_escalations,
        handlers.RAISED,
        description="store, hand off to the client, alert staff on every notifier",
    )
    async def on_escalation_raised(event: EscalationRaised) -> None:
        await handlers.raise_escalation(event, ports=ports())

    @_durable(
        topology.escalation("*", "resolved"),
        topology.stream_escalations,
        handlers.RESOLVED,
        description="close the escalation in the inbox",
    )
    async def on_escalation_resolved(event: EscalationResolved) -> None:
        await handlers.record_resolved(event, ports=ports())

    @_durable(
        topology.all_sms_inbound,
        topology.stream_sms_inbound,
        readmodel.SMS_INBOUND,
        description="clients' texts in the inbox",
        in_order=True,
    )
    async def on_sms_received(message: SmsReceived) -> None:
        await readmodel.record_inbound(message, ports=ports())

    @_durable(
        topology.all_sms_outbound,
        topology.stream_sms_outbound,
        readmodel.SMS_OUTBOUND,
        description="the spa's texts, as queued",
        in_order=True,
    )
    async def on_send_sms(command: SendSms) -> None:
        await readmodel.record_outbound_request(command, ports=ports())

    @_durable(
        topology.all_sms_events,
        topology.stream_sms_events,
        readmodel.SMS_EVENTS,
        description="sent, failed, deferred and delivery status of the spa's texts",
    )
    async def on_sms_event(body: dict[str, Any]) -> None:
        msg = current_message(broker)
        kind = msg.raw_message.subject.rsplit(".", 1)[-1]
        await readmodel.record_sms_event(kind, body, ports=ports())

    @_durable(
        topology.all_conversations,
        topology.stream_conversations,
        readmodel.CONVERSATIONS,
        description="bookings the agent made (recovered revenue) and AI pause state",
        # A pause then a resume, or a name then its redelivery, must land in the stream's order.
        in_order=True,
    )
    async def on_conversation_event(body: Any) -> None:
        if not isinstance(body, dict):
            return  # not an event this service reads
        parts = current_message(broker).raw_message.subject.split(".")
        tenant_id, conversation_id = parts[-2], parts[-1]
        await readmodel.record_conversation_event(tenant_id, conversation_id, body, ports=ports())

    _register_dead_letters(broker, topology, service, delivery)


def _register_dead_letters(
    broker: NatsBroker, topology: Topology, service: EscalationService | None, delivery: Delivery
) -> None:
    """The dead-letter stream's one consumer: every letter becomes a dead_letter escalation."""

    @durable_subscriber(
        broker,
        topology,
        service="escalation",
        # Every subject of the stream: parked letters and the captured advisories.
        subject=WHOLE_STREAM,
        stream=topology.stream_deadletters,
        durable=DEADLETTER_DURABLE,
        # A dead letter has nowhere further to go: it is retried until staff have it.
        delivery=replace(delivery, max_deliver=-1, batch_size=20),
        title=DEADLETTER_DURABLE,
        description="messages a consumer gave up on (parked, or the server's max-deliveries advisory), "
        "shown to staff as dead_letter escalations",
    )
    async def on_dead_letter(body: Any) -> None:
        if service is None:
            raise RuntimeError("registered for documentation only")
        raw = current_message(broker).raw_message
        letter = read_dead_letter(raw)
        body = b"" if raw.subject.startswith(MAX_DELIVERIES_ADVISORY_PREFIX) else raw.data
        await service.dead_letter(letter, body, broker)


def _check_dev_owner(settings: EscalationSettings) -> None:
    if not settings.inbox_dev_owner_password.get_secret_value():
        return
    host = settings.http_host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"INBOX_DEV_OWNER_PASSWORD is for `make run` on this machine; the inbox would listen on {host}: "
            "create accounts with `frontdesk staff create-user` instead"
        )


def build(settings: EscalationSettings) -> tuple[ServiceSpec, ServiceContext]:
    """The service, ready to start: its spec and context, subscribers and routes registered."""
    _check_dev_owner(settings)
    spas = load_spas(settings.spa_files)
    broker = make_broker(settings.nats_url, name=f"escalation-{settings.instance_id}")
    http = FastAPI(
        title="frontdesk staff inbox",
        version="1.0.0",
        description="Conversations, escalations and staff actions for the spa's team.",
    )
    topology = Topology(settings.subject_prefix)
    service = EscalationService(settings, topology, spas)
    spec = ServiceSpec(
        name="escalation",
        http_port=settings.inbox_http_port,
        schema="escalation",
        migrations=MIGRATIONS,
        on_start=[service.start],
        on_stop=[service.stop],
        # Live updates LISTEN on a connection of their own; pooled ones hold no session state.
        pool_session_reset=False,
    )
    ctx = build_context(spec, settings, broker, http)
    ctx.extras["service"] = service
    register_bus(broker, topology, service, delivery=settings.delivery())
    gate = Gate(
        lambda: service.ports,
        secure_cookies=settings.secure_cookies(),
        session_hours=settings.inbox_session_hours,
        throttle=Throttle(settings.inbox_login_max_failures, settings.inbox_login_window_seconds),
    )
    http.include_router(inbox_router(lambda: service.ports, lambda: service.hub, gate=gate, sse_seconds=60.0))
    desk = SchedulerDesk(broker, topology, settings.instance_id, settings.scheduler_timeout_seconds)
    http.include_router(calendar_router(lambda: service.ports, lambda: desk, gate))
    http.include_router(conversation_bookings_router(lambda: service.ports, lambda: desk, gate))
    http.include_router(drafts_router(lambda: service.ports, gate))
    http.include_router(paging_router(lambda: service.ports, gate))
    return spec, ctx


def run(settings: EscalationSettings | None = None) -> None:
    """Run the service until SIGTERM."""
    spec, ctx = build(settings or EscalationSettings())
    run_service(spec, ctx)
