"""Subject and stream names: the only place they are spelled.

Every name is built from a prefix (``SUBJECT_PREFIX``, default ``frontdesk``) so several systems, or
several tests, can share one server. A subject never carries a phone number, a name or message
text: only the spa's id and opaque ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

# Suffixes; handlers use Topology, never these strings directly.
SMS_INBOUND = "sms.inbound"
SMS_OUTBOUND = "sms.outbound"
SMS_EVENTS = "sms.events"
CONVERSATION = "conv"
ESCALATION = "escalation"
STAFF = "staff"
AUDIT = "audit"
TOOL = "tool"
DEADLETTER = "deadletter"
# JetStream's own subject for "a consumer gave up on a message after max_deliver deliveries".
MAX_DELIVERIES_ADVISORY_PREFIX = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES"


# A consumer's filter that takes every subject of its stream (the dead-letter stream's several kinds).
WHOLE_STREAM = ">"


def message_get(api_prefix: str, stream: str) -> str:
    """JetStream's API subject for reading one stored message of a stream (`api_prefix`: "$JS.API",
    or a domain's)."""
    return f"{api_prefix}.STREAM.MSG.GET.{stream}"


@dataclass(frozen=True)
class StreamSpec:
    """A JetStream stream this system owns."""

    name: str
    subjects: tuple[str, ...]
    max_age: timedelta
    duplicate_window: timedelta = timedelta(minutes=2)
    max_msgs_per_subject: int = -1

    def config(self, replicas: int = 1) -> StreamConfig:
        """The nats-py StreamConfig for this stream (file storage)."""
        return StreamConfig(
            name=self.name,
            subjects=list(self.subjects),
            storage=StorageType.FILE,
            retention=RetentionPolicy.LIMITS,
            discard=DiscardPolicy.OLD,
            max_age=self.max_age.total_seconds(),
            duplicate_window=self.duplicate_window.total_seconds(),
            max_msgs_per_subject=self.max_msgs_per_subject,
            num_replicas=replicas,
        )


@dataclass(frozen=True)
class Topology:
    """Every subject and stream of one frontdesk system, under one prefix."""

    prefix: str = "frontdesk"

    # ---- subjects ----
    def sms_inbound(self, tenant_id: str, conversation_id: str) -> str:
        """Where the gateway publishes SmsReceived."""
        return f"{self.prefix}.{SMS_INBOUND}.{tenant_id}.{conversation_id}"

    def sms_outbound(self, tenant_id: str, conversation_id: str) -> str:
        """Where SendSms commands go for the gateway."""
        return f"{self.prefix}.{SMS_OUTBOUND}.{tenant_id}.{conversation_id}"

    def sms_event(self, tenant_id: str, kind: str) -> str:
        """Outbound results and carrier status: kind is sent, failed, deferred, status, optout, optin."""
        return f"{self.prefix}.{SMS_EVENTS}.{tenant_id}.{kind}"

    def conversation(self, tenant_id: str, conversation_id: str) -> str:
        """One conversation's event stream subject."""
        return f"{self.prefix}.{CONVERSATION}.{tenant_id}.{conversation_id}"

    def escalation(self, tenant_id: str, kind: str = "raised") -> str:
        """EscalationRaised and EscalationResolved."""
        return f"{self.prefix}.{ESCALATION}.{tenant_id}.{kind}"

    def staff(self, tenant_id: str, action: str) -> str:
        """Staff commands to the agent: pause, resume, reply."""
        return f"{self.prefix}.{STAFF}.{tenant_id}.{action}"

    def audit(self, tenant_id: str) -> str:
        """AuditRecorded."""
        return f"{self.prefix}.{AUDIT}.{tenant_id}"

    def tool(self, name: str) -> str:
        """Request/reply subject of a scheduler tool (core NATS, not a stream)."""
        return f"{self.prefix}.{TOOL}.{name}"

    def deadletter(self, service: str) -> str:
        """Where a service parks a message it could not handle after its attempts."""
        return f"{self.prefix}.{DEADLETTER}.{service}"

    # ---- wildcards for consumers ----
    @property
    def all_sms_inbound(self) -> str:
        return f"{self.prefix}.{SMS_INBOUND}.>"

    @property
    def all_sms_outbound(self) -> str:
        return f"{self.prefix}.{SMS_OUTBOUND}.>"

    @property
    def all_sms_events(self) -> str:
        return f"{self.prefix}.{SMS_EVENTS}.>"

    @property
    def all_conversations(self) -> str:
        return f"{self.prefix}.{CONVERSATION}.>"

    @property
    def all_escalations(self) -> str:
        return f"{self.prefix}.{ESCALATION}.>"

    @property
    def all_staff(self) -> str:
        return f"{self.prefix}.{STAFF}.>"

    @property
    def all_audit(self) -> str:
        return f"{self.prefix}.{AUDIT}.>"

    @property
    def all_deadletters(self) -> str:
        return f"{self.prefix}.{DEADLETTER}.>"

    # ---- streams ----
    def _stream(self, name: str) -> str:
        return f"{self.prefix.upper()}_{name}"

    @property
    def stream_sms_inbound(self) -> StreamSpec:
        # Long dedupe window: a retried webhook (same MessageSid) is one message.
        return StreamSpec(
            self._stream("SMS_INBOUND"),
            (self.all_sms_inbound,),
            timedelta(days=30),
            duplicate_window=timedelta(hours=2),
        )

    @property
    def stream_sms_outbound(self) -> StreamSpec:
        return StreamSpec(
            self._stream("SMS_OUTBOUND"),
            (self.all_sms_outbound,),
            timedelta(days=30),
            duplicate_window=timedelta(hours=2),
        )

    @property
    def stream_sms_events(self) -> StreamSpec:
        return StreamSpec(
            self._stream("SMS_EVENTS"),
            (self.all_sms_events,),
            timedelta(days=30),
            duplicate_window=timedelta(hours=2),
        )

    @property
    def stream_conversations(self) -> StreamSpec:
        return StreamSpec(
            self._stream("CONVERSATIONS"),
            (self.all_conversations,),
            timedelta(days=365),
            duplicate_window=timedelta(hours=2),
        )

    @property
    def stream_escalations(self) -> StreamSpec:
        return StreamSpec(
            self._stream("ESCALATIONS"),
            (self.all_escalations, self.all_staff),
            timedelta(days=365),
            duplicate_window=timedelta(hours=2),
        )

    @property
    def stream_audit(self) -> StreamSpec:
        return StreamSpec(
            self._stream("AUDIT"),
            (self.all_audit,),
            timedelta(days=30),
            duplicate_window=timedelta(hours=2),
        )

    def max_deliveries_advisory(self, stream: str) -> str:
        """JetStream's advisory subject for any consumer of `stream` that exhausted a message."""
        return f"{MAX_DELIVERIES_ADVISORY_PREFIX}.{stream}.*"

    @property
    def stream_deadletters(self) -> StreamSpec:
        # The server's max-deliveries advisories are captured here too: kept, not lost while no
        # escalation replica listens.
        advisories = tuple(self.max_deliveries_advisory(s.name) for s in self._work_streams())
        return StreamSpec(
            self._stream("DEADLETTERS"), (self.all_deadletters, *advisories), timedelta(days=90)
        )

    def _work_streams(self) -> list[StreamSpec]:
        return [
            self.stream_sms_inbound,
            self.stream_sms_outbound,
            self.stream_sms_events,
            self.stream_conversations,
            self.stream_escalations,
            self.stream_audit,
        ]

    def streams(self) -> list[StreamSpec]:
        """Every stream, created idempotently at start-up by each service."""
        return [*self._work_streams(), self.stream_deadletters]

    # ---- what each service does on the bus (the NATS permissions are generated from this) ----
    def service_bus(self) -> dict[str, ServiceBus]:
        """Per service: what it publishes, which tools it calls, which streams it reads by sequence.

        Consumers and core subscriptions are not listed here: each service's `register_bus`
        declares them, and `shared.nats_permissions` reads them from there.
        """
        from shared.contracts import desk  # the contracts are heavier than this module's users need

        return {
            "gateway": ServiceBus(
                # The HELP auto-reply is a SendSms on the outbound stream, like any reply.
                publishes=(
                    self.all_sms_inbound,
                    self.all_sms_events,
                    self.all_sms_outbound,
                    self.escalation("*", "raised"),
                    self.audit("*"),  # an admin's change of a spa's daily cap
                    self.deadletter("gateway"),
                ),
                calls=("upcoming_bookings",),
            ),
            "agent": ServiceBus(
                publishes=(
                    self.all_conversations,
                    self.all_sms_outbound,
                    self.escalation("*", "raised"),
                    self.deadletter("agent"),
                ),
                calls=AGENT_TOOLS,
                # ESCALATIONS: a spa's reply mode, the last ReplyModeSet on staff.<spa>.replies.
                reads=(
                    self.stream_conversations.name,
                    self.stream_sms_inbound.name,
                    self.stream_escalations.name,
                ),
            ),
            "scheduler": ServiceBus(
                publishes=(self.audit("*"), self.deadletter("scheduler")),
                answers_requests=True,
            ),
            "escalation": ServiceBus(
                publishes=(
                    self.all_sms_outbound,
                    self.all_staff,
                    self.escalation("*", "resolved"),
                    self.audit("*"),
                    self.deadletter("escalation"),
                ),
                calls=tuple(desk.DESK_TOOLS),  # the staff desk's, in the inbox
                # A dead letter's spa is read from the message the consumer gave up on.
                reads=tuple(s.name for s in self.streams()),
            ),
            # The audit service never publishes an audit record: it only stores what others send.
            "audit": ServiceBus(publishes=(self.deadletter("audit"),)),
        }


# Scheduler tools by caller (the tool name is its subject suffix, see Topology.tool).
AGENT_TOOLS = (
    "match_service",
    "find_availability",
    "find_availability_by_week",
    "hold_slots",
    "confirm_booking",
    "release_holds",
    "client_benefits",
    "lookup_or_create_client",
    "spa_profile",
)


@dataclass(frozen=True)
class ServiceBus:
    """What one service sends on the bus and reads by sequence, beyond its declared consumers."""

    publishes: tuple[str, ...]
    calls: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    answers_requests: bool = False
