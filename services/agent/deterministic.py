"""The deterministic brain: a front desk's booking conversation with no model and no API key.

Each turn reads the text once (`understand`), then acts on everything it gives, in this order:
the language, the client's name, a choice among options, the service (catalog match, a choice
among candidates, the consultation a new client starts with), a price objection, the time
preference or a new constraint on options already offered, front-desk questions; then one reply
that answers and moves the booking on (options at once when the service and time are known).
The policy (what next, what to say) is pure and lives in policy.py; wording in replies.py (one
table per language); front-desk answers in frontdesk_answers.py; offering, holding and booking
slots in booking.py; the turn's working set and its reply in turn.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from shared.contracts.conversation import (
    ClientIdentified,
    ObjectionHandled,
    PreferenceUnderstood,
    ServiceCandidate,
    ServiceMatched,
    ServicesOffered,
    StaffNoteAdded,
)
from shared.contracts.tools import (
    PackageBalance,
    PackageOffer,
    ProviderInfo,
    ServiceMatch,
    TimePreference,
)

from . import domain, frontdesk_answers, policy
from .booking import confirm, propose
from .brain import Decision, Handoff, TurnContext
from .domain import ConversationState
from .language.choices import offers_time
from .language.clock_picks import option_by_clock
from .language.understanding import understand
from .language.vocabulary import COURTESY_WORDS
from .replies import day_name, hours_label, lang_of, say
from .turn import Turn, reply

log = structlog.get_logger()

THIRD_PARTY_NOTE = (
    "The client wrote about someone else (another person's booking or name): check who it is for."
)
# What the client is told when a staff topic goes to staff (reply keys; the default for the others).
STAFF_TOPIC_REPLIES = {"running late": "handoff_running_late", "group bookings": "handoff_group"}
# ...and told beside the booking that goes on, when the text also asks to book (reply keys).
STAFF_TOPIC_NOTED = {"group bookings": "group_noted"}
# Staff topics about a booking the client already has: to staff even when the text names a time.
ABOUT_A_BOOKING = frozenset({"running late", "their appointment"})
STAFF_TOPIC_NOTE = "The client asked about {topic}, which the spa profile does not answer: please reply."
BOOKING_CHANGE_REASON = (
    "The client asked to move the booking just made to another time: please reschedule it."
)
LANGUAGE_REASON = (
    "The client texts in a language the spa does not text in ({language}): please reply yourself."
)
# Questions whose answer needs the service the client means.
SERVICE_QUESTIONS = frozenset({"price", "packages", "duration", "providers", "consult", "cheapest"})
# A question asked before any treatment was named is answered by asking which one, in these words
# (reply keys); the next text that names a treatment gets the answer ("how much?" "a hydrafacial").
WHICH_SERVICE = {
    "price": "price_unknown",
    "packages": "packages_ask_service",
    "duration": "duration_unknown",
    "providers": "providers_unknown",
}


class DeterministicBrain:
    """A dialogue policy over `understand` and the scheduler's tools."""

    name = "deterministic"

    async def decide(self, ctx: TurnContext) -> Decision:
        """One turn: act on everything the text gives, then answer and move the booking on."""
        turn = read(ctx)
        if (handoff := language_handoff(turn)) is not None:
            return handoff
        await take_name(turn)
        if (index := chosen_option(turn)) is not None:
            return await confirm(turn, index)
        await take_service(turn)
        if (handoff := staff_question(turn) or booking_change(turn)) is not None:
            return handoff
        if turn.u.price_objection:
            await answer_objection(turn)
        take_preference(turn)
        await answer_questions(turn)
        return await move_on(turn)


# ----- reading the text


def read(ctx: TurnContext) -> Turn:
    """Understand the text once, against what is on the table (options, candidates, providers)."""
    state = ctx.state
    labels = [p.label for p in state.proposals] or (
        [c.name for c in state.candidates] if state.service is None else []
    )
    u = understand(
        ctx.text,
        now=ctx.now,
        tz=ctx.spa.timezone,
        option_labels=labels,
        provider_names=[p.first_name for p in ctx.spa.providers],
        service_names=[s.name for s in ctx.spa.services],
        name_asked=state.last_asked in ("name", "name_and_service")
        or name_asked_with_options(state)
        or name_unanswered_at_booking(state),
        provider_in_mind=state.search.provider_first_name if state.search else None,
    )
    lang = state.language if state.greeted else "en"
    if u.language == "es" and "es" in ctx.spa.languages:
        lang = "es"
    if not u.questions and u.service_text and (waiting := questions_waiting(state)):
        u = dataclasses.replace(u, questions=waiting)
    return Turn(ctx=ctx, u=u, state=state, lang=lang_of(lang), tz=ZoneInfo(ctx.spa.timezone))


def questions_waiting(state: ConversationState) -> frozenset[str]:
    """The questions the last reply asked the treatment for ("Which treatment would you like the price
    of?"), still to be answered when the client names one."""
    if state.service is not None:
        return frozenset()
    last = next((t.reply for t in reversed(state.turns) if t.reply is not None), None)
    if last is None:
        return frozenset()
    lang = lang_of(last.language)
    return frozenset(q for q, key in WHICH_SERVICE.items() if say(lang, key) in last.body)


def name_asked_with_options(state: ConversationState) -> bool:
    """The first options went out with 'may I have your first name?' (see `propose`)."""
    return state.first_name is None and state.offers == 1 and bool(state.proposals) and state.name_asks == 0


def name_unanswered_at_booking(state: ConversationState) -> bool:
    """The options asked for a first name and the client booked without giving it: a name alone right
    after the confirmation is theirs ("Uma"; "Priya" too, though a provider has that name)."""
    return state.just_booked and state.first_name is None and state.offers >= 1 and state.name_asks == 0


def language_handoff(turn: Turn) -> Decision | None:
    """A language the spa does not text in goes to staff with a short bilingual note."""
    language = turn.u.language
    if language == "en" or (language == "es" and "es" in turn.ctx.spa.languages):
        return None
    if turn.state.language != "en" and language != "other":
        return None
    if language == "other" and not turn.u.language_sure and len(turn.u.text.split()) == 1:
        return None  # one word of another language is as likely a name ("Uma", "Sol") as the client's
    log.info("agent.language.handoff", language=language, conversation_id=turn.state.conversation_id)
    return Decision(
        facts=turn.facts,
        handoff=Handoff(
            category="other",
            reason=LANGUAGE_REASON.format(language=language),
            text=say("en", "handoff_language"),
        ),
    )


def staff_question(turn: Turn) -> Decision | None:
    """'do you sell gift cards?': a question only staff can answer, alone in the text, goes to them;
    with a booking request beside it, staff get a note and the booking goes on."""
    topic, state, u = turn.u.staff_topic, turn.state, turn.u
    if topic is None:
        return None
    if topic == "memberships" and (answer := frontdesk_answers.memberships(turn.ctx.spa, turn.lang)):
        turn.lead.append(answer)  # the spa file lists them: answered like a price
        if turn.topic is None:  # "the glow club, how much?": the price asked is the membership's
            turn.u = dataclasses.replace(u, questions=u.questions - {"price"})
        return None
    note = STAFF_TOPIC_NOTE.format(topic=topic)
    if policy.question_beside_a_booking(state, u) and topic not in ABOUT_A_BOOKING:
        if note not in state.notes:
            turn.learn(turn.event(StaffNoteAdded, note=note))
            # said before notes a long reply may drop: the client hears their question went to staff
            turn.lead.insert(0, say(turn.lang, STAFF_TOPIC_NOTED.get(topic, "staff_question_noted")))
        return None
    log.info("agent.staff_question", topic=topic, conversation_id=state.conversation_id)
    return Decision(
        facts=turn.facts,
        handoff=Handoff(
            category="other",
            reason=note,
            text=say(turn.lang, STAFF_TOPIC_REPLIES.get(topic, "handoff_staff_question")),
        ),
    )


def booking_change(turn: Turn) -> Decision | None:
    """A new time right after a booking ("actually could i do later that day?") moves it: staff do that."""
    if not policy.changes_the_booking(turn.state, turn.u, names_service=turn.topic is not None):
        return None
    log.info("agent.booking_change", conversation_id=turn.state.conversation_id)
    return Decision(
        facts=turn.facts,
        handoff=Handoff(
            category="reschedule", reason=BOOKING_CHANGE_REASON, text=say(turn.lang, "handoff_change")
        ),
    )


async def take_name(turn: Turn) -> None:
    """The client's own first name, when they give it; a text about someone else is noted for staff."""
    u, state = turn.u, turn.state
    if u.about_someone_else and THIRD_PARTY_NOTE not in state.notes:
        turn.learn(turn.event(StaffNoteAdded, note=THIRD_PARTY_NOTE))
    if u.name and u.name != state.first_name and (state.first_name is None or state.last_asked == "name"):
        record = await turn.ctx.tools.identify(name=u.name)
        turn.learn(
            turn.event(ClientIdentified, client_id=record.client_id, first_name=u.name, is_new=record.is_new)
        )


def chosen_option(turn: Turn) -> int | None:
    """The option the client picked, if options are on the table and the text picks one."""
    u, proposals = turn.u, turn.state.proposals
    if not proposals or u.reject_options:
        return None
    if u.clock_pick is not None:  # before a shift: "la más tarde" picks the latest, asks for no later
        return option_by_clock(u.clock_pick, [p.option.start for p in proposals], turn.tz)
    if u.shift:
        return None
    if u.choice is not None and u.choice < len(proposals):
        return u.choice
    if u.affirm and u.preference is None:
        return 0 if len(proposals) == 1 else option_at_time_asked(turn)
    return policy.option_near_time_accepted(u, proposals, turn.tz)


def option_at_time_asked(turn: Turn) -> int | None:
    """'yes please' to options for "thursday at 7pm?": the one option at the time asked for."""
    preference = turn.state.preference
    if preference is None or preference.target_time is None:
        return None
    proposals = turn.state.proposals
    at = [i for i, p in enumerate(proposals) if offers_time(p.label, preference.target_time)]
    if at:
        return at[0] if len(at) == 1 else None
    # 6:15 asked, 6:30 offered as its answer (within the quarter hour the offer counts as exact)
    starts = [p.option.start for p in proposals]
    near = [
        i for i, start in enumerate(starts) if not policy.exact_time_missing(preference, [start], turn.tz)
    ]
    return near[0] if len(near) == 1 else None


# ----- the service


async def take_service(turn: Turn) -> None:
    """The service: a candidate picked, the catalog's match for the words, or staff's words on resume."""
    state, u = turn.state, turn.u
    if state.candidates and state.service is None:
        picked = (
            u.choice if u.choice is not None else (0 if u.affirm and len(state.candidates) == 1 else None)
        )
        if picked is not None and picked < len(state.candidates):
            await matched(turn, state.candidates[picked])
            return
    if should_match(turn):
        await match_words(turn, u.service_text)
    if turn.state.service is None and state.last_staff_text and state.staff_involved:
        # Back from staff: what they told the client may name the service.
        await match_words(turn, state.last_staff_text, ask=False)


def should_match(turn: Turn) -> bool:
    """Whether the text may name a service worth a catalog lookup (a bare name or greeting cannot)."""
    state, u = turn.state, turn.u
    if u.small_talk or not u.service_text.strip() or set(u.service_text.split()) <= COURTESY_WORDS:
        return False  # "ok cool thx" names no treatment
    if state.service is None or state.just_booked or (u.questions & SERVICE_QUESTIONS):
        return True
    # Mid-booking, a text that only gives a time, a choice or a yes/no is not about the service.
    only_logistics = (
        u.preference is not None or u.shift is not None or u.reject_options or u.choice is not None
    )
    if not only_logistics and not (u.thanks or u.goodbye or u.affirm or u.negate):
        return True
    # "ok what about a peel then, friday morning?": a time with another treatment's name.
    return domain.names_a_service(u.service_text, (s.name for s in turn.ctx.spa.services))


async def match_words(turn: Turn, words: str, *, ask: bool = True) -> None:
    """Match words to the catalog: a clear winner is the service; close ones are asked about once."""
    state = turn.state
    found = await turn.ctx.tools.match_service(words)
    chosen, close = domain.choose_service(found.matches)
    if state.service is not None and not state.just_booked:
        # Already booking something: only a clear, different match changes it, and a question
        # about another service ("how much is a hydrafacial?") is answered without changing it.
        if chosen is None or chosen.confidence < domain.MATCH_MIN:
            return
        if turn.u.questions & SERVICE_QUESTIONS and turn.u.preference is None:
            turn.topic = domain.candidate(chosen)
        elif chosen.service_id not in {
            state.service.service_id,
            getattr(state.requested, "service_id", None),
        }:
            await matched(turn, domain.candidate(chosen))
        return
    if chosen is not None:
        await matched(turn, domain.candidate(chosen), confidence=chosen.confidence)
    elif close and ask:
        known = consult_family(turn, close) or await covered_by_package(turn, close)
        if (state.last_asked == "service_choice" and state.candidates) or known is not None:
            # Asked once already, or the candidates all start with one consultation, or the client's
            # package covers one of them: no question.
            best = known or close[0]
            await matched(turn, domain.candidate(best), confidence=best.confidence)
            return
        strong = [m for m in close if m.confidence >= domain.MATCH_MIN]
        if "price" in turn.u.questions:
            turn.topics = [domain.candidate(m) for m in strong]
        turn.two_services = len({m.category for m in strong}) >= 2 or len(turn.topics) >= 2
        turn.learn(turn.event(ServicesOffered, candidates=[domain.candidate(m) for m in close]))


async def matched(turn: Turn, service: ServiceCandidate, confidence: float = 1.0) -> None:
    """The client's service; a new client starts a service that has a consultation with that consultation."""
    turn.topic = service
    requested = None
    consult = consult_for(turn, service)
    if consult is not None:
        key = "consult_first" if consult.price_cents == 0 else "consult_first_paid"
        turn.lead.append(say(turn.lang, key, service=service.name, consult=consult.name))
        turn.consult_noted = True
        service, requested = consult, service
    turn.learn(turn.event(ServiceMatched, service=service, confidence=confidence, requested=requested))
    turn.fresh_search = True


async def covered_by_package(turn: Turn, close: list[ServiceMatch]) -> ServiceMatch | None:
    """Candidates of one kind ("my laser package"): the one a returning client's package is for."""
    if turn.state.new_client or turn.state.client_id is None or len({m.category for m in close}) > 1:
        return None
    benefits = await turn.ctx.tools.benefits(None)
    held = [p.package_name.lower() for p in benefits.packages if p.sessions_remaining > 0]
    covered = [m for m in close if any(m.name.lower() in name for name in held)]
    return covered[0] if len(covered) == 1 else None


def consult_family(turn: Turn, close: list[ServiceMatch]) -> ServiceMatch | None:
    """For a new client, candidates that all start with one consultation: that consultation."""
    if not turn.state.new_client or turn.state.bookings or not turn.ctx.spa.consult_first:
        return None
    consults = [m for m in close if m.is_consultation]
    if len(consults) != 1:
        return None
    consult = consults[0]
    if all(m is consult or m.consult_service_id == consult.service_id for m in close):
        return consult
    return None


def consult_for(turn: Turn, service: ServiceCandidate) -> ServiceCandidate | None:
    """The consultation a new client is offered first, when the spa's rules and catalog say so."""
    info = policy.consult_to_offer(turn.state, turn.ctx.spa, service.consult_service_id)
    return policy.candidate_of(info) if info else None


# ----- when, and with whom


def take_preference(turn: Turn) -> None:
    """A time preference, a named provider, or a new constraint on the options on the table."""
    u, state = turn.u, turn.state
    if state.just_booked and policy.signs_off(u):
        return  # "see you saturday!": the day booked, named to sign off
    provider = frontdesk_answers.find_provider(turn.ctx.spa, u.provider)
    asks_about_provider = "provider_schedule" in u.questions and u.preference is None
    # "is sloan available for a facial sat?": with a treatment in hand, the day is for booking.
    books_with_provider = (
        "provider_schedule" in u.questions and state.service is not None and not asks_days_only(turn)
    )
    if policy.only_the_day_asked_about(u) and not books_with_provider:
        day_in_mind(turn)
        return
    fields = policy.shifted(u, state, turn.tz)
    if fields is None and u.preference is not None:
        preference = policy.as_asked_before(u.preference, state.preference, u.text)
        fields = {"preference": policy.merged(preference, state.preference)}
    elif fields is None and u.availability_request and state.preference is None:
        # "what's your first availability?": the soonest open times.
        fields = {"preference": TimePreference(asap=True)}
    if provider is not None and not asks_about_provider:
        fields = fields or {"preference": state.preference or TimePreference(asap=True)}
        fields["provider_id"], fields["provider_first_name"] = provider.provider_id, provider.first_name
    elif fields is not None and "provider_id" not in fields and state.search is not None and u.shift is None:
        # A new time keeps the provider the client asked for.
        fields["provider_id"] = state.search.provider_id
        fields["provider_first_name"] = state.search.provider_first_name
    fields = rule_out_provider(turn, fields)
    if fields is not None:
        fields["preference"] = from_opening(turn, fields["preference"])
        turn.learn(turn.event(PreferenceUnderstood, **fields))
        turn.fresh_search = True
        for weekday in policy.closed_days(fields["preference"], turn.ctx.spa.hours):
            turn.lead.append(say(turn.lang, "closed_day", day=day_name(weekday, turn.lang)))
            turn.inexact_said = True
        for closed in policy.closed_dates(fields["preference"], turn.ctx.spa.closures):
            turn.lead.append(frontdesk_answers.closure_hours(closed, turn.lang))
            turn.inexact_said = True
        if provider is not None and not turn.inexact_said and (off := provider_day_off(turn, provider)):
            turn.lead.insert(0, off)  # "julia on monday": said before notes a long reply may drop
            turn.inexact_said = True


def rule_out_provider(turn: Turn, fields: dict[str, Any] | None) -> dict[str, Any] | None:
    """'anyone but julia', 'not with lil': this search and the ones after it leave that provider out
    (and a provider asked for before, if it was her); a new time keeps those ruled out before."""
    u, state = turn.u, turn.state
    named = frontdesk_answers.find_provider(turn.ctx.spa, u.ruled_out)
    if named is None and (fields is None or "exclude_provider_ids" in fields):
        return fields
    fields = fields or {"preference": state.preference or TimePreference(asap=True)}
    fields["exclude_provider_ids"] = policy.ruled_out(u, state, named.provider_id if named else None)
    if named is not None and fields.get("provider_id") == named.provider_id:
        fields["provider_id"] = fields["provider_first_name"] = None
    return fields


def from_opening(turn: Turn, preference: TimePreference) -> TimePreference:
    """'before 9 on friday' when Friday opens at 9: the day's hours said, and its first times looked for."""
    day = policy.before_opening(preference, turn.ctx.spa.hours)
    if day is None:
        return preference
    hours = hours_label(day.intervals, turn.lang)
    turn.lead.append(say(turn.lang, "hours_day", day=day_name(day.weekday, turn.lang), hours=hours))
    turn.inexact_said = True
    return policy.from_opening(preference, day)


def asks_days_only(turn: Turn) -> bool:
    """'does he work tuesdays too?' with options out: the provider's days, in the plural, are asked
    about and the options stay ('is sloan in sat?' asks for that day's times)."""
    p = turn.u.preference
    return bool(turn.state.proposals) and p is not None and bool(p.weekdays) and not p.dates


def provider_day_off(turn: Turn, provider: ProviderInfo) -> str:
    """What to say when the one day asked for is not a day the provider asked for works ("" if it is)."""
    preference = turn.u.preference
    if preference is None or "provider_schedule" in turn.u.questions:
        return ""
    days = {d.weekday() for d in preference.dates} | set(preference.weekdays)
    if len(days) != 1:
        return ""
    weekday = days.pop()
    if any(d.weekday == weekday and d.intervals for d in provider.week):
        return ""
    return say(turn.lang, "provider_off_day", provider=provider.first_name, day=day_name(weekday, turn.lang))


def day_in_mind(turn: Turn) -> None:
    """'what time do you open saturday?' before anything else: Saturday is the day the client has in
    mind ("ok a hydrafacial then, first thing"), until they name another."""
    u, state = turn.u, turn.state
    if u.preference is None or state.service is not None or state.preference is not None:
        return
    if policy.closed_days(u.preference, turn.ctx.spa.hours):
        return
    turn.learn(turn.event(PreferenceUnderstood, preference=u.preference))


# ----- answers


async def answer_questions(turn: Turn) -> None:
    """Front-desk questions answered from the spa's profile, before the booking question."""
    u = turn.u
    if not turn.inexact_said and (weekday := policy.bare_day_question(u, turn.state)) is not None:
        # "sat?" before anything else: the day's hours ("open saturday?"), then what treatment.
        u = turn.u = dataclasses.replace(u, questions=frozenset({"hours"}), question_weekday=weekday)
    if not u.questions:
        return
    if turn.topics and "price" in u.questions:
        # Several services named in one price question: each one's price.
        asked = frontdesk_answers.Asked(profile=turn.ctx.spa, lang=turn.lang)
        turn.lead[:0] = frontdesk_answers.prices_of(asked, turn.topics)
        return
    service = turn.topic or turn.state.requested or turn.state.service
    if turn.topic is None:
        u = dataclasses.replace(u, questions=u.questions - {"about"})  # "what is a ...?" names it
    offers, balances = await benefits_asked(turn, u.questions, service)
    if turn.consult_noted and service is not None:
        service = service.model_copy(update={"free_consult": False})
        u = dataclasses.replace(u, questions=u.questions - {"consult"})  # the consult note answers it
    asked = frontdesk_answers.Asked(
        profile=turn.ctx.spa,
        lang=turn.lang,
        service=service,
        offers=offers,
        weekday=u.question_weekday,
        provider=u.provider,
        day=policy.one_date(u.preference),
        balances=balances,
    )
    # Answers come first; a consult note said this turn already says the consultation is free.
    turn.lead[:0] = frontdesk_answers.answers(u.questions, asked)


async def benefits_asked(
    turn: Turn, questions: frozenset[str], service: ServiceCandidate | None
) -> tuple[list[PackageOffer], list[PackageBalance] | None]:
    """The package offers a price question needs and the balances "how many sessions do i have left?"
    needs, in one call (none for a client not looked up; balances None when not asked)."""
    wants_offers = bool(questions & {"price", "packages"}) and service is not None
    if turn.state.client_id is None or not (wants_offers or "balance" in questions):
        return [], ([] if "balance" in questions else None)
    benefits = await turn.ctx.tools.benefits(service.service_id if service is not None else None)
    offers = list(benefits.package_offers) if wants_offers else []
    return offers, (list(benefits.packages) if "balance" in questions else None)


async def answer_objection(turn: Turn) -> None:
    """'That's a lot': the client's package balance, the spa's package offer or the free consult."""
    # The service the client asked for, not the consult it starts with: its packages are the answer.
    service = turn.state.requested or turn.state.service
    if service is None:
        turn.learn(turn.event(ObjectionHandled, answer="ask_service"))
        turn.lead.append(say(turn.lang, "objection_ask_service"))
        return
    benefits = await turn.ctx.tools.benefits(service.service_id)
    text, answer = policy.objection_reply(service, benefits, turn.lang)
    turn.learn(turn.event(ObjectionHandled, service_id=service.service_id, answer=answer))
    turn.lead.insert(0, text)  # the answer to this text: kept before notes a long reply may drop


# ----- the reply


def which_service_question(turn: Turn) -> str:
    """'Which treatment would you like the price of?' when a question needs a treatment not named yet."""
    asked = [q for q in WHICH_SERVICE if q in turn.u.questions]
    return say(turn.lang, WHICH_SERVICE[asked[0]]) if asked and turn.state.service is None else ""


async def move_on(turn: Turn) -> Decision:
    """The reply: opening, answers, and the next booking step (options at once when possible)."""
    state = turn.state
    step = policy.next_step(state, fresh_search=turn.fresh_search, u=turn.u)
    if step == "propose":
        return await propose(turn)
    if turn.u.price_objection and step == "booked_followup":
        # Already booked: answer the price, don't ask them to book again.
        return reply(turn, [], None)
    if step in ("greet", "ask_service") and turn.u.price_objection:
        return reply(turn, [], "service")  # the objection's answer asks which treatment
    if step in ("greet", "ask_service") and (which := which_service_question(turn)):
        return reply(turn, [which], "service")
    name = f", {state.first_name}" if state.first_name else ""
    if policy.declines_for_now(step, state, turn.u) and not turn.lead:
        # "ok thanks, i'll have a think": no second "when would you like to come in?"
        return reply(turn, [say(turn.lang, policy.polite_close(turn.u), name=name)], None)
    if step == "await_choice" and turn.u.defers and not turn.lead:
        turn.lead.append(say(turn.lang, "take_your_time", name=name))
    elif step == "await_choice" and (turn.u.thanks or turn.u.goodbye) and not turn.lead:
        turn.lead.append(say(turn.lang, "goodbye" if turn.u.goodbye else "welcome", name=name))
    elif policy.thanks_for_name(step, state, turn.u) and not turn.lead:
        turn.lead.append(say(turn.lang, "thanks_name", name=name))
    text, asks = policy.step_text(
        step,
        state,
        turn.lang,
        two_services=turn.two_services,
        short=bool(turn.lead),
        goodbye=turn.u.goodbye,
        tz=turn.tz,
        acknowledged=policy.only_acknowledged(turn.u),
    )
    if step == "booked_followup" and turn.lead:
        text, asks = say(turn.lang, "anything_else"), "anything"
    return reply(turn, [text], asks)
