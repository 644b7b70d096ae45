"""Publishing inbound texts: acknowledged by JetStream, or spooled durably to local disk meanwhile.

Twilio does not redeliver an inbound text whose webhook failed, so while NATS is unreachable the
gateway writes each message to a file (fsync'd, then renamed into place, then the directory fsync'd)
and answers 200. A background task publishes the spool, oldest first, when the bus is back; the
Nats-Msg-Id is the same as the direct publish would have used, so a message that did reach the
stream before its ack was lost is still one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import structlog
from nats.aio.client import Client as NatsClient

from shared.bus import MSG_ID

log = structlog.get_logger()

Outcome = Literal["acked", "spooled"]


class Spool:
    """A directory of messages waiting for the bus, one JSON file each."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._seq = 0
        # Kept in memory so the hot path (every webhook) does not list a directory.
        self._count = len(self.pending())

    def _write(self, subject: str, msg_id: str, payload: bytes) -> Path:
        # Time-ordered names keep per-conversation order when the spool is published.
        self._seq += 1
        digest = hashlib.sha256(msg_id.encode()).hexdigest()[:24]
        name = f"{time.time_ns():020d}-{self._seq:06d}-{digest}.json"
        tmp = self.directory / f".{name}.tmp"
        data = json.dumps({"subject": subject, "msg_id": msg_id, "payload": payload.decode()}).encode()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        final = self.directory / name
        os.rename(tmp, final)
        self._count += 1
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return final

    async def put(self, subject: str, msg_id: str, payload: bytes) -> Path:
        """Write one message durably (in a thread: fsync blocks)."""
        return await asyncio.to_thread(self._write, subject, msg_id, payload)

    def pending(self) -> list[Path]:
        """Spooled files, oldest first."""
        return sorted(p for p in self.directory.glob("*.json"))

    def remove(self, path: Path) -> None:
        """Forget a message the bus acknowledged."""
        path.unlink()
        self._count = max(0, self._count - 1)

    def __len__(self) -> int:
        return self._count


class InboundPublisher:
    """Publishes to JetStream and waits for the ack; spools when the bus is away."""

    def __init__(
        self,
        client: Callable[[], NatsClient | None],
        spool: Spool,
        *,
        timeout: float = 3.0,
        drain_interval: float = 0.5,
    ) -> None:
        self._client = client
        self.spool = spool
        self._timeout = timeout
        self._interval = drain_interval
        self._task: asyncio.Task[None] | None = None
        self._draining = asyncio.Lock()
        self._wake = asyncio.Event()

    async def publish(self, subject: str, msg_id: str, payload: bytes) -> Outcome:
        """Acknowledged by JetStream, or durably spooled; raises only if the disk fails too."""
        nc = self._client()
        # While anything is spooled, new texts queue behind it: a conversation keeps its order.
        if nc is not None and nc.is_connected and not len(self.spool):
            try:
                await nc.jetstream().publish(
                    subject, payload, timeout=self._timeout, headers={MSG_ID: msg_id}
                )
                return "acked"
            except Exception as exc:  # any failure to get the ack: the spool takes it, nothing is lost
                log.warning("inbound.publish_failed", error=type(exc).__name__)
        await self.spool.put(subject, msg_id, payload)
        log.warning("inbound.spooled", pending=len(self.spool))
        self._wake.set()
        return "spooled"

    async def drain(self) -> int:
        """Publish every spooled message the bus acknowledges; returns how many left the spool."""
        async with self._draining:
            nc = self._client()
            if nc is None or not nc.is_connected:
                return 0
            js = nc.jetstream()
            done = 0
            for path in self.spool.pending():
                entry = json.loads(path.read_bytes())
                try:
                    await js.publish(
                        entry["subject"],
                        entry["payload"].encode(),
                        timeout=self._timeout,
                        headers={MSG_ID: entry["msg_id"]},
                    )
                except Exception as exc:
                    log.warning("spool.publish_failed", error=type(exc).__name__)
                    return done
                self.spool.remove(path)
                done += 1
            if done:
                log.info("spool.drained", published=done)
            return done

    async def _run(self) -> None:
        while True:
            try:
                if len(self.spool):
                    await self.drain()
            except Exception as exc:  # keep trying; the files stay until acknowledged
                log.warning("spool.drain_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()

    def wake(self) -> None:
        """Look at the spool now (the bus has just come back)."""
        self._wake.set()

    def start(self) -> None:
        """Drain in the background until stop()."""
        self._task = asyncio.create_task(self._run(), name="gateway-spool")

    async def stop(self) -> None:
        """Stop draining (what is left stays on disk for the next start)."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
