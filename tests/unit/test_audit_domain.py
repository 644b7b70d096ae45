"""The audit log's pure logic: canonical rows, chaining, verification, signatures, cursors, retention."""

from __future__ import annotations

import base64
import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.domain import (
    ChainVerifier,
    InvalidCursor,
    InvalidKey,
    InvalidRecord,
    Row,
    chain,
    decode_cursor,
    encode_cursor,
    export_line,
    genesis_hash,
    key_id,
    load_private_key,
    parse_export_line,
    prepare,
    retention_valid,
    sign_checkpoint,
    sign_retention,
    signature_valid,
    verify_shape,
)
from services.audit.handlers import load_keys, retention_cutoff
from shared.contracts.audit import AuditActor, AuditRecorded

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SPA = "glow-medspa"


def _record(**extra: object) -> AuditRecorded:
    values: dict[str, object] = {
        "tenant_id": SPA,
        "occurred_at": NOW - timedelta(seconds=5),
        "actor": AuditActor(service="scheduler", instance="s1", conversation_id="c1", client_ref="p1"),
        "action": "hold_slots",
        "arguments": {"slot": "2026-12-01T10:00", "provider": "ana", "é": [1, 2.5, None]},
        "result_summary": {"held": 1},
        "disclosed_fields": ["first_name"],
        "latency_ms": 3.25,
    }
    values.update(extra)
    return AuditRecorded(**values)  # type: ignore[arg-type]


def _tuples(rows: list[Row]) -> list[tuple[object, ...]]:
    return [verify_shape(r) for r in rows]


def test_chained_rows_verify_and_link_to_the_spa_genesis() -> None:
    rows = chain([prepare(_record(), now=NOW) for _ in range(5)], head_seq=0, head_hash=genesis_hash(SPA))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == genesis_hash(SPA)
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    v = ChainVerifier(SPA, expected_seq=1, prev_hash=genesis_hash(SPA))
    assert v.feed(_tuples(rows)) and v.checked == 5


def test_changing_any_field_breaks_the_link_at_that_record() -> None:
    rows = chain([prepare(_record(), now=NOW) for _ in range(4)], head_seq=0, head_hash=genesis_hash(SPA))
    for column in ("action", "outcome", "arguments", "client_ref", "latency_ms", "occurred_at", "tenant_id"):
        value = {
            "action": "confirm_booking",
            "outcome": "error",
            "arguments": '{"slot":"x"}',
            "client_ref": "p2",
            "latency_ms": 3.5,
            "occurred_at": rows[2].occurred_at + timedelta(microseconds=1),
            "tenant_id": "other-spa",
        }[column]
        tampered = [*rows[:2], rows[2]._replace(**{column: value}), rows[3]]
        v = ChainVerifier(SPA, expected_seq=1, prev_hash=genesis_hash(SPA))
        assert not v.feed(_tuples(tampered))
        assert v.broken is not None
        assert (v.broken.kind, v.broken.seq, v.broken.record_id) == (
            "hash_mismatch",
            3,
            str(rows[2].record_id),
        )


def test_a_chain_does_not_verify_under_another_spa() -> None:
    rows = chain([prepare(_record(), now=NOW)], head_seq=0, head_hash=genesis_hash(SPA))
    v = ChainVerifier("other-spa", expected_seq=1, prev_hash=genesis_hash("other-spa"))
    assert not v.feed(_tuples(rows))
    assert v.broken is not None and v.broken.kind == "prev_hash_mismatch"


def test_records_that_cannot_be_stored_are_refused_with_a_reason() -> None:
    with pytest.raises(InvalidRecord, match="NUL"):
        prepare(_record(action="a\x00b"), now=NOW)
    with pytest.raises(InvalidRecord, match="finite"):
        prepare(_record(latency_ms=float("inf")), now=NOW)
    with pytest.raises(InvalidRecord, match="window"):
        prepare(_record(occurred_at=NOW + timedelta(days=3)), now=NOW)
    with pytest.raises(InvalidRecord, match="JSON"):
        prepare(_record(arguments={"x": float("nan")}), now=NOW)


def test_canonical_json_is_stable_whatever_the_key_order() -> None:
    a = prepare(_record(arguments={"b": 1, "a": 2}), now=NOW)
    b = prepare(_record(arguments={"a": 2, "b": 1}), now=NOW)
    assert a.arguments == b.arguments == '{"a":2,"b":1}'


def test_checkpoint_signature_holds_only_for_the_signed_head() -> None:
    key = Ed25519PrivateKey.generate()
    trusted = {key_id(key.public_key()): key.public_key()}
    cp = sign_checkpoint(key, SPA, 10, b"\x01" * 32, NOW)
    assert signature_valid(cp, trusted)
    assert not signature_valid(replace(cp, seq=11), trusted)
    assert not signature_valid(replace(cp, head_hash=b"\x02" * 32), trusted)
    other = Ed25519PrivateKey.generate()
    assert not signature_valid(sign_checkpoint(other, SPA, 10, b"\x01" * 32, NOW), trusted)


def test_retention_mark_signature_covers_the_dropped_head_and_the_cutoff() -> None:
    key = Ed25519PrivateKey.generate()
    trusted = {key_id(key.public_key()): key.public_key()}
    mark = sign_retention(key, SPA, 3, b"\x03" * 32, datetime(2020, 11, 1, tzinfo=UTC), NOW)
    assert retention_valid(mark, trusted)
    assert not retention_valid(replace(mark, through_seq=4), trusted)
    assert not retention_valid(replace(mark, cutoff=NOW), trusted)
    assert not retention_valid(replace(mark, tenant_id="other-spa"), trusted)


def test_exported_checkpoints_and_marks_read_back_as_signed() -> None:
    key = Ed25519PrivateKey.generate()
    trusted = {key_id(key.public_key()): key.public_key()}
    cp = sign_checkpoint(key, SPA, 10, b"\x01" * 32, NOW)
    mark = sign_retention(key, SPA, 3, b"\x03" * 32, datetime(2020, 11, 1, tzinfo=UTC), NOW)
    back = [parse_export_line(export_line(item)) for item in (cp, mark)]
    assert back == [cp, mark]
    assert signature_valid(back[0], trusted) and retention_valid(back[1], trusted)  # type: ignore[arg-type]
    for bad in ("", "{}", '{"kind": "note"}', "not json"):
        with pytest.raises(ValueError):
            parse_export_line(bad)


def test_signing_key_loads_from_base64_pem_file_and_dev_default(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    expected = key_id(key.public_key())
    assert key_id(load_private_key(base64.b64encode(raw).decode()).public_key()) == expected
    (tmp_path / "k.pem").write_bytes(pem)
    assert expected in load_keys(str(tmp_path / "k.pem"), "", tmp_path).trusted
    dev = load_keys("", "", tmp_path / "data")
    assert (
        dev.signing is not None and (tmp_path / "data" / "audit-signing-key.pem").stat().st_mode & 0o077 == 0
    )
    assert key_id(load_keys("", "", tmp_path / "data").signing.public_key()) == key_id(
        dev.signing.public_key()
    )  # type: ignore[union-attr]
    with pytest.raises(InvalidKey):
        load_private_key("not a key")


def test_cursor_round_trips_and_rejects_garbage() -> None:
    rid = uuid4()
    assert decode_cursor(encode_cursor(NOW, rid)) == (NOW, rid)
    for bad in ("", "nonsense", base64.urlsafe_b64encode(b'["2026-01-01T00:00:00", "x"]').decode()):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)


def test_retention_keeps_at_least_six_years() -> None:
    assert retention_cutoff(72, now=NOW) == datetime(2020, 11, 1, tzinfo=UTC)
