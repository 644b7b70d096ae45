"""`frontdesk eval conversations PATH... --gateway URL`: play the scenario suite against a running system."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from services.agent.scenarios.checks import Transcript, judge
from services.agent.scenarios.play import Player, Target, fresh_numbers
from services.agent.scenarios.spa import read_spa
from services.agent.scenarios.spec import Scenario, ScenarioError, load


@dataclass(frozen=True)
class Result:
    """A played scenario: its transcript and what it failed (nothing: it passed)."""

    scenario: Scenario
    number: str
    transcript: Transcript
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether the conversation reached its outcome with every check met."""
        return not self.failures


async def run_suite(
    scenarios: list[Scenario], target: Target, *, concurrency: int = 4, fresh: bool = True
) -> list[Result]:
    """Play every scenario (a few at once: each has its own number) and judge it."""
    numbers = fresh_numbers(scenarios, target.spa) if fresh else {s.id: s.client for s in scenarios}
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=15) as http:
        player = Player(target, http)
        await player.start()

        async def one(s: Scenario) -> Result:
            async with gate:
                transcript = await player.play(s, numbers[s.id])
            today = datetime.now(target.spa.timezone).date()
            return Result(s, numbers[s.id], transcript, tuple(judge(s, transcript, target.spa, today)))

        return list(await asyncio.gather(*(one(s) for s in scenarios)))


def rate(results: list[Result]) -> float:
    """The share of scenarios that passed (0 for none)."""
    return sum(r.passed for r in results) / len(results) if results else 0.0


def report(results: list[Result], *, show: bool) -> str:
    """Pass/fail per scenario (the transcript of failures on `show`), the rate per file and overall."""
    lines = []
    for r in results:
        name = f"{r.scenario.group}/{r.scenario.id}"
        lines.append(f"PASS {name}" if r.passed else f"FAIL {name}: " + "; ".join(r.failures))
        if show and not r.passed:
            lines += _transcript(r)
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[Path(r.scenario.file).name].append(r)
    lines.append("")
    for name, rs in sorted(groups.items()):
        lines.append(f"{name:<22} {sum(x.passed for x in rs):>3}/{len(rs):<3} {rate(rs):6.1%}")
    passed = sum(r.passed for r in results)
    lines.append(f"conversations: {passed}/{len(results)} reached their outcome ({rate(results):.1%})")
    return "\n".join(lines)


def _transcript(r: Result) -> list[str]:
    out = [f"    number {r.number}"]
    for log in r.transcript.turns:
        out.append(f"    > {log.text}")
        out += [f"    < {x.body}" + ("" if x.sent else "  [not sent]") for x in log.replies]
    if r.transcript.probe is not None:
        out.append(f"    > (probe) -> {len(r.transcript.probe)} text(s)")
    out += [f"    ! escalation {e.get('category')}" for e in r.transcript.escalations]
    return out


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(prog="frontdesk eval conversations", description=__doc__)
    p.add_argument("paths", nargs="+", help="scenario files or folders (tests/conversations)")
    p.add_argument(
        "--gateway", required=True, help="the gateway's base URL (make run: http://127.0.0.1:8080)"
    )
    p.add_argument("--inbox", default="http://127.0.0.1:8083", help="the staff inbox's base URL")
    p.add_argument(
        "--staff-token",
        default=os.environ.get("INBOX_SESSION_TOKEN", ""),
        help="a signed-in inbox session token (INBOX_SESSION_TOKEN), sent as a bearer token",
    )
    p.add_argument("--twilio-auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN", ""), help="signs texts")
    p.add_argument(
        "--public-url", default="", help="the gateway's PUBLIC_BASE_URL if it differs from --gateway"
    )
    p.add_argument("--spa", default="spas/demo-spa.yaml", help="the spa file the system runs")
    p.add_argument("--concurrency", type=int, default=4, help="scenarios played at once")
    p.add_argument("--keep-numbers", action="store_true", help="use the files' numbers as they are")
    p.add_argument("--only", default="", help="play only scenarios whose id contains this")
    p.add_argument("--reply-timeout", type=float, default=25.0, help="seconds to wait for a reply")
    p.add_argument("--show", action="store_true", help="print the transcript of each failure")
    p.add_argument("--min-rate", type=float, default=0.0, help="exit non-zero below this pass rate (0-1)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Load, play, print; 0 when the rate reaches --min-rate, 1 below it, 2 on bad input."""
    args = parser().parse_args(argv)
    try:
        scenarios = [s for s in load(args.paths) if args.only in s.id]
        spa = read_spa(args.spa)
    except (ScenarioError, ValueError) as exc:
        print(f"frontdesk eval conversations: {exc}", file=sys.stderr)
        return 2
    if not args.twilio_auth_token:
        need = "--twilio-auth-token (TWILIO_AUTH_TOKEN) signs the texts; the gateway must have the same token"
        print(f"frontdesk eval conversations: {need}", file=sys.stderr)
        return 2
    target = Target(
        gateway=args.gateway, inbox=args.inbox, auth_token=args.twilio_auth_token, spa=spa,
        staff_token=args.staff_token, public_url=args.public_url, reply_timeout=args.reply_timeout,
    )  # fmt: skip
    results = asyncio.run(
        run_suite(scenarios, target, concurrency=args.concurrency, fresh=not args.keep_numbers)
    )
    print(report(results, show=args.show))
    if results and all(r.transcript.error for r in results):
        print(f"frontdesk eval conversations: no scenario could be played: {results[0].transcript.error}",
              file=sys.stderr)  # fmt: skip
        return 2
    return 0 if rate(results) >= args.min_rate else 1
