"""Every SQL statement of the audit service."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.audit.domain import (
    PG_EPOCH_OFFSET_US,
    ROW_COLUMNS,
    Checkpoint,
    RetentionMark,
    Row,
    next_month,
)

SCHEMA = "audit"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_INSERT_TYPES = {
    "tenant_id": "text",
    "seq": "bigint",
    "record_id": "uuid",
    "occurred_at": "timestamptz",
    "recorded_at": "timestamptz",
    "schema_version": "int",
    "correlation_id": "uuid",
    "actor_service": "text",
    "actor_instance": "text",
    "conversation_id": "text",
    "client_ref": "text",
    "client_id": "text",
    "staff_user": "text",
    "action": "text",
    "arguments": "text",
    "result_summary": "text",
    "disclosed_fields": "text",
    "outcome": "text",
    "latency_ms": "float8",
    "prev_hash": "bytea",
    "hash": "bytea",
}
# One INSERT per batch: every column as an array, unnested together.
_INSERT = (
    f"INSERT INTO audit_log ({', '.join(ROW_COLUMNS)}) SELECT "
    + ", ".join(
        f"u.{c}::json" if c in ("arguments", "result_summary", "disclosed_fields") else f"u.{c}"
        for c in ROW_COLUMNS
    )
    + " FROM unnest("
    + ", ".join(f"${i + 1}::{_INSERT_TYPES[c]}[]" for i, c in enumerate(ROW_COLUMNS))
    + f") AS u({', '.join(ROW_COLUMNS)})"
)


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"invalid SQL identifier: {name!r}")
    return name


def chain_lock_key(tenant_id: str) -> int:
    """The advisory lock serialising appends to one spa's chain."""
    return int.from_bytes(
        hashlib.sha256(f"frontdesk-audit-chain:{tenant_id}".encode()).digest()[:8], "big", signed=True
    )


# ---------------------------------------------------------------------------- roles and partitions


async def ensure_writer_role(conn: asyncpg.Connection, role: str) -> None:
    """The role that may only INSERT and SELECT; the service's own login role becomes a member."""
    role = _ident(role)
    await conn.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by another database's migration: roles are cluster-wide
        END
        $$;
        """
    )
    await conn.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role}")
    await conn.execute(f"REVOKE ALL ON {SCHEMA}.audit_log, {SCHEMA}.checkpoints, {SCHEMA}.chains FROM {role}")
    await conn.execute(
        f"GRANT SELECT, INSERT ON {SCHEMA}.audit_log, {SCHEMA}.checkpoints, {SCHEMA}.chains TO {role}"
    )
    await conn.execute(f"GRANT USAGE ON SEQUENCE {SCHEMA}.checkpoints_checkpoint_id_seq TO {role}")
    # A chain whose records were all dropped continues from its last retention mark.
    await conn.execute(f"GRANT SELECT ON {SCHEMA}.retention_marks TO {role}")
    is_member = await conn.fetchval("SELECT pg_has_role(current_user, $1, 'MEMBER')", role)
    if not is_member:
        await conn.execute(f"GRANT {role} TO current_user")


def partition_name(month: datetime) -> str:
    """audit_log_yYYYYmMM."""
    return f"audit_log_y{month.year:04d}m{month.month:02d}"


async def existing_partitions(conn: asyncpg.Connection) -> set[str]:
    """Names of the audit_log partitions."""
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
        "WHERE p.relname = 'audit_log' AND n.nspname = $1",
        SCHEMA,
    )
    return {r["relname"] for r in rows}


async def create_partition(conn: asyncpg.Connection, month: datetime) -> str:
    """The partition of one month (UTC), with its own TRUNCATE guard; idempotent."""
    name = partition_name(month)
    start, end = month.strftime("%Y-%m-%d 00:00:00+00"), next_month(month).strftime("%Y-%m-%d 00:00:00+00")
    async with conn.transaction():
        # Two replicas may create the same month at once; the lock makes the second a no-op.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", chain_lock_key(f"partition:{name}"))
        exists = await conn.fetchval("SELECT to_regclass($1)", f"{SCHEMA}.{name}")
        if exists is None:
            await conn.execute(
                f"CREATE TABLE {SCHEMA}.{name} PARTITION OF {SCHEMA}.audit_log "
                f"FOR VALUES FROM ('{start}') TO ('{end}')"
            )
            await conn.execute(
                f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {SCHEMA}.{name} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.audit_refuse_change()"
            )
    return name


async def drop_partition(conn: asyncpg.Connection, name: str) -> None:
    """Drop one month past retention (DDL by the owner; the writer role cannot)."""
    await conn.execute(f"DROP TABLE {SCHEMA}.{_ident(name)}")


# ---------------------------------------------------------------------------- appending


async def lock_chain(conn: asyncpg.Connection, tenant_id: str, *, as_role: str | None = None) -> None:
    """Hold the spa's chain until the transaction ends; `as_role`: become that role first, same round trip."""
    key = chain_lock_key(tenant_id)
    if as_role is None:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", key)
        return
    # Two statements in one simple-protocol message: the role is a checked identifier, the key an
    # integer computed here. The role holds to the end of the transaction (SET LOCAL).
    await conn.execute(f"SET LOCAL ROLE {_ident(as_role)}; SELECT pg_advisory_xact_lock({int(key)})")


async def chain_state(
    conn: asyncpg.Connection, tenant_id: str, ids: Sequence[UUID], earliest: datetime, latest: datetime
) -> tuple[set[UUID], tuple[int, bytes] | None]:
    """existing_record_ids and chain_head in one round trip (read under the chain's lock)."""
    row = await conn.fetchrow(
        "SELECT (SELECT array_agg(record_id) FROM audit_log WHERE record_id = ANY($2::uuid[])"
        "  AND occurred_at BETWEEN $3 AND $4) AS existing, head.seq, head.hash"
        " FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log WHERE tenant_id = $1"
        "  ORDER BY seq DESC LIMIT 1) AS head ON true",
        tenant_id,
        list(ids),
        earliest,
        latest,
    )
    assert row is not None
    head = (row["seq"], bytes(row["hash"])) if row["seq"] is not None else None
    return set(row["existing"] or ()), head


async def chain_head(conn: asyncpg.Connection, tenant_id: str) -> tuple[int, bytes] | None:
    """(seq, hash) of the spa's last record, or None for an empty chain."""
    row = await conn.fetchrow(
        "SELECT seq, hash FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1", tenant_id
    )
    return (row["seq"], bytes(row["hash"])) if row else None


async def existing_record_ids(
    conn: asyncpg.Connection, ids: Sequence[UUID], earliest: datetime, latest: datetime
) -> set[UUID]:
    """Which of these record ids are stored (the time range prunes to their partitions)."""
    rows = await conn.fetch(
        "SELECT record_id FROM audit_log WHERE record_id = ANY($1::uuid[]) AND occurred_at BETWEEN $2 AND $3",
        list(ids),
        earliest,
        latest,
    )
    return {r["record_id"] for r in rows}


async def insert_rows(conn: asyncpg.Connection, rows: Sequence[Row]) -> None:
    """Insert chained rows in one statement (rows are tuples: transposed into one array per column)."""
    await conn.execute(_INSERT, *(list(column) for column in zip(*rows, strict=True)))


async def register_chain(conn: asyncpg.Connection, tenant_id: str) -> None:
    """Note that the spa has a chain (idempotent)."""
    await conn.execute("INSERT INTO chains (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING", tenant_id)


async def chain_exists(conn: asyncpg.Connection, tenant_id: str) -> bool:
    """Whether the spa has a chain (any record was ever appended for it)."""
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM chains WHERE tenant_id = $1)", tenant_id))


async def chain_tenants(conn: asyncpg.Connection) -> list[str]:
    """Every spa with a chain."""
    return [r["tenant_id"] for r in await conn.fetch("SELECT tenant_id FROM chains ORDER BY tenant_id")]


# ---------------------------------------------------------------------------- checkpoints


async def insert_checkpoint(conn: asyncpg.Connection, cp: Checkpoint) -> None:
    """Store a signed head."""
    await conn.execute(
        "INSERT INTO checkpoints (tenant_id, seq, head_hash, created_at, key_id, signature) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        cp.tenant_id,
        cp.seq,
        cp.head_hash,
        cp.created_at,
        cp.key_id,
        cp.signature,
    )


async def last_checkpoint_seq(conn: asyncpg.Connection, tenant_id: str) -> int:
    """The highest seq signed for the spa, 0 when none."""
    value = await conn.fetchval("SELECT max(seq) FROM checkpoints WHERE tenant_id = $1", tenant_id)
    return int(value or 0)


async def checkpoints(conn: asyncpg.Connection, tenant_id: str) -> list[Checkpoint]:
    """Every checkpoint of a spa, in seq order."""
    rows = await conn.fetch(
        "SELECT tenant_id, seq, head_hash, created_at, key_id, signature FROM checkpoints "
        "WHERE tenant_id = $1 ORDER BY seq, checkpoint_id",
        tenant_id,
    )
    return [
        Checkpoint(
            r["tenant_id"],
            r["seq"],
            bytes(r["head_hash"]),
            r["created_at"],
            r["key_id"],
            bytes(r["signature"]),
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------- retention marks


async def insert_retention_mark(conn: asyncpg.Connection, mark: RetentionMark) -> None:
    """Store a signed retention mark."""
    await conn.execute(
        "INSERT INTO retention_marks (tenant_id, through_seq, head_hash, cutoff, created_at, key_id, "
        "signature) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        mark.tenant_id,
        mark.through_seq,
        mark.head_hash,
        mark.cutoff,
        mark.created_at,
        mark.key_id,
        mark.signature,
    )


async def retention_marks(conn: asyncpg.Connection, tenant_id: str) -> list[RetentionMark]:
    """Every retention mark of a spa, oldest first."""
    rows = await conn.fetch(
        "SELECT tenant_id, through_seq, head_hash, cutoff, created_at, key_id, signature "
        "FROM retention_marks WHERE tenant_id = $1 ORDER BY through_seq, mark_id",
        tenant_id,
    )
    return [
        RetentionMark(
            r["tenant_id"],
            r["through_seq"],
            bytes(r["head_hash"]),
            r["cutoff"],
            r["created_at"],
            r["key_id"],
            bytes(r["signature"]),
        )
        for r in rows
    ]


async def last_retention_mark(conn: asyncpg.Connection, tenant_id: str) -> RetentionMark | None:
    """The spa's latest retention mark: where its chain continues once every record is dropped."""
    marks = await retention_marks(conn, tenant_id)
    return marks[-1] if marks else None


async def seq_bounds_around(
    conn: asyncpg.Connection, cutoff: datetime
) -> dict[str, tuple[int | None, int | None]]:
    """Per spa: the last seq of records that occurred before cutoff, the first seq of those after."""
    rows = await conn.fetch(
        "SELECT tenant_id, max(seq) FILTER (WHERE occurred_at < $1) AS dropped, "
        "min(seq) FILTER (WHERE occurred_at >= $1) AS kept FROM audit_log GROUP BY tenant_id",
        cutoff,
    )
    return {r["tenant_id"]: (r["dropped"], r["kept"]) for r in rows}


# ---------------------------------------------------------------------------- verifying


async def seq_range(
    conn: asyncpg.Connection, tenant_id: str, start: datetime | None, end: datetime | None
) -> tuple[int | None, int | None]:
    """Lowest and highest seq of the spa's records that occurred in [start, end)."""
    if start is None and end is None:
        row = await conn.fetchrow(
            "SELECT (SELECT seq FROM audit_log WHERE tenant_id = $1 ORDER BY seq LIMIT 1) AS lo,"
            " (SELECT seq FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1) AS hi",
            tenant_id,
        )
    else:
        row = await conn.fetchrow(
            "SELECT min(seq) AS lo, max(seq) AS hi FROM audit_log WHERE tenant_id = $1 "
            "AND ($2::timestamptz IS NULL OR occurred_at >= $2) "
            "AND ($3::timestamptz IS NULL OR occurred_at < $3)",
            tenant_id,
            start,
            end,
        )
    assert row is not None
    return row["lo"], row["hi"]


async def prev_hash_at(conn: asyncpg.Connection, tenant_id: str, seq: int) -> bytes | None:
    """The prev_hash stored on the spa's record at seq."""
    value = await conn.fetchval(
        "SELECT prev_hash FROM audit_log WHERE tenant_id = $1 AND seq = $2 LIMIT 1", tenant_id, seq
    )
    return bytes(value) if value is not None else None


async def hash_at(conn: asyncpg.Connection, tenant_id: str, seq: int) -> bytes | None:
    """The hash of the spa's record at seq."""
    value = await conn.fetchval(
        "SELECT hash FROM audit_log WHERE tenant_id = $1 AND seq = $2 LIMIT 1", tenant_id, seq
    )
    return bytes(value) if value is not None else None


# domain.VERIFY_SHAPE, computed by the database where it is cheaper than in Python.
_VERIFY_SELECT = (
    "SELECT tenant_id, seq, record_id::text, occurred_at, recorded_at, schema_version, correlation_id::text, "
    "actor_service, actor_instance, conversation_id, client_ref, client_id, staff_user, action, outcome, "
    "latency_ms, arguments::text || E'\\n' || result_summary::text || E'\\n' || disclosed_fields::text, "
    "prev_hash, hash FROM audit_log"
)


@asynccontextmanager
async def raw_times(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """Read timestamptz as integer microseconds since the Unix epoch on this connection, for a while."""
    await conn.set_type_codec(
        "timestamptz",
        schema="pg_catalog",
        encoder=lambda value: (value - PG_EPOCH_OFFSET_US,),
        decoder=lambda value: value[0] + PG_EPOCH_OFFSET_US,
        format="tuple",
    )
    try:
        yield
    finally:
        await conn.reset_type_codec("timestamptz", schema="pg_catalog")


async def stream_chain(
    conn: asyncpg.Connection, tenant_id: str, lo: int, hi: int, *, chunk: int = 5_000
) -> AsyncIterator[list[asyncpg.Record]]:
    """The spa's rows from seq lo to hi in order, shaped as domain.VERIFY_SHAPE, in chunks.

    The next chunk is requested before this one is handed over, so the database produces it while
    the caller hashes. Must run inside a transaction, under raw_times().
    """
    cursor = await conn.cursor(
        f"{_VERIFY_SELECT} WHERE tenant_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq", tenant_id, lo, hi
    )
    pending = asyncio.ensure_future(cursor.fetch(chunk))
    try:
        while True:
            rows = await pending
            if not rows:
                return
            pending = asyncio.ensure_future(cursor.fetch(chunk))
            await asyncio.sleep(0)  # let the request go out
            yield rows
    finally:
        if not pending.done():
            # The connection must be idle again before the transaction ends.
            with contextlib.suppress(Exception):
                await pending


# ---------------------------------------------------------------------------- querying


@dataclass(frozen=True)
class Filters:
    """What a compliance query selects; the client is matched on its keyed hash only."""

    tenant_id: str
    start: datetime | None = None
    end: datetime | None = None
    client_ref: str | None = None
    conversation_id: str | None = None
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None


RECORD_COLUMNS = (
    "seq, record_id, occurred_at, recorded_at, tenant_id, correlation_id, actor_service, actor_instance, "
    "conversation_id, client_ref, client_id, staff_user, action, arguments::text AS arguments, "
    "result_summary::text AS result_summary, disclosed_fields::text AS disclosed_fields, outcome, "
    "latency_ms, prev_hash, hash"
)


def _where(f: Filters, after: tuple[datetime, UUID] | None) -> tuple[str, list[Any]]:
    clauses, args = ["tenant_id = $1"], [f.tenant_id]

    def add(sql: str, value: Any) -> None:
        args.append(value)
        clauses.append(sql.replace("?", f"${len(args)}"))

    if f.start is not None:
        add("occurred_at >= ?", f.start)
    if f.end is not None:
        add("occurred_at < ?", f.end)
    if f.client_ref is not None:
        add("client_ref = ?", f.client_ref)
    if f.conversation_id is not None:
        add("conversation_id = ?", f.conversation_id)
    if f.actor is not None:
        add("(actor_service = ? OR staff_user = ?)", f.actor)  # both ? are the same argument
    if f.action is not None:
        add("action = ?", f.action)
    if f.outcome is not None:
        add("outcome = ?", f.outcome)
    if after is not None:
        args.extend(after)
        clauses.append(f"(occurred_at, record_id) > (${len(args) - 1}, ${len(args)})")
    return " AND ".join(clauses), args


async def query_records(
    conn: asyncpg.Connection, f: Filters, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """One page of records, oldest first."""
    where, args = _where(f, after)
    args.append(limit)
    return await conn.fetch(
        f"SELECT {RECORD_COLUMNS} FROM audit_log WHERE {where} "
        f"ORDER BY occurred_at, record_id LIMIT ${len(args)}",
        *args,
    )


async def stream_records(
    conn: asyncpg.Connection, f: Filters, *, chunk: int = 2_000
) -> AsyncIterator[list[asyncpg.Record]]:
    """Every matching record, oldest first, in chunks from a server-side cursor (in a transaction)."""
    where, args = _where(f, None)
    cursor = await conn.cursor(
        f"SELECT {RECORD_COLUMNS} FROM audit_log WHERE {where} ORDER BY occurred_at, record_id", *args
    )
    while True:
        rows = await cursor.fetch(chunk)
        if not rows:
            return
        yield rows


# ---------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """An API token as stored (never the token itself)."""

    token_id: UUID
    name: str
    tenant_id: str | None
    role: str
    created_at: datetime
    revoked_at: datetime | None


async def insert_token(
    conn: asyncpg.Connection, token_id: UUID, name: str, token_hash: bytes, tenant_id: str | None
) -> None:
    """Store a new token's hash; raises asyncpg.UniqueViolationError on a taken name."""
    await conn.execute(
        "INSERT INTO api_tokens (token_id, name, token_hash, tenant_id) VALUES ($1, $2, $3, $4)",
        token_id,
        name,
        token_hash,
        tenant_id,
    )


async def token_by_hash(conn: asyncpg.Connection, token_hash: bytes) -> Token | None:
    """The live token with this hash."""
    row = await conn.fetchrow(
        "SELECT token_id, name, tenant_id, role, created_at, revoked_at FROM api_tokens "
        "WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash,
    )
    return Token(**dict(row)) if row else None


async def list_tokens(conn: asyncpg.Connection) -> list[Token]:
    """Every token, newest first."""
    rows = await conn.fetch(
        "SELECT token_id, name, tenant_id, role, created_at, revoked_at FROM api_tokens "
        "ORDER BY created_at DESC"
    )
    return [Token(**dict(r)) for r in rows]


async def revoke_token(conn: asyncpg.Connection, name: str) -> Token | None:
    """Revoke a token by name; None when there is no live token of that name."""
    row = await conn.fetchrow(
        "UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL "
        "RETURNING token_id, name, tenant_id, role, created_at, revoked_at",
        name,
    )
    return Token(**dict(row)) if row else None
