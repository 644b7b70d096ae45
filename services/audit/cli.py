"""`frontdesk audit`: run the service, or use the log.

frontdesk audit [serve]                                  run the service (recorder + API on :8084)
frontdesk audit token create --spa X [--name N]          a compliance API token for one spa
frontdesk audit token create --all-spas [--name N]       ... for every spa
frontdesk audit token list | token revoke NAME
frontdesk audit query --spa X [filters] [--all]          records as JSON Lines (through the API)
frontdesk audit export --spa X --format csv|jsonl --out FILE [filters]   (through the API)
frontdesk audit verify --spa X [--from T] [--to T] [--against DIR]
                                                         recompute the chain (database directly),
                                                         held to an exported checkpoint store
frontdesk audit checkpoint [--spa X]                     sign chain heads now
frontdesk audit retention [--apply]                      partitions past retention (drops with --apply,
                                                         after a signed retention mark per spa)
frontdesk audit keygen                                   a new Ed25519 signing key (base64) and its public key

Filters: --from/--to (ISO 8601 with a zone), --client-phone, --client-ref, --conversation,
--actor, --action, --outcome. The API commands read AUDIT_API_URL and AUDIT_TOKEN (or --url/--token).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from services.audit import handlers, repo
from services.audit.app import MIGRATIONS, run
from services.audit.settings import AuditSettings
from shared.db import create_pool
from shared.logging import configure_logging
from shared.migrations import apply_migrations


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone (add Z or +00:00)")
    return value


def _filters(p: argparse.ArgumentParser, *, spa_required: bool = True) -> None:
    p.add_argument("--spa", required=spa_required, help="the spa's id")
    p.add_argument("--from", dest="from_", type=_when, help="occurred at or after (ISO 8601 with zone)")
    p.add_argument("--to", type=_when, help="occurred before (ISO 8601 with zone)")
    p.add_argument("--client-phone", help="the client's phone number (matched on its keyed hash)")
    p.add_argument("--client-ref", help="the client's keyed hash")
    p.add_argument("--conversation", help="conversation id")
    p.add_argument("--actor", help="service or staff user")
    p.add_argument("--action", help="tool name or staff action")
    p.add_argument("--outcome", help="ok or an error code")


def _api(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="API base URL (default AUDIT_API_URL or http://127.0.0.1:8084)")
    p.add_argument("--token", help="API token (default AUDIT_TOKEN)")


def parser() -> argparse.ArgumentParser:
    """The command line."""
    root = argparse.ArgumentParser(
        prog="frontdesk audit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = root.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the service")

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="create a token (printed once)")
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--spa", help="the one spa the token may read")
    scope.add_argument("--all-spas", action="store_true", help="the token may read every spa")
    create.add_argument("--name", help="who holds it (recorded as the staff user of each query)")
    token.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = token.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("name")

    query = sub.add_parser("query", help="query records (JSON Lines on stdout)")
    _filters(query)
    _api(query)
    query.add_argument("--limit", type=int, default=100, help="records per page (max 1000)")
    query.add_argument("--all", action="store_true", help="follow cursors to the last page")

    export = sub.add_parser("export", help="export records to a file, streamed")
    _filters(export)
    _api(export)
    export.add_argument("--format", choices=("csv", "jsonl"), default="jsonl")
    export.add_argument("--out", required=True, help="file to write ('-' for stdout)")

    verify = sub.add_parser("verify", help="recompute a spa's chain and check its checkpoints")
    verify.add_argument("--spa", required=True)
    verify.add_argument("--from", dest="from_", type=_when)
    verify.add_argument("--to", type=_when)
    verify.add_argument(
        "--against", type=Path, help="checkpoint store directory to hold the database to "
        "(default AUDIT_CHECKPOINT_EXPORT)",
    )  # fmt: skip

    cp = sub.add_parser("checkpoint", help="sign chain heads now")
    cp.add_argument("--spa", help="one spa (default: every spa whose head moved)")

    retention = sub.add_parser("retention", help="list (or drop) partitions past retention")
    retention.add_argument("--apply", action="store_true", help="drop them")

    sub.add_parser("keygen", help="print a new signing key and its public key")
    return root


def main(argv: list[str]) -> int:
    """Entry point: no args or `serve` runs the service."""
    args = parser().parse_args(argv)
    command = args.command or "serve"
    if command == "serve":
        run()
        return 0
    settings = AuditSettings()
    # Logs go to stderr: stdout carries what the command prints (a token, records, a report).
    configure_logging("audit", settings.log_level, settings.log_format)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if command == "keygen":
        return _keygen()
    if command in ("query", "export"):
        return _query(settings, args) if command == "query" else _export(settings, args)
    try:
        return asyncio.run(_database_command(settings, args))
    except (OSError, asyncpg.PostgresError) as exc:
        from shared.cli import unreachable

        print(f"frontdesk audit: {unreachable(exc) or f'database error: {exc}'}", file=sys.stderr)
        return 2


def _keygen() -> int:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from services.audit.domain import key_id, public_key_b64

    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    import base64

    print(f"AUDIT_SIGNING_KEY={base64.b64encode(raw).decode()}")
    public = key.public_key()
    print(f"public key (AUDIT_VERIFY_KEYS): {public_key_b64(public)}  key id {key_id(public)}")
    return 0


async def _open(settings: AuditSettings) -> asyncpg.Pool:
    await apply_migrations(settings.database_url, repo.SCHEMA, MIGRATIONS)
    pool = await create_pool(settings.database_url, min_size=1, max_size=2, schema=repo.SCHEMA)
    async with pool.acquire() as conn:
        await repo.ensure_writer_role(conn, settings.audit_writer_role)
    return pool


async def _database_command(settings: AuditSettings, args: argparse.Namespace) -> int:
    pool = await _open(settings)
    try:
        if args.command == "token":
            return await _token(pool, settings, args)
        if args.command == "verify":
            return await _verify(pool, settings, args)
        if args.command == "checkpoint":
            made = await handlers.checkpoint(
                pool, _signer(settings), writer_role=settings.audit_writer_role, tenant_id=args.spa,
                force=bool(args.spa),
            )  # fmt: skip
            print(json.dumps(made, indent=2))
            return 0
        if args.command == "retention":
            return await _retention(pool, settings, args)
    finally:
        await pool.close()
    return 2


def _keys(settings: AuditSettings, *, create_dev_key: bool) -> handlers.Keys:
    secret = settings.audit_signing_key.get_secret_value()
    return handlers.load_keys(
        secret, settings.audit_verify_keys, settings.frontdesk_data_dir, create_dev_key=create_dev_key
    )


def _signer(settings: AuditSettings) -> handlers.Signer:
    signer = handlers.signer_of(_keys(settings, create_dev_key=True), settings.audit_checkpoint_export)
    assert signer is not None  # a development key is made when none is configured
    return signer


async def _verify(pool: asyncpg.Pool, settings: AuditSettings, args: argparse.Namespace) -> int:
    keys = _keys(settings, create_dev_key=False)
    if not keys.trusted:
        print("frontdesk audit: no signing or verify key configured; checkpoints cannot be checked",
              file=sys.stderr)  # fmt: skip
    against = args.against or settings.audit_checkpoint_export
    report = await handlers.verify(
        pool, args.spa, keys.trusted, start=args.from_, end=args.to,
        retention_months=settings.audit_retention_months,
        store=handlers.CheckpointStore(against) if against else None,
    )  # fmt: skip
    print(json.dumps(report.to_dict(), indent=2, default=str))
    if report.ok:
        print(f"OK: {report.records_checked} records, {report.checkpoints_checked} checkpoints "
              f"verified in {report.seconds}s", file=sys.stderr)  # fmt: skip
        return 0
    b = report.first_break
    assert b is not None
    print(f"BROKEN at seq {b.seq} (record {b.record_id}, {b.occurred_at}): {b.kind}: {b.detail}; "
          f"expected {b.expected}, found {b.found}", file=sys.stderr)  # fmt: skip
    return 1


async def _retention(pool: asyncpg.Pool, settings: AuditSettings, args: argparse.Namespace) -> int:
    months = settings.audit_retention_months
    if not args.apply:
        expired = await handlers.expired_partitions(pool, months)
        for name in expired:
            print(f"past retention: {name}")
    else:
        signer = handlers.signer_of(_keys(settings, create_dev_key=False), settings.audit_checkpoint_export)
        if signer is None:
            print(
                "frontdesk audit: dropping records needs the signing key (AUDIT_SIGNING_KEY)", file=sys.stderr
            )
            return 2
        try:
            expired = await handlers.drop_expired(pool, signer, months)
        except handlers.RetentionRefused as exc:
            print(f"frontdesk audit: nothing dropped: {exc}", file=sys.stderr)
            return 1
        for name in expired:
            print(f"dropped {name}")
    if not expired:
        print(f"nothing is older than {months} months")
    return 0


def _operator(settings: AuditSettings) -> handlers.Operator:
    """Token changes are recorded with the operating system user who ran the command."""
    return handlers.Operator(
        staff_user=f"cli:{getpass.getuser()}", instance=settings.instance_id,
        writer_role=settings.audit_writer_role, partitions=handlers.Partitions(),
        # Never a fresh development key here: a chain start signed by it would not verify later.
        signer=handlers.signer_of(_keys(settings, create_dev_key=False), settings.audit_checkpoint_export),
    )  # fmt: skip


async def _token(pool: asyncpg.Pool, settings: AuditSettings, args: argparse.Namespace) -> int:
    if args.token_command == "create":
        tenant = None if args.all_spas else args.spa
        name = args.name or f"compliance-{tenant or 'all'}-{int(time.time())}"
        try:
            token = await handlers.create_token(pool, name, tenant, operator=_operator(settings))
        except asyncpg.UniqueViolationError:
            print(f"frontdesk audit: a token named {name!r} exists", file=sys.stderr)
            return 1
        print(token)
        print(f"token {name!r} for {tenant or 'every spa'}: shown once, stored hashed", file=sys.stderr)
        return 0
    if args.token_command == "list":
        async with pool.acquire() as conn:
            for t in await repo.list_tokens(conn):
                print(json.dumps({**asdict(t), "spa": t.tenant_id}, default=str))
        return 0
    if await handlers.revoke_token(pool, args.name, operator=_operator(settings)):
        print(f"revoked {args.name}", file=sys.stderr)
        return 0
    print(f"frontdesk audit: no live token named {args.name!r}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------------------- through the API


def _body(args: argparse.Namespace) -> dict[str, Any]:
    body = {
        "spa": args.spa,
        "from": args.from_.isoformat() if args.from_ else None,
        "to": args.to.isoformat() if args.to else None,
        "client_phone": args.client_phone,
        "client_ref": args.client_ref,
        "conversation_id": args.conversation,
        "actor": args.actor,
        "action": args.action,
        "outcome": args.outcome,
    }
    return {k: v for k, v in body.items() if v is not None}


def _client(settings: AuditSettings, args: argparse.Namespace) -> httpx.Client | None:
    token = args.token or settings.audit_token.get_secret_value()
    if not token:
        print("frontdesk audit: set AUDIT_TOKEN or pass --token", file=sys.stderr)
        return None
    return httpx.Client(
        base_url=args.url or settings.audit_api_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(30.0, read=300.0),
    )


def _failed(response: httpx.Response) -> int:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text[:200]
    print(f"frontdesk audit: HTTP {response.status_code}: {detail}", file=sys.stderr)
    return 1


def _query(settings: AuditSettings, args: argparse.Namespace) -> int:
    client = _client(settings, args)
    if client is None:
        return 2
    body: dict[str, Any] = {**_body(args), "limit": args.limit}
    with client:
        while True:
            try:
                response = client.post("/v1/records/search", json=body)
            except httpx.HTTPError as exc:
                print(f"frontdesk audit: {exc}", file=sys.stderr)
                return 2
            if response.status_code != 200:
                return _failed(response)
            page = response.json()
            for record in page["records"]:
                print(json.dumps(record, ensure_ascii=False))
            if not args.all or not page["next_cursor"]:
                return 0
            body["cursor"] = page["next_cursor"]


def _export(settings: AuditSettings, args: argparse.Namespace) -> int:
    client = _client(settings, args)
    if client is None:
        return 2
    body = {**_body(args), "format": args.format}
    out = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")
    rows = written = 0
    began = last = time.monotonic()
    try:
        with client, client.stream("POST", "/v1/export", json=body) as response:
            if response.status_code != 200:
                response.read()
                return _failed(response)
            for chunk in response.iter_bytes():
                out.write(chunk)
                written += len(chunk)
                rows += chunk.count(b"\n")
                now = time.monotonic()
                if now - last > 0.25:
                    last = now
                    _progress(rows, written, now - began, args.format)
    except httpx.HTTPError as exc:
        print(f"\nfrontdesk audit: export failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    _progress(rows, written, time.monotonic() - began, args.format)
    print(file=sys.stderr)
    return 0


def _progress(lines: int, size: int, seconds: float, fmt: str) -> None:
    records = max(0, lines - 1) if fmt == "csv" else lines
    rate = records / seconds if seconds > 0 else 0.0
    print(
        f"\rexported {records:,} records, {size / 1e6:.1f} MB, {rate:,.0f} records/s", end="", file=sys.stderr
    )
