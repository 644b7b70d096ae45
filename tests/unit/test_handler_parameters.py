"""No FastStream handler asks for the message as a parameter: FastStream resolves such a context
parameter with a synchronous call that fast-depends runs in a worker thread, one thread round trip
per message. Handlers read it with `shared.bus.current_message(broker)` instead."""

from __future__ import annotations

import importlib
import inspect
import typing

import pytest
from faststream.nats import NatsBroker

from shared.nats_permissions import SERVICES

pytestmark = pytest.mark.unit


def _handlers(service: str) -> list[tuple[str, typing.Any]]:
    broker = NatsBroker()
    importlib.import_module(f"services.{service}.app").register_bus(broker)
    return [
        (str(sub.subject), item.handler._original_call) for sub in broker.subscribers for item in sub.calls
    ]


def _context_parameters(handler: typing.Any) -> list[str]:
    """Parameters FastStream fills from its context (annotations carrying a fast-depends field)."""
    hints = typing.get_type_hints(handler, include_extras=True)
    names = []
    for name in inspect.signature(handler).parameters:
        extras = getattr(hints.get(name), "__metadata__", ())
        if any(
            type(extra).__name__ in ("Context", "CustomField") or hasattr(extra, "use") for extra in extras
        ):
            names.append(name)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_no_handler_takes_the_message_as_a_parameter(service: str) -> None:
    handlers = _handlers(service)
    assert handlers
    offending = {subject: _context_parameters(h) for subject, h in handlers if _context_parameters(h)}
    assert offending == {}, f"{service}: read the message with shared.bus.current_message: {offending}"
