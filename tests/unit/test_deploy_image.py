"""The image recipe: multi-stage on a pinned base, labelled, unprivileged, and a build context that
carries what the image installs and nothing else (no tests, no local data, no secrets).

No container engine runs on the machines this project builds on (no Docker daemon; podman and
buildah cannot pull a base image without a container registry), so the image itself is built by
the release pipeline; these checks hold the recipe to its rules."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
IGNORED = [
    line.strip()
    for line in (ROOT / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
OCI_LABELS = ("title", "description", "version", "revision", "source", "licenses")


def instructions(keyword: str) -> list[str]:
    """The arguments of every instruction of this kind (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [m.group(1) for m in re.finditer(rf"^{keyword}\s+(.+)$", joined, re.MULTILINE)]


def ignored(path: str) -> bool:
    """Whether the build context leaves this path out (.dockerignore patterns, no negations used)."""
    return any(fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in IGNORED)


def test_two_stages_on_one_pinned_python_release() -> None:
    stages = instructions("FROM")
    assert len(stages) >= 2
    assert all(s.startswith("${PYTHON_IMAGE}") for s in stages)
    (default,) = [a for a in instructions("ARG") if a.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", default)


def test_runtime_stage_takes_only_the_built_environment() -> None:
    runtime = DOCKERFILE[DOCKERFILE.rindex("\nFROM ") :]
    copies = re.findall(r"^COPY\s+(.+)$", runtime, re.MULTILINE)
    assert copies and all(c.startswith("--from=build ") for c in copies)


def test_labels_name_the_image_its_version_and_source() -> None:
    labels = " ".join(instructions("LABEL"))
    for label in OCI_LABELS:
        assert f"org.opencontainers.image.{label}=" in labels


def test_runs_as_an_unprivileged_user() -> None:
    (user,) = instructions("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 10000  # numeric, so runAsNonRoot can verify it
    assert instructions("ENTRYPOINT") == ['["frontdesk"]']


def test_build_context_has_what_the_image_copies() -> None:
    for sources in (c.split()[:-1] for c in instructions("COPY") if not c.startswith("--from")):
        for source in sources:
            assert (ROOT / source).exists(), source
            assert not ignored(source), f"{source} is copied but left out of the context"


@pytest.mark.parametrize(
    "path", [".git", ".venv", ".data", "tests/unit", ".env", ".env.production", "x/__pycache__"]
)
def test_build_context_leaves_out_local_and_secret_files(path: str) -> None:
    assert ignored(path)
