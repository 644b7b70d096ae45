"""`make run` hooks: local alert sinks for the demo spa's notifiers, and where the staff inbox is."""

from __future__ import annotations

from services.escalation import devsink
from services.escalation.settings import EscalationSettings

_FIELDS = {"http_host", "inbox_http_port", "inbox_public_url", "inbox_staff_token"}


def _settings(env: dict[str, str]) -> EscalationSettings:
    return EscalationSettings(**{k.lower(): v for k, v in env.items() if k.lower() in _FIELDS})


def prepare(env: dict[str, str]) -> None:
    """Start the local webhook receiver and SMTP sink the demo spa's notifiers point at.

    `ESCALATION_DEV_SINKS=0` skips them (e.g. when real notifiers are configured);
    `ESCALATION_DEV_WEBHOOK_PORT` / `ESCALATION_DEV_SMTP_PORT` move them (default 8091 / 8025, the
    ports the demo spa's notifiers name), e.g. so a second `make run` or a test does not collide.
    """
    if env.get("ESCALATION_DEV_SINKS", "1") == "0":
        return
    webhook_port = int(env.get("ESCALATION_DEV_WEBHOOK_PORT") or 8091)
    smtp_port = int(env.get("ESCALATION_DEV_SMTP_PORT") or 8025)
    for url in devsink.start(webhook_port, smtp_port):
        print(f"alert sink (dev)         {url}")


def urls(env: dict[str, str]) -> dict[str, str]:
    """The staff inbox URL `make run` prints."""
    settings = _settings(env)
    note = "" if settings.inbox_staff_token.get_secret_value() else "  (open: no INBOX_STAFF_TOKEN)"
    return {"staff inbox": settings.inbox_url() + note}
