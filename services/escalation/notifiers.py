"""Alert delivery: a Slack-style webhook and SMTP email, retried in the background with backoff.

The staff inbox is the third notifier; it is live (PostgreSQL NOTIFY at commit) and needs no
delivery here. Each alert row is leased, sent and recorded on its own, so one notifier that is down
neither blocks the others nor loses the alert: it stays `pending` and is retried until its attempts
run out, then shows as `failed` in the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import smtplib
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from uuid import UUID

import asyncpg
import httpx
import structlog

from services.escalation import domain, repo
from services.escalation.settings import EscalationSettings
from services.escalation.spas import EmailConfig, Spa, WebhookConfig

log = structlog.get_logger()


class DeliveryFailed(Exception):
    """A notifier did not take the alert; the message says why (no client data)."""


async def send_webhook(client: httpx.AsyncClient, config: WebhookConfig, alert: domain.Alert) -> None:
    """POST a Slack-style JSON body; any non-2xx answer is a failure to retry."""
    try:
        response = await client.post(
            config.url, json={"text": alert.text, "link": alert.link}, headers=config.headers
        )
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"webhook unreachable: {type(exc).__name__}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"webhook answered {response.status_code}")


def _send_email_blocking(config: EmailConfig, alert: domain.Alert, timeout: float) -> None:
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = config.sender
    message["To"] = ", ".join(config.to)
    message.set_content(alert.text)
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=timeout) as smtp:
        if config.starttls:
            smtp.starttls()
        if config.username:
            smtp.login(config.username, os.environ.get(config.password_env or "", ""))
        smtp.send_message(message)


async def send_email(config: EmailConfig, alert: domain.Alert, timeout: float) -> None:
    """Send over SMTP with the standard library, in a thread so the event loop keeps going."""
    try:
        await asyncio.to_thread(_send_email_blocking, config, alert, timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"smtp: {type(exc).__name__}") from exc


Sender = Callable[[Spa, domain.Alert], Awaitable[None]]


class AlertDispatcher:
    """Sends due alerts and records each outcome; runs in the background until stopped."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        spas: dict[str, Spa],
        settings: EscalationSettings,
    ) -> None:
        self._pool = pool
        self._spas = spas
        self._settings = settings
        self._http = httpx.AsyncClient(timeout=settings.notifier_timeout_seconds)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._senders: dict[str, Sender] = {"webhook": self._webhook, "email": self._email}

    def kick(self) -> None:
        """Look for due alerts now (after a commit that added some)."""
        self._wake.set()

    async def _webhook(self, spa: Spa, alert: domain.Alert) -> None:
        if spa.notifiers.webhook is None:
            raise DeliveryFailed("webhook no longer configured for this spa")
        await send_webhook(self._http, spa.notifiers.webhook, alert)

    async def _email(self, spa: Spa, alert: domain.Alert) -> None:
        if spa.notifiers.email is None:
            raise DeliveryFailed("email no longer configured for this spa")
        await send_email(spa.notifiers.email, alert, self._settings.notifier_timeout_seconds)

    async def run_due(self) -> int:
        """Attempt every due alert once, concurrently; returns how many were attempted."""
        lease = self._settings.notifier_timeout_seconds * 2 + 5
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await repo.lease_due_alerts(conn, 50, lease)
        if rows:
            await asyncio.gather(*(self._attempt(row) for row in rows))
        return len(rows)

    async def _attempt(self, row: asyncpg.Record) -> None:
        escalation_id: UUID = row["escalation_id"]
        notifier: str = row["notifier"]
        spa = self._spas.get(row["tenant_id"])
        error: str | None = None
        try:
            sender = self._senders.get(notifier)
            if spa is None or sender is None:
                raise DeliveryFailed(f"no {notifier} notifier configured for this spa")
            alert = domain.compose_alert(
                spa_name=spa.name,
                category=row["category"],
                escalation_id=escalation_id,
                conversation_id=row["conversation_id"],
                client_last4=row["client_last4"],
                inbox_url=self._settings.inbox_url(),
                priority=row["priority"],
            )
            await sender(spa, alert)
        except DeliveryFailed as exc:
            error = str(exc)
        except Exception as exc:  # a bug in one notifier must not stop the others
            error = f"unexpected: {type(exc).__name__}"
        attempts = row["attempts"] + 1
        async with self._pool.acquire() as conn, conn.transaction():
            if error is None:
                await repo.alert_delivered(conn, escalation_id, notifier)
            else:
                retry_in = (
                    None
                    if attempts >= self._settings.notifier_max_attempts
                    else domain.backoff_seconds(
                        attempts,
                        self._settings.notifier_backoff_seconds,
                        self._settings.notifier_backoff_max_seconds,
                    )
                )
                await repo.alert_attempt_failed(conn, escalation_id, notifier, error, retry_in=retry_in)
            await repo.notify(conn, "alert", row["tenant_id"], row["conversation_id"])
        if error is None:
            log.info(
                "alert.delivered", escalation_id=str(escalation_id), notifier=notifier, attempts=attempts
            )
        else:
            log.warning(
                "alert.attempt_failed",
                escalation_id=str(escalation_id),
                notifier=notifier,
                attempts=attempts,
                error=error,
                gave_up=attempts >= self._settings.notifier_max_attempts,
            )

    async def _run(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception as exc:  # the database is away: alerts stay pending, try again
                log.warning("alert.dispatch_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.notifier_poll_seconds)
            self._wake.clear()

    def start(self) -> None:
        """Run in the background until stop()."""
        self._task = asyncio.create_task(self._run(), name="alert-dispatcher")

    async def stop(self) -> None:
        """Stop; alerts in flight keep their lease and are retried by whoever runs next."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._http.aclose()
