"""One model turn's tool calls: arguments checked, the client bound by the server, results allow-listed.

Every call the model makes lands here. Arguments are validated against the strict models of
`tools_schema` (an unknown tool, an extra field such as `phone` or `client_id`, or a phone number in
any argument is refused and recorded); the conversation's `ConversationTools` does the work for the
client the server bound; results reach the model only through `disclosure.for_model`. The facts the
calls cause are the same conversation events the deterministic brain emits.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from pydantic import ValidationError

from shared.contracts.conversation import (
    BookingConfirmed,
    ConversationEvent,
    PreferenceUnderstood,
    ProposedOption,
    ServiceCandidate,
    ServiceMatched,
    SlotsProposed,
    SlotsUnavailable,
)
from shared.contracts.tools import AvailabilityFound, ServiceInfo, TimePreference
from shared.text import for_matching

from ..brain import Handoff, TurnContext
from ..disclosure import for_model
from ..domain import booking_facts
from ..policy import candidate_of, consult_to_offer
from ..replies import option_label, say, when_label
from ..tools import ToolRefused
from . import tools_schema as ts
from .model_tools import ModelTools

log = structlog.get_logger()

# Seven or more digits in a row (spaces, dots, dashes and brackets between them allowed): a phone.
PHONE_LIKE = re.compile(r"(?:\+?\d[\s().-]*){7,}")
# A preference's dates and times (ISO 2026-12-03, 17:30) are digits in a row too, but never a phone.
ISO_DATE_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}(?::\d{2})?")

Result = dict[str, Any]


class Rejected(Exception):
    """A tool call the server refuses; `reason` is recorded on the conversation."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class ModelTurn:
    """What the model's tool calls did during one turn."""

    ctx: TurnContext
    facts: list[ConversationEvent] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    found: AvailabilityFound | None = None
    proposals: list[ProposedOption] = field(default_factory=list)
    held_now: list[UUID] = field(default_factory=list)
    booked: BookingConfirmed | None = None
    handoff: Handoff | None = None
    service: ServiceCandidate | None = None
    tools: ModelTools = field(init=False)
    tool_seconds: float = 0.0  # time in tool calls (the scheduler's work, not the model layer's)

    def __post_init__(self) -> None:
        self.proposals = list(self.ctx.state.proposals)
        self.service = self.ctx.state.service
        self.tools = ModelTools.of(self.ctx.tools)

    @property
    def tz(self) -> ZoneInfo:
        """The spa's time zone."""
        return ZoneInfo(self.ctx.spa.timezone)

    async def run(self, name: str, raw: object) -> tuple[Result, bool]:
        """Run one tool call: (the result the model sees, whether it is an error)."""
        self.calls.append(name)
        started = time.perf_counter()
        try:
            args = _validate(name, raw)
            return await HANDLERS[name](self, args), False
        except Rejected as exc:
            self.rejected.append(f"{name}:{exc.reason}")
            log.warning("agent.model.tool_rejected", tool=name, reason=exc.reason)
            return {"error": str(exc)}, True
        except ToolRefused as exc:
            return {"error": exc.code, "message": exc.error.message}, True
        finally:
            self.tool_seconds += time.perf_counter() - started

    async def release_new_holds(self) -> None:
        """Let go of what this turn held (used when the turn is decided by another brain)."""
        await self.tools.release(self.held_now)
        self.held_now = []


def _validate(name: str, raw: object) -> ts.Args:
    model = ts.TOOLS.get(name)
    if model is None:
        raise Rejected("unknown_tool", f"there is no tool named {name[:40]!r}")
    try:
        args = model.model_validate(raw)
    except ValidationError as exc:
        if any(e["type"] == "extra_forbidden" for e in exc.errors()):
            fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e["type"] == "extra_forbidden"})
            raise Rejected(
                "extra_argument",
                f"unknown argument(s) {fields}: tools act only for the client who is texting",
            ) from None
        raise Rejected("invalid_arguments", _first_error(exc)) from None
    if _mentions_phone(raw):
        raise Rejected("phone_argument", "tools act only for the client who is texting; no phone numbers")
    return args


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(map(str, first['loc'])) or 'arguments'}: {first['msg']}"


def _mentions_phone(raw: object) -> bool:
    if isinstance(raw, str):
        return ISO_DATE_OR_TIME.fullmatch(raw) is None and PHONE_LIKE.search(raw) is not None
    if isinstance(raw, dict):
        return any(_mentions_phone(k) or _mentions_phone(v) for k, v in raw.items())
    if isinstance(raw, list):
        return any(_mentions_phone(v) for v in raw)
    return False


def _catalog_service(turn: ModelTurn, name: str) -> ServiceInfo:
    wanted = for_matching(name, accents=False)
    for info in turn.ctx.spa.services:
        if for_matching(info.name, accents=False) == wanted:
            return info
    raise Rejected("unknown_service", "no service by that name: use a name from match_service")


async def match_service(turn: ModelTurn, args: ts.MatchServiceArgs) -> Result:
    """The spa's services ranked for the client's words."""
    return for_model(await turn.tools.match_service(args.words))


def _provider(turn: ModelTurn, first_name: str | None) -> tuple[UUID | None, str | None]:
    if not first_name:
        return None, None
    wanted = for_matching(first_name, accents=False)
    for p in turn.ctx.spa.providers:
        if for_matching(p.first_name, accents=False) == wanted:
            return p.provider_id, p.first_name
    raise Rejected("unknown_provider", "no provider by that first name")


async def _release_earlier_offers(turn: ModelTurn) -> None:
    """A new search lets go of the options offered on an earlier turn (as the deterministic brain's
    does), so the times the client was holding can be found again."""
    stale = [p.hold_id for p in turn.proposals if p.hold_id not in turn.held_now]
    if stale:
        await turn.tools.release(stale)
        turn.proposals = [p for p in turn.proposals if p.hold_id in turn.held_now]


async def find_availability(turn: ModelTurn, args: ts.FindAvailabilityArgs) -> Result:
    """Open slots for a catalog service; a new client's treatment starts with its consultation."""
    ctx = turn.ctx
    info = _catalog_service(turn, args.service_name)
    consult = consult_to_offer(ctx.state, ctx.spa, info.consult_service_id)
    chosen = consult or info
    provider_id, provider_name = _provider(turn, args.provider_first_name)
    preference = TimePreference.model_validate(args.preference.model_dump())
    await _release_earlier_offers(turn)
    if turn.service is None or turn.service.service_id != chosen.service_id:
        requested = candidate_of(info) if consult else None
        turn.service = candidate_of(chosen)
        turn.facts.append(ctx.event(ServiceMatched, service=turn.service, requested=requested))
    turn.facts.append(
        ctx.event(
            PreferenceUnderstood,
            preference=preference,
            provider_id=provider_id,
            provider_first_name=provider_name,
        )
    )
    found = await turn.tools.find_availability(
        chosen.service_id, preference, ctx.max_options, provider_id=provider_id
    )
    turn.found = found
    if not found.options:
        turn.facts.append(ctx.event(SlotsUnavailable, service_id=chosen.service_id))
    result = for_model(found)
    result["service_name"] = chosen.name
    if consult:
        result["note"] = f"new clients start with the {consult.name} before {info.name}"
    result["options"] = [{"number": i + 1, **o} for i, o in enumerate(result["options"])]
    return result


async def hold_options(turn: ModelTurn, args: ts.HoldOptionsArgs) -> Result:
    """Hold the options found (replacing any offered before) and name them for the reply."""
    ctx, found = turn.ctx, turn.found
    if found is None or not found.options:
        raise Rejected("nothing_found", "call find_availability first (no options found yet)")
    numbers = args.option_numbers or list(range(1, len(found.options) + 1))
    if any(n < 1 or n > len(found.options) for n in numbers):
        raise Rejected("invalid_arguments", f"option numbers go from 1 to {len(found.options)}")
    stale = [p.hold_id for p in turn.proposals]
    await turn.tools.release(stale)
    turn.proposals, turn.held_now = [], []
    held = await turn.tools.hold([found.options[n - 1] for n in numbers], ctx.hold_ttl_seconds)
    today = ctx.now.astimezone(turn.tz).date()
    lang = ctx.state.language
    ordered = sorted(held.holds, key=lambda h: h.option.start)  # the order the client is offered
    turn.proposals = [
        ProposedOption(
            hold_id=h.hold_id,
            option=h.option,
            expires_at=h.expires_at,
            label=option_label(h.option.start, h.option.provider_first_name, turn.tz, today, lang),
        )
        for h in ordered
    ]
    turn.held_now = [p.hold_id for p in turn.proposals]
    turn.facts.append(
        ctx.event(SlotsProposed, service_id=found.options[0].service_id, options=turn.proposals)
    )
    visible = [for_model(h) for h in ordered]  # each option next to its own label and number
    return {
        "held": [
            {"number": i + 1, "label": p.label, **v}
            for i, (p, v) in enumerate(zip(turn.proposals, visible, strict=True))
        ]
    }


async def confirm_choice(turn: ModelTurn, args: ts.ConfirmChoiceArgs) -> Result:
    """Book the option the client chose and release the others."""
    ctx = turn.ctx
    if args.option_number > len(turn.proposals):
        raise Rejected("invalid_arguments", f"only {len(turn.proposals)} option(s) are held")
    chosen = turn.proposals[args.option_number - 1]
    booking = await turn.tools.confirm(chosen.hold_id)
    await turn.tools.release([p.hold_id for p in turn.proposals if p.hold_id != chosen.hold_id])
    turn.booked = ctx.event(BookingConfirmed, **booking_facts(booking, chosen, turn.service))
    turn.facts.append(turn.booked)
    turn.proposals, turn.held_now = [], []
    return {**for_model(booking), "suggested_reply": confirmation_text(turn)}


def confirmation_text(turn: ModelTurn) -> str:
    """The deterministic brain's confirmation wording for the booking this turn made."""
    booked, spa = turn.booked, turn.ctx.spa
    assert booked is not None
    lang = turn.ctx.state.language
    return say(
        lang,
        "confirmation",
        service=booked.service_name,
        when=when_label(booked.start, turn.tz, lang),
        provider=booked.provider_first_name,
        place=f"{spa.name}, {spa.address}" if spa.address else spa.name,
    )


async def read_benefits(turn: ModelTurn, args: ts.ReadBenefitsArgs) -> Result:
    """The bound client's own packages and membership (never anyone else's: there is no argument for it)."""
    service_id = _catalog_service(turn, args.service_name).service_id if args.service_name else None
    return for_model(await turn.tools.benefits(service_id))


async def spa_profile(turn: ModelTurn, args: ts.SpaProfileArgs) -> Result:
    """The spa's public profile."""
    return for_model(turn.ctx.spa)


async def hand_off(turn: ModelTurn, args: ts.HandOffArgs) -> Result:
    """Hand the conversation to staff; the turn ends with the standard handoff text."""
    turn.handoff = Handoff(category=args.category, reason=f"The model handed off: {args.reason}"[:500])
    return {"ok": True}


HANDLERS: dict[str, Callable[[ModelTurn, Any], Awaitable[Result]]] = {
    "match_service": match_service,
    "find_availability": find_availability,
    "hold_options": hold_options,
    "confirm_choice": confirm_choice,
    "read_benefits": read_benefits,
    "spa_profile": spa_profile,
    "hand_off": hand_off,
}
