"""Pure logic of the audit log: canonical rows, the hash chain, signed checkpoints, cursors.

No I/O here. The chain is per spa: row n carries `prev_hash` (row n-1's hash, or the spa's genesis
hash) and `hash` = SHA-256(prev_hash || canonical bytes of row n).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.contracts.audit import AuditRecorded

CANONICAL_VERSION = 1
# Records dated outside this window are refused: a partition per stray month is not worth a bad clock.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)


class InvalidRecord(ValueError):
    """A record that cannot be stored as it is (and never will be): it goes to the dead letters."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def genesis_hash(tenant_id: str) -> bytes:
    """The `prev_hash` of a spa's first record; bound to the spa so a chain cannot be moved."""
    return hashlib.sha256(f"frontdesk-audit-genesis\x1f{tenant_id}".encode()).digest()


@dataclass(frozen=True, slots=True)
class Row:
    """One audit_log row, as stored; `arguments`, `result_summary`, `disclosed_fields` are JSON text."""

    tenant_id: str
    seq: int
    record_id: UUID
    occurred_at: datetime
    recorded_at: datetime
    schema_version: int
    correlation_id: UUID
    actor_service: str
    actor_instance: str
    conversation_id: str | None
    client_ref: str | None
    client_id: str | None
    staff_user: str | None
    action: str
    arguments: str
    result_summary: str
    disclosed_fields: str
    outcome: str
    latency_ms: float
    prev_hash: bytes = b""
    hash: bytes = b""


# Column order shared by the repository's INSERT and SELECT.
ROW_COLUMNS: tuple[str, ...] = tuple(Row.__dataclass_fields__)


def canonical_bytes(
    tenant_id: str,
    seq: int,
    record_id: UUID,
    occurred_at: datetime,
    recorded_at: datetime,
    schema_version: int,
    correlation_id: UUID,
    actor_service: str,
    actor_instance: str,
    conversation_id: str | None,
    client_ref: str | None,
    client_id: str | None,
    staff_user: str | None,
    action: str,
    arguments: str,
    result_summary: str,
    disclosed_fields: str,
    outcome: str,
    latency_ms: float,
) -> bytes:
    """The bytes a row's hash covers: every stored field, in a fixed order, nothing else.

    Scalars go in one JSON array; the JSON columns follow verbatim on their own lines (canonical
    JSON never contains a raw newline, so the split is unambiguous).
    """
    head = json.dumps(
        [
            CANONICAL_VERSION,
            tenant_id,
            seq,
            str(record_id),
            occurred_at.isoformat(),
            recorded_at.isoformat(),
            schema_version,
            str(correlation_id),
            actor_service,
            actor_instance,
            conversation_id,
            client_ref,
            client_id,
            staff_user,
            action,
            outcome,
            latency_ms,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    return f"{head}\n{arguments}\n{result_summary}\n{disclosed_fields}".encode()


def row_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    """SHA-256(prev_hash || canonical)."""
    return hashlib.sha256(prev_hash + canonical).digest()


def _check_text(name: str, value: str | None) -> None:
    if value is not None and "\x00" in value:
        raise InvalidRecord(f"{name} contains a NUL character")


def prepare(record: AuditRecorded, *, now: datetime) -> Row:
    """A record as a row without its place in the chain (seq 0, no hashes); raises InvalidRecord."""
    if record.occurred_at < EARLIEST or record.occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidRecord(f"occurred_at {record.occurred_at.isoformat()} is outside the accepted window")
    if not math.isfinite(record.latency_ms):
        raise InvalidRecord("latency_ms is not a finite number")
    actor = record.actor
    for name, value in (
        ("actor.service", actor.service),
        ("actor.instance", actor.instance),
        ("actor.conversation_id", actor.conversation_id),
        ("actor.client_ref", actor.client_ref),
        ("actor.client_id", actor.client_id),
        ("actor.staff_user", actor.staff_user),
        ("action", record.action),
        ("outcome", record.outcome),
    ):
        _check_text(name, value)
    try:
        arguments = _dumps(record.arguments)
        result_summary = _dumps(record.result_summary)
        disclosed = _dumps(list(record.disclosed_fields))
        # Lone surrogates cannot be stored as UTF-8: find them now, not in the database.
        (arguments + result_summary + disclosed).encode()
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise InvalidRecord(f"payload is not storable JSON: {exc}") from None
    return Row(
        tenant_id=record.tenant_id,
        seq=0,
        record_id=record.id,
        occurred_at=record.occurred_at.astimezone(UTC),
        recorded_at=now,
        schema_version=record.schema_version,
        correlation_id=record.correlation_id,
        actor_service=actor.service,
        actor_instance=actor.instance,
        conversation_id=actor.conversation_id,
        client_ref=actor.client_ref,
        client_id=actor.client_id,
        staff_user=actor.staff_user,
        action=record.action,
        arguments=arguments,
        result_summary=result_summary,
        disclosed_fields=disclosed,
        outcome=record.outcome,
        latency_ms=float(record.latency_ms),
    )


def _canonical_of(row: Row) -> bytes:
    return canonical_bytes(
        row.tenant_id,
        row.seq,
        row.record_id,
        row.occurred_at,
        row.recorded_at,
        row.schema_version,
        row.correlation_id,
        row.actor_service,
        row.actor_instance,
        row.conversation_id,
        row.client_ref,
        row.client_id,
        row.staff_user,
        row.action,
        row.arguments,
        row.result_summary,
        row.disclosed_fields,
        row.outcome,
        row.latency_ms,
    )


def chain(rows: Iterable[Row], *, head_seq: int, head_hash: bytes) -> list[Row]:
    """Give rows (of one spa, in order) their seq, prev_hash and hash after the given head."""
    out: list[Row] = []
    seq, prev = head_seq, head_hash
    for row in rows:
        seq += 1
        placed = _replace(row, seq=seq, prev_hash=prev)
        digest = row_hash(prev, _canonical_of(placed))
        placed = _replace(placed, hash=digest)
        out.append(placed)
        prev = digest
    return out


def _replace(row: Row, **changes: Any) -> Row:
    values = {name: getattr(row, name) for name in ROW_COLUMNS}
    values.update(changes)
    return Row(**values)


# ---------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    kind: str  # missing_record, prev_hash_mismatch, hash_mismatch, checkpoint_mismatch, bad_signature, ...
    seq: int
    record_id: str | None
    occurred_at: str | None
    expected: str
    found: str
    detail: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed chain head as stored."""

    tenant_id: str
    seq: int
    head_hash: bytes
    created_at: datetime
    key_id: str
    signature: bytes


@dataclass
class ChainVerifier:
    """Walks a spa's rows in seq order and stops at the first broken link.

    Feed rows with `feed(...)` (plain tuples in ROW_COLUMNS order, for speed) and read `broken`.
    """

    tenant_id: str
    expected_seq: int
    prev_hash: bytes
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    checked: int = 0
    checkpoints_checked: int = 0
    broken: Break | None = None

    def feed(self, rows: Iterable[tuple[Any, ...]]) -> bool:
        """Check these rows; returns False once a break is found (the rest is not looked at)."""
        if self.broken is not None:
            return False
        sha256 = hashlib.sha256
        expected_seq, prev, checkpoints = self.expected_seq, self.prev_hash, self.checkpoints
        checked = 0
        for r in rows:
            (tenant_id, seq, record_id, occurred_at, recorded_at, schema_version, correlation_id,
             actor_service, actor_instance, conversation_id, client_ref, client_id, staff_user,
             action, arguments, result_summary, disclosed_fields, outcome, latency_ms,
             prev_hash, digest) = r  # fmt: skip
            if seq != expected_seq:
                kind = "missing_record" if seq > expected_seq else "duplicate_seq"
                self._break(kind, r, f"seq {expected_seq}", f"seq {seq}", "the chain is not contiguous")
                break
            if prev_hash != prev:
                self._break(
                    "prev_hash_mismatch", r, prev.hex(), bytes(prev_hash).hex(),
                    "prev_hash does not match the previous record's hash",
                )  # fmt: skip
                break
            canonical = canonical_bytes(
                tenant_id, seq, record_id, occurred_at, recorded_at, schema_version, correlation_id,
                actor_service, actor_instance, conversation_id, client_ref, client_id, staff_user, action,
                arguments, result_summary, disclosed_fields, outcome, latency_ms,
            )  # fmt: skip
            computed = sha256(prev + canonical).digest()
            if computed != digest:
                self._break(
                    "hash_mismatch", r, computed.hex(), bytes(digest).hex(),
                    "the record's content does not match its hash (altered after it was written)",
                )  # fmt: skip
                break
            if seq in checkpoints:
                cp = checkpoints[seq]
                self.checkpoints_checked += 1
                if cp.head_hash != computed:
                    self._break(
                        "checkpoint_mismatch", r, cp.head_hash.hex(), computed.hex(),
                        f"differs from the head signed at {cp.created_at.isoformat()} (chain rewritten)",
                    )  # fmt: skip
                    break
            prev = computed
            expected_seq += 1
            checked += 1
        self.checked += checked
        self.expected_seq, self.prev_hash = expected_seq, prev
        return self.broken is None

    def _break(self, kind: str, r: tuple[Any, ...], expected: str, found: str, detail: str) -> None:
        self.broken = Break(
            kind=kind,
            seq=int(r[1]),
            record_id=str(r[2]),
            occurred_at=r[3].isoformat(),
            expected=expected,
            found=found,
            detail=detail,
        )

    def fail(self, kind: str, seq: int, expected: str, found: str, detail: str) -> None:
        """Record a break not tied to a row (a missing tail, a forged checkpoint)."""
        if self.broken is None:
            self.broken = Break(kind, seq, None, None, expected, found, detail)


# ---------------------------------------------------------------------------- signing


def checkpoint_message(tenant_id: str, seq: int, head_hash: bytes, created_at: datetime) -> bytes:
    """The bytes a checkpoint's signature covers."""
    stamp = created_at.astimezone(UTC).isoformat()
    return f"frontdesk-audit-checkpoint/v1\n{tenant_id}\n{seq}\n{head_hash.hex()}\n{stamp}".encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key: which key signed a checkpoint."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class InvalidKey(ValueError):
    """A signing or verifying key that cannot be read."""


def load_private_key(text: str | bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or base64 of the 32 raw bytes."""
    data = text.encode() if isinstance(text, str) else text
    data = data.strip()
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise InvalidKey("the PEM key is not an Ed25519 key")
            return key
        raw = base64.b64decode(data, validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise InvalidKey(f"not an Ed25519 private key (PEM or base64 of 32 bytes): {exc}") from None


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from base64 of its 32 raw bytes."""
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))
    except (ValueError, binascii.Error) as exc:
        raise InvalidKey(f"not a base64 Ed25519 public key: {exc}") from None


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    """The base64 of a public key's raw bytes (the form AUDIT_VERIFY_KEYS takes)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign_checkpoint(
    key: Ed25519PrivateKey, tenant_id: str, seq: int, head_hash: bytes, created_at: datetime
) -> Checkpoint:
    """A checkpoint of a chain head, signed."""
    signature = key.sign(checkpoint_message(tenant_id, seq, head_hash, created_at))
    return Checkpoint(tenant_id, seq, head_hash, created_at, key_id(key.public_key()), signature)


def signature_valid(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> bool:
    """Whether a checkpoint was signed by one of the trusted keys."""
    public = keys.get(checkpoint.key_id)
    if public is None:
        return False
    message = checkpoint_message(
        checkpoint.tenant_id, checkpoint.seq, checkpoint.head_hash, checkpoint.created_at
    )
    try:
        public.verify(checkpoint.signature, message)
    except InvalidSignature:
        return False
    return True


# ---------------------------------------------------------------------------- pagination


class InvalidCursor(ValueError):
    """A pagination cursor this API did not hand out."""


def encode_cursor(occurred_at: datetime, record_id: UUID) -> str:
    """An opaque cursor pointing after (occurred_at, record_id)."""
    raw = json.dumps([occurred_at.isoformat(), str(record_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The position a cursor points after; raises InvalidCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, rid = json.loads(raw)
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            raise ValueError("naive time")
        return when, UUID(rid)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise InvalidCursor("invalid cursor") from exc


def months_between(start: datetime, end: datetime) -> Iterator[datetime]:
    """First instants (UTC) of every month from start's month to end's month, inclusive."""
    current = datetime(start.year, start.month, 1, tzinfo=UTC)
    while current <= end:
        yield current
        current = next_month(current)


def next_month(month: datetime) -> datetime:
    """The first instant of the following month."""
    return datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
