"""The generated NATS permissions, proven on a real three-node cluster: each service user may do what
its code does (publish its events, the HELP reply, dead letters, audit records where audited, tool
requests and replies, its own consumers, advisories) and nothing else."""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import pytest
from faststream.nats import NatsUserPassword
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.js.api import AckPolicy, ConsumerConfig

from shared.bus import jetstream, make_broker, nats_client, update_consumers
from shared.deploy import StreamAdminSettings, create_streams
from shared.metrics import jetstream_refresh
from shared.nats_permissions import (
    ADMIN,
    SERVICES,
    Consumer,
    declared_subscriptions,
    inbox_prefix,
    password_variable,
)
from shared.subjects import MAX_DELIVERIES_ADVISORY_PREFIX, Topology
from tests.support.nats_cluster import NatsCluster

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

PERMISSIONS = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base" / "nats" / "permissions.conf"
TOPOLOGY = Topology()
PASSWORDS = {user: f"{user}-password" for user in (*SERVICES, ADMIN)}


@dataclass
class Login:
    """One user's connection and the permission violations the server reported to it."""

    user: str
    nc: NatsClient
    errors: list[str] = field(default_factory=list)

    async def settle(self) -> None:
        """Wait until the server has answered everything sent so far (its refusals come first)."""
        # nats-py writes its PING before the buffered publish: the second round trip follows it.
        await self.nc.flush(timeout=5)
        await self.nc.flush(timeout=5)

    async def refused(self, action: str, subject: str) -> bool:
        """Whether the server refused `action` ('publish'/'subscription') to subject."""
        await self.settle()
        return f'{action} to "{subject}"'.lower() in self.violations()

    def violations(self) -> str:
        """Every permission violation reported so far, lower-cased, one per line."""
        return "\n".join(e.lower() for e in self.errors if "permissions violation" in e.lower())


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsCluster]:
    """Three nats-servers with the committed, generated permissions."""
    env = {password_variable(user): password for user, password in PASSWORDS.items()}
    cluster = NatsCluster(tmp_path_factory.mktemp("nats-cluster"), include=PERMISSIONS, env=env).start()
    yield cluster
    cluster.stop()


async def _login(cluster: NatsCluster, user: str) -> Login:
    login = Login(user, None)  # type: ignore[arg-type]

    async def on_error(exc: Exception) -> None:
        login.errors.append(str(exc))

    login.nc = await nats.connect(
        cluster.urls,
        user=user,
        password=PASSWORDS[user],
        inbox_prefix=inbox_prefix(user),
        error_cb=on_error,
        max_reconnect_attempts=2,
    )
    return login


@pytest.fixture(scope="module")
async def logins(cluster: NatsCluster) -> AsyncIterator[dict[str, Login]]:
    """Every service user and the admin, connected; the admin has created every stream (R3)."""
    users = {user: await _login(cluster, user) for user in (*SERVICES, ADMIN)}
    admin = StreamAdminSettings(
        nats_url=",".join(cluster.urls), nats_admin_password=PASSWORDS[ADMIN], stream_replicas=3
    )
    # What `frontdesk deploy streams` does, at once: it waits itself while the new cluster elects
    # its JetStream leader (a few seconds).
    await create_streams(admin)
    yield users
    for login in users.values():
        await login.nc.close()


@pytest.fixture(autouse=True)
def _fresh_errors(request: pytest.FixtureRequest) -> None:
    """Each test sees only the violations its own actions caused."""
    if "logins" in request.fixturenames:
        for login in request.getfixturevalue("logins").values():
            login.errors.clear()


async def test_a_wrong_password_is_refused(cluster: NatsCluster) -> None:
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    with pytest.raises(Exception, match="Authorization Violation"):
        await asyncio.wait_for(
            nats.connect(
                cluster.urls[0],
                user="gateway",
                password="wrong",
                allow_reconnect=False,
                max_reconnect_attempts=0,
                error_cb=on_error,
            ),
            10,
        )


async def _start_service_bus(cluster: NatsCluster, service: str) -> list[str]:
    """Start the service's own register_bus on make_broker as its user; the violations it met."""
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc).lower())

    broker = make_broker(
        ",".join(cluster.urls),
        name=f"{service}-permissions",
        security=NatsUserPassword(service, PASSWORDS[service]),
        inbox_prefix=inbox_prefix(service),
        error_cb=on_error,
    )
    importlib.import_module(f"services.{service}.app").register_bus(broker, TOPOLOGY)
    await broker.connect()
    try:
        await update_consumers(jetstream(broker), broker)
        await broker.start()
        await asyncio.sleep(0.5)  # the first fetch of every pull consumer
        client = nats_client(broker)
        assert client is not None
        await client.flush(timeout=5)
        await client.flush(timeout=5)
    finally:
        await broker.stop()
    return [e for e in errors if "permissions violation" in e]


async def test_each_service_bus_starts_under_its_own_user(
    cluster: NatsCluster, logins: dict[str, Login]
) -> None:
    """The consumers and subscriptions exactly as each service declares them, through make_broker."""
    found = await asyncio.gather(*(_start_service_bus(cluster, service) for service in SERVICES))
    assert dict(zip(SERVICES, found, strict=True)) == {service: [] for service in SERVICES}
    js = logins[ADMIN].nc.jetstream()
    for service in SERVICES:
        for c in declared_subscriptions(service, TOPOLOGY)[0]:
            assert (await js.consumer_info(c.stream, c.durable)).name == c.durable


# (user, subject) each service's code publishes to a stream: acknowledged by JetStream.
STREAM_PUBLISHES = [
    ("gateway", TOPOLOGY.sms_inbound("spa1", "c1")),
    ("gateway", TOPOLOGY.sms_event("spa1", "status")),
    ("gateway", TOPOLOGY.sms_event("spa1", "optout")),
    ("gateway", TOPOLOGY.sms_outbound("spa1", "c1")),  # the HELP auto-reply
    ("gateway", TOPOLOGY.escalation("spa1", "raised")),  # send cap reached, CANCEL with bookings
    ("gateway", TOPOLOGY.deadletter("gateway")),
    ("gateway", TOPOLOGY.audit("spa1")),  # an admin's change of a spa's daily cap
    ("agent", TOPOLOGY.conversation("spa1", "c1")),
    ("agent", TOPOLOGY.sms_outbound("spa1", "c1")),
    ("agent", TOPOLOGY.escalation("spa1", "raised")),
    ("agent", TOPOLOGY.deadletter("agent")),
    ("scheduler", TOPOLOGY.audit("spa1")),
    ("scheduler", TOPOLOGY.deadletter("scheduler")),
    ("escalation", TOPOLOGY.sms_outbound("spa1", "c1")),  # the handoff text
    ("escalation", TOPOLOGY.staff("spa1", "pause")),
    ("escalation", TOPOLOGY.escalation("spa1", "resolved")),
    ("escalation", TOPOLOGY.audit("spa1")),
    ("escalation", TOPOLOGY.deadletter("escalation")),
    ("audit", TOPOLOGY.deadletter("audit")),  # a record that can never be stored
]


@pytest.mark.parametrize(("user", "subject"), STREAM_PUBLISHES, ids=[f"{u}:{s}" for u, s in STREAM_PUBLISHES])
async def test_service_publishes_what_its_code_publishes(
    logins: dict[str, Login], user: str, subject: str
) -> None:
    login = logins[user]
    ack = await login.nc.jetstream().publish(subject, json.dumps({"tenant_id": "spa1"}).encode(), timeout=5)
    assert ack.seq > 0
    assert not await login.refused("Publish", subject)


# (user, subject) a service must never publish to.
FORBIDDEN_PUBLISHES = [
    ("agent", TOPOLOGY.audit("spa1")),
    ("audit", TOPOLOGY.audit("spa1")),  # forging the log it keeps
    ("gateway", TOPOLOGY.conversation("spa1", "c1")),
    ("gateway", TOPOLOGY.staff("spa1", "resume")),
    ("agent", TOPOLOGY.staff("spa1", "resume")),
    ("agent", TOPOLOGY.sms_inbound("spa1", "c1")),
    ("agent", TOPOLOGY.escalation("spa1", "resolved")),
    ("scheduler", TOPOLOGY.sms_outbound("spa1", "c1")),
    ("audit", TOPOLOGY.sms_outbound("spa1", "c1")),
    ("gateway", TOPOLOGY.deadletter("audit")),
    ("agent", TOPOLOGY.tool("upcoming_bookings")),  # takes a phone number: the gateway's only
    ("gateway", TOPOLOGY.tool("confirm_booking")),
    ("audit", TOPOLOGY.tool("find_availability")),
    ("scheduler", "_INBOX_agent.stolen"),  # allow_responses covers replies, not any inbox
    # The JetStream API beyond its own streams and consumers.
    ("gateway", f"$JS.API.STREAM.PURGE.{TOPOLOGY.stream_audit.name}"),
    ("gateway", f"$JS.API.STREAM.DELETE.{TOPOLOGY.stream_audit.name}"),
    ("gateway", f"$JS.API.CONSUMER.DELETE.{TOPOLOGY.stream_audit.name}.audit-recorder"),
    ("gateway", f"$JS.API.STREAM.UPDATE.{TOPOLOGY.stream_audit.name}"),
    ("agent", f"$JS.API.STREAM.CREATE.{TOPOLOGY.stream_conversations.name}"),
    ("agent", f"$JS.API.STREAM.PURGE.{TOPOLOGY.stream_conversations.name}"),
    ("agent", f"$JS.API.STREAM.MSG.DELETE.{TOPOLOGY.stream_conversations.name}"),
    ("escalation", f"$JS.API.STREAM.DELETE.{TOPOLOGY.stream_escalations.name}"),
    ("audit", f"$JS.API.STREAM.PURGE.{TOPOLOGY.stream_audit.name}"),
    ("audit", f"$JS.API.CONSUMER.DELETE.{TOPOLOGY.stream_audit.name}.audit-recorder"),
    ("scheduler", f"$JS.API.STREAM.MSG.GET.{TOPOLOGY.stream_conversations.name}"),
    ("gateway", f"$JS.API.CONSUMER.CREATE.{TOPOLOGY.stream_audit.name}.spy"),
    ("gateway", f"$JS.API.CONSUMER.MSG.NEXT.{TOPOLOGY.stream_audit.name}.audit-recorder"),
    ("agent", "$JS.API.STREAM.LIST"),
    # Another service's consumer on a stream it reads too: taking or acknowledging its messages.
    ("escalation", f"$JS.API.CONSUMER.MSG.NEXT.{TOPOLOGY.stream_sms_inbound.name}.agent-inbound"),
    ("escalation", f"$JS.API.CONSUMER.DELETE.{TOPOLOGY.stream_sms_inbound.name}.agent-inbound"),
    ("agent", f"$JS.ACK.{TOPOLOGY.stream_audit.name}.audit-recorder.1.1.1.1.0"),
]


@pytest.mark.parametrize(
    ("user", "subject"), FORBIDDEN_PUBLISHES, ids=[f"{u}:{s}" for u, s in FORBIDDEN_PUBLISHES]
)
async def test_service_may_not_publish_outside_its_code(
    logins: dict[str, Login], user: str, subject: str
) -> None:
    login = logins[user]
    await login.nc.publish(subject, b"{}", reply=f"{inbox_prefix(user)}.x")
    assert await login.refused("Publish", subject)


FORBIDDEN_SUBSCRIBES = [
    ("gateway", "_INBOX.>"),  # the shared inbox of old: every service's replies
    ("gateway", "_INBOX_agent.>"),
    ("agent", "_INBOX_scheduler.>"),
    ("audit", TOPOLOGY.all_audit),  # core subscribers would bypass the durable consumer
    ("gateway", TOPOLOGY.tool("find_availability")),  # answering tools in the scheduler's place
    ("agent", f"{MAX_DELIVERIES_ADVISORY_PREFIX}.>"),
    ("scheduler", TOPOLOGY.all_sms_inbound),
]


@pytest.mark.parametrize(
    ("user", "subject"), FORBIDDEN_SUBSCRIBES, ids=[f"{u}:{s}" for u, s in FORBIDDEN_SUBSCRIBES]
)
async def test_service_may_not_listen_outside_its_code(
    logins: dict[str, Login], user: str, subject: str
) -> None:
    login = logins[user]
    sub = await login.nc.subscribe(subject)
    assert await login.refused("Subscription", subject)
    await sub.unsubscribe()


async def test_purge_attempt_leaves_the_audit_stream_whole(logins: dict[str, Login]) -> None:
    await logins["scheduler"].nc.jetstream().publish(TOPOLOGY.audit("spa1"), b"{}")
    gateway = logins["gateway"]
    await gateway.nc.publish(f"$JS.API.STREAM.PURGE.{TOPOLOGY.stream_audit.name}", b"")
    assert await gateway.refused("Publish", f"$JS.API.STREAM.PURGE.{TOPOLOGY.stream_audit.name}")
    info = await logins[ADMIN].nc.jetstream().stream_info(TOPOLOGY.stream_audit.name)
    assert info.state.messages >= 1


def _all_consumers() -> list[tuple[str, Consumer]]:
    return [(service, c) for service in SERVICES for c in declared_subscriptions(service, TOPOLOGY)[0]]


async def test_each_service_creates_and_pulls_its_own_consumers(logins: dict[str, Login]) -> None:
    consumers = _all_consumers()
    assert {s for s, _ in consumers} >= {"gateway", "agent", "escalation", "audit"}
    for service, c in consumers:
        login = logins[service]
        js = login.nc.jetstream()
        config = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=1, filter_subject=c.subject)
        sub = await js.pull_subscribe(c.subject, durable=c.durable, stream=c.stream, config=config)
        try:
            for msg in await sub.fetch(5, timeout=0.2):
                await msg.ack()
        except TimeoutError:
            pass  # nothing published on this subject yet: the pull itself is what is checked
        info = await js.consumer_info(c.stream, c.durable)
        assert info.name == c.durable
        await login.settle()
        assert not login.violations(), (service, c.durable)


async def _request(login: Login, subject: str) -> Msg:
    """A request, asked again while the responder's interest is still crossing the cluster's routes."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return await login.nc.request(subject, b"{}", timeout=5)
        except NoRespondersError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def test_tool_request_answered_by_the_scheduler_reaches_only_the_caller(
    logins: dict[str, Login],
) -> None:
    scheduler = logins["scheduler"]

    async def answer(msg: Msg) -> None:
        await msg.respond(b'{"ok": true}')

    subs = [
        await scheduler.nc.subscribe(TOPOLOGY.tool(name), "scheduler", cb=answer)
        for name in ("find_availability", "upcoming_bookings")
    ]
    await scheduler.nc.flush()
    try:
        reply = await _request(logins["agent"], TOPOLOGY.tool("find_availability"))
        assert json.loads(reply.data) == {"ok": True}
        assert reply.subject.startswith("_INBOX_agent.")
        reply = await _request(logins["gateway"], TOPOLOGY.tool("upcoming_bookings"))
        assert reply.subject.startswith("_INBOX_gateway.")
        assert not scheduler.violations()
    finally:
        for sub in subs:
            await sub.unsubscribe()


async def test_dead_letter_advisory_reaches_escalation_which_reads_the_spa(logins: dict[str, Login]) -> None:
    """A consumer gives up on a text: the server's advisory is kept in the dead-letter stream, the
    escalation service pulls it with its own consumer and reads the spa from the original message."""
    escalation, agent = logins["escalation"], logins["agent"]
    stream = TOPOLOGY.stream_sms_inbound.name
    ack = (
        await logins["gateway"]
        .nc.jetstream()
        .publish(TOPOLOGY.sms_inbound("spa7", "c9"), json.dumps({"tenant_id": "spa7"}).encode())
    )
    pull = await agent.nc.jetstream().pull_subscribe(
        TOPOLOGY.all_sms_inbound,
        durable="agent-inbound",
        stream=stream,
        config=ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT, max_deliver=1, filter_subject=TOPOLOGY.all_sms_inbound
        ),
    )
    consumers = declared_subscriptions("escalation", TOPOLOGY)[0]
    letters = [c for c in consumers if c.stream == TOPOLOGY.stream_deadletters.name]
    assert letters, "the escalation service consumes the dead-letter stream"
    dead = await escalation.nc.jetstream().pull_subscribe(
        letters[0].subject,
        durable=letters[0].durable,
        stream=letters[0].stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, filter_subject=letters[0].subject),
    )
    for _ in range(30):
        try:
            for msg in await pull.fetch(50, timeout=0.2):
                await msg.nak()
        except TimeoutError:
            pass
        try:
            found = await dead.fetch(50, timeout=0.2)
        except TimeoutError:
            continue
        advisories = [
            json.loads(m.data) for m in found if m.subject.startswith(MAX_DELIVERIES_ADVISORY_PREFIX)
        ]
        for m in found:
            await m.ack()
        if any(a.get("stream_seq") == ack.seq for a in advisories):
            break
    else:
        pytest.fail("no max-deliveries advisory for the message")
    stored = await escalation.nc.jetstream().get_msg(stream, ack.seq)
    assert json.loads(stored.data)["tenant_id"] == "spa7"
    assert not escalation.violations()


async def test_metrics_read_their_consumers_lag_without_violations(logins: dict[str, Login]) -> None:
    for service in SERVICES:
        login = logins[service]
        await jetstream_refresh(lambda nc=login.nc: nc, TOPOLOGY, service)()
        await login.settle()
        assert not login.violations(), service
