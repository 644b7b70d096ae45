"""Opaque identifiers derived from phone numbers, safe to show in subjects, logs and metrics."""

from __future__ import annotations

import hashlib
import hmac


def _keyed(key: str, *parts: str) -> str:
    mac = hmac.new(key.encode(), "\x1f".join(parts).encode(), hashlib.sha256)
    return mac.hexdigest()


def conversation_id(key: str, tenant_id: str, phone_e164: str) -> str:
    """The conversation between a spa and one client number: stable, opaque, 32 hex characters."""
    return "c" + _keyed(key, "conversation", tenant_id, phone_e164)[:31]


def client_ref(key: str, tenant_id: str, phone_e164: str) -> str:
    """A keyed hash of a client's number, used where the number itself must not be stored."""
    return "p" + _keyed(key, "client", tenant_id, phone_e164)[:31]
