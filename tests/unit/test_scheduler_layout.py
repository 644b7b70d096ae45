"""The scheduler's layering, checked: SQL and the database driver's errors live in its repository only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SCHEDULER = Path(__file__).resolve().parents[2] / "services" / "scheduler"
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s", re.IGNORECASE)
# The unit of work may tell "the database is away" from a refusal; nothing else outside repo/ may.
INFRASTRUCTURE = {"PostgresConnectionError", "InterfaceError"}


def _outside_repo() -> list[Path]:
    return [p for p in SCHEDULER.rglob("*.py") if "repo" not in p.relative_to(SCHEDULER).parts]


def test_sql_is_written_in_the_repository_only() -> None:
    found = [
        f"{path.relative_to(SCHEDULER)}:{node.lineno}"
        for path in _outside_repo()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)
    ]
    assert found == []


def test_driver_errors_are_turned_into_domain_errors_in_the_repository() -> None:
    found = [
        f"{path.relative_to(SCHEDULER)}:{node.lineno} asyncpg.{node.attr}"
        for path in _outside_repo()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "asyncpg"
        and node.attr.endswith("Error")
        and node.attr not in INFRASTRUCTURE
    ]
    assert found == []


def test_the_checks_see_the_repository_itself() -> None:
    repo_sql = [
        node
        for path in (SCHEDULER / "repo").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)
    ]
    assert repo_sql, "the SQL pattern matches nothing: the layering checks would pass vacuously"
