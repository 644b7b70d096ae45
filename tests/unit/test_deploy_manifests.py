"""The Kubernetes manifests deploy every service alone, with probes, budgets and NATS permissions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.cli import SERVICES
from shared.subjects import Topology

pytestmark = pytest.mark.unit

BASE = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base"
PORTS = {"gateway": 8080, "agent": 8081, "scheduler": 8082, "escalation": 8083, "audit": 8084}


def _docs(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((BASE / name).read_text()) if d]


def test_every_service_has_a_deployment_with_probes_and_a_budget() -> None:
    docs = _docs("services.yaml")
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    budgets = {d["metadata"]["name"] for d in docs if d["kind"] == "PodDisruptionBudget"}
    assert set(deployments) == set(SERVICES)
    assert budgets == set(SERVICES)
    for name, dep in deployments.items():
        container = dep["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == [name]
        assert container["ports"][0]["containerPort"] == PORTS[name]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_nats_permissions_cover_the_default_topology() -> None:
    conf = next(d for d in _docs("nats.yaml") if d["kind"] == "ConfigMap")["data"]["permissions.conf"]
    topology = Topology()
    for service in SERVICES:
        assert f"user: {service}" in conf
    # The subjects each service publishes on exist under the default prefix.
    assert topology.all_sms_inbound in conf
    assert topology.all_audit in conf
    assert topology.tool("find_availability").rsplit(".", 1)[0] + ".>" in conf
