"""Waiting in tests: poll a check until it answers, or fail naming what never happened."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any


async def until(
    check: Callable[[], Awaitable[Any] | Any], what: str = "condition", timeout: float = 10.0
) -> Any:
    """The first truthy answer of `check` (plain or async) within `timeout` seconds.

    Fails with an AssertionError naming `what` and the last answer seen.
    """
    last: Any = None
    try:
        async with asyncio.timeout(timeout):
            while True:
                last = check()
                if inspect.isawaitable(last):
                    last = await last
                if last:
                    return last
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})") from None
