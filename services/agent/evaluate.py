"""Score the agent's language handling on any JSON Lines set in the public data formats.

    python -m services.agent.evaluate time-parsing FILE
    python -m services.agent.evaluate escalation FILE [--negatives FILE]
    (also `frontdesk agent eval ...` through the agent's cli)

time-parsing: lines in the Schema-Guided Dialogue format (`utterance`, `reference_date`, and
`appointment_date` / `appointment_time` with a `canonical` value); prints exact agreement.
escalation: lines in the MedQuAD format (`question`: every one must escalate, gives recall) and/or
the SGD format (`utterance` of service `Services_1`, the salon: none should escalate, gives the
false-escalation rate); the format is detected per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from services.agent.language.guard import check_inbound
from services.agent.language.timeparse import parse_preference

# The data sets' conversations happen in no particular zone; any fixed zone gives the same dates.
EVAL_TZ = "UTC"
NEGATIVE_SERVICE = "Services_1"


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
class GuardScore:
    """How the inbound guard does on questions that must escalate and chatter that must not."""

    positives: int = 0
    escalated: int = 0
    negatives: int = 0
    false_escalations: int = 0
    skipped: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of must-escalate questions the guard escalated."""
        return self.escalated / self.positives if self.positives else 0.0

    @property
    def false_escalation_rate(self) -> float:
        """Share of booking chatter the guard escalated anyway."""
        return self.false_escalations / self.negatives if self.negatives else 0.0


def score_escalation(
    rows: Iterable[tuple[int, dict[str, object]]], score: GuardScore | None = None
) -> GuardScore:
    """Run the guard on each line: `question` lines are positives, salon `utterance` lines negatives."""
    score = score or GuardScore()
    for no, row in rows:
        question, utterance = row.get("question"), row.get("utterance")
        if isinstance(question, str):
            score.positives += 1
            if check_inbound(question).escalate:
                score.escalated += 1
            else:
                score.misses.append(question)
        elif isinstance(utterance, str):
            if row.get("service", NEGATIVE_SERVICE) != NEGATIVE_SERVICE:
                score.skipped += 1  # dentist/doctor/therapist turns may rightly talk about health
                continue
            score.negatives += 1
            verdict = check_inbound(utterance)
            if verdict.escalate:
                score.false_escalations += 1
                score.false_alarms.append((utterance, verdict.category or ""))
        else:
            raise EvalInputError(f"line {no}: needs a `question` (MedQuAD) or `utterance` (SGD) string")
    return score


def _print_examples(title: str, items: list[str], limit: int) -> None:
    if items and limit:
        print(f"  {title} (first {min(limit, len(items))} of {len(items)}):")
        for item in items[:limit]:
            print(f"    {item}")


def main(argv: list[str] | None = None) -> int:
    """`time-parsing FILE` or `escalation FILE [--negatives FILE]`; prints the figures."""
    parser = argparse.ArgumentParser(prog="frontdesk agent eval", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tp = sub.add_parser("time-parsing", help="agreement with annotated dates and times (SGD format)")
    tp.add_argument("file", type=Path)
    tp.add_argument("--show", type=int, default=0, metavar="N", help="print N disagreements of each kind")
    esc = sub.add_parser("escalation", help="guard recall and false-escalation rate")
    esc.add_argument("file", type=Path)
    esc.add_argument("--negatives", type=Path, help="a second file (e.g. the SGD turns)")
    esc.add_argument("--show", type=int, default=0, metavar="N", help="print N misses and false alarms")
    args = parser.parse_args(argv)
    n = args.show

    try:
        if args.command == "time-parsing":
            _require(args.file)
            ts = score_time_parsing(read_jsonl(args.file))
            print(f"time parsing: {args.file}")
            print(f"  turns read           {ts.turns}")
            print(f"  time agreement       {ts.time_agreement:.2%}  ({ts.time_correct}/{ts.time_total})")
            print(f"  date agreement       {ts.date_agreement:.2%}  ({ts.date_correct}/{ts.date_total})")
            _print_examples("time misses (text | want | got)", [" | ".join(m) for m in ts.time_misses], n)
            _print_examples("date misses (text | want | got)", [" | ".join(m) for m in ts.date_misses], n)
            return 0
        gs = GuardScore()
        for path in [args.file, *([args.negatives] if args.negatives else [])]:
            _require(path)
            score_escalation(read_jsonl(path), gs)
        print(f"escalation guard: {', '.join(str(p) for p in [args.file, args.negatives] if p)}")
        if gs.positives:
            print(f"  recall               {gs.recall:.2%}  ({gs.escalated}/{gs.positives} must-escalate)")
        if gs.negatives:
            print(
                f"  false escalations    {gs.false_escalation_rate:.2%}  "
                f"({gs.false_escalations}/{gs.negatives} {NEGATIVE_SERVICE} turns)"
            )
        if gs.skipped:
            print(f"  skipped              {gs.skipped} turns of other services")
        _print_examples("missed", gs.misses, args.show)
        _print_examples("false alarms (text | category)", [" | ".join(f) for f in gs.false_alarms], args.show)
        return 0
    except (EvalInputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _require(path: Path) -> None:
    if not path.is_file():
        raise EvalInputError(f"{path}: no such file")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
