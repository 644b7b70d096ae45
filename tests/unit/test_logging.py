"""Log lines never carry a phone number or a message body."""

from __future__ import annotations

import io
import json
import sys

import pytest
import structlog

from shared.logging import REDACTED, redact_processor, redact_text, shared_processors

pytestmark = pytest.mark.unit

NUMBERS = ["+1 (415) 555-0100", "4155550100", "+44 20 7946 0958", "415.555.0100", "+14155550100"]


@pytest.mark.parametrize("number", NUMBERS)
def test_phone_numbers_are_removed_from_text(number: str) -> None:
    out = redact_text(f"client {number} wrote")
    assert number not in out
    assert REDACTED in out
    assert "0100" not in out and "0958" not in out


def test_non_numbers_are_kept() -> None:
    assert redact_text("booking 42 at 14:30 on 2026-03-09") == "booking 42 at 14:30 on 2026-03-09"


def _render(**fields: object) -> str:
    out = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(file=out),
        processors=[*shared_processors(), structlog.processors.JSONRenderer()],
    )
    logger.info("sms.received", **fields)
    return out.getvalue()


def test_a_full_log_line_holds_no_number_and_no_body() -> None:
    line = _render(
        body="my number is 4155550100 and I want botox",
        sender="+1 (415) 555-0100",
        nested={"to": "+44 20 7946 0958", "items": ["call 4155550100"]},
        booking_id="b-1",
    )
    record = json.loads(line)
    for needle in ("4155550100", "555-0100", "7946", "botox"):
        assert needle not in line
    assert record["body"] == REDACTED
    assert record["booking_id"] == "b-1"


def test_processor_redacts_the_event_name_too() -> None:
    out = redact_processor(None, "info", {"event": "texted +14155550100"})
    assert "+14155550100" not in out["event"]


def test_an_exception_is_logged_by_type_and_place_never_its_message() -> None:
    try:
        raise ValueError("input_value='I want botox, call me at 415 555 0100'")
    except ValueError:
        line = _render(exc_info=True)
    assert "botox" not in line and "0100" not in line
    record = json.loads(line)
    assert record["exception"] == "ValueError"
    assert any("test_logging.py" in frame for frame in record["frames"])


def test_the_console_renderer_renders_an_exception_line() -> None:
    import logging

    from shared.logging import configure_logging

    configure_logging("test", "INFO", "console")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        raise TimeoutError("fetch")
    except TimeoutError:
        logging.getLogger("frontdesk.tasks").error("task failed", exc_info=True)
    line = stream.getvalue()
    assert "TimeoutError" in line and "test_logging.py" in line


def test_stdlib_records_with_exceptions_lose_the_message_too() -> None:
    import logging

    from shared.logging import configure_logging

    configure_logging("test", "INFO", "json")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        raise RuntimeError("client wrote: my lips are swollen")
    except RuntimeError:
        logging.getLogger("some.library").exception("handler failed")
    handler.setStream(sys.stderr)  # type: ignore[attr-defined]
    out = stream.getvalue()
    assert "swollen" not in out
    assert "RuntimeError" in out


def _capture(fmt: str, level: str = "INFO") -> io.StringIO:
    """Configure logging as a service does, with the root handler writing to a buffer."""
    import logging

    from shared.logging import configure_logging

    configure_logging("test", level, fmt)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    return stream


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_an_exception_renders_in_both_formats_without_its_text(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    stream = _capture(fmt)
    try:
        raise ValueError("client +14155550142 wrote: my lips are swollen")
    except ValueError:
        structlog.get_logger().exception("booking.failed", body="my lips are swollen")
        logging.getLogger("faststream").error("Task-3 raised an exception", exc_info=True)
        # FastStream's own form for a failing handler: the exception's text in the message itself.
        logging.getLogger("some.lib").error("ValueError: client wrote: my lips are swollen", exc_info=True)
    out = capsys.readouterr().err + stream.getvalue()
    assert "booking.failed" in out and out.count("ValueError") >= 3, out
    assert "swollen" not in out and "0142" not in out
    if fmt == "json":
        assert all(json.loads(line)["exception"] == "ValueError" for line in out.splitlines())


def test_a_pull_fetch_that_timed_out_is_not_an_error() -> None:
    import logging

    stream = _capture("json")
    bus = logging.getLogger("frontdesk.bus")
    try:
        raise TimeoutError
    except TimeoutError:
        bus.error("Task-7 raised an exception, retrying...", exc_info=True)
    try:
        raise ConnectionError("refused")
    except ConnectionError:
        bus.error("Task-8 raised an exception, retrying...", exc_info=True)
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert (record["exception"], record["level"]) == ("ConnectionError", "error"), "a real failure stays"


def test_a_pull_fetch_that_timed_out_shows_at_debug() -> None:
    import logging

    stream = _capture("json", level="DEBUG")
    try:
        raise TimeoutError
    except TimeoutError:
        logging.getLogger("frontdesk.bus").error("Task-7 raised an exception, retrying...", exc_info=True)
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["level"] == "debug"


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
@pytest.mark.parametrize("library", ["twilio.http_client", "httpx", "urllib3.connectionpool", "asyncio"])
def test_chatty_libraries_log_warnings_only(library: str, level: str) -> None:
    import logging

    stream = _capture("json", level=level)
    chatty = logging.getLogger(library)
    chatty.info("-- BEGIN Twilio API Request -- Authorization: Basic c2VjcmV0")
    chatty.debug("connection opened")
    chatty.warning("retrying")
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["event"] == "retrying"
