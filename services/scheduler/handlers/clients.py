"""Clients: found by their number, created from their first text."""

from __future__ import annotations

import asyncpg

from services.scheduler import repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.handlers.ports import Ports, Served
from shared.contracts.tools import ClientRecord, LookupOrCreateClient
from shared.ids import client_ref


async def lookup_or_create_client(
    req: LookupOrCreateClient, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """The client with this number, created from their first text when new."""
    ref = client_ref(ports.id_hash_key, spa.id, req.phone)
    client = await repo.lookup_or_create_client(conn, spa.id, req.phone, req.name, ref)
    result = ClientRecord(client_id=client.id, first_name=client.first_name, is_new=client.is_new)
    summary = {"client_id": str(client.id), "is_new": client.is_new}
    return Served(result, summary, client_id=client.id, client_ref=ref)
