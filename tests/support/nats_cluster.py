"""A real three-node nats-server cluster with JetStream on 127.0.0.1 (random free ports)."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from shared.embedded import _wait_for_port, free_port, nats_server_binary


@dataclass
class NatsCluster:
    """Three nats-servers routed to each other; `include` (a file) is added to every config."""

    root: Path
    include: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    size: int = 3
    ports: list[int] = field(default_factory=list)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        """Client URLs of every node."""
        return [f"nats://127.0.0.1:{p}" for p in self.ports]

    def config(self, index: int, route_ports: list[int]) -> str:
        """One node's configuration."""
        routes = "\n".join(f"    nats-route://127.0.0.1:{p}" for p in route_ports)
        include = f"include ./{self.include.name}\n" if self.include else ""
        return (
            f"server_name: n{index}\nlisten: 127.0.0.1:{self.ports[index]}\n"
            f"jetstream {{ store_dir: {self.root / f'n{index}' / 'js'} }}\n"
            f"cluster {{\n  name: test\n  listen: 127.0.0.1:{route_ports[index]}\n"
            f"  routes: [\n{routes}\n  ]\n}}\n{include}"
        )

    def start(self, timeout: float = 20.0) -> NatsCluster:
        """Write the configs, start every node and wait until each accepts connections."""
        self.ports = [free_port() for _ in range(self.size)]
        route_ports = [free_port() for _ in range(self.size)]
        env = {**os.environ, **self.env}
        for i in range(self.size):
            node = self.root / f"n{i}"
            node.mkdir(parents=True, exist_ok=True)
            conf = node / "nats.conf"
            conf.write_text(self.config(i, route_ports))
            if self.include:
                (node / self.include.name).write_text(self.include.read_text())
            log = node / "nats-server.log"
            self.procs.append(
                subprocess.Popen(
                    [nats_server_binary(), "-c", str(conf), "-l", str(log)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        try:
            for i, proc in enumerate(self.procs):
                log = self.root / f"n{i}" / "nats-server.log"
                _wait_for_port(self.ports[i], proc, timeout, f"nats-server n{i}", log)
        except BaseException:
            self.stop()  # no node outlives a cluster that did not start
            raise
        return self

    def stop(self) -> None:
        """Stop every node (SIGTERM, then SIGKILL after 10 s)."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
