"""The conversation fold and the agent's plain-language replies (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent.domain import ConversationState, fold
from shared.contracts.conversation import (
    AiPaused,
    AiResumed,
    BookingConfirmed,
    ClientIdentified,
    ConversationStarted,
    EscalationRaised,
    InboundReceived,
    PreferenceUnderstood,
    ProposedOption,
    ReplySent,
    ServiceCandidate,
    ServiceMatched,
    SlotsProposed,
    StaffNoteAdded,
    StaffReplied,
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


def test_the_reply_language_is_remembered() -> None:
    reply = ReplySent(
        **BASE, caused_by=uuid4(), idempotency_key="k", body="¡Hola!", asks="service", language="es"
    )
    assert fold([reply]).language == "es"
    assert fold([]).language == "en"


def test_a_handoff_or_a_staff_text_means_staff_were_involved() -> None:
    assert not fold([]).staff_involved
    staff = fold([StaffReplied(**BASE, staff_user="amy", body="We can do Botox on Friday.")])
    assert staff.staff_involved and staff.last_staff_text == "We can do Botox on Friday."
    raised = fold([EscalationRaised(**BASE, category="medical", reason="A clinical question.")])
    assert raised.staff_involved


def test_a_new_constraint_is_the_search_of_the_conversation_until_a_booking() -> None:
    botox = _service()
    option = _proposal(botox)
    constraint = PreferenceUnderstood(
        **BASE,
        preference=TimePreference(asap=True),
        after=option.option.start,
        exclude_starts=[option.option.start],
    )
    state = fold([ServiceMatched(**BASE, service=botox), constraint])
    assert state.search == constraint and state.preference == TimePreference(asap=True)
    booked = BookingConfirmed(
        **BASE,
        booking_id=uuid4(),
        hold_id=option.hold_id,
        service_id=botox.service_id,
        service_name=botox.name,
        price_cents=0,
        start=option.option.start,
        provider_first_name="Julia",
    )
    assert fold([booked], state).search is None


def test_a_new_client_and_notes_for_staff_are_remembered() -> None:
    state = fold(
        [
            ClientIdentified(**BASE, client_id=uuid4(), is_new=True),
            StaffNoteAdded(**BASE, note="The client wrote about someone else."),
        ]
    )
    assert state.new_client and state.notes == ("The client wrote about someone else.",)


def test_the_fold_copies_the_state_and_refuses_an_unknown_field() -> None:
    from services.agent.domain import _evolve

    before = fold([ServiceMatched(**BASE, service=_service())])
    after = _evolve(before, replies=3)
    assert after.replies == 3 and before.replies == 0 and after.service == before.service
    with pytest.raises(TypeError):
        _evolve(before, no_such_field=1)
