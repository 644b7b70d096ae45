"""A started service keeps its start-up objects out of the garbage collector's full collections."""

from __future__ import annotations

import gc

import pytest

from shared.runtime import settle_heap

pytestmark = pytest.mark.unit


def test_what_start_up_built_is_frozen_out_of_full_collections() -> None:
    tables = [{"word": str(i)} for i in range(1000)]  # start-up state: lives as long as the process
    before = gc.get_freeze_count()
    try:
        settle_heap()
        assert gc.get_freeze_count() >= before + len(tables)
    finally:
        gc.unfreeze()


def test_garbage_from_start_up_is_collected_not_frozen() -> None:
    class Node:
        other: object

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle only the collector frees
    del a, b
    try:
        settle_heap()
        assert not any(type(o) is Node for o in gc.get_objects())
    finally:
        gc.unfreeze()
