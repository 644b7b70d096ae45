"""The spa file's `on_call` and `agent.replies` as the escalation service reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.escalation.spas import OnCallConfig, SpaFileError, load_spas

pytestmark = pytest.mark.unit

BASE = "id: glow-medspa\nname: Glow Med Spa\n"


def spa(tmp_path: Path, extra: str) -> Path:
    """A spa file with `extra` appended."""
    path = tmp_path / "spa.yaml"
    path.write_text(BASE + extra)
    return path


@pytest.mark.parametrize(
    ("category", "priority", "pages"),
    [
        ("medical", "urgent", True),
        ("complaint", "normal", True),
        ("medical", "normal", False),
        ("human_request", "normal", False),
    ],
)
def test_urgent_and_listed_categories_page(category: str, priority: str, pages: bool) -> None:
    on_call = OnCallConfig(numbers=["+14155550111"], categories=["complaint"])
    assert on_call.pages(category, priority) is pages


def test_nobody_is_paged_without_numbers() -> None:
    assert OnCallConfig(categories=["complaint"]).pages("complaint", "urgent") is False


def test_defaults_are_automatic_replies_and_ten_minutes(tmp_path: Path) -> None:
    loaded = load_spas(str(spa(tmp_path, "")))["glow-medspa"]
    assert loaded.agent.replies == "automatic"
    assert loaded.on_call.numbers == [] and loaded.on_call.realert_minutes == 10


def test_draft_replies_and_on_call_are_read(tmp_path: Path) -> None:
    text = "agent:\n  replies: draft\non_call:\n  numbers: ['+14155550111']\n  realert_minutes: 5\n"
    loaded = load_spas(str(spa(tmp_path, text)))["glow-medspa"]
    assert loaded.agent.replies == "draft" and loaded.on_call.realert_minutes == 5


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        ("on_call:\n  numbers: ['555-0111']\n", "numbers"),
        ("on_call:\n  categories: [gossip]\n", "categories"),
        ("on_call:\n  realert_minutes: 0\n", "realert_minutes"),
        ("on_call:\n  pager: true\n", "pager"),
        ("agent:\n  replies: sometimes\n", "replies"),
    ],
)
def test_a_bad_setting_is_an_error_naming_file_and_field(tmp_path: Path, extra: str, names: str) -> None:
    path = spa(tmp_path, extra)
    with pytest.raises(SpaFileError) as error:
        load_spas(str(path))
    assert str(path) in str(error.value) and names in str(error.value)
