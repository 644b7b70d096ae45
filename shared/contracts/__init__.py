"""Message contracts: every message on the bus is one of these pydantic models."""

from shared.contracts.envelope import Command, Envelope, Event, InboundPayload, TenantId

__all__ = ["Command", "Envelope", "Event", "InboundPayload", "TenantId"]
