"""`make run` hooks: where the staff inbox is."""

from __future__ import annotations

from services.escalation.settings import EscalationSettings


def urls(env: dict[str, str]) -> dict[str, str]:
    """The staff inbox URL `make run` prints."""
    settings = EscalationSettings(**{k.lower(): v for k, v in env.items() if k.lower() in _FIELDS})
    return {"staff inbox": settings.inbox_url()}


_FIELDS = {"http_host", "http_port", "inbox_public_url"}
