"""Scenario files: read, validated and made frozen records (format: tests/conversations/README.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

OUTCOMES = ("booked", "handed_off", "opted_out", "answered")
CATEGORIES = (
    "medical", "cancellation", "reschedule", "refund", "payment_dispute", "complaint", "human_request",
    "other",
)  # fmt: skip
PARTS_OF_DAY = {"morning": (0, 12 * 60), "afternoon": (12 * 60, 17 * 60), "evening": (17 * 60, 24 * 60)}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow")
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

SCENARIO_KEYS = {"id", "client", "turns", "expect", "reply_must_not", "reply_must_not_only", "note"}
TURN_KEYS = {"text", "reply_has", "options", "no_reply", "reply_must_not", "reply_must_not_only"}
EXPECT_KEYS = {
    "booked": {"outcome", "service", "day", "part_of_day", "after", "before", "provider", "facts"},
    "handed_off": {"outcome", "category", "priority", "facts"},
    "opted_out": {"outcome"},
    "answered": {"outcome", "facts"},
}


class ScenarioError(ValueError):
    """A scenario file that does not follow the format; the message names the file and scenario."""


@dataclass(frozen=True)
class Turn:
    """One client text and what its reply (all texts the spa sent for it) must show; or a staff
    action in the inbox: `staff` texts the client as staff (the AI pauses), `resume` hands back."""

    text: str
    staff: str | None = None
    resume: bool = False
    reply_has: tuple[str, ...] = ()
    options: bool | None = None
    no_reply: bool = False
    reply_must_not: tuple[str, ...] = ()
    reply_must_not_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expect:
    """The outcome the conversation must reach, with its constraints."""

    outcome: str
    service: tuple[str, ...] = ()
    day: tuple[str, ...] = ()
    part_of_day: str | None = None
    after: str | None = None
    before: str | None = None
    provider: str | None = None
    category: tuple[str, ...] = ()
    priority: str | None = None
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A conversation: the client's number, its turns and the expected outcome."""

    id: str
    client: str
    turns: tuple[Turn, ...]
    expect: Expect
    file: str
    reply_must_not: tuple[str, ...] = ()
    reply_must_not_only: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        """The file's stem ('booking'), for per-file rates."""
        return Path(self.file).stem


def _strings(value: Any, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int) and str(v).strip() for v in items):
        raise ValueError(f"{what} must be a text or a list of texts")
    return tuple(str(v) for v in items)


def _optional(raw: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    return _strings(raw[name], f"{where}: {name}") if name in raw else ()


def _unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        names = ", ".join(sorted(allowed))
        raise ValueError(f"unknown field(s) {', '.join(extra)} in {where} (allowed: {names})")


def parse_staff_turn(raw: dict[str, Any], where: str) -> Turn:
    """`{staff: TEXT}` or `{resume: true}`: what staff do in the inbox between client texts."""
    if set(raw) == {"staff"} and isinstance(raw["staff"], str) and raw["staff"].strip():
        return Turn(text="", staff=raw["staff"])
    if raw == {"resume": True}:
        return Turn(text="", resume=True)
    raise ValueError(f"{where}: a staff turn is `staff: TEXT` or `resume: true`, alone")


def parse_turn(raw: Any, index: int) -> Turn:
    """A turn is a plain text, a mapping with `text` and its checks, or a staff action."""
    where = f"turn {index}"
    if isinstance(raw, dict) and ("staff" in raw or "resume" in raw):
        return parse_staff_turn(raw, where)
    if isinstance(raw, str):
        if not raw.strip():
            raise ValueError(f"{where} is empty")
        return Turn(text=raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise ValueError(f"{where} must be a text or a mapping with a non-empty `text`")
    _unknown(raw, TURN_KEYS, where)
    options = raw.get("options")
    if options is not None and not isinstance(options, bool):
        raise ValueError(f"{where}: `options` must be true or false")
    return Turn(
        text=raw["text"],
        reply_has=_strings(raw.get("reply_has", []), f"{where}: reply_has") if raw.get("reply_has") else (),
        options=options,
        no_reply=bool(raw.get("no_reply", False)),
        reply_must_not=_optional(raw, "reply_must_not", where),
        reply_must_not_only=_optional(raw, "reply_must_not_only", where),
    )


def _time(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not HHMM.match(value):
        raise ValueError(f'expect.{what} must be a 24-hour time in quotes, like "17:00"')
    return value


def parse_expect(raw: Any) -> Expect:
    """The `expect` mapping: an `outcome` kind and the fields that kind allows."""
    if not isinstance(raw, dict) or "outcome" not in raw:
        raise ValueError("`expect` must be a mapping with an `outcome`")
    kind = raw["outcome"]
    if kind not in OUTCOMES:
        raise ValueError(f"unknown outcome {kind!r} (known: {', '.join(OUTCOMES)})")
    _unknown(raw, EXPECT_KEYS[kind], f"expect (outcome {kind})")
    days = tuple(d.lower() for d in _strings(raw["day"], "expect.day")) if "day" in raw else ()
    if bad := [d for d in days if d not in DAYS]:
        raise ValueError(f"expect.day {bad[0]!r} is not one of {', '.join(DAYS)}")
    part = raw.get("part_of_day")
    if part is not None and part not in PARTS_OF_DAY:
        raise ValueError(f"expect.part_of_day must be one of {', '.join(PARTS_OF_DAY)}")
    categories = _strings(raw["category"], "expect.category") if "category" in raw else ()
    if bad := [c for c in categories if c not in CATEGORIES]:
        raise ValueError(f"unknown category {bad[0]!r} (known: {', '.join(CATEGORIES)})")
    if kind == "handed_off" and not categories:
        raise ValueError("a handed_off outcome needs a `category`")
    if kind == "answered" and not raw.get("facts"):
        raise ValueError("an answered outcome needs `facts`")
    if kind == "booked" and not raw.get("service"):
        raise ValueError("a booked outcome needs a `service`")
    priority = raw.get("priority")
    if priority not in (None, "urgent", "normal"):
        raise ValueError("expect.priority must be urgent or normal")
    return Expect(
        outcome=kind,
        service=_strings(raw["service"], "expect.service") if "service" in raw else (),
        day=days,
        part_of_day=part,
        after=_time(raw.get("after"), "after"),
        before=_time(raw.get("before"), "before"),
        provider=str(raw["provider"]).lower() if raw.get("provider") else None,
        category=categories,
        priority=priority,
        facts=_strings(raw["facts"], "expect.facts") if raw.get("facts") else (),
    )


def parse_scenario(raw: Any, file: str) -> Scenario:
    """One scenario mapping; errors are raised as ScenarioError naming the file and the scenario."""
    sid = raw.get("id") if isinstance(raw, dict) else None
    try:
        if not isinstance(raw, dict):
            raise ValueError("a scenario must be a mapping")
        if not isinstance(sid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", sid):
            raise ValueError("`id` must be lowercase letters, digits and dashes")
        _unknown(raw, SCENARIO_KEYS, "the scenario")
        client = str(raw.get("client", ""))
        if not E164.match(client):
            raise ValueError(f"`client` must be an E.164 number in quotes, got {client!r}")
        turns = raw.get("turns")
        if not isinstance(turns, list) or not turns:
            raise ValueError("`turns` must be a non-empty list")
        parsed = tuple(parse_turn(t, i) for i, t in enumerate(turns, 1))
        if not parsed[0].text:
            raise ValueError("the first turn must be the client's text")
        return Scenario(
            id=sid,
            client=client,
            turns=parsed,
            expect=parse_expect(raw.get("expect")),
            file=file,
            reply_must_not=_optional(raw, "reply_must_not", "the scenario"),
            reply_must_not_only=_optional(raw, "reply_must_not_only", "the scenario"),
        )
    except ValueError as exc:
        raise ScenarioError(f"{file}: scenario {sid or '?'}: {exc}") from None


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files named, and those inside named folders (sorted)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError(f"{path}: no such file or folder")
    if not files:
        raise ScenarioError("no scenario files found in " + ", ".join(map(str, paths)))
    return files


def load_file(path: Path) -> list[Scenario]:
    """A file's scenarios: a top-level list, or a mapping with `scenarios:`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    items = data.get("scenarios") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ScenarioError(f"{path}: expected a list of scenarios (or `scenarios:` with one)")
    return [parse_scenario(item, str(path)) for item in items]


def load(paths: Iterable[str | Path]) -> list[Scenario]:
    """Every scenario in the files and folders given; ids and client numbers must be unique."""
    scenarios = [s for f in scenario_files(paths) for s in load_file(f)]
    seen_ids: dict[str, str] = {}
    seen_numbers: dict[str, str] = {}
    for s in scenarios:
        if s.id in seen_ids:
            raise ScenarioError(f"{s.file}: scenario {s.id}: id already used in {seen_ids[s.id]}")
        if s.client in seen_numbers:
            other = seen_numbers[s.client]
            raise ScenarioError(f"{s.file}: scenario {s.id}: client number already used by {other}")
        seen_ids[s.id] = s.file
        seen_numbers[s.client] = s.id
    return scenarios
