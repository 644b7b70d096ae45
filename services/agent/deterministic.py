"""The deterministic brain: the whole booking flow with no model and no API key.

Interprets a text with the language modules (choice, price objection, name, time preference),
matches the service through the scheduler's catalog, and moves the conversation one step:
greet and qualify, ask, propose held options, confirm, answer an objection with real benefits.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import structlog

from shared.contracts.conversation import (
    BookingConfirmed,
    ClientIdentified,
    ConversationEvent,
    ObjectionHandled,
    PreferenceUnderstood,
    ProposedOption,
    ServiceMatched,
    ServicesOffered,
    SlotsProposed,
    SlotsUnavailable,
)
from shared.contracts.tools import TimePreference

from . import domain
from .brain import Decision, TurnContext
from .domain import MAX_REPLY_CHARS, ConversationState
from .language.timeparse import parse_preference
from .tools import ToolRefused

log = structlog.get_logger()

# Searches for open slots per proposal when others keep taking the ones found.
HOLD_ATTEMPTS = 3


class DeterministicBrain:
    """Rules over the language modules and the scheduler's tools."""

    name = "deterministic"

    async def decide(self, ctx: TurnContext) -> Decision:
        """One step of the booking flow."""
        from .language import intents

        facts: list[ConversationEvent] = []
        state = ctx.state
        text = ctx.text

        def learn(event: ConversationEvent) -> None:
            nonlocal state
            facts.append(event)
            state = domain.apply(state, event)  # type: ignore[arg-type]

        tz = ZoneInfo(ctx.spa.timezone)
        greeting = "" if state.greeted else f"Hi! Thanks for texting {ctx.spa.name}. "

        # 1. A choice among the options on the table.
        if state.proposals:
            labels = [p.label for p in state.proposals]
            index = intents.parse_choice(text, len(labels), labels)
            if index is not None:
                return await self._confirm(ctx, state, facts, index, tz)

        # 2. A choice among the services we asked about.
        if state.candidates and state.service is None:
            index = intents.parse_choice(text, len(state.candidates), [c.name for c in state.candidates])
            if index is not None:
                learn(ctx.event(ServiceMatched, service=state.candidates[index]))

        # 3. A price objection: answered from the client's own account.
        if intents.is_price_objection(text):
            return await self._objection(ctx, state, facts)

        # 4. The client's name, when they give it.
        if state.first_name is None:
            name = intents.extract_name(text, asked=state.last_asked in ("name", "name_and_service"))
            if name:
                record = await ctx.tools.identify(name=name)
                learn(
                    ctx.event(
                        ClientIdentified, client_id=record.client_id, first_name=name, is_new=record.is_new
                    )
                )

        # 5. The service, from the client's words through the catalog (a bare greeting or name
        # cannot match a treatment: no need to ask the scheduler).
        if (state.service is None or state.just_booked) and not intents.is_small_talk(text, state.first_name):
            matches = await ctx.tools.match_service(text)
            chosen, close = domain.choose_service(matches.matches)
            if chosen is not None:
                learn(
                    ctx.event(ServiceMatched, service=domain.candidate(chosen), confidence=chosen.confidence)
                )
            elif close and state.service is None:
                learn(ctx.event(ServicesOffered, candidates=[domain.candidate(m) for m in close]))

        # 6. When they would like to come.
        parsed = parse_preference(text, ctx.now, ctx.spa.timezone)
        if parsed is not None:
            learn(ctx.event(PreferenceUnderstood, preference=parsed.preference))

        step = domain.next_step(state)
        if step == "propose":
            decision = await self._propose(ctx, state, facts, tz, lead="")
        else:
            reply, asks = domain.question_for(step, state, ctx.spa.name)
            if step == "greet":
                greeting = ""
            decision = Decision(facts=facts, reply=reply, asks=asks)
        if greeting and decision.reply and len(greeting) + len(decision.reply) <= MAX_REPLY_CHARS:
            decision.reply = greeting + decision.reply
        return decision

    async def _propose(
        self,
        ctx: TurnContext,
        state: ConversationState,
        facts: list[ConversationEvent],
        tz: ZoneInfo,
        lead: str,
    ) -> Decision:
        """Find, hold and offer two or three options; release what was offered before."""
        assert state.service is not None
        preference = state.preference or TimePreference(asap=True)
        stale = [p.hold_id for p in state.proposals]
        if stale:
            await ctx.tools.release(stale)
        held = None
        # Other clients may take the same slots between the search and the hold: search again.
        for _attempt in range(HOLD_ATTEMPTS):
            found = await ctx.tools.find_availability(state.service.service_id, preference, ctx.max_options)
            if not found.options:
                facts.append(ctx.event(SlotsUnavailable, service_id=state.service.service_id))
                text = f"{lead}I don't have anything open then. Would another day or time work?"
                return Decision(facts=facts, reply=text.strip(), asks="time")
            try:
                held = await ctx.tools.hold(found.options, ctx.hold_ttl_seconds)
            except ToolRefused as exc:
                if exc.code != "slot_taken":
                    raise
                continue
            break
        if held is None:
            facts.append(
                ctx.event(SlotsUnavailable, service_id=state.service.service_id, reason="slot_taken")
            )
            return Decision(
                facts=facts, reply=f"{lead}Those times just filled up. Would another day work?", asks="time"
            )
        today = ctx.now.astimezone(tz).date()
        proposed = [
            ProposedOption(
                hold_id=h.hold_id,
                option=h.option,
                expires_at=h.expires_at,
                label=domain.option_label(h.option.start, h.option.provider_first_name, tz, today),
            )
            for h in held.holds
        ]
        if not proposed:
            facts.append(
                ctx.event(SlotsUnavailable, service_id=state.service.service_id, reason="slot_taken")
            )
            return Decision(
                facts=facts, reply=f"{lead}Those times just filled up. Would another day work?", asks="time"
            )
        facts.append(ctx.event(SlotsProposed, service_id=state.service.service_id, options=proposed))
        note = "" if found.exact else "That exact time isn't open, but "
        text = domain.proposal_text([p.label for p in proposed])
        if note:
            text = note + text[0].lower() + text[1:]
        return Decision(facts=facts, reply=f"{lead}{text}", asks="choice")

    async def _confirm(
        self,
        ctx: TurnContext,
        state: ConversationState,
        facts: list[ConversationEvent],
        index: int,
        tz: ZoneInfo,
    ) -> Decision:
        """Book the chosen option and release the others; a lost hold gets an apology and fresh options."""
        chosen = state.proposals[index]
        others = [p.hold_id for p in state.proposals if p.hold_id != chosen.hold_id]
        try:
            booking = await ctx.tools.confirm(chosen.hold_id)
        except ToolRefused as exc:
            if exc.code not in ("hold_expired", "slot_taken", "not_found"):
                raise
            reason = "slot_taken" if exc.code == "slot_taken" else "hold_expired"
            log.info("agent.hold.lost", reason=reason, conversation_id=state.conversation_id)
            await ctx.tools.release(others)
            unavailable = ctx.event(SlotsUnavailable, service_id=chosen.option.service_id, reason=reason)
            facts.append(unavailable)
            state = domain.apply(state, unavailable)
            lead = (
                "Sorry, that time was just taken. "
                if reason == "slot_taken"
                else "Sorry, I couldn't hold that time any longer. "
            )
            return await self._propose(ctx, state, facts, tz, lead=lead)
        await ctx.tools.release(others)
        service = state.service
        price = service.price_cents if service and service.service_id == chosen.option.service_id else 0
        facts.append(
            ctx.event(
                BookingConfirmed,
                booking_id=booking.booking_id,
                hold_id=booking.hold_id,
                service_id=chosen.option.service_id,
                service_name=booking.service_name,
                price_cents=price,
                start=booking.start,
                provider_first_name=booking.provider_first_name,
                local_label=booking.local_label or chosen.label,
                covered_by_package=booking.covered_by_package,
            )
        )
        text = domain.confirmation_text(
            booking.service_name,
            booking.start,
            booking.provider_first_name,
            tz,
            ctx.spa.name,
            booking.address or ctx.spa.address,
        )
        return Decision(facts=facts, reply=text, asks=None, purpose="confirmation")

    async def _objection(
        self, ctx: TurnContext, state: ConversationState, facts: list[ConversationEvent]
    ) -> Decision:
        """Answer 'that's expensive' with the client's package balance, or real package pricing."""
        if state.service is None:
            facts.append(ctx.event(ObjectionHandled, answer="ask_service"))
            return Decision(
                facts=facts,
                reply=(
                    "I understand! Which treatment are you considering? "
                    "I'll check your packages and our pricing."
                ),
                asks="service",
            )
        benefits = await ctx.tools.benefits(state.service.service_id)
        text, answer = domain.objection_reply(state, benefits)
        facts.append(ctx.event(ObjectionHandled, service_id=state.service.service_id, answer=answer))
        if state.proposals:
            numbers = [str(i + 1) for i in range(len(state.proposals))]
            text += f" Reply {domain.join_or(numbers)} to book."
        elif state.just_booked:
            # Already booked: answer the price, don't ask them to book again.
            return Decision(facts=facts, reply=text, asks=None)
        elif state.preference is None:
            text += " When would you like to come in?"
        asks = "choice" if state.proposals else "time"
        return Decision(facts=facts, reply=text, asks=asks)
