"""The staff desk's calls to the scheduler: the calendar and booking operations, over NATS request/reply.

Every request names the staff member's user id as `actor.staff_user`; the scheduler audits each call
under it. A typed refusal (slot taken, not found, in the past...) becomes a `DeskRefused` with the
scheduler's own words, which the inbox shows to staff as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from nats.errors import Error as NatsError
from pydantic import BaseModel, ValidationError

from services.escalation.accounts import StaffUser
from shared.bus import ToolCallFailed, request_tool
from shared.contracts.desk import SCHEDULER_TOOLS
from shared.contracts.tools import Actor
from shared.subjects import Topology

if TYPE_CHECKING:
    from faststream.nats import NatsBroker

ResultT = TypeVar("ResultT", bound=BaseModel)

# How each refusal reads as an HTTP status.
STATUS_OF_ERROR = {
    "not_found": 404,
    "service_not_found": 404,
    "slot_taken": 409,
    "status_conflict": 409,
    "hold_expired": 409,
    "in_the_past": 422,
    "invalid_request": 422,
    "internal": 502,
}


class DeskRefused(Exception):
    """The scheduler refused (or did not answer) a desk request."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class SchedulerDesk:
    """Calls the scheduler's desk tools for one service instance."""

    def __init__(self, broker: NatsBroker, topology: Topology, instance: str, timeout: float) -> None:
        self._broker, self._topology = broker, topology
        self._instance, self._timeout = instance, timeout

    def actor(self, user: StaffUser, conversation_id: str | None = None) -> Actor:
        """The actor of a staff member's request (what the scheduler's audit record names)."""
        return Actor(
            service="escalation",
            instance=self._instance,
            conversation_id=conversation_id,
            staff_user=str(user.user_id),
        )

    async def call(
        self,
        name: str,
        user: StaffUser,
        *,
        conversation_id: str | None = None,
        client_id: UUID | None = None,
        **fields: Any,
    ) -> Any:
        """Call the tool `name` for the user's spa; returns its typed result or raises DeskRefused."""
        request_type, result_type = SCHEDULER_TOOLS[name]
        request = request_type(
            tenant_id=user.tenant_id,
            actor=self.actor(user, conversation_id),
            client_id=client_id,
            **fields,
        )
        try:
            reply = await request_tool(
                self._broker, self._topology, name, request, result_type, timeout=self._timeout
            )
        except (ToolCallFailed, NatsError, ValidationError) as exc:
            why = f"the scheduler did not answer ({type(exc).__name__})"
            raise DeskRefused("unavailable", why, 503) from None
        if not reply.ok or reply.result is None:
            code = reply.error.code if reply.error else "internal"
            message = reply.error.message if reply.error else "no result"
            raise DeskRefused(code, message, STATUS_OF_ERROR.get(code, 422))
        return reply.result
