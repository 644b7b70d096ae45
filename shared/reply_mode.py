"""Whether a spa's agent replies go out at once or wait as drafts for a staff click.

The escalation service settles each spa's mode (the owner's switch in the inbox, else the spa file's
`agent.replies`) and publishes it as `ReplyModeSet` on `Topology.staff(spa, "replies")` when it
differs from what is there; the agent reads the last one when a turn has a reply. No message yet
means the default: automatic.
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.contracts.escalation import ReplyMode, ReplyModeSet
from shared.subjects import Topology


async def reply_mode(js: JetStreamContext, topology: Topology, tenant_id: str) -> ReplyMode:
    """The spa's reply mode as last published (automatic until one is)."""
    try:
        msg = await js.get_msg(topology.stream_escalations.name, subject=topology.staff(tenant_id, "replies"))
    except NotFoundError:
        return "automatic"
    return ReplyModeSet.model_validate_json(msg.data or b"{}").mode
