"""Use cases of the audit service: append, checkpoint, verify, keep partitions, hand out tokens."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
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
    Checkpoint,
    RetentionMark,
    Row,
    chain,
    export_line,
    genesis_hash,
    key_id,
    load_private_key,
    load_public_key,
    next_month,
    parse_export_line,
    prepare,
    retention_valid,
    sign_checkpoint,
    sign_retention,
    signature_valid,
)
from shared.contracts.audit import AuditActor, AuditRecorded

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


# ---------------------------------------------------------------------------- the store outside the database


class CheckpointStore:
    """Signed checkpoints and retention marks copied to files the database superuser does not control.

    One JSON Lines file per spa under a directory (a mounted object store or another host's volume),
    only ever appended to; verify reads it back and holds the database to it.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _file(self, tenant_id: str) -> Path:
        if not _SPA_FILE.fullmatch(tenant_id):
            raise ValueError(f"not a spa id: {tenant_id!r}")
        return self.directory / f"{tenant_id}.jsonl"

    def append(self, items: Sequence[Checkpoint | RetentionMark]) -> None:
        """Append signed items, flushed to disk before returning."""
        by_tenant: dict[str, list[str]] = {}
        for item in items:
            by_tenant.setdefault(item.tenant_id, []).append(export_line(item))
        self.directory.mkdir(parents=True, exist_ok=True)
        for tenant_id, lines in by_tenant.items():
            with self._file(tenant_id).open("a", encoding="utf-8") as out:
                out.write("".join(f"{line}\n" for line in lines))
                out.flush()
                os.fsync(out.fileno())

    def read(self, tenant_id: str) -> list[Checkpoint | RetentionMark]:
        """Everything exported for a spa; a line that does not parse raises ValueError."""
        path = self._file(tenant_id)
        if not path.exists():
            return []
        return [parse_export_line(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


_SPA_FILE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class Signer:
    """The key that signs chain starts and heads, and where signed items are copied."""

    key: Ed25519PrivateKey
    store: CheckpointStore | None = None

    def export(self, items: Sequence[Checkpoint | RetentionMark]) -> None:
        """Copy signed items to the store, if there is one; raises OSError when it cannot be written."""
        if self.store is not None and items:
            self.store.append(items)

    def export_after_commit(self, items: Sequence[Checkpoint | RetentionMark]) -> None:
        """Copy what is already committed; a store that is away is logged, never undoes the append."""
        try:
            self.export(items)
        except OSError as exc:
            log.error("audit.checkpoint_export_failed", error=type(exc).__name__, items=len(items))


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
    signer: Signer | None = None,
) -> AppendResult:
    """Append prepared rows to their spas' chains in one transaction; ids already stored are skipped.

    Each spa's chain is extended under its advisory lock, so concurrent appenders (replicas, the API
    logging a query) never fork a chain. Rows keep their given order within a spa. A chain's first
    record gets a signed checkpoint in the same transaction, so the start of the chain is provable.
    """
    if not rows:
        return AppendResult(0, 0)
    await partitions.ensure(pool, _months(rows))
    async with pool.acquire() as conn, conn.transaction():
        inserted, starts = await append_in(conn, rows, writer_role=writer_role, signer=signer)
    if signer is not None:
        signer.export_after_commit(starts)  # the store never holds what the database does not
    return AppendResult(inserted, len(rows) - inserted)


def _months(rows: Sequence[Row]) -> set[datetime]:
    return {datetime(r.occurred_at.year, r.occurred_at.month, 1, tzinfo=UTC) for r in rows}


async def append_in(
    conn: asyncpg.Connection, rows: Sequence[Row], *, writer_role: str, signer: Signer | None
) -> tuple[int, list[Checkpoint]]:
    """Append within the caller's transaction (as the writer role from here on); (inserted, starts)."""
    by_tenant: dict[str, list[Row]] = {}
    for row in rows:
        by_tenant.setdefault(row.tenant_id, []).append(row)
    inserted, starts = 0, []
    if not by_tenant:
        await conn.execute(f"SET LOCAL ROLE {writer_role}")
    role: str | None = writer_role  # become the writer with the first lock: one round trip less
    # Always lock spas in the same order so two appenders cannot deadlock.
    for tenant_id in sorted(by_tenant):
        await repo.lock_chain(conn, tenant_id, as_role=role)
        role = None
        batch = by_tenant[tenant_id]
        times = [r.occurred_at for r in batch]
        existing, head = await repo.chain_state(
            conn, tenant_id, [r.record_id for r in batch], min(times), max(times)
        )
        fresh = _fresh(batch, existing)
        if not fresh:
            continue
        head = head or await _chain_start(conn, tenant_id)
        chained = chain(fresh, head_seq=head[0], head_hash=head[1])
        await repo.insert_rows(conn, chained)
        inserted += len(chained)
        if head[0] == 0 and signer is not None:
            start = sign_checkpoint(signer.key, tenant_id, 1, chained[0].hash, datetime.now(UTC))
            await repo.insert_checkpoint(conn, start)
            starts.append(start)
    return inserted, starts


def _fresh(batch: list[Row], stored: set[UUID]) -> list[Row]:
    """The rows of a batch not stored yet (nor repeated within it)."""
    seen = set(stored)
    fresh: list[Row] = []
    for row in batch:
        if row.record_id not in seen:
            seen.add(row.record_id)
            fresh.append(row)
    return fresh


async def _chain_start(conn: asyncpg.Connection, tenant_id: str) -> tuple[int, bytes]:
    """Where an empty chain goes on: after its last retention mark, else from the spa's genesis."""
    await repo.register_chain(conn, tenant_id)
    mark = await repo.last_retention_mark(conn, tenant_id)
    return (mark.through_seq, mark.head_hash) if mark else (0, genesis_hash(tenant_id))


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


def signer_of(keys: Keys, export_dir: Path | None) -> Signer | None:
    """The signer of a service holding a signing key, copying to the store when one is configured."""
    if keys.signing is None:
        return None
    return Signer(keys.signing, CheckpointStore(export_dir) if export_dir else None)


def _looks_like_path(text: str) -> bool:
    return "/" in text or text.endswith((".pem", ".key")) or text.startswith(".")


# ---------------------------------------------------------------------------- checkpoints


async def checkpoint(
    pool: asyncpg.Pool, key: Ed25519PrivateKey | Signer, *, writer_role: str, tenant_id: str | None = None,
    force: bool = False,
) -> list[dict[str, Any]]:  # fmt: skip
    """Sign each spa's head (or one spa's) where it moved since the last checkpoint; copy to the store."""
    signer = key if isinstance(key, Signer) else Signer(key)
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
                cp = sign_checkpoint(signer.key, tenant, head[0], head[1], datetime.now(UTC))
                await repo.insert_checkpoint(conn, cp)
            signer.export_after_commit([cp])
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
    exported_checked: int = 0  # signed items read back from the store outside the database
    seconds: float = 0.0
    first_break: Break | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class Evidence:
    """What a spa's chain is held to: signed checkpoints and retention marks that verify."""

    checkpoints: list[Checkpoint]
    marks: list[RetentionMark]


@dataclass(frozen=True)
class VerifyOptions:
    """What verify trusts and how long records are kept."""

    trusted: dict[str, Ed25519PublicKey]
    retention_months: int = 72
    store: CheckpointStore | None = None
    now: datetime | None = None


async def verify(
    pool: asyncpg.Pool,
    tenant_id: str,
    trusted: dict[str, Ed25519PublicKey],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    retention_months: int = 72,
    store: CheckpointStore | None = None,
    now: datetime | None = None,
) -> VerifyReport:
    """Recompute the spa's chain over the records that occurred in [start, end) and check checkpoints.

    The period selects a contiguous run of seq (from the first to the last record that occurred in
    it); the run is walked in seq order from the hash before it. A missing start of the chain is a
    break unless a signed retention mark past the retention period covers it.
    """
    options = VerifyOptions(trusted, retention_months, store, now)
    began = asyncio.get_running_loop().time()
    report = VerifyReport(tenant_id=tenant_id, ok=True)
    verifier = ChainVerifier(tenant_id, expected_seq=1, prev_hash=genesis_hash(tenant_id))
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        evidence = await _evidence(conn, tenant_id, options, verifier, report)
        head = await repo.chain_head(conn, tenant_id)
        kept_from = max((m.through_seq for m in evidence.marks), default=0)
        head_seq = head[0] if head else kept_from
        _check_heads(evidence.checkpoints, head_seq, verifier, report)
        lo, hi = await repo.seq_range(conn, tenant_id, start, end)
        if lo is None or hi is None:
            report.notes.append("no records in this period")
        else:
            report.first_seq, report.last_seq = lo, hi
            await _walk(conn, tenant_id, lo, hi, evidence, options, verifier, report)
        report.unsigned_tail = max(0, head_seq - report.last_checkpoint_seq)
    report.records_checked = verifier.checked
    report.checkpoints_checked = verifier.checkpoints_checked
    report.first_break = verifier.broken
    report.ok = verifier.broken is None
    report.seconds = round(asyncio.get_running_loop().time() - began, 3)
    _log_outcome(report)
    return report


async def _evidence(
    conn: asyncpg.Connection, tenant_id: str, options: VerifyOptions, verifier: ChainVerifier,
    report: VerifyReport,
) -> Evidence:  # fmt: skip
    """The spa's signed items from the database and the store; an untrusted or missing one is a break."""
    checkpoints = await repo.checkpoints(conn, tenant_id)
    marks = await repo.retention_marks(conn, tenant_id)
    if options.store is not None:
        exported = await asyncio.to_thread(options.store.read, tenant_id)
        report.exported_checked = len(exported)
        _hold_to_export(exported, checkpoints, marks, verifier)
    for cp in checkpoints:
        if not signature_valid(cp, options.trusted):
            verifier.fail(
                "bad_signature", cp.seq, "a signature by a trusted key", f"key {cp.key_id}",
                f"checkpoint at seq {cp.seq} ({cp.created_at.isoformat()}) has no trusted signature",
            )  # fmt: skip
    for mark in marks:
        if not retention_valid(mark, options.trusted):
            verifier.fail(
                "bad_signature", mark.through_seq, "a signature by a trusted key", f"key {mark.key_id}",
                f"retention mark through seq {mark.through_seq} has no trusted signature",
            )  # fmt: skip
    return Evidence(checkpoints, marks)


def _hold_to_export(
    exported: list[Checkpoint | RetentionMark], checkpoints: list[Checkpoint], marks: list[RetentionMark],
    verifier: ChainVerifier,
) -> None:  # fmt: skip
    """Every item exported must still be in the database: one that is not was deleted from it."""
    stored = {_identity(item) for item in (*checkpoints, *marks)}
    for item in exported:
        if _identity(item) in stored:
            continue
        seq = item.seq if isinstance(item, Checkpoint) else item.through_seq
        kind = "checkpoint" if isinstance(item, Checkpoint) else "retention mark"
        verifier.fail(
            "exported_missing", seq, f"the exported {kind} at seq {seq}", "nothing in the database",
            f"a {kind} signed at {item.created_at.isoformat()} is in the store, not the database (deleted)",
        )  # fmt: skip
        # Held to it anyway: the chain must still match what was signed.
        if isinstance(item, Checkpoint):
            checkpoints.append(item)
        else:
            marks.append(item)


def _identity(item: Checkpoint | RetentionMark) -> tuple[str, int, bytes, bytes]:
    seq = item.seq if isinstance(item, Checkpoint) else item.through_seq
    return type(item).__name__, seq, item.head_hash, item.signature


def _check_heads(
    checkpoints: list[Checkpoint], head_seq: int, verifier: ChainVerifier, report: VerifyReport
) -> None:
    """A checkpoint beyond the chain's head means signed records are gone."""
    for cp in checkpoints:
        report.last_checkpoint_seq = max(report.last_checkpoint_seq, cp.seq)
        if cp.seq > head_seq:
            verifier.fail(
                "checkpoint_beyond_head", cp.seq, f"at least {cp.seq} records", f"{head_seq} records",
                "records signed by a checkpoint are missing (deleted)",
            )  # fmt: skip


async def _walk(
    conn: asyncpg.Connection, tenant_id: str, lo: int, hi: int, evidence: Evidence, options: VerifyOptions,
    verifier: ChainVerifier, report: VerifyReport,
) -> None:  # fmt: skip
    """Anchor the run at the hash before lo, then hash every record from lo to hi."""
    if lo > 1:
        await _anchor(conn, tenant_id, lo, evidence.marks, options, verifier, report)
    verifier.checkpoints = {cp.seq: cp for cp in evidence.checkpoints if lo <= cp.seq <= hi}
    if verifier.broken is not None:
        return
    async with repo.raw_times(conn):
        async for rows in repo.stream_chain(conn, tenant_id, lo, hi):
            if not verifier.feed(rows):
                break
    if verifier.broken is None and verifier.expected_seq != hi + 1:
        verifier.fail("missing_record", verifier.expected_seq, f"seq {hi}",
                      f"seq {verifier.expected_seq - 1}", "the chain ends early")  # fmt: skip


async def _anchor(
    conn: asyncpg.Connection, tenant_id: str, lo: int, marks: list[RetentionMark], options: VerifyOptions,
    verifier: ChainVerifier, report: VerifyReport,
) -> None:  # fmt: skip
    """The hash before lo: the record lo-1's, or a retention mark's when the start was dropped."""
    verifier.expected_seq = lo
    before = await repo.hash_at(conn, tenant_id, lo - 1)
    if before is not None:
        verifier.prev_hash = before
        return
    first_existing, _ = await repo.seq_range(conn, tenant_id, None, None)
    if first_existing != lo:
        verifier.fail("missing_record", lo - 1, f"seq {lo - 1}", "nothing",
                      "the record before the period is missing")  # fmt: skip
        return
    linked = await repo.prev_hash_at(conn, tenant_id, lo) or b""
    mark = next((m for m in marks if m.through_seq == lo - 1), None)
    problem = retention_problem(mark, lo, linked, options)
    if problem is not None:
        verifier.fail("missing_head", lo - 1, f"seq 1-{lo - 1}", f"the chain starts at seq {lo}", problem)
        return
    assert mark is not None
    verifier.prev_hash = linked
    report.anchored_at_retention = True
    report.notes.append(
        f"records before seq {lo} were dropped past retention "
        f"(occurred before {mark.cutoff.date().isoformat()}, mark signed {mark.created_at.isoformat()})"
    )


def retention_problem(
    mark: RetentionMark | None, lo: int, linked: bytes, options: VerifyOptions
) -> str | None:
    """Why a chain starting at seq lo is not explained by this retention mark, or None when it is."""
    gap = f"records seq 1-{lo - 1} are missing"
    if mark is None:
        return f"{gap} and no signed retention mark covers them (deleted?)"
    if not retention_valid(mark, options.trusted):
        return f"{gap}; the retention mark covering them has no trusted signature"
    limit = retention_cutoff(options.retention_months, now=options.now)
    if mark.cutoff > limit:
        return (
            f"{gap}; the retention mark covering them (cutoff {mark.cutoff.isoformat()}) is not past "
            f"the {options.retention_months}-month retention period"
        )
    if linked != mark.head_hash:
        return f"{gap}; seq {lo} does not link to the hash the retention mark signed"
    return None


def _log_outcome(report: VerifyReport) -> None:
    if report.first_break is None:
        log.info("audit.verified", tenant_id=report.tenant_id, records=report.records_checked)
    else:
        log.error("audit.verify_failed", tenant_id=report.tenant_id, kind=report.first_break.kind,
                  seq=report.first_break.seq)  # fmt: skip


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


class RetentionRefused(Exception):
    """Dropping these partitions would leave a hole in the middle of a chain, or cannot be signed."""


async def drop_expired(
    pool: asyncpg.Pool, signer: Signer, months: int, *, now: datetime | None = None
) -> list[str]:
    """Drop partitions past retention, after signing, storing and exporting a retention mark per spa."""
    names = await expired_partitions(pool, months, now=now)
    if not names:
        return []
    cutoff = retention_cutoff(months, now=now)
    async with pool.acquire() as conn:
        async with conn.transaction():
            marks = await _retention_marks(conn, signer, cutoff)
            for mark in marks:
                await repo.insert_retention_mark(conn, mark)
        # Stored and exported before anything is dropped: a mark without a drop is harmless.
        signer.export(marks)
        async with conn.transaction():
            for name in names:
                await repo.drop_partition(conn, name)
    log.info("audit.retention_dropped", partitions=len(names), spas=len(marks))
    return names


async def _retention_marks(conn: asyncpg.Connection, signer: Signer, cutoff: datetime) -> list[RetentionMark]:
    """A signed mark per spa naming its last record before the cutoff; refused if later ones are kept."""
    marks = []
    for tenant, (dropped, kept) in sorted((await repo.seq_bounds_around(conn, cutoff)).items()):
        if dropped is None:
            continue
        if kept is not None and kept < dropped:
            raise RetentionRefused(
                f"spa {tenant}: seq {kept} is kept but seq {dropped} would be dropped (a late record)"
            )
        head = await repo.hash_at(conn, tenant, dropped)
        assert head is not None
        marks.append(sign_retention(signer.key, tenant, dropped, head, cutoff, datetime.now(UTC)))
    return marks


# ---------------------------------------------------------------------------- tokens

# Where a change that concerns every spa (an all-spas token) is recorded.
SYSTEM_CHAIN = "frontdesk-system"


def hash_token(token: str) -> bytes:
    """What is stored of a token: its SHA-256."""
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class Operator:
    """Who changes tokens, as recorded in the log, and how the record is written."""

    staff_user: str
    instance: str
    writer_role: str
    partitions: Partitions
    signer: Signer | None = None


async def create_token(
    pool: asyncpg.Pool, name: str, tenant_id: str | None, *, operator: Operator | None = None
) -> str:
    """A new API token for a compliance officer; returns the token (shown once, stored hashed).

    With an operator, the creation is recorded in the spa's log (the system chain for an all-spas
    token) in the same transaction.
    """
    token = "fda_" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    record = _token_record(operator, "audit.token_created", name, tenant_id) if operator else None
    if operator and record:
        await operator.partitions.ensure(pool, _months([record]))
    async with pool.acquire() as conn, conn.transaction():
        await repo.insert_token(conn, uuid4(), name, hash_token(token), tenant_id)
        starts = await _record_in(conn, operator, record) if operator and record else []
    _export(operator, starts)
    log.info("audit.token_created", token_name=name, tenant_id=tenant_id or "*")
    return token


async def revoke_token(pool: asyncpg.Pool, name: str, *, operator: Operator | None = None) -> bool:
    """Revoke a live token by name, recorded like its creation; False when there is none."""
    now = datetime.now(UTC)
    if operator:
        await operator.partitions.ensure(pool, {datetime(now.year, now.month, 1, tzinfo=UTC)})
    async with pool.acquire() as conn, conn.transaction():
        revoked = await repo.revoke_token(conn, name)
        if revoked is None:
            return False
        record = _token_record(operator, "audit.token_revoked", name, revoked.tenant_id) if operator else None
        starts = await _record_in(conn, operator, record) if operator and record else []
    _export(operator, starts)
    log.info("audit.token_revoked", token_name=name)
    return True


def _token_record(operator: Operator, action: str, name: str, tenant_id: str | None) -> Row:
    entry = AuditRecorded(
        tenant_id=tenant_id or SYSTEM_CHAIN,
        actor=AuditActor(service="audit", instance=operator.instance, staff_user=operator.staff_user),
        action=action,
        arguments={"token_name": name, "scope": tenant_id or "*"},
    )
    return prepare(entry, now=datetime.now(UTC))


async def _record_in(conn: asyncpg.Connection, operator: Operator, row: Row) -> list[Checkpoint]:
    _, starts = await append_in(conn, [row], writer_role=operator.writer_role, signer=operator.signer)
    return starts


def _export(operator: Operator | None, starts: list[Checkpoint]) -> None:
    if operator is not None and operator.signer is not None:
        operator.signer.export_after_commit(starts)


async def authenticate(pool: asyncpg.Pool, token: str) -> repo.Token | None:
    """The live token presented, or None."""
    async with pool.acquire() as conn:
        return await repo.token_by_hash(conn, hash_token(token))
