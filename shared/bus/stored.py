"""Reading one message a stream stores (JetStream's message-get API), for the agent's per-turn reads.

nats-py's `get_msg` also decodes every message's headers with the standard library's e-mail parser,
about a third of the CPU of each read; these reads need only the sequence and the body.
"""

from __future__ import annotations

import base64
import json
from typing import NamedTuple

from nats.js import JetStreamContext
from nats.js.errors import APIError

from shared.subjects import message_get

# The message-get API's error code for "no message" (none on the subject, or none after the sequence).
NO_MESSAGE = 10037


class StoredMessage(NamedTuple):
    """A stored message's stream sequence and body."""

    seq: int
    data: bytes


async def stored_message(
    js: JetStreamContext, stream: str, subject: str, *, after_seq: int | None = None, timeout: float = 5.0
) -> StoredMessage | None:
    """The last message on `subject` in `stream`, or with `after_seq` the first one after that
    sequence; None when there is none. Any other API error is raised as nats-py raises it."""
    request = (
        {"last_by_subj": subject} if after_seq is None else {"seq": after_seq + 1, "next_by_subj": subject}
    )
    # The context's connection and API prefix (a JetStream domain changes the prefix).
    reply = await js._nc.request(
        message_get(js._prefix, stream), json.dumps(request).encode(), timeout=timeout
    )
    answer = json.loads(reply.data)
    if (error := answer.get("error")) is not None:
        if error.get("err_code") == NO_MESSAGE:
            return None
        APIError.from_error(error)  # raises the error's own class (NotFoundError: no such stream, ...)
    message = answer["message"]
    return StoredMessage(int(message["seq"]), base64.b64decode(message.get("data") or b""))
