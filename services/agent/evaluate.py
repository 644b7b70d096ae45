"""Score the agent's language handling on any JSON Lines set in the public data formats.

    python -m services.agent.evaluate time-parsing FILE
    python -m services.agent.evaluate escalation FILE [FILE ...] [--negatives FILE] [--show [N]]
    (also `frontdesk eval ...` and `frontdesk agent eval ...`)

time-parsing: lines in the Schema-Guided Dialogue format (`utterance`, `reference_date`, and
`appointment_date` / `appointment_time` with a `canonical` value); prints exact agreement.
escalation: the format is detected per line. `question` (MedQuAD, the NLM health questions): must
escalate, gives recall. `utterance` + `service` (SGD): must pass; `Services_1` (the salon) is the
target false-escalation rate, the other services are reported apart. `text` + `expect` (the
project's sets): `"pass"` or the expected category, with an optional expected `priority`. Each
file (and SGD service) is a group with its own figures, counts by category and by rule, and with
`--show` the misses and false escalations with what fired.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from services.agent.language.guard import check_inbound
from services.agent.language.timeparse import parse_preference

# The data sets' conversations happen in no particular zone; any fixed zone gives the same dates.
EVAL_TZ = "UTC"
NEGATIVE_SERVICE = "Services_1"
SHOW_DEFAULT = 50


class EvalInputError(ValueError):
    """A line of the evaluation file is not in a known format."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (line number, object) for each non-blank line; a broken line raises with its number."""
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalInputError(f"{path}:{no}: not JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise EvalInputError(f"{path}:{no}: expected a JSON object")
            yield no, obj


@dataclass
class TimeScore:
    """Exact agreement of the parser with the annotated dates and times."""

    turns: int = 0
    time_total: int = 0
    time_correct: int = 0
    date_total: int = 0
    date_correct: int = 0
    time_misses: list[tuple[str, str, str]] = field(default_factory=list)
    date_misses: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def time_agreement(self) -> float:
        """Share of annotated times parsed to exactly the canonical value."""
        return self.time_correct / self.time_total if self.time_total else 0.0

    @property
    def date_agreement(self) -> float:
        """Share of annotated dates parsed to exactly the canonical value."""
        return self.date_correct / self.date_total if self.date_total else 0.0


def _canonical(row: dict[str, object], key: str) -> str | None:
    value = row.get(key)
    if isinstance(value, dict) and isinstance(value.get("canonical"), str):
        return value["canonical"]
    return None


def score_time_parsing(rows: Iterable[tuple[int, dict[str, object]]]) -> TimeScore:
    """Parse every utterance against its reference date and compare with the annotations."""
    score = TimeScore()
    for no, row in rows:
        utterance, ref = row.get("utterance"), row.get("reference_date")
        if not isinstance(utterance, str) or not isinstance(ref, str):
            raise EvalInputError(f"line {no}: needs `utterance` and `reference_date` strings")
        want_date, want_time = _canonical(row, "appointment_date"), _canonical(row, "appointment_time")
        score.turns += 1
        if want_date is None and want_time is None:
            continue
        try:
            now = datetime.combine(date.fromisoformat(ref), time(9, 0))
        except ValueError as exc:
            raise EvalInputError(f"line {no}: reference_date {ref!r} is not YYYY-MM-DD") from exc
        parsed = parse_preference(utterance, now, EVAL_TZ)
        got_date = parsed.date.isoformat() if parsed and parsed.date else "-"
        got_time = parsed.time.strftime("%H:%M") if parsed and parsed.time else "-"
        if want_time is not None:
            score.time_total += 1
            if got_time == want_time:
                score.time_correct += 1
            else:
                score.time_misses.append((utterance, want_time, got_time))
        if want_date is not None:
            score.date_total += 1
            if got_date == want_date:
                score.date_correct += 1
            else:
                score.date_misses.append((utterance, want_date, got_date))
    return score


@dataclass
class GroupScore:
    """One group of lines (a file, or one SGD service): what the guard did with each."""

    name: str
    must_escalate: bool
    total: int = 0
    escalated: int = 0
    right_category: int = 0
    priority_total: int = 0
    right_priority: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, wanted, what fired

    @property
    def rate(self) -> float:
        """Recall for a must-escalate group, false-escalation rate for a must-pass one."""
        return self.escalated / self.total if self.total else 0.0


@dataclass
class GuardScore:
    """How the inbound guard does on texts that must escalate and texts that must not, by group."""

    groups: dict[str, GroupScore] = field(default_factory=dict)

    def group(self, name: str, must_escalate: bool) -> GroupScore:
        """The group of this name, created on first use."""
        return self.groups.setdefault(name, GroupScore(name, must_escalate))

    @property
    def positives(self) -> int:
        """Lines that must escalate."""
        return sum(g.total for g in self.groups.values() if g.must_escalate)

    @property
    def escalated(self) -> int:
        """Must-escalate lines the guard escalated."""
        return sum(g.escalated for g in self.groups.values() if g.must_escalate)

    @property
    def negatives(self) -> int:
        """Target must-pass lines: SGD Services_1 turns and project lines expecting "pass"."""
        return sum(g.total for g in self._targets())

    @property
    def false_escalations(self) -> int:
        """Target must-pass lines the guard escalated anyway."""
        return sum(g.escalated for g in self._targets())

    @property
    def misses(self) -> list[str]:
        """Texts of must-escalate lines that passed."""
        return [m[0] for g in self.groups.values() if g.must_escalate for m in g.misses if m[2] == PASSED]

    @property
    def false_alarms(self) -> list[tuple[str, str]]:
        """(text, what fired) of target must-pass lines that escalated."""
        return [(m[0], m[2]) for g in self._targets() for m in g.misses]

    @property
    def recall(self) -> float:
        """Share of must-escalate lines the guard escalated."""
        return self.escalated / self.positives if self.positives else 0.0

    @property
    def false_escalation_rate(self) -> float:
        """Share of target booking chatter the guard escalated anyway."""
        return self.false_escalations / self.negatives if self.negatives else 0.0

    def _targets(self) -> list[GroupScore]:
        return [
            g for g in self.groups.values() if not g.must_escalate and not g.name.startswith(OTHER_SERVICE)
        ]


PASSED = "passed"
OTHER_SERVICE = "SGD other service"
ESCALATE = "escalate"  # any category will do (the public question sets)


def _expectation(no: int, row: dict[str, object], source: str) -> tuple[str, str, str, str | None]:
    """(group, text, wanted, wanted priority) of one line in any of the supported formats."""
    text, expect = row.get("text"), row.get("expect")
    if isinstance(text, str) and isinstance(expect, str):
        priority = row.get("priority")
        group = f"{source}: {'must pass' if expect == 'pass' else 'must escalate'}"
        return group, text, expect, priority if isinstance(priority, str) else None
    question, utterance = row.get("question"), row.get("utterance")
    if isinstance(question, str):
        return f"{source}: must escalate", question, ESCALATE, None
    if isinstance(utterance, str):
        service = str(row.get("service", NEGATIVE_SERVICE))
        group = f"SGD {service} turns" if service == NEGATIVE_SERVICE else f"{OTHER_SERVICE} {service} turns"
        return group, utterance, "pass", None
    raise EvalInputError(
        f"line {no}: needs `question` (MedQuAD / health questions), `utterance` (SGD) "
        "or `text` + `expect` (project sets)"
    )


def score_escalation(
    rows: Iterable[tuple[int, dict[str, object]]], score: GuardScore | None = None, source: str = "file"
) -> GuardScore:
    """Run the guard on each line and count it in its group (the format is detected per line)."""
    score = score or GuardScore()
    for no, row in rows:
        name, text, wanted, priority = _expectation(no, row, source)
        group = score.group(name, wanted != "pass")
        verdict = check_inbound(text)
        fired = f"{verdict.category}/{verdict.rule}" if verdict.escalate else PASSED
        group.total += 1
        if verdict.escalate:
            group.escalated += 1
            group.categories[verdict.category or ""] += 1
            group.rules[verdict.rule] += 1
        if wanted == "pass":
            right = not verdict.escalate
        else:
            right = verdict.escalate and wanted in (ESCALATE, verdict.category)
            group.right_category += right
            if priority is not None:
                group.priority_total += 1
                group.right_priority += right and verdict.priority == priority
                if right and verdict.priority != priority:
                    right, fired = False, f"{verdict.category}/{verdict.priority}/{verdict.rule}"
        if not right:
            group.misses.append((text, wanted if priority is None else f"{wanted}/{priority}", fired))
    return score


def _print_examples(title: str, items: list[str], limit: int) -> None:
    if items and limit:
        print(f"  {title} (first {min(limit, len(items))} of {len(items)}):")
        for item in items[:limit]:
            print(f"    {item}")


def _print_group(g: GroupScore, show: int) -> None:
    if g.must_escalate:
        print(f"  {g.name}: recall {g.rate:.2%} ({g.escalated}/{g.total})")
        if g.right_category != g.escalated:
            print(f"    expected category      {g.right_category}/{g.total}")
        if g.priority_total:
            print(f"    expected priority      {g.right_priority}/{g.priority_total}")
    else:
        print(f"  {g.name}: false escalations {g.rate:.2%} ({g.escalated}/{g.total})")
    if g.categories:
        print("    by category            " + ", ".join(f"{k} {v}" for k, v in g.categories.most_common()))
    if g.rules:
        print("    by rule                " + ", ".join(f"{k} {v}" for k, v in g.rules.most_common()))
    title = (
        "misses (text | wanted | what fired)" if g.must_escalate else "false escalations (text | what fired)"
    )
    lines = [f"{t} | {w} | {f}" if g.must_escalate else f"{t} | {f}" for t, w, f in g.misses]
    _print_examples(title, lines, show)


def _escalation(files: list[Path], show: int) -> None:
    gs = GuardScore()
    for path in files:
        _require(path)
        score_escalation(read_jsonl(path), gs, source=path.stem)
    print(f"escalation guard: {', '.join(str(p) for p in files)}")
    for g in gs.groups.values():
        _print_group(g, show)
    if gs.positives:
        print(f"  recall               {gs.recall:.2%}  ({gs.escalated}/{gs.positives} must-escalate)")
    if gs.negatives:
        print(
            f"  false escalations    {gs.false_escalation_rate:.2%}  "
            f"({gs.false_escalations}/{gs.negatives} must-pass, other SGD services apart)"
        )


def main(argv: list[str] | None = None) -> int:
    """`time-parsing FILE` or `escalation FILE... [--negatives FILE] [--show [N]]`; prints the figures."""
    parser = argparse.ArgumentParser(prog="frontdesk agent eval", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tp = sub.add_parser("time-parsing", help="agreement with annotated dates and times (SGD format)")
    tp.add_argument("file", type=Path)
    tp.add_argument("--show", type=int, default=0, metavar="N", help="print N disagreements of each kind")
    esc = sub.add_parser("escalation", help="guard recall, false escalations, what fired")
    esc.add_argument("files", type=Path, nargs="+", metavar="FILE")
    esc.add_argument(
        "--negatives", type=Path, action="append", default=[], help="more files (e.g. the SGD turns)"
    )
    esc.add_argument(
        "--show",
        type=int,
        nargs="?",
        const=SHOW_DEFAULT,
        default=0,
        metavar="N",
        help=f"print misses and false escalations with what fired (N per group, {SHOW_DEFAULT} if omitted)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "time-parsing":
            _time_parsing(args.file, args.show)
        else:
            _escalation([*args.files, *args.negatives], args.show)
        return 0
    except (EvalInputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _time_parsing(path: Path, n: int) -> None:
    _require(path)
    ts = score_time_parsing(read_jsonl(path))
    print(f"time parsing: {path}")
    print(f"  turns read           {ts.turns}")
    print(f"  time agreement       {ts.time_agreement:.2%}  ({ts.time_correct}/{ts.time_total})")
    print(f"  date agreement       {ts.date_agreement:.2%}  ({ts.date_correct}/{ts.date_total})")
    _print_examples("time misses (text | want | got)", [" | ".join(m) for m in ts.time_misses], n)
    _print_examples("date misses (text | want | got)", [" | ".join(m) for m in ts.date_misses], n)


def _require(path: Path) -> None:
    if not path.is_file():
        raise EvalInputError(f"{path}: no such file")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
