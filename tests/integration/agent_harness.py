"""Runs the real scheduler and one or more agent replicas in-process, and plays a client's phone.

Texts go in as SmsReceived on SMS_INBOUND (what the gateway publishes); replies are awaited as
SendSms on SMS_OUTBOUND and escalations on ESCALATIONS, all on a real nats-server; the scheduler
serves from a real PostgreSQL loaded with the demo spa.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from services.agent.app import build as build_agent
from services.agent.settings import AgentSettings
from shared.bus import ensure_streams, publish_event
from shared.contracts.conversation import AnyConversationEvent, parse_conversation_event
from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import SendSms, SmsReceived
from shared.ids import conversation_id
from shared.runtime import ServiceContext, ServiceSpec, start_context, stop_context
from shared.subjects import Topology

ROOT = Path(__file__).resolve().parents[2]
DEMO_SPA = ROOT / "spas" / "demo-spa.yaml"
TENANT = "glow-medspa"
SPA_NUMBER = "+14155550199"
KEY = "frontdesk-local-development-key"


class Phone:
    """Texts from the clients and what came back, keyed by conversation."""

    def __init__(self, nc: NatsClient, topology: Topology) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.topology = topology
        self.replies: dict[str, asyncio.Queue[SendSms]] = defaultdict(asyncio.Queue)
        self.escalations: asyncio.Queue[EscalationRaised] = asyncio.Queue()
        self._subs: list[Any] = []
        self._sid = 0

    async def start(self) -> None:
        """Listen to outbound texts and escalations."""

        async def on_out(msg: Msg) -> None:
            sms = SendSms.model_validate_json(msg.data)
            await self.replies[sms.conversation_id].put(sms)

        async def on_esc(msg: Msg) -> None:
            data = json.loads(msg.data)
            if "category" in data:
                await self.escalations.put(EscalationRaised.model_validate(data))

        self._subs.append(await self.nc.subscribe(self.topology.all_sms_outbound, cb=on_out))
        self._subs.append(await self.nc.subscribe(self.topology.all_escalations, cb=on_esc))

    def conversation(self, number: str) -> str:
        """The conversation id the gateway derives for a client number."""
        return conversation_id(KEY, TENANT, number)

    async def text(self, number: str, body: str, *, keyword: str | None = None) -> SmsReceived:
        """A client's text, as the gateway publishes it."""
        self._sid += 1
        sms = SmsReceived(
            tenant_id=TENANT,
            message_sid=f"SM{self._sid:032d}",
            conversation_id=self.conversation(number),
            from_number=number,
            to_number=SPA_NUMBER,
            body=body,
            keyword=keyword,  # type: ignore[arg-type]
        )
        await self.publish(sms)
        return sms

    async def publish(self, sms: SmsReceived, msg_id: str | None = None) -> None:
        """Publish an SmsReceived (msg id = its MessageSid, like the gateway)."""
        subject = self.topology.sms_inbound(sms.tenant_id, sms.conversation_id)
        await publish_event(self.js, subject, sms, msg_id=msg_id or sms.message_sid)

    async def reply(self, number: str, timeout: float = 10.0) -> SendSms:
        """The next text the agent sent to this number."""
        return await asyncio.wait_for(self.replies[self.conversation(number)].get(), timeout)

    async def say(self, number: str, body: str, timeout: float = 10.0) -> str:
        """Text and wait for the reply's body."""
        await self.text(number, body)
        return (await self.reply(number, timeout)).body

    async def escalation(self, timeout: float = 10.0) -> EscalationRaised:
        """The next escalation raised."""
        return await asyncio.wait_for(self.escalations.get(), timeout)

    async def events(self, number: str) -> list[AnyConversationEvent]:
        """Every event of the number's conversation, in stream order."""
        subject = self.topology.conversation(TENANT, self.conversation(number))
        stream = self.topology.stream_conversations.name
        out: list[AnyConversationEvent] = []
        seq = 0
        while True:
            try:
                msg = await self.js.get_msg(stream, seq=seq + 1, subject=subject, next=True)
            except nats.js.errors.NotFoundError:
                return out
            out.append(parse_conversation_event(msg.data or b""))
            seq = int(msg.seq or 0)

    async def wait_for_turns(
        self, number: str, count: int, timeout: float = 10.0
    ) -> list[AnyConversationEvent]:
        """Poll the conversation until `count` turns are complete (the log is the truth)."""
        async with asyncio.timeout(timeout):
            while True:
                events = await self.events(number)
                if sum(1 for e in events if e.type == "turn_completed") >= count:
                    return events
                await asyncio.sleep(0.02)

    async def outbound_count(self, number: str) -> int:
        """How many messages SMS_OUTBOUND holds for the number's conversation."""
        subject = self.topology.sms_outbound(TENANT, self.conversation(number))
        info = await self.js.stream_info(self.topology.stream_sms_outbound.name, subjects_filter=subject)
        return sum((info.state.subjects or {}).values())

    async def stop(self) -> None:
        """Stop listening."""
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()


class System:
    """The scheduler and N agent replicas, in-process, on the test's servers and subject prefix."""

    def __init__(self, nats_url: str, database_url: str, topology: Topology) -> None:
        self.nats_url = nats_url
        self.database_url = database_url
        self.topology = topology
        self.services: list[tuple[ServiceSpec, ServiceContext]] = []

    async def start(self, *, replicas: int = 1, **agent_settings: Any) -> None:
        """Start the scheduler (demo spa loaded), then the agents."""
        await self.start_scheduler()
        for _ in range(replicas):
            await self.add_agent(**agent_settings)

    async def start_scheduler(self) -> None:
        """Start the scheduler and load the demo spa."""
        from services.scheduler.app import build as build_scheduler
        from services.scheduler.loading import load_files
        from services.scheduler.settings import SchedulerSettings

        common = {
            "nats_url": self.nats_url,
            "database_url": self.database_url,
            "subject_prefix": self.topology.prefix,
        }
        spec, ctx = build_scheduler(SchedulerSettings(**common, db_pool_max=4))  # type: ignore[arg-type]
        await start_context(spec, ctx)
        self.services.append((spec, ctx))
        await load_files(self.database_url, [DEMO_SPA], KEY)

    async def add_agent(self, **agent_settings: Any) -> None:
        """Start one more agent replica (after the scheduler)."""
        settings = AgentSettings(
            nats_url=self.nats_url,
            database_url=self.database_url,
            subject_prefix=self.topology.prefix,
            instance_id=f"agent-{len(self.services)}",
            **agent_settings,
        )
        a_spec, a_ctx = build_agent(settings)
        await start_context(a_spec, a_ctx)
        self.services.append((a_spec, a_ctx))

    async def stop_agents(self) -> None:
        """Stop the agent replicas only (the scheduler keeps serving), as if they had died."""
        for spec, ctx in [sc for sc in self.services if sc[0].name == "agent"]:
            self.services.remove((spec, ctx))
            await stop_context(spec, ctx)

    async def stop(self) -> None:
        """Stop every service, agents first."""
        for spec, ctx in reversed(self.services):
            await stop_context(spec, ctx)


async def ensure(nc: NatsClient, topology: Topology) -> None:
    """The streams exist before the phone listens (services also create them)."""
    await ensure_streams(nc.jetstream(), topology)
