"""Every file the services need at run time is in the installed package, not only in the checkout:
each non-Python file under services/ and shared/ matches a `package-data` pattern of pyproject.toml
(migrations, the inbox's pages and scripts, the vendored chart library and its licence, the guard's
weights)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_every_non_python_file_of_the_services_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    files = [
        p
        for top in ("services", "shared")
        for p in (ROOT / top).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert files, "no data files found: the layout changed"
    missing = [
        str(p.relative_to(ROOT)) for p in files if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)
    ]
    assert missing == [], f"add a package-data pattern for {missing}"
