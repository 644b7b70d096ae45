"""The AsyncAPI document of the bus contracts, generated from the code (FastStream)."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

from shared.devserver import built_services


def build_document() -> dict[str, object]:
    """Every built service registers its subscribers and publishers on one broker; document it."""
    broker = NatsBroker()
    for name in built_services():
        module = importlib.import_module(f"services.{name}.app")
        register = getattr(module, "register_bus", None)
        if register is not None:
            register(broker)
    spec = AsyncAPI(broker, title="frontdesk bus", version="1.0.0", schema_version="3.0.0")
    return json.loads(spec.to_specification().to_json())


def main(argv: list[str] | None = None) -> int:
    """Write (or print) the AsyncAPI document."""
    parser = argparse.ArgumentParser(prog="frontdesk asyncapi")
    parser.add_argument("--out", default="", help="file to write; prints when omitted")
    args = parser.parse_args(argv)
    # Sorted: FastStream's order of channels varies between runs, and the document is committed.
    text = json.dumps(build_document(), indent=2, sort_keys=True)
    if args.out:
        Path(args.out).write_text(text + "\n")
    else:
        print(text)
    return 0
