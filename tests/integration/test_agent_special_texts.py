"""Texts that are not a conversation: a picture, an empty text, a wrong number, a held text."""

from __future__ import annotations

import pytest

from services.agent.special_texts import PICTURE_REPLY, WRONG_NUMBER_REPLY
from shared.contracts.conversation import ClientIdentified, TurnCompleted
from shared.contracts.sms import SmsReceived
from tests.integration.agent_harness import SPA_NUMBER, TENANT, Phone, System

pytestmark = pytest.mark.integration

PICTURE_ONLY = "+14155550160"
PICTURE_WITH_WORDS = "+14155550161"
EMPTY = "+14155550162"
WRONG = "+14155550163"
HELD = "+14155550164"
MEDIA_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"


async def _send(phone: Phone, number: str, sid: str, body: str, **fields: object) -> None:
    sms = SmsReceived(
        tenant_id=TENANT,
        message_sid=sid,
        conversation_id=phone.conversation(number),
        from_number=number,
        to_number=SPA_NUMBER,
        body=body,
        **fields,  # type: ignore[arg-type]
    )
    await phone.publish(sms)


async def _outcomes(phone: Phone, number: str, count: int) -> list[str]:
    events = await phone.wait_for_turns(number, count)
    return [e.outcome for e in events if isinstance(e, TurnCompleted)]


async def test_a_picture_reaches_staff_with_a_short_answer_and_nothing_dead_letters(
    system: System, phone: Phone
) -> None:
    await _send(phone, PICTURE_ONLY, "SMpic1", "", num_media=1, media_urls=[MEDIA_URL])
    raised = await phone.escalation()
    assert raised.conversation_id == phone.conversation(PICTURE_ONLY)
    assert raised.handoff_text == PICTURE_REPLY and "picture" in raised.reason
    assert MEDIA_URL not in raised.reason, "the media link stays in the conversation, not the alert"
    assert await _outcomes(phone, PICTURE_ONLY, 1) == ["escalated"]
    await _send(phone, PICTURE_WITH_WORDS, "SMpic2", "is this normal after my facial?", num_media=1)
    raised = await phone.escalation()
    assert raised.conversation_id == phone.conversation(PICTURE_WITH_WORDS)
    assert await _outcomes(phone, PICTURE_WITH_WORDS, 1) == ["escalated"]
    await _send(phone, EMPTY, "SMempty", "")
    await _send(phone, EMPTY, "SMblank", "   ")
    assert await _outcomes(phone, EMPTY, 2) == ["silent", "silent"]
    assert await phone.outbound_count(EMPTY) == 0


async def test_wrong_number_is_answered_once_handed_to_staff_and_never_a_name(
    system: System, phone: Phone
) -> None:
    first = await phone.say(WRONG, "Hi! I'd like something for my forehead lines")
    assert first
    await phone.text(WRONG, "Wrong Number")
    raised = await phone.escalation()
    assert raised.handoff_text == WRONG_NUMBER_REPLY and "wrong number" in raised.reason
    await phone.text(WRONG, "Stop.")
    await phone.text(WRONG, "who is this")
    events = await phone.wait_for_turns(WRONG, 4)
    outcomes = [e.outcome for e in events if isinstance(e, TurnCompleted)]
    assert outcomes == ["replied", "escalated", "paused", "paused"]
    names = [e.first_name for e in events if isinstance(e, ClientIdentified)]
    assert all(name is None for name in names), names


async def test_a_text_the_gateway_held_for_staff_gets_no_answer(system: System, phone: Phone) -> None:
    await _send(phone, HELD, "SMheld", "I'm driving, I'll text you back later", held="auto_reply")
    assert await _outcomes(phone, HELD, 1) == ["silent"]
    assert await phone.outbound_count(HELD) == 0
