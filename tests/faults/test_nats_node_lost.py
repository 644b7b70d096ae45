"""A three-node NATS cluster (streams at R3) loses a node during steady load: no accepted text is
lost and no text is sent twice."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from shared.bus import ensure_streams
from shared.subjects import Topology
from tests.e2e.system_support import System, started_system
from tests.faults.invariants import FAULT_ENV, Ledger, check_invariants, converse
from tests.support.nats_cluster import NatsCluster

pytestmark = [pytest.mark.faults, pytest.mark.timeout(400)]

CLIENTS = {
    "+14155550195": "Emery",
    "+14155550196": "Finley",
    "+14155550197": "Harper",
    "+14155550198": "Jordan",
}


@pytest.fixture
def cluster() -> Iterator[NatsCluster]:
    """Three local nats-servers on random ports, routed to each other."""
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-faults-nats-"))
    nodes = NatsCluster(folder).start()
    yield nodes
    nodes.stop()
    shutil.rmtree(folder, ignore_errors=True)


async def _streams_at_r3(urls: list[str], topology: Topology, timeout: float = 60.0) -> None:
    """Once the cluster can place a stream on three nodes, create the system's streams at R3.

    Created here with a patient timeout: on a busy machine an R3 stream takes longer to place than a
    service's start-up request allows; the services then find them in place."""
    nc = await nats.connect(urls)
    try:
        js = nc.jetstream(timeout=20)
        async with asyncio.timeout(timeout):
            while True:
                try:
                    await ensure_streams(js, topology, 3)
                    return
                except Exception:
                    await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def _leader(system: System, stream: str) -> str:
    info = await system.nc.jetstream().stream_info(stream)
    assert info.cluster is not None and len(info.cluster.replicas or []) == 2, "the stream is R3"
    return str(info.cluster.leader)


async def test_losing_a_nats_node_under_load_loses_no_text_and_sends_none_twice(
    cluster: NatsCluster, servers: dict[str, str], tmp_path: Path
) -> None:
    topology = Topology(prefix=f"f{uuid.uuid4().hex[:12]}")
    await _streams_at_r3(cluster.urls, topology)
    # The test's own connection is to n0; the services know all three nodes.
    every_node = {**FAULT_ENV, "NATS_URL": ",".join(cluster.urls), "STREAM_REPLICAS": "3"}
    every_node["SUBJECT_PREFIX"] = topology.prefix
    async with started_system(servers["postgres"], cluster.urls[0], tmp_path, extra_env=every_node) as system:
        ledger = Ledger()
        talks = [asyncio.create_task(converse(system, ledger, n, name, 120)) for n, name in CLIENTS.items()]

        async def under_way() -> bool:
            return sum(ledger.accepted.values()) > len(CLIENTS)

        await system.eventually(under_way, "the load under way")
        # The inbound stream's leader, unless that is n0 (the test's own connection): then n1.
        leader = await _leader(system, topology.stream_sms_inbound.name)
        victim = int(leader.removeprefix("n")) if leader != "n0" else 1
        cluster.procs[victim].kill()
        await asyncio.gather(*talks)
        await check_invariants(system, ledger, timeout=120)
