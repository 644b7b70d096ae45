"""The Kubernetes manifests as an operator applies them: rendered with kustomize, valid against the
Kubernetes schemas, and checked for what the schemas cannot see (security, probes, shutdown, budgets,
autoscaling, network reach, secrets, namespaces)."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from functools import cache
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from services.audit.settings import AuditSettings
from shared.cli import SERVICES
from shared.deploy import SCHEMAS
from shared.nats_permissions import inbox_prefix
from shared.runtime import stop_context

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TARGETS = ["base", "overlays/dev", "overlays/production"]
OVERLAYS = ["overlays/dev", "overlays/production"]
KUBERNETES = "1.33.0"
NAMESPACE = "frontdesk"
# The most a service's stop takes: shared/runtime.py stop_context bounds the bus drain, its stop hook
# (one per service) and the pool close by step_timeout each, after HTTP's 5 s graceful shutdown.
DRAIN_SECONDS = 3 * inspect.signature(stop_context).parameters["step_timeout"].default + 5
WORKLOADS = ("Deployment", "StatefulSet", "Job")
CLUSTER_SCOPED = ("Namespace",)
SECRET_NAMES = re.compile(r"PASSWORD|TOKEN|SECRET|API_KEY|SIGNING_KEY|HASH_KEY|DATABASE_URL|AUTH")
Obj = dict[str, Any]


def _kubectl() -> str:
    found = Path(sys.executable).with_name("kubectl")
    return str(found) if found.exists() else (shutil.which("kubectl") or "kubectl")


@cache
def render(target: str) -> tuple[Obj, ...]:
    """`kubectl kustomize` of one target, as objects."""
    result = subprocess.run(
        [_kubectl(), "kustomize", str(K8S / target)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return tuple(d for d in yaml.safe_load_all(result.stdout) if d)


def of_kind(objs: tuple[Obj, ...], *kinds: str) -> list[Obj]:
    return [o for o in objs if o["kind"] in kinds]


def named(objs: tuple[Obj, ...], kind: str, name: str) -> Obj:
    found = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"one {kind} {name}, found {len(found)}"
    return found[0]


def pod_spec(workload: Obj) -> Obj:
    return workload["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def services_of(objs: tuple[Obj, ...]) -> dict[str, Obj]:
    """The frontdesk services' workloads by service name."""
    return {
        o["metadata"]["name"]: o
        for o in of_kind(objs, "Deployment", "StatefulSet")
        if o["metadata"]["labels"].get("app.kubernetes.io/component") == "service"
    }


def test_every_object_of_every_target_is_valid_kubernetes() -> None:
    unique = {yaml.safe_dump(o, sort_keys=True): o for target in TARGETS for o in render(target)}
    assert len(unique) >= len(render("overlays/production"))
    for obj in unique.values():
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)


def test_the_schema_check_refuses_an_unknown_field() -> None:
    deployment = named(render("overlays/production"), "Deployment", "agent")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


@pytest.mark.parametrize("target", OVERLAYS)
def test_everything_is_in_the_namespace(target: str) -> None:
    for obj in render(target):
        if obj["kind"] in CLUSTER_SCOPED:
            continue
        assert obj["metadata"].get("namespace") == NAMESPACE, (obj["kind"], obj["metadata"]["name"])


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_service_runs_as_its_own_workload(target: str) -> None:
    assert set(services_of(render(target))) == set(SERVICES)


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_pod_is_locked_down(target: str) -> None:
    objs = render(target)
    accounts = {o["metadata"]["name"]: o for o in of_kind(objs, "ServiceAccount")}
    for workload in of_kind(objs, *WORKLOADS):
        name, spec = workload["metadata"]["name"], pod_spec(workload)
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        account = spec.get("serviceAccountName")
        assert account and account != "default" and account in accounts, name
        assert accounts[account]["automountServiceAccountToken"] is False, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, (name, container["name"])
            assert sc["allowPrivilegeEscalation"] is False, (name, container["name"])
            assert sc["capabilities"]["drop"] == ["ALL"], (name, container["name"])
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), (name, container["name"])
            assert "memory" in container["resources"]["limits"], (name, container["name"])


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_image_is_a_pinned_release(target: str) -> None:
    for workload in of_kind(render(target), *WORKLOADS):
        for container in pod_spec(workload)["containers"]:
            image = container["image"]
            repository, _, tag = image.partition("@")[0].rpartition(":")
            assert repository and "/" not in tag, image
            assert re.fullmatch(r"\d+\.\d+\.\d+(-[a-z0-9.]+)?", tag), f"{image}: not an exact version"


def _prestop_seconds(container: Obj) -> int:
    command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    return int(command[1]) if command[:1] == ["sleep"] else 0


@pytest.mark.parametrize("target", OVERLAYS)
def test_services_have_probes_spread_and_time_to_drain(target: str) -> None:
    for name, workload in services_of(render(target)).items():
        spec = pod_spec(workload)
        container = spec["containers"][0]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"]["port"] == "http", (name, probe)
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        pause = _prestop_seconds(container)
        assert pause >= 5, f"{name}: a preStop pause lets endpoints drop the pod first"
        assert spec["terminationGracePeriodSeconds"] > pause + DRAIN_SECONDS, name
        keys = {c["topologyKey"] for c in spec["topologySpreadConstraints"]}
        assert "kubernetes.io/hostname" in keys, name


@pytest.mark.parametrize("target", OVERLAYS)
def test_each_service_logs_in_as_itself_with_its_own_secret(target: str) -> None:
    for name, workload in services_of(render(target)).items():
        container = pod_spec(workload)["containers"][0]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["NATS_USER"] == name
        assert env["NATS_INBOX_PREFIX"] == inbox_prefix(name)
        secrets = [s["secretRef"]["name"] for s in container["envFrom"] if "secretRef" in s]
        assert secrets == [f"frontdesk-{name}"], name


@pytest.mark.parametrize("target", TARGETS)
def test_no_secret_is_written_in_the_manifests(target: str) -> None:
    objs = render(target)
    assert not of_kind(objs, "Secret")
    for workload in of_kind(objs, *WORKLOADS):
        for container in pod_spec(workload)["containers"]:
            for env in container.get("env", []):
                if SECRET_NAMES.search(env["name"]):
                    assert "value" not in env, (workload["metadata"]["name"], env["name"])
    for config in of_kind(objs, "ConfigMap"):
        for key in config.get("data", {}):
            assert not SECRET_NAMES.search(key), (config["metadata"]["name"], key)


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_service_and_nats_has_a_disruption_budget(target: str) -> None:
    objs = render(target)
    budgets = [b["spec"]["selector"]["matchLabels"] for b in of_kind(objs, "PodDisruptionBudget")]
    for workload in [*services_of(objs).values(), named(objs, "StatefulSet", "nats")]:
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert any(sel.items() <= labels.items() for sel in budgets), workload["metadata"]["name"]


@pytest.mark.parametrize("target", OVERLAYS)
def test_gateway_and_agent_scale_with_load(target: str) -> None:
    objs = render(target)
    workloads = services_of(objs)
    targets = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(objs, "HorizontalPodAutoscaler")}
    assert {"gateway", "agent"} <= set(targets)
    for name in ("gateway", "agent"):
        ref = targets[name]["spec"]["scaleTargetRef"]
        assert ref["kind"] == workloads[name]["kind"]
        assert targets[name]["spec"]["maxReplicas"] > targets[name]["spec"]["minReplicas"]


@pytest.mark.parametrize("target", OVERLAYS)
def test_gateway_spools_to_a_volume_of_its_own(target: str) -> None:
    gateway = services_of(render(target))["gateway"]
    assert gateway["kind"] == "StatefulSet"
    claims = {c["metadata"]["name"] for c in gateway["spec"]["volumeClaimTemplates"]}
    container = pod_spec(gateway)["containers"][0]
    spool = next(e["value"] for e in container["env"] if e["name"] == "SPOOL_DIR")
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts.get(spool) in claims


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_mounted_config_map_exists_and_spas_are_there(target: str) -> None:
    objs = render(target)
    configs = {c["metadata"]["name"]: c for c in of_kind(objs, "ConfigMap")}
    for workload in of_kind(objs, *WORKLOADS):
        for volume in pod_spec(workload).get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in configs, (workload["metadata"]["name"], volume["name"])
    spas = [c for name, c in configs.items() if name.startswith("frontdesk-spas")]
    assert len(spas) == 1 and spas[0]["data"], "the spa files render into one ConfigMap"
    for text in spas[0]["data"].values():
        assert yaml.safe_load(text)["id"]


def test_the_dev_spa_is_the_demo_spa() -> None:
    copy = K8S / "overlays" / "dev" / "spas" / "demo-spa.yaml"
    assert copy.read_text() == (ROOT / "spas" / "demo-spa.yaml").read_text(), "copy spas/demo-spa.yaml again"


@pytest.mark.parametrize("target", OVERLAYS)
def test_services_leave_streams_and_migrations_to_the_admins(target: str) -> None:
    objs = render(target)
    config = named(
        objs,
        "ConfigMap",
        next(
            c["metadata"]["name"]
            for c in of_kind(objs, "ConfigMap")
            if c["metadata"]["name"].startswith("frontdesk-config")
        ),
    )
    assert config["data"]["CREATE_STREAMS"] == "false"
    assert config["data"]["MIGRATE_ON_START"] == "false"
    jobs = {j["metadata"]["name"]: pod_spec(j)["containers"][0] for j in of_kind(objs, "Job")}
    assert jobs["nats-streams"]["args"] == ["deploy", "streams"]
    for schema in SCHEMAS:
        job = jobs[f"migrate-{schema}"]
        assert job["args"] == ["deploy", "migrate", schema, "--owner", f"frontdesk_{schema}"]
        dsn = next(e for e in job["env"] if e["name"] == "DATABASE_URL")
        assert dsn["valueFrom"]["secretKeyRef"]["name"] == "frontdesk-db-admin"
    loader = jobs["load-spas"]
    assert "frontdesk scheduler load-spa /etc/frontdesk/spas/" in " ".join(loader["command"])
    assert {m["mountPath"] for m in loader["volumeMounts"]} >= {"/etc/frontdesk/spas"}
    env = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in loader["env"]}
    assert env == {"DATABASE_URL": "frontdesk-db-admin", "ID_HASH_KEY": "frontdesk-scheduler"}


# ---- network policies: who may reach whom ----


def _selects(selector: Obj, labels: dict[str, str]) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expr in selector.get("matchExpressions", []):
        value = labels.get(expr["key"])
        if expr["operator"] == "In" and value not in expr["values"]:
            return False
        if expr["operator"] == "Exists" and value is None:
            return False
    return True


def _peer_matches(peer: Obj, labels: dict[str, str], namespace: str, ip: str | None) -> bool:
    if "ipBlock" in peer:
        if ip is None:
            return False
        block = peer["ipBlock"]
        inside = ip_address(ip) in ip_network(block["cidr"])
        return inside and not any(ip_address(ip) in ip_network(e) for e in block.get("except", []))
    ns_ok = (
        _selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": namespace})
        if "namespaceSelector" in peer
        else namespace == NAMESPACE
    )
    pod_ok = _selects(peer["podSelector"], labels) if "podSelector" in peer else True
    return ns_ok and pod_ok


def _port_matches(rule: Obj, port: int, named_port: str | None) -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    return any(p.get("port") in (port, named_port) for p in ports)


def allowed(
    objs: tuple[Obj, ...],
    direction: str,
    pod: dict[str, str],
    peer: dict[str, str],
    port: int,
    *,
    peer_namespace: str = NAMESPACE,
    peer_ip: str | None = None,
    named_port: str | None = None,
) -> bool:
    """Whether the policies let `pod` send (egress) to / receive (ingress) from `peer` on `port`."""
    policies = [
        p
        for p in of_kind(objs, "NetworkPolicy")
        if _selects(p["spec"]["podSelector"], pod) and direction.capitalize() in p["spec"]["policyTypes"]
    ]
    assert policies, f"no {direction} policy selects {pod}"
    side = "to" if direction == "egress" else "from"
    for policy in policies:
        for rule in policy["spec"].get(direction, []):
            peers = rule.get(side)
            assert peers, f"{policy['metadata']['name']}: a rule open to every peer"
            if _port_matches(rule, port, named_port) and any(
                _peer_matches(p, peer, peer_namespace, peer_ip) for p in peers
            ):
                return True
    return False


def _labels(objs: tuple[Obj, ...], kind: str, name: str) -> dict[str, str]:
    return named(objs, kind, name)["spec"]["template"]["metadata"]["labels"]  # type: ignore[no-any-return]


DNS = {"k8s-app": "kube-dns"}


@pytest.mark.parametrize("target", OVERLAYS)
def test_nats_resolves_and_routes_and_serves_only_frontdesk(target: str) -> None:
    objs = render(target)
    nats = _labels(objs, "StatefulSet", "nats")
    assert allowed(objs, "egress", nats, DNS, 53, peer_namespace="kube-system")
    assert allowed(objs, "egress", nats, nats, 6222)
    assert allowed(objs, "ingress", nats, nats, 6222)
    assert allowed(objs, "ingress", nats, _labels(objs, "Deployment", "agent"), 4222)
    assert not allowed(objs, "ingress", nats, {"app": "other"}, 4222, peer_namespace="other")
    assert not allowed(objs, "egress", nats, {}, 443, peer_ip="203.0.113.5")


@pytest.mark.parametrize("target", OVERLAYS)
def test_services_reach_what_they_use_and_nothing_else(target: str) -> None:
    objs = render(target)
    nats = _labels(objs, "StatefulSet", "nats")
    postgres = {"cnpg.io/cluster": "frontdesk-db"}
    workloads = services_of(objs)
    for name, workload in workloads.items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert allowed(objs, "egress", labels, DNS, 53, peer_namespace="kube-system"), name
        assert allowed(objs, "egress", labels, nats, 4222), name
        has_schema = name in SCHEMAS
        assert allowed(objs, "egress", labels, postgres, 5432, peer_namespace="databases") == has_schema, name
        internet = name in ("gateway", "agent", "escalation")
        assert allowed(objs, "egress", labels, {}, 443, peer_ip="203.0.113.5") == internet, name
        assert not allowed(objs, "egress", labels, {}, 443, peer_ip="10.1.2.3"), name
    # No service takes traffic from another pod of the namespace.
    agent = _labels(objs, "Deployment", "agent")
    for name, workload in workloads.items():
        port = pod_spec(workload)["containers"][0]["ports"][0]["containerPort"]
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert not allowed(objs, "ingress", labels, agent, port, named_port="http"), name


@pytest.mark.parametrize("target", OVERLAYS)
def test_only_the_public_services_take_traffic_from_the_ingress(target: str) -> None:
    objs = render(target)
    controller = {"app.kubernetes.io/name": "ingress-nginx"}
    for name, workload in services_of(objs).items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        port = pod_spec(workload)["containers"][0]["ports"][0]["containerPort"]
        public = name in ("gateway", "escalation", "audit")
        got = allowed(
            objs, "ingress", labels, controller, port, peer_namespace="ingress-nginx", named_port="http"
        )
        assert got == public, name


def test_production_reaches_a_managed_database_by_address() -> None:
    objs = render("overlays/production")
    scheduler = _labels(objs, "Deployment", "scheduler")
    assert allowed(objs, "egress", scheduler, {}, 5432, peer_ip="10.20.3.4")
    assert not allowed(objs, "egress", _labels(objs, "Deployment", "agent"), {}, 5432, peer_ip="10.20.3.4")


@pytest.mark.parametrize("target", OVERLAYS)
def test_webhook_inbox_and_audit_api_are_served_over_tls(target: str) -> None:
    objs = render(target)
    services = {s["metadata"]["name"] for s in of_kind(objs, "Service")}
    (ingress,) = of_kind(objs, "Ingress")
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    tls_hosts = {h for t in ingress["spec"]["tls"] for h in t["hosts"]}
    backends: dict[str, set[str]] = {}
    for rule in ingress["spec"]["rules"]:
        assert rule["host"] in tls_hosts
        for path in rule["http"]["paths"]:
            name = path["backend"]["service"]["name"]
            assert name in services
            backends.setdefault(name, set()).add(path["path"])
    assert set(backends) == {"gateway", "escalation", "audit"}
    assert backends["gateway"] == {"/twilio/"}, "only Twilio's webhooks of the gateway are public"


def test_nats_is_hardened() -> None:
    objs = render("overlays/production")
    nats = named(objs, "StatefulSet", "nats")
    spec = pod_spec(nats)
    server = spec["containers"][0]
    assert server["lifecycle"]["preStop"]["exec"]["command"][:2] == ["nats-server", "--signal"]
    assert "ldm" in server["lifecycle"]["preStop"]["exec"]["command"][2]
    conf = (K8S / "base" / "nats" / "nats.conf").read_text()
    lame_duck = int(re.search(r"lame_duck_duration: (\d+)s", conf).group(1))  # type: ignore[union-attr]
    assert spec["terminationGracePeriodSeconds"] > lame_duck
    limit = _bytes(server["resources"]["limits"]["memory"])
    gomemlimit = next(e["value"] for e in server["env"] if e["name"] == "GOMEMLIMIT")
    assert _bytes(gomemlimit) < limit
    store = _bytes(re.search(r"max_file_store: (\w+)", conf).group(1))  # type: ignore[union-attr]
    (claim,) = nats["spec"]["volumeClaimTemplates"]
    assert _bytes(claim["spec"]["resources"]["requests"]["storage"]) >= store * 1.2, "storage headroom"
    assert any("reload" in c["name"] for c in spec["containers"][1:]), "a config reloader beside the server"


def _bytes(text: str) -> float:
    units = {
        "Ki": 2**10,
        "Mi": 2**20,
        "Gi": 2**30,
        "KiB": 2**10,
        "MiB": 2**20,
        "GiB": 2**30,
        "GB": 10**9,
        "MB": 10**6,
    }
    number, unit = re.fullmatch(r"(\d+)([A-Za-z]*)", text).groups()  # type: ignore[union-attr]
    return float(number) * units.get(unit, 1)


# ---- the example PostgreSQL (CloudNativePG) ----


def test_database_roles_one_per_service_and_an_insert_only_audit_writer() -> None:
    cluster = next(
        d
        for d in yaml.safe_load_all((K8S / "postgres" / "cluster.yaml").read_text())
        if d["kind"] == "Cluster"
    )
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    owners = {f"frontdesk_{schema}" for schema in SCHEMAS}
    assert owners <= set(roles)
    assert set(roles["frontdesk_admin"]["inRoles"]) == owners
    assert cluster["spec"]["bootstrap"]["initdb"]["owner"] == "frontdesk_admin"
    writer = AuditSettings().audit_writer_role
    assert roles[writer]["login"] is False
    assert writer in roles["frontdesk_audit"]["inRoles"]
    for name in owners | {"frontdesk_admin"}:
        assert roles[name]["login"] is True and roles[name]["passwordSecret"]["name"], name
    for name, role in roles.items():
        assert not role.get("superuser") and not role.get("createrole"), name
