"""More processes beside a started system: agent replicas, a service started again after a fault."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx

from tests.e2e.system_support import ROOT, System, _free_ports, tail

# The setting that names each service's HTTP port (a replica or restart keeps its own port).
PORT_SETTING = {
    "agent": "AGENT_HTTP_PORT",
    "scheduler": "SCHEDULER_HTTP_PORT",
    "gateway": "GATEWAY_HTTP_PORT",
    "escalation": "INBOX_HTTP_PORT",
    "audit": "AUDIT_HTTP_PORT",
}


def start_process(system: System, name: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`python -m services.<kind>` as `name` (kind = the part before a '-'), logging beside the others."""
    kind = name.split("-")[0]
    with (system.logs / f"{name}.log").open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{kind}"], env={**system.env, **(env or {})}, cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    system.procs[name] = proc
    return proc


async def wait_ready(system: System, name: str, timeout: float = 60.0) -> None:
    """Wait until `name` answers 200 on /readyz; fail at once if it exits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            proc = system.procs[name]
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}: {tail(system, name)}")
            try:
                if (await client.get(system.urls[name] + "/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if loop.time() > deadline:
                raise AssertionError(f"{name} not ready in {timeout} s: {tail(system, name)}")
            await asyncio.sleep(0.1)


async def start_agent_replicas(system: System, count: int) -> list[str]:
    """Start agents `agent-2` .. `agent-<count+1>` beside the first, each on a port of its own."""
    names = [f"agent-{i}" for i in range(2, count + 2)]
    for name, port in zip(names, _free_ports(count), strict=True):
        system.urls[name] = f"http://127.0.0.1:{port}"
        start_process(system, name, {"AGENT_HTTP_PORT": str(port), "INSTANCE_ID": name})
    await asyncio.gather(*(wait_ready(system, name) for name in names))
    return names


def kill(system: System, name: str) -> None:
    """kill -9 a process of the system; it is no longer expected to stop cleanly."""
    proc = system.procs.pop(name)
    proc.kill()
    proc.wait(10)


async def restart(system: System, name: str) -> None:
    """Start a service again on its own port (after `kill`) and wait until it is ready."""
    start_process(system, name)
    await wait_ready(system, name)


async def start_gateway_sender(system: System) -> str:
    """A gateway process in the sender role beside the system's gateway (started as GATEWAY_ROLE=webhooks)."""
    name = "gateway-sender"
    (port,) = _free_ports(1)
    system.urls[name] = f"http://127.0.0.1:{port}"
    role = {"GATEWAY_HTTP_PORT": str(port), "GATEWAY_ROLE": "sender", "INSTANCE_ID": name}
    start_process(system, name, role)
    await wait_ready(system, name)
    return name
