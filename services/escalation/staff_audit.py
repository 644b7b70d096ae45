"""The audit record of a staff action taken outside a conversation (accounts, calendar, bookings)."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.escalation.accounts import StaffUser
from services.escalation.handlers import Ports, client_ref_of
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
    """One audit record naming the staff member's user id; `arguments` hold ids only, never PII.

    With a conversation, the record carries its client's reference, so a compliance query by the
    client's phone finds it.
    """
    ref = await client_ref_of(conn, ports, user.tenant_id, conversation_id)
    await record_audit(
        conn,
        ports.topology,
        AuditRecorded(
            tenant_id=user.tenant_id,
            actor=ports.actor(str(user.user_id), conversation_id, ref),
            action=action,
            arguments=arguments,
        ),
    )
