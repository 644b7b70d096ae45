"""Pure logic of the audit log: canonical rows, the hash chain, signed checkpoints, cursors.

No I/O here. The chain is per spa: row n carries `prev_hash` (row n-1's hash, or the spa's genesis
hash) and `hash` = SHA-256(prev_hash || canonical bytes of row n).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, NamedTuple
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


def _raise_unserialisable(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _encoder(*, sort_keys: bool) -> Callable[[Any], str]:
    """Compact JSON, UTF-8 as is, no NaN: the C encoder built once (json.dumps builds one per call)."""
    if c_make_encoder is None:  # pragma: no cover - CPython always has it
        return functools.partial(
            json.dumps, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys, allow_nan=False
        )
    encode = c_make_encoder(
        None, _raise_unserialisable, encode_basestring, None, ":", ",", sort_keys, False, False
    )
    return lambda value: "".join(encode(value, 0))


_dumps = _encoder(sort_keys=True)
_dumps_head = _encoder(sort_keys=False)
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)
# PostgreSQL counts timestamps in microseconds from 2000-01-01 (what the verifier reads raw).
PG_EPOCH_OFFSET_US = 946_684_800_000_000


def micros(value: datetime) -> int:
    """Microseconds since the Unix epoch: how times enter the hash (exact, no formatting)."""
    return (value - _UNIX_EPOCH) // _ONE_MICROSECOND


def genesis_hash(tenant_id: str) -> bytes:
    """The `prev_hash` of a spa's first record; bound to the spa so a chain cannot be moved."""
    return hashlib.sha256(f"frontdesk-audit-genesis\x1f{tenant_id}".encode()).digest()


class Row(NamedTuple):
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
ROW_COLUMNS: tuple[str, ...] = Row._fields


def canonical_bytes(
    tenant_id: str,
    seq: int,
    record_id: UUID,
    occurred_us: int,
    recorded_us: int,
    schema_version: int,
    correlation_id: UUID,
    actor_service: str,
    actor_instance: str,
    conversation_id: str | None,
    client_ref: str | None,
    client_id: str | None,
    staff_user: str | None,
    action: str,
    outcome: str,
    latency_ms: float,
    payload: str,
) -> bytes:
    """The bytes a row's hash covers: every stored field, in a fixed order, nothing else.

    Scalars go in one JSON array (times as integer microseconds since the Unix epoch); `payload` is
    the three JSON columns verbatim joined by newlines (canonical JSON never holds a raw newline, so
    the split is unambiguous).
    """
    head = _dumps_head(
        [
            CANONICAL_VERSION,
            tenant_id,
            seq,
            str(record_id),
            occurred_us,
            recorded_us,
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
        ]
    )
    return f"{head}\n{payload}".encode()


def row_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    """SHA-256(prev_hash || canonical)."""
    return hashlib.sha256(prev_hash + canonical).digest()


def _has_nul(*values: str | None) -> str | None:
    for value in values:
        if value is not None and "\x00" in value:
            return value
    return None


def prepare(record: AuditRecorded, *, now: datetime) -> Row:
    """A record as a row without its place in the chain (seq 0, no hashes); raises InvalidRecord."""
    if record.occurred_at < EARLIEST or record.occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidRecord(f"occurred_at {record.occurred_at.isoformat()} is outside the accepted window")
    if not math.isfinite(record.latency_ms):
        raise InvalidRecord("latency_ms is not a finite number")
    actor = record.actor
    if _has_nul(
        actor.service, actor.instance, actor.conversation_id, actor.client_ref, actor.client_id,
        actor.staff_user, record.action, record.outcome,
    ) is not None:  # fmt: skip
        raise InvalidRecord("a text field contains a NUL character")
    try:
        arguments = _dumps(record.arguments)
        result_summary = _dumps(record.result_summary)
        disclosed = _dumps(record.disclosed_fields)
        joined = arguments + result_summary + disclosed
        if not joined.isascii():
            joined.encode()  # lone surrogates cannot be stored as UTF-8: find them now
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise InvalidRecord(f"payload is not storable JSON: {exc}") from None
    return Row(
        record.tenant_id,
        0,
        record.id,
        record.occurred_at,
        now,
        record.schema_version,
        record.correlation_id,
        actor.service,
        actor.instance,
        actor.conversation_id,
        actor.client_ref,
        actor.client_id,
        actor.staff_user,
        record.action,
        arguments,
        result_summary,
        disclosed,
        record.outcome,
        float(record.latency_ms),
    )


def chain(rows: Iterable[Row], *, head_seq: int, head_hash: bytes) -> list[Row]:
    """Give rows (of one spa, in order) their seq, prev_hash and hash after the given head."""
    out: list[Row] = []
    seq, prev = head_seq, head_hash
    sha256 = hashlib.sha256
    for r in rows:
        seq += 1
        canonical = canonical_bytes(
            r.tenant_id, seq, r.record_id, micros(r.occurred_at), micros(r.recorded_at), r.schema_version,
            r.correlation_id, r.actor_service, r.actor_instance, r.conversation_id, r.client_ref, r.client_id,
            r.staff_user, r.action, r.outcome, r.latency_ms,
            f"{r.arguments}\n{r.result_summary}\n{r.disclosed_fields}",
        )  # fmt: skip
        digest = sha256(prev + canonical).digest()
        out.append(
            Row(
                r.tenant_id,
                seq,
                r.record_id,
                r.occurred_at,
                r.recorded_at,
                r.schema_version,
                r.correlation_id,
                r.actor_service,
                r.actor_instance,
                r.conversation_id,
                r.client_ref,
                r.client_id,
                r.staff_user,
                r.action,
                r.arguments,
                r.result_summary,
                r.disclosed_fields,
                r.outcome,
                r.latency_ms,
                prev,
                digest,
            )
        )
        prev = digest
    return out


# ---------------------------------------------------------------------------- verification

# What the verifier reads per row: canonical_bytes' arguments in order (ids as text, times as
# integer microseconds since the Unix epoch, the three JSON columns joined), then prev_hash, hash.
VERIFY_SHAPE = (
    "tenant_id", "seq", "record_id", "occurred_us", "recorded_us", "schema_version", "correlation_id",
    "actor_service", "actor_instance", "conversation_id", "client_ref", "client_id", "staff_user", "action",
    "outcome", "latency_ms", "payload", "prev_hash", "hash",
)  # fmt: skip


def verify_shape(row: Row) -> tuple[Any, ...]:
    """A row as the verifier reads it from the database."""
    return (
        row.tenant_id, row.seq, str(row.record_id), micros(row.occurred_at), micros(row.recorded_at),
        row.schema_version, str(row.correlation_id), row.actor_service, row.actor_instance,
        row.conversation_id, row.client_ref, row.client_id, row.staff_user, row.action, row.outcome,
        row.latency_ms, f"{row.arguments}\n{row.result_summary}\n{row.disclosed_fields}", row.prev_hash,
        row.hash,
    )  # fmt: skip


def from_micros(value: int) -> datetime:
    """The inverse of micros()."""
    return _UNIX_EPOCH + timedelta(microseconds=value)


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

    def feed(self, rows: Iterable[Sequence[Any]]) -> bool:
        """Check rows shaped as VERIFY_SHAPE; False once a break is found (the rest is not looked at)."""
        if self.broken is not None:
            return False
        sha256, dumps = hashlib.sha256, _dumps_head
        expected_seq, prev, checkpoints = self.expected_seq, self.prev_hash, self.checkpoints
        checked = 0
        for r in rows:
            seq = r[1]
            if seq != expected_seq:
                kind = "missing_record" if seq > expected_seq else "duplicate_seq"
                self._break(kind, r, f"seq {expected_seq}", f"seq {seq}", "the chain is not contiguous")
                break
            if r[17] != prev:
                self._break(
                    "prev_hash_mismatch", r, prev.hex(), bytes(r[17]).hex(),
                    "prev_hash does not match the previous record's hash",
                )  # fmt: skip
                break
            # The head is the first sixteen columns as they come, in canonical_bytes' order.
            head = dumps([CANONICAL_VERSION, *r[:16]])
            computed = sha256(prev + f"{head}\n{r[16]}".encode()).digest()
            if computed != r[18]:
                self._break(
                    "hash_mismatch", r, computed.hex(), bytes(r[18]).hex(),
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

    def _break(self, kind: str, r: Sequence[Any], expected: str, found: str, detail: str) -> None:
        self.broken = Break(
            kind=kind,
            seq=int(r[1]),
            record_id=str(r[2]),
            occurred_at=from_micros(r[3]).isoformat(),
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


@dataclass(frozen=True, slots=True)
class RetentionMark:
    """A signed statement that a spa's records up to `through_seq` were dropped past retention.

    It names the hash of the last dropped record, so it can only be signed while that record still
    exists, and the first kept record must link to it. `cutoff` is the instant every dropped record
    occurred before: verify accepts the gap only once that instant is past the retention period.
    """

    tenant_id: str
    through_seq: int
    head_hash: bytes
    cutoff: datetime
    created_at: datetime
    key_id: str
    signature: bytes


def retention_message(
    tenant_id: str, through_seq: int, head_hash: bytes, cutoff: datetime, created_at: datetime
) -> bytes:
    """The bytes a retention mark's signature covers."""
    stamps = f"{cutoff.astimezone(UTC).isoformat()}\n{created_at.astimezone(UTC).isoformat()}"
    return f"frontdesk-audit-retention/v1\n{tenant_id}\n{through_seq}\n{head_hash.hex()}\n{stamps}".encode()


def sign_retention(
    key: Ed25519PrivateKey, tenant_id: str, through_seq: int, head_hash: bytes, cutoff: datetime,
    created_at: datetime,
) -> RetentionMark:  # fmt: skip
    """A retention mark, signed."""
    signature = key.sign(retention_message(tenant_id, through_seq, head_hash, cutoff, created_at))
    return RetentionMark(
        tenant_id, through_seq, head_hash, cutoff, created_at, key_id(key.public_key()), signature
    )


def retention_valid(mark: RetentionMark, keys: dict[str, Ed25519PublicKey]) -> bool:
    """Whether a retention mark was signed by one of the trusted keys."""
    public = keys.get(mark.key_id)
    if public is None:
        return False
    message = retention_message(
        mark.tenant_id, mark.through_seq, mark.head_hash, mark.cutoff, mark.created_at
    )
    try:
        public.verify(mark.signature, message)
    except InvalidSignature:
        return False
    return True


# ---------------------------------------------------------------------------- export

# One line per signed item in a spa's export file: JSON, bytes as hex.


def export_line(item: Checkpoint | RetentionMark) -> str:
    """A signed checkpoint or retention mark as one line of JSON, for a store outside the database."""
    if isinstance(item, Checkpoint):
        fields: dict[str, Any] = {"kind": "checkpoint", "seq": item.seq}
    else:
        fields = {"kind": "retention", "seq": item.through_seq, "cutoff": item.cutoff.isoformat()}
    return _dumps(
        {
            **fields,
            "tenant_id": item.tenant_id,
            "head_hash": item.head_hash.hex(),
            "created_at": item.created_at.isoformat(),
            "key_id": item.key_id,
            "signature": item.signature.hex(),
        }
    )


def parse_export_line(line: str) -> Checkpoint | RetentionMark:
    """The inverse of export_line; raises ValueError on a line it did not write."""
    try:
        data = json.loads(line)
        common = (bytes.fromhex(data["head_hash"]), datetime.fromisoformat(data["created_at"]))
        if data["kind"] == "checkpoint":
            return Checkpoint(
                data["tenant_id"], int(data["seq"]), common[0], common[1], data["key_id"],
                bytes.fromhex(data["signature"]),
            )  # fmt: skip
        if data["kind"] == "retention":
            return RetentionMark(
                data["tenant_id"], int(data["seq"]), common[0], datetime.fromisoformat(data["cutoff"]),
                common[1], data["key_id"], bytes.fromhex(data["signature"]),
            )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not an exported checkpoint: {exc}") from None
    raise ValueError(f"unknown kind {data['kind']!r}")


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
