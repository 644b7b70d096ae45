"""The audit record of a staff action taken outside a conversation (accounts, calendar, bookings)."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.escalation.accounts import StaffUser
from services.escalation.handlers import Ports
from shared.audit import record as record_audit
from shared.contracts.audit import AuditRecorded


async def record(
    conn: asyncpg.Connection,
    ports: Ports,
    user: StaffUser,
    action: str,
    arguments: dict[str, Any],
    *,
    conversation_id: str | None = None,
) -> None:
    """One audit record naming the staff member's user id; `arguments` hold ids only, never PII."""
    await record_audit(
        conn,
        ports.topology,
        AuditRecorded(
            tenant_id=user.tenant_id,
            actor=ports.actor(str(user.user_id), conversation_id),
            action=action,
            arguments=arguments,
        ),
    )
