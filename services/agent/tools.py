"""The tool layer: every scheduler call of a conversation goes through here.

The client a tool acts on is bound from the conversation (the number that texted, and the client id
the scheduler returned for it), never from what the client wrote or what a brain proposed: a text
that names another client's number or name cannot reach that client's account.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

import structlog
from pydantic import BaseModel

from shared import metrics
from shared.bus import ToolCallFailed, request_tool
from shared.contracts.tools import (
    Actor,
    AvailabilityFound,
    BookingRecord,
    ClientBenefits,
    ClientRecord,
    ConfirmBooking,
    FindAvailability,
    FindAvailabilityByWeek,
    GetClientBenefits,
    GetSpaProfile,
    HoldSlots,
    HoldsReleased,
    LookupOrCreateClient,
    MatchService,
    ReleaseHolds,
    ServiceMatches,
    SlotOption,
    SlotsHeld,
    SpaProfile,
    TimePreference,
    ToolError,
    ToolRequest,
    WeeklyAvailability,
)
from shared.subjects import Topology

if TYPE_CHECKING:  # the broker is only a handle passed to shared.bus: no FastStream API here
    from faststream.nats import NatsBroker

log = structlog.get_logger()

ResultT = TypeVar("ResultT", bound=BaseModel)

# The spa's public profile (name, time zone, address) changes rarely and is not PHI: cache it briefly.
_PROFILE_TTL_SECONDS = 60.0
_profiles: dict[tuple[str, str], tuple[float, SpaProfile]] = {}


class ToolUnavailable(Exception):
    """The scheduler did not answer (timeout, no responder): the turn is retried later."""


class ToolRefused(Exception):
    """The scheduler answered with a typed error (slot_taken, hold_expired, ...)."""

    def __init__(self, tool: str, error: ToolError) -> None:
        super().__init__(f"{tool}: {error.code}: {error.message}")
        self.tool = tool
        self.code = error.code
        self.error = error


class ClientNotBound(Exception):
    """A client tool was called before the conversation's client was identified."""


@dataclass
class ConversationTools:
    """Scheduler tools for one conversation, with the client bound from the conversation."""

    broker: NatsBroker
    topology: Topology
    tenant_id: str
    conversation_id: str
    client_number: str
    timeout: float
    instance: str = ""
    client_id: UUID | None = None
    calls: list[str] = field(default_factory=list)

    @property
    def _actor(self) -> Actor:
        return Actor(service="agent", instance=self.instance, conversation_id=self.conversation_id)

    def _bound_client(self) -> UUID:
        if self.client_id is None:
            raise ClientNotBound("the conversation's client is not identified yet")
        return self.client_id

    async def _call(self, name: str, request: ToolRequest, result_type: type[ResultT]) -> ResultT:
        self.calls.append(name)
        started = time.perf_counter()
        try:
            reply = await request_tool(
                self.broker, self.topology, name, request, result_type, timeout=self.timeout
            )
        except ToolCallFailed as exc:
            metrics.tool_called(name, "unavailable", started)
            log.warning("agent.tool.unavailable", tool=name, conversation_id=self.conversation_id)
            raise ToolUnavailable(str(exc)) from exc
        except Exception as exc:  # no responders, connection closed: the same to us
            metrics.tool_called(name, "unavailable", started)
            log.warning("agent.tool.unavailable", tool=name, error=type(exc).__name__)
            raise ToolUnavailable(f"{name}: {type(exc).__name__}") from exc
        metrics.tool_called(name, "ok" if reply.ok else "refused", started)
        log.debug(
            "agent.tool.called", tool=name, ok=reply.ok, ms=round((time.perf_counter() - started) * 1000, 1)
        )
        if not reply.ok:
            assert reply.error is not None
            raise ToolRefused(name, reply.error)
        assert reply.result is not None
        return reply.result

    def _base(self) -> dict[str, object]:
        return {"tenant_id": self.tenant_id, "actor": self._actor}

    async def identify(self, name: str | None = None) -> ClientRecord:
        """Find or create the client of this conversation's own number, and bind them."""
        record = await self._call(
            "lookup_or_create_client",
            LookupOrCreateClient(**self._base(), phone=self.client_number, name=name),  # type: ignore[arg-type]
            ClientRecord,
        )
        self.client_id = record.client_id
        return record

    async def match_service(self, text: str, limit: int = 3) -> ServiceMatches:
        """Rank catalog services for the client's words."""
        return await self._call(
            "match_service",
            MatchService(**self._base(), text=text[:1600], limit=limit),  # type: ignore[arg-type]
            ServiceMatches,
        )

    async def find_availability(
        self,
        service_id: UUID,
        preference: TimePreference,
        limit: int = 3,
        *,
        provider_id: UUID | None = None,
        after: datetime | None = None,
        exclude_starts: Sequence[datetime] = (),
        ruled_out: Sequence[UUID] = (),
    ) -> AvailabilityFound:
        """Open slots with qualified providers for a service and preference (only `provider_id`'s, only
        after `after`, none of `exclude_starts` nor the `ruled_out` providers' when given)."""
        return await self._call(
            "find_availability",
            FindAvailability(
                **self._base(),  # type: ignore[arg-type]
                client_id=self.client_id,
                service_id=service_id,
                preference=preference,
                limit=limit,
                provider_id=provider_id,
                after=after,
                exclude_starts=list(exclude_starts)[-20:],
                exclude_provider_ids=list(ruled_out),
            ),
            AvailabilityFound,
        )

    async def find_availability_by_week(
        self,
        service_id: UUID,
        preferences: Sequence[TimePreference],
        limit: int = 3,
        *,
        provider_id: UUID | None = None,
        exclude_starts: Sequence[datetime] = (),
        ruled_out: Sequence[UUID] = (),
    ) -> list[AvailabilityFound]:
        """The same search on several sets of days (a full Monday, then the Mondays after it) in one
        call: one answer per set, in order, on those days only."""
        found = await self._call(
            "find_availability_by_week",
            FindAvailabilityByWeek(
                **self._base(),  # type: ignore[arg-type]
                client_id=self.client_id,
                service_id=service_id,
                preferences=list(preferences),
                limit=limit,
                provider_id=provider_id,
                exclude_starts=list(exclude_starts)[-20:],
                exclude_provider_ids=list(ruled_out),
            ),
            WeeklyAvailability,
        )
        return found.weeks

    async def hold(self, options: Sequence[SlotOption], ttl_seconds: int | None = None) -> SlotsHeld:
        """Hold the offered options for this conversation's client."""
        return await self._call(
            "hold_slots",
            HoldSlots(
                **self._base(),  # type: ignore[arg-type]
                client_id=self._bound_client(),
                options=list(options),
                ttl_seconds=ttl_seconds,
            ),
            SlotsHeld,
        )

    async def confirm(self, hold_id: UUID) -> BookingRecord:
        """Book a held option for this conversation's client."""
        return await self._call(
            "confirm_booking",
            ConfirmBooking(**self._base(), client_id=self._bound_client(), hold_id=hold_id),  # type: ignore[arg-type]
            BookingRecord,
        )

    async def release(self, hold_ids: Sequence[UUID]) -> int:
        """Release holds the client did not choose; a failure only leaves them to expire."""
        if not hold_ids:
            return 0
        try:
            result = await self._call(
                "release_holds",
                ReleaseHolds(**self._base(), client_id=self.client_id, hold_ids=list(hold_ids)),  # type: ignore[arg-type]
                HoldsReleased,
            )
        except (ToolUnavailable, ToolRefused):
            log.info("agent.holds.left_to_expire", count=len(hold_ids))
            return 0
        return result.released

    async def benefits(self, service_id: UUID | None) -> ClientBenefits:
        """This conversation's client's packages and membership, and the spa's offers."""
        return await self._call(
            "client_benefits",
            GetClientBenefits(**self._base(), client_id=self._bound_client(), service_id=service_id),  # type: ignore[arg-type]
            ClientBenefits,
        )

    async def spa_profile(self) -> SpaProfile:
        """The spa's public settings (cached for a minute: they are not PHI and change rarely)."""
        key = (self.topology.prefix, self.tenant_id)
        cached = _profiles.get(key)
        if cached and time.monotonic() - cached[0] < _PROFILE_TTL_SECONDS:
            return cached[1]
        profile = await self._call("spa_profile", GetSpaProfile(**self._base()), SpaProfile)  # type: ignore[arg-type]
        _profiles[key] = (time.monotonic(), profile)
        return profile
