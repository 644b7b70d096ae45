"""One logging setup for every service: structlog, JSON off a terminal, no phone numbers or bodies."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import phonenumbers
import structlog

REDACTED = "[redacted]"

# Fields that carry what a person wrote or will read; never logged, whatever their value.
BODY_FIELDS = frozenset(
    {
        "body",
        "text",
        "message",
        "message_body",
        "content",
        "utterance",
        "reply",
        "reply_text",
        "handoff_text",
        "prompt",
        "from_number",
        "to_number",
        "phone",
        "phone_number",
        "name",
        "client_name",
        "first_name",
    }
)

_DIGITS = re.compile(r"\d")
# A run that looks like a number even where phonenumbers would not call it one (e.g. 555 numbers).
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9])\+?\(?\d[\d\s().-]{5,}\d(?![A-Za-z0-9])")
# Dates, times and UUIDs are digits too, but never phone numbers.
_PROTECTED = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_REGIONS = ("US", "GB")
# Opaque ids (shared.ids: conversation and client refs) and Twilio SIDs are hex, not phone numbers.
_OPAQUE = re.compile(r"[cp][0-9a-f]{31}|[A-Z]{2}[0-9a-fA-F]{32}")


def redact_text(value: str) -> str:
    """Replace every phone number in a string, in any format phonenumbers recognises."""
    if len(_DIGITS.findall(value)) < 7 or _OPAQUE.fullmatch(value):
        return value
    protected = [m.span() for m in _PROTECTED.finditer(value)]
    spans: list[tuple[int, int]] = []
    for region in _REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(value, region, leniency=phonenumbers.Leniency.POSSIBLE):
            spans.append((match.start, match.end))
    for match in _DIGIT_RUN.finditer(value):
        if len(_DIGITS.findall(match.group())) >= 7:
            spans.append(match.span())
    spans = [(a, b) for a, b in spans if not any(pa <= a and b <= pb for pa, pb in protected)]
    if not spans:
        return value
    spans.sort()
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        if end <= cursor:
            continue
        start = max(start, cursor)
        out.append(value[cursor:start])
        out.append(REDACTED)
        cursor = end
    out.append(value[cursor:])
    return "".join(out)


def _redact_value(key: str | None, value: Any) -> Any:
    if key is not None and key.lower() in BODY_FIELDS and value is not None:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact_value(None, v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000_000:
        return redact_text(str(value))
    return value


def redact_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: drop message bodies and phone numbers from every field, event included."""
    for key in list(event_dict.keys()):
        if key == "timestamp":
            continue
        if key == "event":
            event_dict[key] = redact_text(str(event_dict[key]))
            continue
        event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


def safe_exception(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Render an exception as its type and where it was raised, never its message.

    An exception's message can repeat what it failed on (a validation error quotes its input: a
    client's text), and redaction catches numbers, not free text.
    """
    exc_info = event_dict.pop("exc_info", None)
    if not exc_info:
        return event_dict
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = (
        exc_info
        if isinstance(exc_info, BaseException)
        else (exc_info[1] if isinstance(exc_info, tuple) else None)
    )
    if exc is None:
        return event_dict
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    event_dict["exception"] = type(exc).__name__
    # Not "stack": structlog's console renderer takes that key for a preformatted string.
    event_dict["frames"] = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames]
    return event_dict


def shared_processors() -> list[Any]:
    """The processors every log line passes, redaction last so nothing added later escapes it."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        safe_exception,
        redact_processor,
    ]


# Libraries that log every request or connection at INFO (the Twilio SDK: URL and headers, its
# Authorization among them): WARNING and above only, at every level, DEBUG included.
CHATTY_LIBRARIES = (
    "twilio",
    "twilio.http_client",
    "httpx",
    "httpcore",
    "urllib3",
    "asyncio",
    "anthropic",
    "aiohttp.access",
    "multipart",
)
# Our own plumbing and FastStream's per-message lines: shown when LOG_LEVEL=DEBUG.
PLUMBING = ("uvicorn.access", "faststream", "frontdesk.bus", "frontdesk.agent.bus")


class LibraryExceptions(logging.Filter):
    """A standard-library record that carries an exception keeps its type and place, never its text.

    Libraries log a failure as "<Type>: <message>" (FastStream does), and an exception's message can
    repeat what it failed on: a validation error quotes its input (a phone number, a client's text).
    The redaction processor catches numbers, not free text, so the whole message is replaced. And
    FastStream's "Task-N raised an exception, retrying" for a pull fetch that timed out (a consumer
    waiting on an empty stream, or on a server still starting) is DEBUG, not an error.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite a record that carries an exception; drop a benign fetch timeout unless DEBUG."""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            return True
        benign = isinstance(exc, TimeoutError) and "raised an exception" in str(record.msg)
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
        record.msg, record.args = f"{type(exc).__name__}{where}", ()
        if not benign:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def configure_logging(service: str, level: str = "INFO", fmt: str = "auto") -> None:
    """Configure structlog and the standard library to emit redacted structured logs."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared_processors(), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries that log through the standard library go through the same redaction.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=renderer,
            foreign_pre_chain=shared_processors(),
        )
    )
    handler.addFilter(LibraryExceptions())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if level.upper() == "DEBUG" else level.upper())
    # FastStream logs every consumer start/stop and task callback at INFO through its own handler.
    for name in PLUMBING:
        logging.getLogger(name).setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
