"""Reading one stored message (shared.bus.stored) on a real JetStream, as nats-py's get_msg reads it."""

from __future__ import annotations

import pytest
from nats.aio.client import Client as NatsClient
from nats.js.errors import NotFoundError

from shared.bus import ensure_streams
from shared.bus.stored import StoredMessage, stored_message
from shared.subjects import Topology

pytestmark = pytest.mark.integration


async def test_last_and_next_on_a_subject_match_get_msg(nc: NatsClient, topology: Topology) -> None:
    js = nc.jetstream()
    await ensure_streams(js, topology)
    stream = topology.stream_conversations.name
    mine, other = (
        topology.conversation("glow-medspa", "c-mine"),
        topology.conversation("glow-medspa", "c-other"),
    )
    bodies = ['{"n": 1}', '{"n": 2, "text": "¿mañana? 😊"}', '{"n": 3}']
    seqs = []
    for i, body in enumerate(bodies):
        seqs.append((await js.publish(mine, body.encode(), headers={"Nats-Msg-Id": f"m{i}"})).seq)
        await js.publish(other, b"{}")  # another conversation's events in between
    last = await stored_message(js, stream, mine)
    expected = await js.get_msg(stream, subject=mine)
    assert last == StoredMessage(seqs[-1], bodies[-1].encode()) == (expected.seq, expected.data)
    second = await stored_message(js, stream, mine, after_seq=seqs[0])
    assert second == StoredMessage(seqs[1], bodies[1].encode())
    assert await stored_message(js, stream, mine, after_seq=seqs[0] + 1) == second  # the next one on it
    assert await stored_message(js, stream, mine, after_seq=seqs[-1]) is None
    assert await stored_message(js, stream, topology.conversation("glow-medspa", "c-none")) is None


async def test_a_stream_that_does_not_exist_is_an_error_not_an_empty_subject(
    nc: NatsClient, topology: Topology
) -> None:
    with pytest.raises(NotFoundError):
        await stored_message(nc.jetstream(), "NO_SUCH_STREAM", topology.conversation("glow-medspa", "c"))
