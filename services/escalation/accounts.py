"""Staff accounts: a spa's people, their role, their password (Argon2) and their invitations.

An account belongs to one spa and signs in with its email address. Owners invite and disable the
spa's staff; an invited account has no password until its invitation link is used.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("staff", "owner")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
INVITE_DAYS = 7

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")
_NAME = re.compile(r"^[\w .'-]{1,64}$")


class _Hashing:
    """The Argon2id hasher in use (RFC 9106 low-memory defaults) and a decoy hash made with it."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher

    @functools.cached_property
    def decoy(self) -> str:
        """A hash of nothing anyone knows: an unknown email costs the same time as a wrong password."""
        return self.hasher.hash(secrets.token_urlsafe(16))


_hashing = _Hashing(PasswordHasher())


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash new passwords with other parameters (tests use cheap ones); a stored hash names its own."""
    _hashing.hasher = hasher
    _hashing.__dict__.pop("decoy", None)


class AccountError(ValueError):
    """Account input that is not acceptable, with the reason in words staff understand."""


@dataclass(frozen=True)
class StaffUser:
    """A signed-in (or listed) staff member; `user_id` is what audit records name."""

    user_id: UUID
    tenant_id: str
    email: str
    display_name: str
    role: str
    active: bool = True
    has_password: bool = True

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def check_email(value: str) -> str:
    """An email address as stored: trimmed and lower case."""
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError("email must look like name@example.com")
    return email


def check_name(value: str) -> str:
    """A display name: 1-64 letters, digits, spaces or .'-"""
    name = value.strip()
    if not _NAME.match(name):
        raise AccountError("name must be 1-64 letters, digits, spaces or .'-")
    return name


def check_role(value: str) -> str:
    """One of ROLES."""
    if value not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    return value


def check_password(value: str) -> str:
    """A new password: long enough to resist guessing, short enough to hash quickly."""
    if not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise AccountError(f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters")
    return value


def hash_password(password: str) -> str:
    """The Argon2id hash of a password checked by `check_password`."""
    return _hashing.hasher.hash(check_password(password))


def password_matches(stored: str | None, password: str) -> bool:
    """Whether a password matches a stored hash (a missing hash never matches, in the same time)."""
    try:
        return _hashing.hasher.verify(stored or _hashing.decoy, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def user_from_row(row: asyncpg.Record) -> StaffUser:
    return StaffUser(
        user_id=row["user_id"],
        tenant_id=row["tenant_id"],
        email=row["email"],
        display_name=row["display_name"],
        role=row["role"],
        active=row["disabled_at"] is None,
        has_password=row["password_hash"] is not None,
    )


async def create_user(
    conn: asyncpg.Connection,
    *,
    tenant_id: str,
    email: str,
    display_name: str,
    role: str,
    password: str | None,
    created_by: str,
) -> StaffUser:
    """A new account; without a password it can only sign in after accepting an invitation."""
    email, name, role = check_email(email), check_name(display_name), check_role(role)
    hashed = hash_password(password) if password is not None else None
    row = await conn.fetchrow(
        "INSERT INTO staff_users (user_id, tenant_id, email, display_name, role, password_hash, created_by)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING RETURNING *",
        uuid4(),
        tenant_id,
        email,
        name,
        role,
        hashed,
        created_by,
    )
    if row is None:
        raise AccountError("an account with this email already exists")
    return user_from_row(row)


async def find_by_email(conn: asyncpg.Connection, email: str) -> tuple[StaffUser, str | None] | None:
    """An account and its password hash, by email (any case)."""
    row = await conn.fetchrow("SELECT * FROM staff_users WHERE email = $1", email.strip().lower())
    return (user_from_row(row), row["password_hash"]) if row else None


async def list_users(conn: asyncpg.Connection, tenant_id: str) -> list[StaffUser]:
    """A spa's accounts, by name."""
    rows = await conn.fetch(
        "SELECT * FROM staff_users WHERE tenant_id = $1 ORDER BY display_name, email", tenant_id
    )
    return [user_from_row(r) for r in rows]


async def names(conn: asyncpg.Connection, tenant_id: str) -> dict[str, str]:
    """User id (as audit records hold it) → display name, for a spa."""
    rows = await conn.fetch("SELECT user_id, display_name FROM staff_users WHERE tenant_id = $1", tenant_id)
    return {str(r["user_id"]): r["display_name"] for r in rows}


async def set_active(conn: asyncpg.Connection, tenant_id: str, user_id: UUID, active: bool) -> StaffUser:
    """Disable (signing out every session) or re-enable one of a spa's accounts."""
    row = await conn.fetchrow(
        "UPDATE staff_users SET disabled_at = CASE WHEN $3 THEN NULL ELSE coalesce(disabled_at, now()) END"
        " WHERE tenant_id = $1 AND user_id = $2 RETURNING *",
        tenant_id,
        user_id,
        active,
    )
    if row is None:
        raise LookupError("no such account at this spa")
    if not active:
        await conn.execute("DELETE FROM staff_sessions WHERE user_id = $1", user_id)
    return user_from_row(row)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create_invite(conn: asyncpg.Connection, user_id: UUID, now: datetime | None = None) -> str:
    """A one-time invitation token for an account (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    expires = (now or datetime.now(UTC)) + timedelta(days=INVITE_DAYS)
    await conn.execute("DELETE FROM staff_invites WHERE user_id = $1", user_id)
    await conn.execute(
        "INSERT INTO staff_invites (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        _digest(token),
        user_id,
        expires,
    )
    return token


async def accept_invite(conn: asyncpg.Connection, token: str, password: str) -> StaffUser:
    """Set the password of an invited account; the invitation is used up."""
    hashed = hash_password(password)
    row = await conn.fetchrow(
        "DELETE FROM staff_invites WHERE token_hash = $1 AND expires_at > now() RETURNING user_id",
        _digest(token),
    )
    if row is None:
        raise AccountError("this invitation link is not valid (used, expired or mistyped)")
    user = await conn.fetchrow(
        "UPDATE staff_users SET password_hash = $2 WHERE user_id = $1 AND disabled_at IS NULL RETURNING *",
        row["user_id"],
        hashed,
    )
    if user is None:
        raise AccountError("this account is disabled")
    return user_from_row(user)


async def ensure_dev_owners(conn: asyncpg.Connection, spa_ids: list[str], password: str) -> list[str]:
    """`make run`'s demo: an owner `owner@<spa id>` per spa whose password is this run's.

    A demo owner kept from an earlier run (same data directory) gets this run's password; an
    account of that email made any other way is left alone.
    """
    hashed = hash_password(password)
    made = []
    for spa_id in spa_ids:
        row = await conn.fetchrow(
            "INSERT INTO staff_users"
            " (user_id, tenant_id, email, display_name, role, password_hash, created_by)"
            " VALUES ($1, $2, $3, 'Demo owner', 'owner', $4, 'make-run')"
            " ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, disabled_at = NULL"
            " WHERE staff_users.created_by = 'make-run' RETURNING user_id",
            uuid4(),
            spa_id,
            f"owner@{spa_id}",
            hashed,
        )
        if row is not None:
            made.append(spa_id)
    return made
