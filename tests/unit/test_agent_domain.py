"""The conversation fold and the agent's plain-language replies (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent import domain
from services.agent.domain import ConversationState, fold, next_step
from shared.contracts.conversation import (
    AiPaused,
    AiResumed,
    BookingConfirmed,
    ClientIdentified,
    ConversationStarted,
    InboundReceived,
    PreferenceUnderstood,
    ProposedOption,
    ReplySent,
    ServiceCandidate,
    ServiceMatched,
    ServicesOffered,
    SlotsProposed,
    TurnCompleted,
    parse_conversation_event,
)
from shared.contracts.tools import SlotOption, TimePreference

pytestmark = pytest.mark.unit

TZ = ZoneInfo("America/Los_Angeles")
BASE = {"tenant_id": "glow-medspa", "conversation_id": "cabc"}


def _service(name: str = "Botox consultation") -> ServiceCandidate:
    return ServiceCandidate(service_id=uuid4(), name=name, price_cents=30000, is_consultation=True)


def _proposal(service: ServiceCandidate, hours: int = 26) -> ProposedOption:
    start = datetime.now(UTC) + timedelta(hours=hours)
    option = SlotOption(
        service_id=service.service_id,
        provider_id=uuid4(),
        provider_first_name="Julia",
        start=start,
        end=start + timedelta(minutes=30),
    )
    return ProposedOption(
        hold_id=uuid4(), option=option, expires_at=start, label="tomorrow at 2pm with Julia"
    )


def _turn(seq: int, body: str = "hi") -> tuple[InboundReceived, TurnCompleted]:
    inbound_id = uuid4()
    return (
        InboundReceived(**BASE, inbound_id=inbound_id, message_sid=f"SM{seq}", inbound_seq=seq, body=body),
        TurnCompleted(**BASE, inbound_id=inbound_id, inbound_seq=seq, outcome="replied"),
    )


def test_fold_of_nothing_is_a_new_conversation() -> None:
    state = fold([])
    assert not state.started and not state.greeted and state.last_completed_seq == 0
    assert next_step(state) == "greet"


def test_turn_is_open_until_its_completion_marker() -> None:
    inbound, done = _turn(7)
    started = ConversationStarted(**BASE, client_number="+14155550100", spa_number="+14155550199")
    opened = fold([started, inbound])
    assert opened.open_turn == inbound and opened.last_completed_seq == 0
    closed = fold([done], opened)
    assert closed.open_turn is None and closed.last_completed_seq == 7
    turn = closed.turn_for(inbound.inbound_id)
    assert turn is not None and turn.completed


def test_repeated_inbound_event_is_one_turn() -> None:
    inbound, done = _turn(3)
    state = fold([inbound, inbound, done])
    assert len(state.turns) == 1


def test_reply_is_remembered_by_the_turn_that_caused_it() -> None:
    inbound, done = _turn(1)
    reply = ReplySent(
        **BASE, caused_by=inbound.inbound_id, idempotency_key="reply:x", body="Hi!", asks="name"
    )
    state = fold([inbound, reply, done])
    turn = state.turn_for(inbound.inbound_id)
    assert turn is not None and turn.reply == reply
    assert state.greeted and state.last_asked == "name" and state.name_asks == 1


def test_pause_and_resume_by_staff_toggle_the_ai() -> None:
    command = uuid4()
    paused = fold([AiPaused(**BASE, by="staff", staff_user="amy", command_id=command)])
    assert paused.paused and command in paused.staff_commands
    assert not fold([AiResumed(**BASE, staff_user="amy")], paused).paused


def test_matching_another_service_drops_the_options_on_the_table() -> None:
    botox, facial = _service(), _service("HydraFacial")
    state = fold(
        [
            ServiceMatched(**BASE, service=botox),
            SlotsProposed(**BASE, service_id=botox.service_id, options=[_proposal(botox)]),
        ]
    )
    assert state.proposals
    assert fold([ServiceMatched(**BASE, service=facial)], state).proposals == ()


def test_booking_counts_once_and_clears_the_proposals() -> None:
    botox = _service()
    option = _proposal(botox)
    booked = BookingConfirmed(
        **BASE,
        booking_id=uuid4(),
        hold_id=option.hold_id,
        service_id=botox.service_id,
        service_name=botox.name,
        price_cents=30000,
        start=option.option.start,
        provider_first_name="Julia",
    )
    state = fold([SlotsProposed(**BASE, service_id=botox.service_id, options=[option]), booked, booked])
    assert len(state.bookings) == 1 and state.proposals == () and state.just_booked
    assert next_step(state) == "booked_followup"


def test_next_step_walks_the_qualifying_questions_in_order() -> None:
    client = ClientIdentified(**BASE, client_id=uuid4())
    greeted = ReplySent(**BASE, caused_by=uuid4(), idempotency_key="k", body="Hi", asks="name_and_service")
    state = fold([client, greeted])
    assert next_step(state) == "ask_service"
    state = fold([ServiceMatched(**BASE, service=_service())], state)
    assert next_step(state) == "ask_name"
    state = fold([ClientIdentified(**BASE, client_id=state.client_id, first_name="Sarah")], state)
    assert next_step(state) == "ask_time"
    state = fold([PreferenceUnderstood(**BASE, preference=TimePreference(weekdays=[0]))], state)
    assert next_step(state) == "propose"


def test_a_client_who_will_not_give_a_name_still_gets_times() -> None:
    asks = [
        ReplySent(**BASE, caused_by=uuid4(), idempotency_key=f"k{i}", body="?", asks=a)
        for i, a in enumerate(["name_and_service", "name"])
    ]
    state = fold([*asks, ServiceMatched(**BASE, service=_service())])
    assert next_step(state) == "ask_time"


def test_ambiguous_service_asks_which_one() -> None:
    state = fold([ServicesOffered(**BASE, candidates=[_service("Botox"), _service("Dysport")])])
    assert next_step(state) == "ask_service_choice"
    text, asks = domain.question_for("ask_service_choice", state, "Glow Med Spa")
    assert "Botox or Dysport" in text and asks == "service_choice"


def test_proposal_text_matches_the_house_style() -> None:
    labels = ["Monday at 1:30pm with Julia", "Tuesday at 2pm with Lilian", "Friday at 2:15pm with Sloane"]
    assert domain.proposal_text(labels) == (
        "I have Monday at 1:30pm with Julia, Tuesday at 2pm with Lilian, or Friday at 2:15pm with Sloane. "
        "Reply 1, 2, or 3 to confirm."
    )
    assert domain.proposal_text(labels[:2]) == (
        "I have Monday at 1:30pm with Julia or Tuesday at 2pm with Lilian. Reply 1 or 2 to confirm."
    )


def test_option_label_uses_the_spa_time_zone_and_weekday_names() -> None:
    today = date(2025, 3, 3)  # a Monday
    start = datetime(2025, 3, 4, 21, 30, tzinfo=UTC)  # 1:30pm in San Francisco
    assert domain.option_label(start, "Julia", TZ, today) == "tomorrow at 1:30pm with Julia"
    friday = datetime(2025, 3, 7, 22, 0, tzinfo=UTC)
    assert domain.option_label(friday, "Sloane", TZ, today) == "Friday at 2pm with Sloane"
    later = datetime(2025, 3, 12, 17, 0, tzinfo=UTC)
    assert domain.option_label(later, "Lilian", TZ, today) == "Wednesday, Mar 12 at 10am with Lilian"


def test_confirmation_names_service_day_time_provider_and_address() -> None:
    start = datetime(2025, 3, 4, 21, 30, tzinfo=UTC)
    text = domain.confirmation_text(
        "Botox consultation", start, "Julia", TZ, "Glow Med Spa", "2140 Chestnut St"
    )
    assert text == (
        "You're booked: Botox consultation on Tuesday, Mar 4 at 1:30pm with Julia at Glow Med Spa, "
        "2140 Chestnut St. See you then!"
    )
    assert len(text) <= domain.MAX_REPLY_CHARS


def test_money_shows_cents_only_when_there_are_some() -> None:
    assert domain.money(30000) == "$300" and domain.money(1250) == "$12.50"


def test_every_event_round_trips_through_the_stream_decoder() -> None:
    botox = _service()
    events = [
        ConversationStarted(**BASE, client_number="+14155550100", spa_number="+14155550199"),
        *_turn(1),
        ServiceMatched(**BASE, service=botox),
        SlotsProposed(**BASE, service_id=botox.service_id, options=[_proposal(botox)]),
    ]
    for event in events:
        assert parse_conversation_event(event.model_dump_json()) == event


def test_state_is_not_changed_by_folding_more_events() -> None:
    state = fold([ServiceMatched(**BASE, service=_service())])
    fold([AiPaused(**BASE)], state)
    assert isinstance(state, ConversationState) and not state.paused
