"""`frontdesk staff ...`: a spa's staff accounts from the command line (the first owner, above all).

frontdesk staff create-user --spa glow-medspa --email ana@glow.example --name "Ana" --role owner
    asks for the password (or reads one line from stdin with --password-stdin); with --invite, no
    password is set and a one-time link to set one is printed instead.
frontdesk staff list --spa glow-medspa
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

import asyncpg

from services.escalation import accounts
from services.escalation.settings import EscalationSettings
from services.escalation.spas import load_spas
from shared.db import create_pool
from shared.migrations import apply_migrations

MIGRATIONS = Path(__file__).parent / "migrations"


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    root = argparse.ArgumentParser(
        prog="frontdesk staff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = root.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create an account (e.g. the spa's first owner)")
    create.add_argument("--spa", required=True, help="the spa id (as in its spa file)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="the name the inbox shows")
    create.add_argument("--role", default="staff", choices=accounts.ROLES)
    how = create.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    how.add_argument("--invite", action="store_true", help="print a link to set the password instead")
    listing = commands.add_parser("list", help="a spa's accounts")
    listing.add_argument("--spa", required=True)
    return root


def _password(args: argparse.Namespace) -> str | None:
    if args.invite:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


async def _create(conn: asyncpg.Connection, args: argparse.Namespace, settings: EscalationSettings) -> None:
    spas = load_spas(settings.spa_files)
    if args.spa not in spas:
        known = ", ".join(spas) or "none"
        where = f"SPA_FILES ({settings.spa_files})"
        raise accounts.AccountError(f"no spa {args.spa!r} in {where}; known: {known}")
    async with conn.transaction():
        user = await accounts.create_user(
            conn,
            tenant_id=args.spa,
            email=args.email,
            display_name=args.name,
            role=args.role,
            password=_password(args),
            created_by="cli",
        )
        print(f"created {user.role} {user.email} for {user.tenant_id} (id {user.user_id})")
        if not user.has_password:
            token = await accounts.create_invite(conn, user.user_id)
            print(f"invitation (valid {accounts.INVITE_DAYS} days): {settings.inbox_url()}/#/invite/{token}")


async def _list(conn: asyncpg.Connection, args: argparse.Namespace) -> None:
    for user in await accounts.list_users(conn, args.spa):
        state = "active" if user.active else "disabled"
        state += "" if user.has_password else ", invited"
        print(f"{user.email}\t{user.display_name}\t{user.role}\t{state}")


async def _run(args: argparse.Namespace, settings: EscalationSettings) -> None:
    await apply_migrations(settings.database_url, "escalation", MIGRATIONS)
    pool = await create_pool(settings.database_url, min_size=1, max_size=1, schema="escalation")
    try:
        async with pool.acquire() as conn:
            if args.command == "create-user":
                await _create(conn, args, settings)
            else:
                await _list(conn, args)
    finally:
        await pool.close()


def main(argv: list[str]) -> int:
    """Run one staff command; a refused input prints why and exits 1."""
    args = parser().parse_args(argv)
    try:
        asyncio.run(_run(args, EscalationSettings()))
    except accounts.AccountError as exc:
        print(f"frontdesk staff: {exc}", file=sys.stderr)
        return 1
    return 0
