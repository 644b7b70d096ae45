"""Clients, their packages and memberships, and the packages the spa sells."""

from __future__ import annotations

from uuid import UUID, uuid4

import asyncpg

from services.scheduler.model import Client, ClientPackage, Membership, PackageOffering


async def lookup_or_create_client(
    conn: asyncpg.Connection, spa_id: str, phone: str, name: str | None, ref: str
) -> Client:
    """The client with this number at this spa, created if new (`is_new`); a missing name is filled."""
    row = await conn.fetchrow(
        "INSERT INTO clients (id, spa_id, phone, ref, first_name) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (spa_id, phone) DO NOTHING RETURNING id, first_name, ref",
        uuid4(),
        spa_id,
        phone,
        ref,
        name,
    )
    if row is not None:
        return Client(row["id"], row["first_name"], row["ref"], is_new=True)
    row = await conn.fetchrow(
        "SELECT id, first_name, ref FROM clients WHERE spa_id = $1 AND phone = $2", spa_id, phone
    )
    if name and row is not None and not row["first_name"]:
        row = await conn.fetchrow(
            "UPDATE clients SET first_name = $2 WHERE id = $1 RETURNING id, first_name, ref", row["id"], name
        )
    assert row is not None
    return Client(row["id"], row["first_name"], row["ref"])


async def client_by_phone(conn: asyncpg.Connection, spa_id: str, phone: str) -> UUID | None:
    """The id of the spa's client with this number (None when the number is not a client's)."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT id FROM clients WHERE spa_id = $1 AND phone = $2", spa_id, phone
    )


async def client_ref_of(conn: asyncpg.Connection, spa_id: str, client_id: UUID) -> str | None:
    """The client's keyed reference (None when not a client of this spa)."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT ref FROM clients WHERE id = $1 AND spa_id = $2", client_id, spa_id
    )


async def client_packages(conn: asyncpg.Connection, client_id: UUID) -> list[ClientPackage]:
    """The client's packages with sessions left, with what each covers (by name)."""
    rows = await conn.fetch(
        "SELECT cp.id, o.name, o.service_id, cp.sessions_remaining FROM client_packages cp "
        "JOIN package_offerings o ON o.id = cp.offering_id "
        "WHERE cp.client_id = $1 AND cp.sessions_remaining > 0 ORDER BY o.name",
        client_id,
    )
    return [ClientPackage(r["id"], r["name"], r["service_id"], r["sessions_remaining"]) for r in rows]


async def client_membership(conn: asyncpg.Connection, client_id: UUID) -> Membership | None:
    """The client's membership tier, if any."""
    row = await conn.fetchrow(
        "SELECT m.name, m.discount_percent, m.covered_service_ids FROM client_memberships cm "
        "JOIN memberships m ON m.id = cm.membership_id WHERE cm.client_id = $1 AND m.active",
        client_id,
    )
    if row is None:
        return None
    return Membership(row["name"], row["discount_percent"], tuple(row["covered_service_ids"]))


async def package_offers(conn: asyncpg.Connection, spa_id: str, service_id: UUID) -> list[PackageOffering]:
    """Packages the spa sells for a service."""
    rows = await conn.fetch(
        "SELECT name, sessions, price_cents FROM package_offerings "
        "WHERE spa_id = $1 AND service_id = $2 AND active ORDER BY sessions",
        spa_id,
        service_id,
    )
    return [PackageOffering(r["name"], r["sessions"], r["price_cents"]) for r in rows]
