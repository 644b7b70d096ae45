"""Whether a spa's agent replies go out at once or wait as drafts for a staff click.

The escalation service settles each spa's mode (the owner's switch in the inbox, else the spa file's
`agent.replies`) and publishes it as `ReplyModeSet` on `Topology.staff(spa, "replies")` when it
differs from what is there. No message yet means the default: automatic.

The agent keeps what it learned per spa (`ReplyModes`): every replica hears each change on a plain
subscription to those subjects and takes it at once; a spa's mode is read again from JetStream when
the last reading is older than `refresh_seconds`, so a change missed while disconnected is picked up
within that time. A turn that replies asks the cache, not the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from nats.js import JetStreamContext

from shared.bus.stored import stored_message
from shared.contracts.escalation import ReplyMode, ReplyModeSet
from shared.subjects import Topology

REFRESH_SECONDS = 30.0


async def reply_mode(js: JetStreamContext, topology: Topology, tenant_id: str) -> ReplyMode:
    """The spa's reply mode as last published (automatic until one is)."""
    msg = await stored_message(js, topology.stream_escalations.name, topology.staff(tenant_id, "replies"))
    if msg is None:
        return "automatic"
    return ReplyModeSet.model_validate_json(msg.data or b"{}").mode


class ReplyModes:
    """Each spa's reply mode as this process knows it, kept current by the changes it hears."""

    def __init__(
        self,
        js: JetStreamContext,
        topology: Topology,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._js = js
        self._topology = topology
        self._refresh = refresh_seconds
        self._clock = clock
        self._known: dict[str, tuple[ReplyMode, float]] = {}
        # Bumped by every change heard: a reading that started before a change must not undo it.
        self._changes: dict[str, int] = {}

    async def mode(self, tenant_id: str) -> ReplyMode:
        """The spa's mode: what was heard or read within `refresh_seconds`, else read now."""
        known = self._known.get(tenant_id)
        now = self._clock()
        if known is not None and now - known[1] < self._refresh:
            return known[0]
        changes = self._changes.get(tenant_id, 0)
        mode = await reply_mode(self._js, self._topology, tenant_id)
        if self._changes.get(tenant_id, 0) == changes:
            self._known[tenant_id] = (mode, now)
            return mode
        return self._known[tenant_id][0]  # a change arrived while reading: it is newer

    def heard(self, change: ReplyModeSet) -> None:
        """A change published by the escalation service (every replica hears each one)."""
        self._changes[change.tenant_id] = self._changes.get(change.tenant_id, 0) + 1
        self._known[change.tenant_id] = (change.mode, self._clock())
