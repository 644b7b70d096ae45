"""Use cases of the audit service: append, checkpoint, verify, keep partitions, hand out tokens."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.audit import repo
from services.audit.domain import (
    Break,
    ChainVerifier,
    Row,
    chain,
    genesis_hash,
    key_id,
    load_private_key,
    load_public_key,
    next_month,
    sign_checkpoint,
    signature_valid,
)

log = structlog.get_logger()


# ---------------------------------------------------------------------------- partitions


class Partitions:
    """Makes sure the month a record falls in has its partition before the record is inserted."""

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._lock = asyncio.Lock()

    async def ensure(self, pool: asyncpg.Pool, months: set[datetime]) -> None:
        """Create missing partitions (as the owner: the writer role cannot)."""
        missing = {m for m in months if repo.partition_name(m) not in self._known}
        if not missing:
            return
        async with self._lock, pool.acquire() as conn:
            self._known |= await repo.existing_partitions(conn)
            for month in sorted(missing):
                if repo.partition_name(month) not in self._known:
                    self._known.add(await repo.create_partition(conn, month))
                    log.info("audit.partition_created", partition=repo.partition_name(month))

    async def ahead(self, pool: asyncpg.Pool, months_ahead: int, *, now: datetime | None = None) -> None:
        """This month's partition and the next few."""
        now = now or datetime.now(UTC)
        month = datetime(now.year, now.month, 1, tzinfo=UTC)
        wanted = {month}
        for _ in range(months_ahead):
            month = next_month(month)
            wanted.add(month)
        await self.ensure(pool, wanted)


# ---------------------------------------------------------------------------- appending


@dataclass(frozen=True)
class AppendResult:
    """What one append did."""

    inserted: int
    duplicates: int


async def append_records(
    pool: asyncpg.Pool,
    rows: Sequence[Row],
    *,
    writer_role: str,
    partitions: Partitions,
) -> AppendResult:
    """Append prepared rows to their spas' chains in one transaction; ids already stored are skipped.

    Each spa's chain is extended under its advisory lock, so concurrent appenders (replicas, the API
    logging a query) never fork a chain. Rows keep their given order within a spa.
    """
    if not rows:
        return AppendResult(0, 0)
    await partitions.ensure(
        pool, {datetime(r.occurred_at.year, r.occurred_at.month, 1, tzinfo=UTC) for r in rows}
    )
    by_tenant: dict[str, list[Row]] = {}
    for row in rows:
        by_tenant.setdefault(row.tenant_id, []).append(row)
    inserted = 0
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {writer_role}")
        # Always lock spas in the same order so two appenders cannot deadlock.
        for tenant_id in sorted(by_tenant):
            batch = by_tenant[tenant_id]
            await repo.lock_chain(conn, tenant_id)
            times = [r.occurred_at for r in batch]
            stored = await repo.existing_record_ids(
                conn, [r.record_id for r in batch], min(times), max(times)
            )
            fresh: list[Row] = []
            seen: set[UUID] = set(stored)
            for row in batch:
                if row.record_id not in seen:
                    seen.add(row.record_id)
                    fresh.append(row)
            if not fresh:
                continue
            head = await repo.chain_head(conn, tenant_id)
            if head is None:
                await repo.register_chain(conn, tenant_id)
                head = (0, genesis_hash(tenant_id))
            chained = chain(fresh, head_seq=head[0], head_hash=head[1])
            await repo.insert_rows(conn, chained)
            inserted += len(chained)
    return AppendResult(inserted, len(rows) - inserted)


# ---------------------------------------------------------------------------- signing keys


@dataclass(frozen=True)
class Keys:
    """The checkpoint signing key (absent where only verifying) and every trusted public key."""

    signing: Ed25519PrivateKey | None
    trusted: dict[str, Ed25519PublicKey]


def dev_key_path(data_dir: Path) -> Path:
    """Where the local development signing key is kept."""
    return data_dir / "audit-signing-key.pem"


def load_keys(signing_key: str, verify_keys: str, data_dir: Path, *, create_dev_key: bool = True) -> Keys:
    """The signing key from a path or base64 text; without one, a development key under data_dir."""
    private: Ed25519PrivateKey | None = None
    text = signing_key.strip()
    if text:
        path = Path(text)
        private = load_private_key(path.read_bytes() if _looks_like_path(text) and path.exists() else text)
    else:
        path = dev_key_path(data_dir)
        if path.exists():
            private = load_private_key(path.read_bytes())
        elif create_dev_key:
            private = Ed25519PrivateKey.generate()
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            path.touch(mode=0o600)
            path.write_bytes(pem)
            log.warning("audit.dev_signing_key_created", path=str(path))
    trusted: dict[str, Ed25519PublicKey] = {}
    if private is not None:
        trusted[key_id(private.public_key())] = private.public_key()
    for item in filter(None, (part.strip() for part in verify_keys.split(","))):
        public = load_public_key(item)
        trusted[key_id(public)] = public
    return Keys(private, trusted)


def _looks_like_path(text: str) -> bool:
    return "/" in text or text.endswith((".pem", ".key")) or text.startswith(".")


# ---------------------------------------------------------------------------- checkpoints


async def checkpoint(
    pool: asyncpg.Pool, key: Ed25519PrivateKey, *, writer_role: str, tenant_id: str | None = None,
    force: bool = False,
) -> list[dict[str, Any]]:  # fmt: skip
    """Sign each spa's head (or one spa's) where it moved since the last checkpoint."""
    made: list[dict[str, Any]] = []
    async with pool.acquire() as conn:
        tenants = [tenant_id] if tenant_id else await repo.chain_tenants(conn)
        for tenant in tenants:
            async with conn.transaction():
                await conn.execute(f"SET LOCAL ROLE {writer_role}")
                # Under the chain lock the head cannot move while we sign it.
                await repo.lock_chain(conn, tenant)
                head = await repo.chain_head(conn, tenant)
                if head is None:
                    continue
                if not force and await repo.last_checkpoint_seq(conn, tenant) >= head[0]:
                    continue
                cp = sign_checkpoint(key, tenant, head[0], head[1], datetime.now(UTC))
                await repo.insert_checkpoint(conn, cp)
                made.append(
                    {"tenant_id": tenant, "seq": cp.seq, "head_hash": cp.head_hash.hex(), "key_id": cp.key_id}
                )
                log.info("audit.checkpoint_signed", tenant_id=tenant, seq=cp.seq, key_id=cp.key_id)
    return made


# ---------------------------------------------------------------------------- verifying


@dataclass
class VerifyReport:
    """The outcome of verifying a spa's chain over a period."""

    tenant_id: str
    ok: bool
    first_seq: int | None = None
    last_seq: int | None = None
    records_checked: int = 0
    checkpoints_checked: int = 0
    last_checkpoint_seq: int = 0
    unsigned_tail: int = 0  # records after the last checkpoint: a deleted tail there is undetectable
    anchored_at_retention: bool = False
    seconds: float = 0.0
    first_break: Break | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        return data


async def verify(
    pool: asyncpg.Pool,
    tenant_id: str,
    trusted: dict[str, Ed25519PublicKey],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> VerifyReport:
    """Recompute the spa's chain over the records that occurred in [start, end) and check checkpoints.

    The period selects a contiguous run of seq (from the first to the last record that occurred in
    it); the run is walked in seq order from the hash before it.
    """
    began = asyncio.get_running_loop().time()
    report = VerifyReport(tenant_id=tenant_id, ok=True)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        lo, hi = await repo.seq_range(conn, tenant_id, start, end)
        all_checkpoints = await repo.checkpoints(conn, tenant_id)
        head = await repo.chain_head(conn, tenant_id)
        head_seq = head[0] if head else 0
        verifier = ChainVerifier(tenant_id, expected_seq=1, prev_hash=genesis_hash(tenant_id))
        for cp in all_checkpoints:
            report.last_checkpoint_seq = max(report.last_checkpoint_seq, cp.seq)
            if not signature_valid(cp, trusted):
                verifier.fail(
                    "bad_signature", cp.seq, "a signature by a trusted key", f"key {cp.key_id}",
                    f"checkpoint at seq {cp.seq} ({cp.created_at.isoformat()}) has no trusted signature",
                )  # fmt: skip
            elif cp.seq > head_seq:
                verifier.fail(
                    "checkpoint_beyond_head", cp.seq, f"at least {cp.seq} records", f"{head_seq} records",
                    "records signed by a checkpoint are missing (deleted)",
                )  # fmt: skip
        if lo is None or hi is None:
            report.notes.append("no records in this period")
        else:
            report.first_seq, report.last_seq = lo, hi
            if lo > 1:
                before = await repo.hash_at(conn, tenant_id, lo - 1)
                if before is None:
                    first_existing, _ = await repo.seq_range(conn, tenant_id, None, None)
                    if first_existing == lo:
                        # Earlier months were dropped past retention: trust this record's link.
                        report.anchored_at_retention = True
                        report.notes.append(f"records before seq {lo} are past retention")
                        before = await repo.prev_hash_at(conn, tenant_id, lo)
                    else:
                        verifier.fail("missing_record", lo - 1, f"seq {lo - 1}", "nothing",
                                      "the record before the period is missing")  # fmt: skip
                verifier.expected_seq = lo
                verifier.prev_hash = before or b""
            verifier.checkpoints = {cp.seq: cp for cp in all_checkpoints if lo <= cp.seq <= hi}
            if verifier.broken is None:
                async with repo.raw_times(conn):
                    async for rows in repo.stream_chain(conn, tenant_id, lo, hi):
                        if not verifier.feed(rows):
                            break
                if verifier.broken is None and verifier.expected_seq != hi + 1:
                    verifier.fail("missing_record", verifier.expected_seq, f"seq {hi}",
                                  f"seq {verifier.expected_seq - 1}", "the chain ends early")  # fmt: skip
        report.records_checked = verifier.checked
        report.checkpoints_checked = verifier.checkpoints_checked
        report.unsigned_tail = max(0, head_seq - report.last_checkpoint_seq)
        report.first_break = verifier.broken
        report.ok = verifier.broken is None
    report.seconds = round(asyncio.get_running_loop().time() - began, 3)
    if report.ok:
        log.info("audit.verified", tenant_id=tenant_id, records=report.records_checked)
    else:
        log.error("audit.verify_failed", tenant_id=tenant_id, kind=report.first_break.kind,  # type: ignore[union-attr]
                  seq=report.first_break.seq)  # type: ignore[union-attr]  # fmt: skip
    return report


# ---------------------------------------------------------------------------- retention


def retention_cutoff(months: int, *, now: datetime | None = None) -> datetime:
    """Partitions whose month ended before this instant are past retention."""
    now = now or datetime.now(UTC)
    month = datetime(now.year, now.month, 1, tzinfo=UTC)
    total = month.year * 12 + month.month - 1 - months
    return datetime(total // 12, total % 12 + 1, 1, tzinfo=UTC)


async def expired_partitions(pool: asyncpg.Pool, months: int, *, now: datetime | None = None) -> list[str]:
    """Partitions entirely older than the retention period."""
    cutoff = retention_cutoff(months, now=now)
    async with pool.acquire() as conn:
        names = await repo.existing_partitions(conn)
    expired = []
    for name in sorted(names):
        year, month = int(name[11:15]), int(name[16:18])
        if next_month(datetime(year, month, 1, tzinfo=UTC)) <= cutoff:
            expired.append(name)
    return expired


# ---------------------------------------------------------------------------- tokens


def hash_token(token: str) -> bytes:
    """What is stored of a token: its SHA-256."""
    return hashlib.sha256(token.encode()).digest()


async def create_token(pool: asyncpg.Pool, name: str, tenant_id: str | None) -> str:
    """A new API token for a compliance officer; returns the token (shown once, stored hashed)."""
    token = "fda_" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    async with pool.acquire() as conn:
        await repo.insert_token(conn, uuid4(), name, hash_token(token), tenant_id)
    log.info("audit.token_created", token_name=name, tenant_id=tenant_id or "*")
    return token


async def authenticate(pool: asyncpg.Pool, token: str) -> repo.Token | None:
    """The live token presented, or None."""
    async with pool.acquire() as conn:
        return await repo.token_by_hash(conn, hash_token(token))
