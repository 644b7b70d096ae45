"""What staff read instead of codes, and how the inbox's search box is understood."""

from __future__ import annotations

import pytest

from services.escalation import domain, labels

pytestmark = pytest.mark.unit


def test_every_category_has_a_plain_label_and_unknown_ones_read_as_needs_staff() -> None:
    assert set(labels.CATEGORY_LABELS) == set(domain.CATEGORY_LABELS)  # one label per category alerts know
    assert labels.category("human_request") == "Asked for a person"
    assert labels.category("something_new") == "Needs staff"
    assert all("_" not in label for label in labels.CATEGORY_LABELS.values())
    assert (labels.priority("urgent"), labels.priority("normal")) == ("Urgent", "Normal")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", labels.Search()),
        ("   ", labels.Search()),
        ("Dana", labels.Search(name_like="%Dana%")),
        ("(415) 555-0142", labels.Search(digits="4155550142")),
        ("+1 415.555.0142", labels.Search(digits="14155550142")),
        ("0142", labels.Search(digits="0142")),
        ("50%_off", labels.Search(name_like="%50\\%\\_off%")),  # wildcards are plain characters
        ("O'Brien 2", labels.Search(name_like="%O'Brien 2%")),
    ],
)
def test_search_box_reads_a_name_or_a_number(query: str, expected: labels.Search) -> None:
    assert labels.search_terms(query) == expected
