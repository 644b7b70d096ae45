"""The gateway's wiring: FastAPI routes, the outbound JetStream consumer, background tasks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import structlog
from fastapi import FastAPI
from faststream.nats import NatsBroker
from faststream.nats.annotations import NatsMessage

from services.gateway import handlers, inbound, webhooks
from services.gateway.handlers import BookingsLookup, Ports, SendInProgress
from services.gateway.providers import SimulatorProvider, SmsProvider, TwilioProvider
from services.gateway.settings import SEND_LANES, GatewaySettings
from services.gateway.spas import SpaDirectory, files_fingerprint, load_spas
from services.gateway.spool import InboundPublisher, Spool
from shared.bus import (
    Delivery,
    ToolCallFailed,
    current_message,
    durable_subscriber,
    jetstream,
    make_broker,
    nats_client,
    request_tool,
)
from shared.contracts.sms import ClientOptedIn, ClientOptedOut, SendSms
from shared.contracts.tools import Actor, UpcomingBookings, UpcomingBookingsFound
from shared.outbox import OutboxRelay
from shared.runtime import ServiceContext, ServiceSpec, build_context, run_service
from shared.subjects import Topology

log = structlog.get_logger()

NAME = "gateway"
SCHEMA = "gateway"
MIGRATIONS = Path(__file__).with_name("migrations")
OUTBOUND_DURABLE = "gateway-outbound"


def _not_started() -> Ports:
    raise RuntimeError("gateway not started")


def register_bus(
    broker: NatsBroker,
    topology: Topology | None = None,
    ports: Callable[[], Ports] = _not_started,
    *,
    delivery: Delivery = Delivery(),
    send_lanes: int = SEND_LANES,
    sends: bool = True,
) -> None:
    """Subscribe the outbound consumer (durable `gateway-outbound`; not with `sends=False`, the
    webhooks role) and the opt-out recorders.

    Called with only a broker it documents the subscriptions (AsyncAPI) under the default prefix.
    """
    topology = topology or Topology()
    if sends:
        _register_sends(broker, topology, ports, delivery, send_lanes)
    _register_opt_changes(broker, topology, ports, delivery)


def _register_sends(
    broker: NatsBroker, topology: Topology, ports: Callable[[], Ports], delivery: Delivery, send_lanes: int
) -> None:
    @durable_subscriber(
        broker,
        topology,
        service=NAME,
        subject=topology.all_sms_outbound,
        stream=topology.stream_sms_outbound,
        durable=OUTBOUND_DURABLE,
        # Per-client lanes: two replies to one conversation leave in the order the agent asked for
        # them, while other conversations' texts go out alongside. Long ack wait: a send may retry
        # with backoff on 429/5xx before it settles.
        delivery=replace(
            delivery, batch_size=send_lanes, in_order=True, ack_wait=max(delivery.ack_wait, 120)
        ),
    )
    async def send_requested(command: SendSms) -> None:
        message = current_message(broker)
        try:
            await handlers.send_sms(command, ports=ports())
        except SendInProgress:
            # Another delivery holds a fresh claim on the key: look again after it settles.
            await message.nack(delay=5)


def _register_opt_changes(
    broker: NatsBroker, topology: Topology, ports: Callable[[], Ports], delivery: Delivery
) -> None:
    def opt_subscriber(kind: str, durable: str):  # type: ignore[no-untyped-def]
        return durable_subscriber(
            broker,
            topology,
            service=NAME,
            subject=topology.sms_event("*", kind),
            stream=topology.stream_sms_events,
            durable=durable,
            delivery=replace(delivery, batch_size=50),
        )

    # The gateway records its own opt-out events again from the bus, so a change lands even if
    # the database was away when the keyword text arrived.
    @opt_subscriber("optout", "gateway-optouts")
    async def client_opted_out(event: ClientOptedOut) -> None:
        sid = _source_sid(current_message(broker))
        await inbound.opt_change_published(event, ports=ports(), message_sid=sid)

    @opt_subscriber("optin", "gateway-optins")
    async def client_opted_in(event: ClientOptedIn) -> None:
        sid = _source_sid(current_message(broker))
        await inbound.opt_change_published(event, ports=ports(), message_sid=sid)


def _source_sid(message: NatsMessage) -> str | None:
    """The MessageSid of the keyword text, from the event's message id (`optout:<sid>`)."""
    msg_id = (message.headers or {}).get("Nats-Msg-Id", "")
    _, _, sid = msg_id.partition(":")
    return sid or None


def bookings_lookup(broker: NatsBroker, topology: Topology, settings: GatewaySettings) -> BookingsLookup:
    """Ask the scheduler's `upcoming_bookings` tool, as the gateway, about the number a text came from."""

    async def upcoming(
        tenant: str, phone: str, conversation: str, correlation: UUID
    ) -> UpcomingBookingsFound:
        request = UpcomingBookings(
            tenant_id=tenant,
            correlation_id=correlation,
            actor=Actor(service=NAME, instance=settings.instance_id, conversation_id=conversation),
            phone=phone,
        )
        reply = await request_tool(
            broker,
            topology,
            "upcoming_bookings",
            request,
            UpcomingBookingsFound,
            timeout=settings.request_timeout_seconds,
        )
        if not reply.ok or reply.result is None:
            raise ToolCallFailed(reply.error.code if reply.error else "no result")
        return reply.result

    return upcoming


def make_provider(settings: GatewaySettings, ctx: ServiceContext) -> SmsProvider:
    """Twilio when configured (or asked for), the simulator otherwise."""
    if settings.provider == "twilio":
        return TwilioProvider(
            settings.twilio_api_base_url,
            timeout=settings.send_timeout_seconds,
            status_callback_base=settings.public_base_url,
        )
    assert ctx.pool is not None
    return SimulatorProvider(ctx.pool)


async def _release_loop(ports: Ports, settings: GatewaySettings) -> None:
    """Texts waiting for the cap go out when the spa's day rolls over or the cap is raised.

    Checked every RELEASE_INTERVAL_SECONDS, and at once when staff raise the cap. An edited spa
    file (a new `daily_send_cap`, numbers, help text) is reloaded here too; a file that no longer
    parses is logged and the spas as they were stay in force.
    """
    seen = files_fingerprint(settings.spa_files)
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ports.release_wake.wait(), settings.release_interval_seconds)
        ports.release_wake.clear()
        current = files_fingerprint(settings.spa_files)
        if current != seen:
            seen = current
            try:
                ports.spas = _load(settings)
            except Exception as exc:  # a half-edited file must not stop the gateway
                log.error("spas.reload_failed", error=type(exc).__name__, detail=str(exc)[:300])
        try:
            await handlers.release_waiting(ports)
        except Exception as exc:  # the database may be away for a moment; the texts stay waiting
            log.warning("send_cap.release_failed", error=type(exc).__name__)


def _load(settings: GatewaySettings) -> SpaDirectory:
    return load_spas(
        settings.spa_files,
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        settings.twilio_auth_token_previous.get_secret_value(),
    )


def build(settings: GatewaySettings) -> tuple[ServiceSpec, ServiceContext]:
    """The gateway, not yet started: start with shared.runtime.start_context (or run())."""
    broker = make_broker(settings.nats_url, name=f"{NAME}-{settings.instance_id}")
    http = FastAPI(title="frontdesk gateway", version="1")
    # Texts are taken (and spooled to disk) while NATS is down: the gateway starts without it.
    spec = ServiceSpec(
        name=NAME,
        http_port=settings.gateway_http_port,
        schema=SCHEMA,
        migrations=MIGRATIONS,
        start_without_bus=True,
        # Only transaction-scoped locks and settings: a pooled connection holds no session state.
        pool_session_reset=False,
    )
    ctx = build_context(spec, settings, broker, http)
    holder: dict[str, Ports] = {}

    def ports() -> Ports:
        if "ports" not in holder:
            raise RuntimeError("gateway not started")
        return holder["ports"]

    settings.check_role()
    if settings.takes_webhooks:
        webhooks.install(http, settings, ports)
    register_bus(
        broker,
        ctx.topology,
        ports,
        delivery=settings.delivery(),
        send_lanes=settings.send_lanes,
        sends=settings.sends,
    )

    async def on_start(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        spas = _load(settings)
        publisher = InboundPublisher(
            lambda: nats_client(broker), Spool(settings.spool_dir), timeout=settings.publish_timeout_seconds
        )
        p = Ports(
            pool=ctx.pool,
            topology=ctx.topology,
            spas=spas,
            provider=make_provider(settings, ctx),
            publisher=publisher,
            relay=None,  # joins with the bus (on_bus): texts are taken and spooled before that
            id_key=settings.id_hash_key.get_secret_value(),
            max_reply_chars=settings.max_reply_chars,
            send_attempts=settings.send_attempts,
            send_backoff=settings.send_backoff_seconds,
            stale_sending=timedelta(seconds=settings.stale_sending_seconds),
            retry_first=settings.send_retry_seconds,
            retry_max=settings.send_retry_max_seconds,
            retry_window=timedelta(seconds=settings.send_retry_window_seconds),
            bookings=bookings_lookup(broker, ctx.topology, settings),
        )
        holder["ports"] = p
        ctx.extras["ports"] = p
        publisher.start()
        if settings.sends:
            release = _release_loop(p, settings)
            ctx.extras["release_task"] = asyncio.create_task(release, name="gateway-release")
        log.info("gateway.ready", provider=p.provider.name, spas=len(spas), role=settings.gateway_role)

    async def on_bus(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        p = ports()
        p.relay = OutboxRelay(ctx.pool, jetstream(broker))
        p.relay.start()
        p.publisher.wake()
        log.info("gateway.bus_joined", spooled=len(p.publisher.spool))

    async def on_stop(ctx: ServiceContext) -> None:
        task = ctx.extras.get("release_task")
        if isinstance(task, asyncio.Task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        p = holder.get("ports")
        if p is not None:
            if p.tasks:
                # Follow-ups of texts already answered (a bare CANCEL's booking check) finish first.
                await asyncio.wait(p.tasks, timeout=settings.request_timeout_seconds + 1)
            await p.publisher.stop()
            if p.relay is not None:
                await p.relay.stop()
            await p.provider.close()

    spec.on_start.append(on_start)
    spec.on_bus.append(on_bus)
    spec.on_stop.append(on_stop)
    return spec, ctx


def run(settings: GatewaySettings) -> None:
    """Run the gateway until SIGTERM."""
    spec, ctx = build(settings)
    run_service(spec, ctx)
