"""Options and bookings for the deterministic brain: find, hold and offer slots; book the one chosen.

A search narrowed by the client (a provider, later than the options offered) that finds nothing
offers the nearest open times and says so; a day that is full offers the same day next week first;
a clock time that is taken that day is offered on the same day of a later week beside the nearest;
a part of day nobody works on the day asked ("tmrw morning") offers that day at other times and the
nearest at that part of day on a later day, unless the client can only make that part of day.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

import structlog

from shared.contracts.conversation import (
    BookingConfirmed,
    ProposedOption,
    SlotsProposed,
    SlotsUnavailable,
)
from shared.contracts.tools import AvailabilityFound, SlotOption, TimePreference

from . import domain, policy
from .brain import Decision
from .replies import join_or, option_label, say, when_label, word
from .tools import ToolRefused
from .turn import Turn, reply

log = structlog.get_logger()

# Searches for open slots per proposal when others keep taking the ones found.
HOLD_ATTEMPTS = 3
# A full day asked for is looked for this many weeks later before other days are offered, in one
# scheduler call (find_availability_by_week takes six weeks at most).
WEEKS_AHEAD = 6
# A part of day the client can only make, not one they would like: "mornings only", "i can only do
# mornings", "i work afternoons", "can't do afternoons", "solo en la mañana", "no puedo en la tarde".
ONLY = re.compile(
    r"\b(?:only|just|solo|sólo|work|working|trabajo)\b|\bcan'?t do\b|\bcannot do\b|\bno puedo\b",
    re.IGNORECASE,
)


async def propose(turn: Turn, lead: str = "") -> Decision:
    """Find, hold and offer two or three options; release what was offered before."""
    state = turn.state
    assert state.service is not None
    search = policy.Search.of(state)
    if (unqualified := provider_not_for(turn, search)) is not None:
        # "friday with marco" for a facial Marco doesn't do: said, and anyone who does it is offered.
        lead = " ".join(x for x in (lead, unqualified) if x)
        search = dataclasses.replace(search, provider_id=None)
    stale = [p.hold_id for p in state.proposals]
    if stale:
        await turn.ctx.tools.release(stale)
    found, nearest = await find(turn, search)
    if found is None or not found.options:
        turn.learn(turn.event(SlotsUnavailable, service_id=state.service.service_id))
        return reply(turn, [lead, say(turn.lang, "nothing_open", service=state.service.name)], "time")
    held = await hold(turn, found, search)
    if held is None:
        turn.learn(turn.event(SlotsUnavailable, service_id=state.service.service_id, reason="slot_taken"))
        return reply(turn, [lead, say(turn.lang, "filled_up")], "time")
    if nearest:
        provider = state.search.provider_first_name if state.search else None
        words = policy.constraint_words(turn.u, search, turn.lang, provider)
        key = "options_nearest"
    else:
        exact = turn.inexact_said or (found.exact and not asked_time_missing(turn, search, held))
        words = ""
        key = (
            "options" if exact else policy.inexact_options_key(search.preference, held, turn.tz, turn.u.shift)
        )
    text = offer_text(turn, key, held, words, search.preference)
    opening = policy.opening(state, turn.ctx.spa.name, turn.lang)
    asked = bool(turn.u.questions or turn.u.staff_topic)  # answers or a note the client must read
    while asked and len(held) > 2 and not policy.fits(opening, turn.lead, [lead, text]):
        # The answers the client asked for beat a third option: offer two, keeping one at the time asked.
        dropped = held.pop(policy.option_to_drop([p.label for p in held], search.preference.target_time))
        await turn.ctx.tools.release([dropped.hold_id])
        text = offer_text(turn, key, held, words, search.preference)
    turn.learn(turn.event(SlotsProposed, service_id=state.service.service_id, options=held))
    ask_name = state.first_name is None and state.name_asks == 0 and turn.state.offers == 1
    return reply(turn, [lead, text], "choice", ask_name=ask_name)


def offer_text(
    turn: Turn,
    key: str,
    held: list[ProposedOption],
    constraint: str,
    preference: TimePreference | None = None,
) -> str:
    """'For your HydraFacial I have ... Reply 1, 2, or 3 to confirm.' in the wording `key`, and which
    options are in the part of day asked for when some were added outside it."""
    assert turn.state.service is not None
    values = {
        "service": turn.state.service.name,
        "labels": join_or([p.label for p in held], turn.lang),
        "numbers": join_or([str(i + 1) for i in range(len(held))], turn.lang),
    }
    text = (
        say(turn.lang, key, constraint=constraint, **values) if constraint else say(turn.lang, key, **values)
    )
    note = policy.part_of_day_note_key(preference, held, turn.tz) if preference and key == "options" else None
    if note and preference and preference.part_of_day:
        text += " " + say(turn.lang, note, part=word(turn.lang, preference.part_of_day))
    return text


def provider_not_for(turn: Turn, search: policy.Search) -> str | None:
    """What to say when the provider asked for does not do the service (None when they do)."""
    service, spa = turn.state.service, turn.ctx.spa
    if search.provider_id is None or service is None:
        return None
    info = next((s for s in spa.services if s.service_id == service.service_id), None)
    if info is None or not info.provider_ids or search.provider_id in info.provider_ids:
        return None
    provider = next((p for p in spa.providers if p.provider_id == search.provider_id), None)
    name = provider.first_name if provider else ""
    return say(turn.lang, "provider_not_for_service", provider=name, service=service.name)


async def look(
    turn: Turn,
    search: policy.Search,
    preference: TimePreference,
    limit: int,
    also_exclude: Sequence[datetime] = (),
) -> AvailabilityFound:
    """One availability search for the conversation's service within the client's narrowing (the
    provider asked for, after the options offered, none of the starts already refused)."""
    service = turn.state.service
    assert service is not None
    return await turn.ctx.tools.find_availability(
        service.service_id,
        preference,
        limit,
        provider_id=search.provider_id,
        after=search.after,
        exclude_starts=[*search.exclude_starts, *also_exclude],
        ruled_out=search.ruled_out,
    )


async def find(turn: Turn, search: policy.Search) -> tuple[AvailabilityFound | None, bool]:
    """Options for the search; when a narrowed search finds none, the nearest without the narrowing."""
    service = turn.state.service
    assert service is not None
    tools, limit = turn.ctx.tools, turn.ctx.max_options
    if (apart := await days_looked_at_apart(turn, search)) is not None:
        return apart, False
    found = await look(turn, search, search.preference, limit)
    if found.options and (not found.exact or far_from_time(turn, search, found)):
        # The day (or the time asked for) is full, or already past: the same day a week or a few
        # later beats another day or another time of day.
        if (later := await weeks_later(turn, search)) is not None:
            again, week = later
            if len(again.options) == 1 and limit > 1:
                again = await topped_up(turn, dataclasses.replace(search, preference=week), again)
            return again, False
        if not found.exact and (same_day := await other_times_that_day(turn, search)) is not None:
            # "tmrw morning" when no one does it on that weekday's mornings: that day at other times,
            # and the nearest at the time asked on a later day.
            return with_a_later_day(turn, search, same_day, found), True
    if found.options and found.exact and exact_time_taken(turn, search, found) and limit > 1:
        # "wednesday at 10" and 10 is taken: the nearest times that day, and 10 on a later Wednesday.
        if (later := await same_time_later(turn, search)) is not None:
            found = found.model_copy(update={"options": [*found.options[: limit - 1], later]})
    if len(found.options) == 1 and found.exact and limit > 1:
        found = await topped_up(turn, search, found)
    if (
        found.exact
        and limit > 1
        and (others := policy.days_not_offered(search.preference, found.options, turn.tz))
    ):
        found = await each_day_asked(turn, search, found, others)
    if found.options or not (search.narrowed or search.exclude_starts):
        return found, False
    nearest = await tools.find_availability(
        service.service_id,
        TimePreference(asap=True),
        limit,
        exclude_starts=search.exclude_starts,
        ruled_out=search.ruled_out,
    )
    return nearest, bool(nearest.options)


async def days_looked_at_apart(turn: Turn, search: policy.Search) -> AvailabilityFound | None:
    """ "tues at 4 or wed at 5": each day at its own time; a holiday asked for: the days around it.
    None when neither applies or nothing is open (the days are then looked for as one request)."""
    pairs = turn.u.alternatives
    if pairs and {d for d, _ in pairs} == set(search.preference.dates):
        if (each := await each_alternative(turn, search, pairs)).options:
            return each
    return await around_a_holiday(turn, search)


async def around_a_holiday(turn: Turn, search: policy.Search) -> AvailabilityFound | None:
    """ "hydrafacial on christmas day?" when the spa closes that day: the days just around it (the day
    before, the two after, not before today) beat the same weekday weeks later; None when the dates
    asked are open or nothing around them is."""
    closed = policy.closed_dates(search.preference, turn.ctx.spa.closures)
    if not closed:
        return None
    today = turn.ctx.now.astimezone(turn.tz).date()
    first, last = min(c.day for c in closed), max(c.day for c in closed)
    start, end = max(today, first - timedelta(days=1)), last + timedelta(days=2)
    around = search.preference.model_copy(update={"dates": [], "date_from": start, "date_to": end})
    found = await look(turn, search, around, turn.ctx.max_options)
    return found if found.options else None


async def each_alternative(
    turn: Turn, search: policy.Search, pairs: tuple[tuple[date, time], ...]
) -> AvailabilityFound:
    """ "tues at 4 or wed at 5": each day searched at its own time, the best of each offered first."""
    limit = turn.ctx.max_options
    per_pair = -(-limit // len(pairs))
    found = [
        await look(
            turn, search, search.preference.model_copy(update={"dates": [day], "target_time": at}), per_pair
        )
        for day, at in pairs
    ]
    days = [f.options if f.exact else [] for f in found]  # another day is no answer to this pair
    ranked = [d[i] for i in range(per_pair) for d in days if i < len(d)]
    unique = list({(o.start, o.provider_id): o for o in ranked}.values())
    return AvailabilityFound(options=unique[:limit], timezone=found[0].timezone, exact=all(days))


async def each_day_asked(
    turn: Turn, search: policy.Search, found: AvailabilityFound, others: list[date]
) -> AvailabilityFound:
    """ "wed or thu afternoon" and every option is on Wednesday: the last one becomes Thursday's best."""
    other = await look(turn, search, search.preference.model_copy(update={"dates": others}), 1)
    if not (other.exact and other.options):
        return found
    return found.model_copy(update={"options": [*found.options[:-1], other.options[0]]})


async def other_times_that_day(turn: Turn, search: policy.Search) -> AvailabilityFound | None:
    """The days asked for at any time, when the part of day asked for ("tmrw morning") has nothing on
    them; None when those days are full too, or the part of day is a limit the client set."""
    asked = search.preference
    clock = asked.target_time or asked.earliest_time or asked.latest_time
    soft = asked.part_of_day is not None and not clock
    if not (asked.dates and soft) or turn.u.shift is not None or ONLY.search(turn.u.text):
        return None  # "after 5", "at 10", "anything later?" or "mornings only" are the client's limits
    found = await look(turn, search, asked.model_copy(update=policy.OPEN_DAY), turn.ctx.max_options)
    return found if found.exact and found.options else None


def with_a_later_day(
    turn: Turn, search: policy.Search, same_day: AvailabilityFound, nearest: AvailabilityFound
) -> AvailabilityFound:
    """The day's other times, with the last of them given up for the nearest option after the days
    asked for (at the time asked for), when there is one."""
    last_day = max(search.preference.dates)
    later = [o for o in nearest.options if o.start.astimezone(turn.tz).date() > last_day]
    limit = turn.ctx.max_options
    if not later or limit < 2:
        return same_day
    kept = same_day.options[: limit - 1] if len(same_day.options) >= limit else same_day.options
    return same_day.model_copy(update={"options": [*kept, later[0]]})


async def weeks_later(turn: Turn, search: policy.Search) -> tuple[AvailabilityFound, TimePreference] | None:
    """Options on the days asked for, one to `WEEKS_AHEAD` weeks later, near the time asked for
    (with the preference moved to that week)."""
    return await _week_by_week(
        turn, search, turn.ctx.max_options, lambda found: not far_from_time(turn, search, found)
    )


async def _week_by_week(
    turn: Turn, search: policy.Search, limit: int, good: Callable[[AvailabilityFound], bool]
) -> tuple[AvailabilityFound, TimePreference] | None:
    """The first of the next `WEEKS_AHEAD` weeks (the days asked for, moved on a week at a time) with
    exact options that `good` accepts, and the preference moved to that week: one call for them all."""
    service = turn.state.service
    assert service is not None
    weeks: list[TimePreference] = []
    preference = search.preference
    for _week in range(WEEKS_AHEAD):
        if (moved := policy.next_week(preference)) is None:
            break
        weeks.append(preference := moved)
    if not weeks:
        return None
    found = await turn.ctx.tools.find_availability_by_week(
        service.service_id,
        weeks,
        limit,
        provider_id=search.provider_id,
        exclude_starts=search.exclude_starts,
        ruled_out=search.ruled_out,
    )
    for week, again in zip(weeks, found, strict=True):
        if again.options and again.exact and good(again):
            return again, week
    return None


def asked_time_missing(turn: Turn, search: policy.Search, held: list[ProposedOption]) -> bool:
    """No option is at the clock time asked for on the days asked for (one a week later does not say
    that this week's is open)."""
    days = set(search.preference.dates)
    starts = [p.option.start for p in held if not days or p.option.start.astimezone(turn.tz).date() in days]
    return policy.exact_time_missing(search.preference, starts, turn.tz)


def exact_time_taken(turn: Turn, search: policy.Search, found: AvailabilityFound) -> bool:
    """A clock time was asked for and no option is at it."""
    return policy.exact_time_missing(search.preference, [o.start for o in found.options], turn.tz)


async def same_time_later(turn: Turn, search: policy.Search) -> SlotOption | None:
    """The clock time asked for on the same days one to `WEEKS_AHEAD` weeks later, if open then."""
    found = await _week_by_week(turn, search, 1, lambda again: not exact_time_taken(turn, search, again))
    return found[0].options[0] if found is not None else None


def far_from_time(turn: Turn, search: policy.Search, found: AvailabilityFound) -> bool:
    """Every option is well away from the clock time the client asked for."""
    starts = [o.start for o in found.options]
    return policy.exact_time_missing(search.preference, starts, turn.tz, within=policy.AROUND_MINUTES)


async def topped_up(turn: Turn, search: policy.Search, found: AvailabilityFound) -> AvailabilityFound:
    """One option only: add the nearest others on the same days, any time, so the client can choose."""
    wider = search.preference.model_copy(update=policy.OPEN_DAY)
    if wider == search.preference:
        return found
    more = await look(turn, search, wider, turn.ctx.max_options - 1, [o.start for o in found.options])
    if not more.exact:
        return found  # the days asked for have nothing else: other days are not offered unasked
    return found.model_copy(update={"options": [*found.options, *more.options]})


async def hold(turn: Turn, found: AvailabilityFound, search: policy.Search) -> list[ProposedOption] | None:
    """Hold the options found; others may take them between the search and the hold: search again."""
    ctx, service = turn.ctx, turn.state.service
    assert service is not None
    today = ctx.now.astimezone(turn.tz).date()
    options = found.options
    for _attempt in range(HOLD_ATTEMPTS):
        try:
            held = await ctx.tools.hold(options, ctx.hold_ttl_seconds)
        except ToolRefused as exc:
            if exc.code != "slot_taken":
                raise
            again, _ = await find(turn, search)
            if again is None or not again.options:
                return None
            options = again.options
            continue
        # The scheduler's order is its ranking (what fits the request best first): kept as it is.
        holds = held.holds
        proposed = [
            ProposedOption(
                hold_id=h.hold_id,
                option=h.option,
                expires_at=h.expires_at,
                label=option_label(h.option.start, h.option.provider_first_name, turn.tz, today, turn.lang),
            )
            for h in holds
        ]
        return proposed or None
    return None


async def confirm(turn: Turn, index: int) -> Decision:
    """Book the chosen option and release the others; a lost hold gets an apology and fresh options."""
    state, tools = turn.state, turn.ctx.tools
    chosen = state.proposals[index]
    others = [p.hold_id for p in state.proposals if p.hold_id != chosen.hold_id]
    try:
        booking = await tools.confirm(chosen.hold_id)
    except ToolRefused as exc:
        if exc.code not in ("hold_expired", "slot_taken", "not_found"):
            raise
        reason = "slot_taken" if exc.code == "slot_taken" else "hold_expired"
        log.info("agent.hold.lost", reason=reason, conversation_id=state.conversation_id)
        await tools.release(others)
        turn.learn(turn.event(SlotsUnavailable, service_id=chosen.option.service_id, reason=reason))
        return await propose(turn, lead=say(turn.lang, reason))
    await tools.release(others)
    turn.learn(turn.event(BookingConfirmed, **domain.booking_facts(booking, chosen, state.service)))
    spa = turn.ctx.spa
    address = booking.address or spa.address
    text = say(
        turn.lang,
        "confirmation",
        service=booking.service_name,
        when=when_label(booking.start, turn.tz, turn.lang),
        provider=booking.provider_first_name,
        place=f"{spa.name}, {address}" if address else spa.name,
    )
    return reply(turn, [text], None, purpose="confirmation")
