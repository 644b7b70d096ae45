"""Staff accounts for tests: create one in the escalation schema and sign an HTTP client in."""

from __future__ import annotations

import asyncpg
import httpx
from argon2 import PasswordHasher

from services.escalation import accounts
from services.escalation.accounts import StaffUser
from shared.db import create_pool

PASSWORD = "correct horse battery"

# Cheap Argon2id parameters for in-process services under test (production keeps the library's
# defaults; every hash records its own parameters, so verification is unchanged).
accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))


async def create_staff(
    pool: asyncpg.Pool,
    tenant_id: str,
    *,
    email: str | None = None,
    name: str = "Maria",
    role: str = "staff",
    password: str = PASSWORD,
) -> StaffUser:
    """A staff account (email defaults to <name>@<spa>.example)."""
    async with pool.acquire() as conn:
        return await accounts.create_user(
            conn,
            tenant_id=tenant_id,
            email=email or f"{name.lower()}@{tenant_id}.example",
            display_name=name,
            role=role,
            password=password,
            created_by="test",
        )


async def create_accounts(database_url: str, people: list[tuple[str, tuple[str, str], str, str]]) -> None:
    """Accounts in a running system's escalation schema: (spa, (email, password), role, display name)."""
    pool = await create_pool(database_url, min_size=1, max_size=1, schema="escalation")
    try:
        for tenant_id, (email, password), role, name in people:
            await create_staff(pool, tenant_id, email=email, name=name, role=role, password=password)
    finally:
        await pool.close()


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign the client in as a browser does (the session cookie stays in its jar).

    Returns the headers every change needs: the session's CSRF token.
    """
    response = await client.post("/api/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


async def session_token(base_url: str, email: str, password: str = PASSWORD) -> str:
    """Sign in over HTTP and return the session token, for `Authorization: Bearer` use by a program."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post("/api/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return response.cookies["frontdesk_session"]


async def staff_session_for_system(database_url: str, inbox_url: str, tenant_id: str) -> str:
    """An account in a running system's escalation schema, signed in: its session token."""
    pool = await create_pool(database_url, min_size=1, max_size=1, schema="escalation")
    try:
        user = await create_staff(pool, tenant_id, name="Tester")
    finally:
        await pool.close()
    return await session_token(inbox_url, user.email)
