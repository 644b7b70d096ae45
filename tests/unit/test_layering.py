"""The house style's layering, checked on the source: SQL only in repo.py, FastStream only in app.py
and shared/, subjects spelled only in shared/subjects.py.

An AST walk of services/ and shared/ (tests and benchmarks may do what they need). Each allowed
exception is listed below with the reason it is one; a new violation fails with file and line.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LAYERED = ("services", "shared")

# A string that starts like a SQL statement (upper-case keywords, as this codebase writes SQL).
SQL = re.compile(
    r"^\s*(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+(\.\w+)?\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS"
    r"|CREATE\s+(TABLE|INDEX|UNIQUE|DATABASE|ROLE|SCHEMA|EXTENSION|OR\s)|ALTER\s+(TABLE|ROLE|DATABASE)"
    r"|DROP\s+(TABLE|DATABASE|ROLE|SCHEMA)|SET\s+(LOCAL\s+)?\w+|LOCK\s+TABLE|TRUNCATE\s|GRANT\s|REVOKE\s"
    r"|(UN)?LISTEN\s|NOTIFY\s)"
)
# A literal that spells one of frontdesk's own subjects under the default prefix. (JetStream's server
# subjects, `$JS.API...`, are the server's names, not this system's: NATS permissions must name them.)
SUBJECT_LITERAL = re.compile(r"^frontdesk\.(sms|conv|escalation|staff|audit|tool|deadletter)\.")
# Calls whose first argument (or `subject=`) is a subject: it must come from shared.subjects.Topology.
SUBJECT_CALLS = {
    "publish",
    "publish_event",
    "subscribe",
    "subscriber",
    "pull_subscribe",
    "request",
    "enqueue",
}

# SQL outside a repo.py, and why each place is allowed.
SQL_ALLOWED = {
    "services/audit/handlers.py": "SET LOCAL ROLE to the append-only writer role, inside the append and "
    "checkpoint transactions; to become a repo function once the audit retention work lands",
    "services/escalation/accounts.py": "staff accounts and invites, written beside their use case by the "
    "inbox sign-in work; to move into escalation/repo.py",
    "services/escalation/sessions.py": "staff sign-in sessions and login throttling, likewise; to move into "
    "escalation/repo.py",
    "shared/db.py": "the shared unit of work's processed-message table (every service's idempotency)",
    "shared/outbox.py": "the shared outbox table, written in each service's own transaction",
    "shared/migrations.py": "the migration runner's own bookkeeping (schema, version table, lock)",
    "shared/embedded.py": "creates the local development database of the embedded server",
    "shared/health.py": "the readiness probe's SELECT 1",
    "shared/deploy.py": "the deploy command's grants (who owns each schema's tables), run as the admin",
}
# FastStream outside an app.py (shared/ is always allowed), and why.
FASTSTREAM_ALLOWED: dict[str, str] = {}
# Literal subjects outside shared/subjects.py, and why.
SUBJECTS_ALLOWED: dict[str, str] = {}


@dataclass(frozen=True)
class Finding:
    """One place that breaks a layering rule."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


@functools.cache
def sources() -> tuple[tuple[str, ast.Module], ...]:
    """Every Python module of the layered packages, as (path relative to the repo, tree); parsed once."""
    return tuple(
        (path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), filename=str(path)))
        for package in LAYERED
        for path in sorted((ROOT / package).rglob("*.py"))
    )


def _strings(node: ast.AST) -> Iterator[tuple[int, str]]:
    """String constants, with an f-string's literal parts joined (placeholders as `x`)."""
    parts = {id(v) for sub in ast.walk(node) if isinstance(sub, ast.JoinedStr) for v in sub.values}
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in sub.values)
            yield sub.lineno, str(text)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and id(sub) not in parts:
            yield sub.lineno, sub.value


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports under `if TYPE_CHECKING:` (a type, not a runtime dependency)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            lines.update(n.lineno for child in node.body for n in ast.walk(child))
    return lines


def sql_outside_repo(path: str, tree: ast.Module) -> list[Finding]:
    """SQL text in a module that is not a repository (a repo.py, or a module of a repo/ package)."""
    if path.endswith("/repo.py") or "/repo/" in path:
        return []
    return [
        Finding(path, line, f"SQL {text.strip()[:40]!r}") for line, text in _strings(tree) if SQL.match(text)
    ]


def faststream_outside_app(path: str, tree: ast.Module) -> list[Finding]:
    """A runtime import of FastStream in a module that is neither an app.py nor in shared/."""
    if path.endswith("/app.py") or path.startswith("shared/"):
        return []
    typing_only = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            continue
        if any(m.split(".")[0] == "faststream" for m in modules) and node.lineno not in typing_only:
            found.append(Finding(path, node.lineno, f"imports {', '.join(modules)}"))
    return found


def _subject_argument(call: ast.Call) -> ast.expr | None:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    if name not in SUBJECT_CALLS:
        return None
    for kw in call.keywords:
        if kw.arg == "subject":
            return kw.value
    if not call.args:
        return None
    # enqueue(conn, subject, ...): the subject is its second argument.
    return call.args[1] if name == "enqueue" and len(call.args) > 1 else call.args[0]


def literal_subjects(path: str, tree: ast.Module) -> list[Finding]:
    """A subject spelled out: a subject-like literal anywhere, or a literal/f-string passed as one."""
    if path == "shared/subjects.py":
        return []
    found = [
        Finding(path, line, f"subject {text!r}")
        for line, text in _strings(tree)
        if SUBJECT_LITERAL.match(text)
    ]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        arg = _subject_argument(node)
        if isinstance(arg, ast.JoinedStr | ast.Constant | ast.BinOp) and any(_strings(arg)):
            found.append(Finding(path, node.lineno, "a literal passed as a subject"))
    return found


RULES = {
    "SQL only in repo.py": (sql_outside_repo, SQL_ALLOWED),
    "FastStream only in app.py and shared/": (faststream_outside_app, FASTSTREAM_ALLOWED),
    "subjects only in shared/subjects.py": (literal_subjects, SUBJECTS_ALLOWED),
}


@functools.cache
def findings(rule: str) -> tuple[Finding, ...]:
    """Every place in the code that breaks a rule, allowed or not (computed once per rule)."""
    check, _ = RULES[rule]
    return tuple(f for path, tree in sources() for f in check(path, tree))


@pytest.mark.parametrize("rule", list(RULES))
def test_layering_rule_holds_outside_its_allowed_places(rule: str) -> None:
    allowed = RULES[rule][1]
    breaking = [f for f in findings(rule) if f.path not in allowed]
    assert not breaking, f"{rule}:\n" + "\n".join(map(str, breaking))


@pytest.mark.parametrize("rule", list(RULES))
def test_every_allowed_place_still_needs_its_exception(rule: str) -> None:
    allowed = RULES[rule][1]
    needed = {f.path for f in findings(rule)}
    stale = sorted(set(allowed) - needed)
    assert not stale, f"{rule}: no longer needed, remove from the allow-list: {stale}"


# Each checker catches what it is for, and lets the right shape through.
EXAMPLES = [
    (sql_outside_repo, "services/gateway/handlers.py", 'q = "UPDATE outbound_messages SET x = 1"', 1),
    (sql_outside_repo, "services/gateway/handlers.py", 'q = f"SET LOCAL ROLE {role}"', 1),
    (sql_outside_repo, "services/gateway/repo.py", 'q = "SELECT 1 FROM opt_outs"', 0),
    (sql_outside_repo, "services/scheduler/repo/bookings.py", 'q = "SELECT 1 FROM holds"', 0),
    (sql_outside_repo, "services/gateway/handlers.py", 'log.info("Select a slot")', 0),
    (faststream_outside_app, "services/agent/turn.py", "from faststream.nats import NatsBroker", 1),
    (faststream_outside_app, "services/agent/turn.py", "import faststream", 1),
    (faststream_outside_app, "services/agent/app.py", "from faststream.nats import NatsBroker", 0),
    (
        faststream_outside_app,
        "services/agent/turn.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from faststream.nats import NatsBroker",
        0,
    ),
    (
        literal_subjects,
        "services/agent/handlers.py",
        'await nc.publish("frontdesk.sms.outbound.a.b", b"")',
        2,
    ),
    (literal_subjects, "services/agent/handlers.py", 'await js.publish(f"{prefix}.conv.{t}.{c}", data)', 1),
    (literal_subjects, "services/gateway/handlers.py", 'await enqueue(conn, "x." + kind, event)', 1),
    (literal_subjects, "services/gateway/app.py", 'INBOUND = "frontdesk.sms.inbound.>"', 1),
    (literal_subjects, "services/escalation/domain.py", 'Alert(subject=f"[{spa}] Needs staff")', 0),
    (literal_subjects, "shared/nats_permissions.py", 'API = "$JS.API.>"', 0),
    (
        literal_subjects,
        "services/agent/handlers.py",
        "await nc.publish(topology.conversation(t, c), data)",
        0,
    ),
    (literal_subjects, "services/agent/handlers.py", 'log.info("escalation.raised", category=c)', 0),
]


@pytest.mark.parametrize(("check", "path", "source", "expected"), EXAMPLES)
def test_checker_finds_what_breaks_its_rule(check: object, path: str, source: str, expected: int) -> None:
    assert callable(check)
    found = check(path, ast.parse(source))
    assert len(found) == expected, [str(f) for f in found]
