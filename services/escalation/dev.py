"""`make run` hooks: local alert sinks for the demo spa's notifiers, and where the staff inbox is."""

from __future__ import annotations

import secrets

from services.escalation import devsink
from services.escalation.settings import EscalationSettings
from services.escalation.spas import load_spas

_FIELDS = {"http_host", "inbox_http_port", "inbox_public_url"}


def _settings(env: dict[str, str]) -> EscalationSettings:
    return EscalationSettings(**{k.lower(): v for k, v in env.items() if k.lower() in _FIELDS})


def prepare(env: dict[str, str]) -> None:
    """Start the local webhook receiver and SMTP sink the demo spa's notifiers point at.

    `ESCALATION_DEV_SINKS=0` skips them (e.g. when real notifiers are configured);
    `ESCALATION_DEV_WEBHOOK_PORT` / `ESCALATION_DEV_SMTP_PORT` move them (default 8091 / 8025, the
    ports the demo spa's notifiers name), e.g. so a second `make run` or a test does not collide.
    """
    # The demo's inbox sign-in: an owner per spa, with a fresh password unless one is given.
    env.setdefault("INBOX_DEV_OWNER_PASSWORD", secrets.token_urlsafe(12))
    if env.get("ESCALATION_DEV_SINKS", "1") == "0":
        return
    webhook_port = int(env.get("ESCALATION_DEV_WEBHOOK_PORT") or 8091)
    smtp_port = int(env.get("ESCALATION_DEV_SMTP_PORT") or 8025)
    for url in devsink.start(webhook_port, smtp_port):
        print(f"alert sink (dev)         {url}")


def urls(env: dict[str, str]) -> dict[str, str]:
    """The staff inbox URL `make run` prints."""
    settings = _settings(env)
    out = {"staff inbox": settings.inbox_url()}
    password = env.get("INBOX_DEV_OWNER_PASSWORD")
    if password:
        spas = ", ".join(f"owner@{spa_id}" for spa_id in load_spas(env.get("SPA_FILES", "spas/*.yaml")))
        out["inbox sign-in (dev)"] = f"{spas or 'owner@<spa id>'}  password {password}"
    return out
