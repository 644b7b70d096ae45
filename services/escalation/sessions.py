"""Server-side sign-in sessions and login throttling, both kept in PostgreSQL.

The browser holds a random session token (an HttpOnly cookie); the database holds its SHA-256, the
account and a CSRF token the page sends back on every change. Failed sign-ins are counted per
account and address; too many within the window refuse that pair until the window ends.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from services.escalation.accounts import StaffUser, user_from_row


@dataclass(frozen=True)
class Session:
    """A signed-in staff member and the CSRF token of their session."""

    user: StaffUser
    csrf_token: str


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def start(conn: asyncpg.Connection, user: StaffUser, hours: float) -> tuple[str, Session]:
    """A new session for an account: its token (for the cookie) and the session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await conn.execute(
        "INSERT INTO staff_sessions (session_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        _digest(token),
        user.user_id,
        csrf,
        datetime.now(UTC) + timedelta(hours=hours),
    )
    # Expired sessions of anyone are swept now and then, on sign-in.
    await conn.execute("DELETE FROM staff_sessions WHERE expires_at < now()")
    return token, Session(user, csrf)


async def load(conn: asyncpg.Connection, token: str) -> Session | None:
    """The live session of a token: not expired, its account not disabled."""
    if not token or len(token) > 200:
        return None
    row = await conn.fetchrow(
        "SELECT u.*, s.csrf_token FROM staff_sessions s JOIN staff_users u USING (user_id)"
        " WHERE s.session_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL",
        _digest(token),
    )
    return Session(user_from_row(row), row["csrf_token"]) if row else None


async def end(conn: asyncpg.Connection, token: str) -> None:
    """Sign out: the session is gone."""
    await conn.execute("DELETE FROM staff_sessions WHERE session_hash = $1", _digest(token))


@dataclass(frozen=True)
class Throttle:
    """At most `max_failures` failed sign-ins per account and address within `window_seconds`."""

    max_failures: int
    window_seconds: float

    async def refused(self, conn: asyncpg.Connection, email: str, address: str) -> bool:
        """Whether this account+address pair has used up its attempts for the current window."""
        row = await conn.fetchrow(
            "SELECT failures FROM staff_login_failures WHERE email = $1 AND address = $2"
            " AND window_start > now() - make_interval(secs => $3)",
            email,
            address,
            self.window_seconds,
        )
        return row is not None and row["failures"] >= self.max_failures

    async def failed(self, conn: asyncpg.Connection, email: str, address: str) -> None:
        """Count a failed sign-in (a new window starts when the last one is over)."""
        await conn.execute(
            "INSERT INTO staff_login_failures AS f (email, address, failures, window_start)"
            " VALUES ($1, $2, 1, now()) ON CONFLICT (email, address) DO UPDATE SET"
            " failures = CASE WHEN f.window_start > now() - make_interval(secs => $3)"
            "   THEN f.failures + 1 ELSE 1 END,"
            " window_start = CASE WHEN f.window_start > now() - make_interval(secs => $3)"
            "   THEN f.window_start ELSE now() END",
            email,
            address,
            self.window_seconds,
        )

    async def succeeded(self, conn: asyncpg.Connection, email: str, address: str) -> None:
        """A good sign-in clears the pair's count."""
        await conn.execute(
            "DELETE FROM staff_login_failures WHERE email = $1 AND address = $2", email, address
        )
