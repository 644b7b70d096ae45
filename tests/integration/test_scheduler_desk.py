"""The staff desk's tools over real NATS request/reply and a real PostgreSQL: cancel, reschedule,
book for a client, booking status and packages, provider blocks, the calendar, and their audit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.scheduler import spafile
from services.scheduler.loading import load_files
from shared.contracts.desk import (
    BlockProviderTime,
    BookForClient,
    CancelBooking,
    GetCalendar,
    GetClientBookings,
    RescheduleBooking,
    SetBookingStatus,
    UnblockProviderTime,
    WalkInClient,
)
from shared.contracts.tools import (
    Actor,
    FindAvailability,
    GetClientBenefits,
    HoldSlots,
    LookupOrCreateClient,
    SlotOption,
    TimePreference,
)
from shared.subjects import Topology
from tests.integration.scheduler_support import AGENT, ID_KEY, Harness, audit_records, running_scheduler

pytestmark = pytest.mark.integration

NY = ZoneInfo("America/New_York")
STAFF = Actor(service="escalation", instance="test", staff_user="u-dana")
ANNA = "+12125550111"  # has a three-facial package with 2 sessions left

DESK_SPA = """
id: desk-spa
name: Desk Spa
timezone: America/New_York
booking_rules: {lead_time_minutes: 0, horizon_days: 21, slot_minutes: 60, buffer_minutes: 0}
opening_hours: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00",
                fri: "09:00-17:00", sat: "09:00-17:00", sun: "09:00-17:00"}
catalog:
  - {key: facial, name: Facial, category: facials, duration_minutes: 60, price: 100, requires: esthetician}
providers:
  - key: sam
    name: Sam Lee
    qualifications: [esthetician]
    hours: {mon: "09:00-12:00", tue: "09:00-12:00", wed: "09:00-12:00", thu: "09:00-12:00",
            fri: "09:00-12:00", sat: "09:00-12:00", sun: "09:00-12:00"}
  - key: kim
    name: Kim Park
    qualifications: [esthetician]
    hours: {mon: "09:00-12:00", tue: "09:00-12:00", wed: "09:00-12:00", thu: "09:00-12:00",
            fri: "09:00-12:00", sat: "09:00-12:00", sun: "09:00-12:00"}
packages:
  - {key: facial-3, name: "Facial, 3 sessions", service: facial, sessions: 3, price: 270}
clients:
  - phone: "+12125550111"
    name: Anna
    packages: [{package: facial-3, sessions_remaining: 2}]
"""

OTHER_SPA = DESK_SPA.replace("id: desk-spa", "id: other-spa").replace("name: Desk Spa", "name: Other Spa")


@pytest.fixture
async def desk(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The scheduler with a two-provider spa open 9am-noon every day (three 60-minute slots each)."""
    path = tmp_path / "desk-spa.yaml"
    path.write_text(DESK_SPA)
    async with running_scheduler(nats_url, database_url, topology, spa_file=path) as harness:
        yield harness


def _day(ahead: int = 2) -> date:
    return datetime.now(NY).date() + timedelta(days=ahead)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), NY)


def _sam(h: Harness) -> UUID:
    return h.spa.provider_id("sam")


def _kim(h: Harness) -> UUID:
    return h.spa.provider_id("kim")


async def _ok(h: Harness, name: str, request: Any) -> Any:
    reply = await h.call(name, request)
    assert reply.ok, reply.error
    return reply.result


async def _refused(h: Harness, name: str, request: Any) -> tuple[str, str | None]:
    reply = await h.call(name, request)
    assert not reply.ok and reply.error is not None
    return reply.error.code, reply.error.field


async def _book(h: Harness, start: datetime, provider: UUID, **client: Any) -> Any:
    request = BookForClient(
        tenant_id=h.spa.id,
        actor=STAFF,
        service_id=h.spa.service_id("facial"),
        provider_id=provider,
        start=start,
        client=WalkInClient(**(client or {"phone": "+12125550199"})),
    )
    return (await _ok(h, "book_for_client", request)).booking


async def _starts(h: Harness, day: date, provider: UUID) -> set[datetime]:
    """The starts find_availability offers the agent with this provider that day."""
    found = await _ok(
        h,
        "find_availability",
        FindAvailability(
            tenant_id=h.spa.id,
            actor=AGENT,
            service_id=h.spa.service_id("facial"),
            provider_id=provider,
            preference=TimePreference(dates=[day]),
            limit=10,
        ),
    )
    return {o.start for o in found.options if o.start.astimezone(NY).date() == day}


async def _calendar(h: Harness, day: date) -> dict[UUID, Any]:
    found = await _ok(h, "calendar", GetCalendar(tenant_id=h.spa.id, actor=STAFF, date_from=day))
    return {p.provider_id: p for p in found.providers}


async def _started_an_hour_ago(database_url: str, booking_id: UUID) -> None:
    """Time travel instead of waiting for the appointment: the booking moves to an hour ago."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE scheduler.bookings SET start_at = now() - interval '1 hour', end_at = now(), "
            "blocked = tstzrange(now() - interval '1 hour', now()) WHERE id = $1",
            booking_id,
        )
    finally:
        await conn.close()


async def test_a_cancelled_booking_frees_its_time_and_a_second_cancel_changes_nothing(desk: Harness) -> None:
    day = _day()
    booking = await _book(desk, _at(day, 10), _sam(desk))
    assert booking.status == "booked" and booking.client_id is not None
    assert _at(day, 10) not in await _starts(desk, day, _sam(desk))
    request = CancelBooking(tenant_id=desk.spa.id, actor=STAFF, booking_id=booking.booking_id)
    first = await _ok(desk, "cancel_booking", request)
    assert first.changed and first.booking.status == "cancelled"
    assert _at(day, 10) in await _starts(desk, day, _sam(desk))
    again = await _ok(desk, "cancel_booking", request.model_copy(update={"id": uuid4()}))
    assert not again.changed and again.booking.status == "cancelled"
    # The freed time can be booked again by anyone.
    assert (await _book(desk, _at(day, 10), _sam(desk), phone="+12125550198")).status == "booked"


async def test_rescheduling_onto_a_taken_time_leaves_the_booking_where_it_was(desk: Harness) -> None:
    day = _day()
    mine = await _book(desk, _at(day, 9), _sam(desk))
    await _book(desk, _at(day, 10), _sam(desk), phone="+12125550198")
    move = RescheduleBooking(
        tenant_id=desk.spa.id, actor=STAFF, booking_id=mine.booking_id, start=_at(day, 10, 30)
    )
    assert await _refused(desk, "reschedule_booking", move) == ("slot_taken", "start")
    sam = (await _calendar(desk, day))[_sam(desk)]
    assert [(b.start, b.status) for b in sam.bookings] == [(_at(day, 9), "booked"), (_at(day, 10), "booked")]


async def test_a_move_within_its_own_time_and_to_another_provider_frees_the_old_time(desk: Harness) -> None:
    day = _day()
    mine = await _book(desk, _at(day, 9), _sam(desk))
    half_later = RescheduleBooking(
        tenant_id=desk.spa.id, actor=STAFF, booking_id=mine.booking_id, start=_at(day, 9, 30)
    )
    moved = await _ok(desk, "reschedule_booking", half_later)
    assert moved.changed and moved.old.status == "rescheduled" and moved.new.start == _at(day, 9, 30)
    assert moved.old.rescheduled_to == moved.new.booking_id == moved.new.booking_id
    assert moved.new.rescheduled_from == mine.booking_id and moved.new.client_id == mine.client_id
    retried = await _ok(desk, "reschedule_booking", half_later)
    assert not retried.changed and retried.new.booking_id == moved.new.booking_id
    to_kim = RescheduleBooking(
        tenant_id=desk.spa.id,
        actor=STAFF,
        booking_id=moved.new.booking_id,
        start=_at(day, 11),
        provider_id=_kim(desk),
    )
    again = await _ok(desk, "reschedule_booking", to_kim)
    assert again.new.provider_first_name == "Kim"
    assert {_at(day, 9), _at(day, 10)} <= await _starts(desk, day, _sam(desk))
    assert _at(day, 11) not in await _starts(desk, day, _kim(desk))
    calendar = await _calendar(desk, day)
    assert calendar[_sam(desk)].bookings == []  # moved bookings show as their new booking only
    assert [b.booking_id for b in calendar[_kim(desk)].bookings] == [again.new.booking_id]
    history = await _ok(
        desk,
        "client_bookings",
        GetClientBookings(tenant_id=desk.spa.id, actor=STAFF, client_id=mine.client_id),
    )
    assert [(b.status, b.start) for b in history.bookings] == [
        ("rescheduled", _at(day, 9)),
        ("rescheduled", _at(day, 9, 30)),
        ("booked", _at(day, 11)),
    ]


async def test_a_clients_bookings_by_number_never_create_a_client(desk: Harness, database_url: str) -> None:
    day = _day()
    booked = await _book(desk, _at(day, 9), _sam(desk), phone="+12125550177")
    by_number = await _ok(
        desk, "client_bookings", GetClientBookings(tenant_id=desk.spa.id, actor=STAFF, phone="+12125550177")
    )
    assert [b.booking_id for b in by_number.bookings] == [booked.booking_id]
    conn = await asyncpg.connect(database_url)
    try:
        clients = "SELECT count(*) FROM scheduler.clients"
        before = await conn.fetchval(clients)
        unknown = await _ok(
            desk,
            "client_bookings",
            GetClientBookings(tenant_id=desk.spa.id, actor=STAFF, phone="+12125550178"),
        )
        assert unknown.bookings == [] and await conn.fetchval(clients) == before
    finally:
        await conn.close()
    both = {"tenant_id": desk.spa.id, "actor": STAFF.model_dump(), "limit": 5}
    for extra in ({}, {"phone": "+12125550177", "client_id": str(booked.client_id)}):
        with pytest.raises(ValueError, match="client_id or phone"):
            GetClientBookings.model_validate({**both, **extra})


async def test_concurrent_moves_onto_one_time_move_exactly_one(desk: Harness) -> None:
    day = _day()
    ones = [await _book(desk, _at(day, 9 + i), _sam(desk), phone=f"+1212555012{i}") for i in range(3)]
    target = _at(day, 10)
    moves = [
        RescheduleBooking(
            tenant_id=desk.spa.id, actor=STAFF, booking_id=b.booking_id, start=target, provider_id=_kim(desk)
        )
        for b in ones
    ]
    replies = await asyncio.gather(*(desk.call("reschedule_booking", m) for m in moves))
    assert sorted(r.ok for r in replies) == [False, False, True]
    assert {r.error.code for r in replies if not r.ok} == {"slot_taken"}
    calendar = await _calendar(desk, day)
    assert len(calendar[_sam(desk)].bookings) == 2 and len(calendar[_kim(desk)].bookings) == 1


async def test_walk_ins_are_booked_by_name_or_number_and_a_retried_request_is_one_booking(
    desk: Harness,
) -> None:
    day = _day()
    request = BookForClient(
        tenant_id=desk.spa.id,
        actor=STAFF,
        service_id=desk.spa.service_id("facial"),
        provider_id=_sam(desk),
        start=_at(day, 9),
        client=WalkInClient(name="Rosa"),
    )
    made = await _ok(desk, "book_for_client", request)
    assert made.client_is_new and made.booking.client_name == "Rosa"
    retried = await _ok(desk, "book_for_client", request)
    assert retried.booking.booking_id == made.booking.booking_id
    six_at_once = request.model_copy(update={"id": uuid4(), "provider_id": _kim(desk)})
    replies = await asyncio.gather(*(desk.call("book_for_client", six_at_once) for _ in range(6)))
    assert all(r.ok for r in replies) and len({r.result.booking.booking_id for r in replies}) == 1
    second = await _book(desk, _at(day, 10), _sam(desk), name="rosa")
    assert second.client_id == made.booking.client_id  # the one client of that name
    by_phone = await _book(desk, _at(day, 11), _sam(desk), phone=ANNA, name="Anna")
    found = await _ok(
        desk, "lookup_or_create_client", LookupOrCreateClient(tenant_id=desk.spa.id, actor=AGENT, phone=ANNA)
    )
    assert by_phone.client_id == found.client_id and not found.is_new
    assert by_phone.covered_by_package == "Facial, 3 sessions"
    await _book(desk, _at(day, 10), _kim(desk), phone="+12125550197", name="Rosa")
    ambiguous = request.model_copy(update={"id": uuid4(), "start": _at(day, 11), "provider_id": _kim(desk)})
    assert await _refused(desk, "book_for_client", ambiguous) == ("invalid_request", "client.name")


async def test_bad_requests_get_specific_errors_and_change_nothing(
    desk: Harness, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "other-spa.yaml"
    path.write_text(OTHER_SPA)
    await load_files(database_url, [path], ID_KEY)
    other = spafile.read(path)
    day = _day()
    theirs = await _ok(
        desk,
        "book_for_client",
        BookForClient(
            tenant_id=other.id,
            actor=STAFF,
            service_id=other.service_id("facial"),
            provider_id=other.provider_id("sam"),
            start=_at(day, 9),
            client=WalkInClient(name="Zed"),
        ),
    )
    mine = await _book(desk, _at(day, 9), _sam(desk))
    before = await _calendar(desk, day)
    facial = desk.spa.service_id("facial")
    bad: list[tuple[str, Any, tuple[str, str | None]]] = [
        (
            "cancel_booking",
            CancelBooking(tenant_id=desk.spa.id, actor=STAFF, booking_id=uuid4()),
            ("not_found", "booking_id"),
        ),
        (
            "cancel_booking",
            CancelBooking(tenant_id=desk.spa.id, actor=STAFF, booking_id=theirs.booking.booking_id),
            ("not_found", "booking_id"),
        ),
        (
            "cancel_booking",
            CancelBooking(
                tenant_id=desk.spa.id, actor=Actor(service="escalation"), booking_id=mine.booking_id
            ),
            ("invalid_request", "actor.staff_user"),
        ),
        (
            "reschedule_booking",
            RescheduleBooking(
                tenant_id=desk.spa.id, actor=STAFF, booking_id=mine.booking_id, start=_at(_day(-1), 10)
            ),
            ("in_the_past", "start"),
        ),
        (
            "reschedule_booking",
            RescheduleBooking(
                tenant_id=desk.spa.id, actor=STAFF, booking_id=mine.booking_id, start=_at(day, 15)
            ),
            ("invalid_request", "start"),
        ),
        (
            "reschedule_booking",
            RescheduleBooking(
                tenant_id=desk.spa.id,
                actor=STAFF,
                booking_id=mine.booking_id,
                start=_at(day, 10),
                provider_id=other.provider_id("sam"),
            ),
            ("not_found", "provider_id"),
        ),
        (
            "book_for_client",
            BookForClient(
                tenant_id=desk.spa.id,
                actor=STAFF,
                service_id=facial,
                provider_id=_sam(desk),
                start=_at(day, 9),
                client=WalkInClient(name="Late"),
            ),
            ("slot_taken", "start"),
        ),
        (
            "book_for_client",
            BookForClient(
                tenant_id=desk.spa.id,
                actor=STAFF,
                service_id=facial,
                provider_id=_sam(desk),
                start=_at(day, 10),
                client_id=uuid4(),
            ),
            ("not_found", "client_id"),
        ),
        (
            "set_booking_status",
            SetBookingStatus(
                tenant_id=desk.spa.id, actor=STAFF, booking_id=mine.booking_id, status="completed"
            ),
            ("invalid_request", "status"),
        ),
        (
            "block_provider_time",
            BlockProviderTime(
                tenant_id=desk.spa.id,
                actor=STAFF,
                provider_id=_sam(desk),
                start=_at(day, 8),
                end=_at(day, 12),
            ),
            ("slot_taken", "start"),
        ),
        (
            "unblock_provider_time",
            UnblockProviderTime(tenant_id=desk.spa.id, actor=STAFF, block_id=uuid4()),
            ("not_found", "block_id"),
        ),
        (
            "calendar",
            GetCalendar(tenant_id="nowhere-spa", actor=STAFF, date_from=day),
            ("not_found", "tenant_id"),
        ),
        (
            "client_bookings",
            GetClientBookings(tenant_id=desk.spa.id, actor=STAFF, client_id=theirs.booking.client_id),
            ("not_found", "client_id"),
        ),
    ]
    for name, request, expected in bad:
        assert await _refused(desk, name, request) == expected, name
    assert await _calendar(desk, day) == before
    malformed = await desk.call_raw(
        "calendar",
        json.dumps(
            {
                "tenant_id": desk.spa.id,
                "actor": {"service": "escalation", "staff_user": "u"},
                "date_from": "2026-12-10",
                "date_to": "2026-12-01",
            }
        ).encode(),
    )
    assert malformed["error"]["code"] == "invalid_request"


async def test_blocked_time_is_never_offered_booked_or_held_until_it_is_unblocked(desk: Harness) -> None:
    day = _day()
    booked = await _book(desk, _at(day, 9), _sam(desk))
    over_booking = BlockProviderTime(
        tenant_id=desk.spa.id, actor=STAFF, provider_id=_sam(desk), start=_at(day, 9, 30), end=_at(day, 12)
    )
    assert await _refused(desk, "block_provider_time", over_booking) == ("slot_taken", "start")
    lunch = BlockProviderTime(
        tenant_id=desk.spa.id,
        actor=STAFF,
        provider_id=_sam(desk),
        start=_at(day, 10),
        end=_at(day, 12),
        reason="break",
    )
    block = (await _ok(desk, "block_provider_time", lunch)).block
    assert (block.start, block.end, block.reason) == (_at(day, 10), _at(day, 12), "break")
    assert (await _ok(desk, "block_provider_time", lunch)).block.block_id == block.block_id  # retried
    overlapping = lunch.model_copy(update={"id": uuid4(), "start": _at(day, 11), "end": _at(day, 13)})
    assert await _refused(desk, "block_provider_time", overlapping) == ("slot_taken", "start")
    assert await _starts(desk, day, _sam(desk)) == set()
    walk_in = BookForClient(
        tenant_id=desk.spa.id,
        actor=STAFF,
        service_id=desk.spa.service_id("facial"),
        provider_id=_sam(desk),
        start=_at(day, 11),
        client=WalkInClient(name="Walk"),
    )
    assert await _refused(desk, "book_for_client", walk_in) == ("slot_taken", "start")
    stale = SlotOption(
        service_id=desk.spa.service_id("facial"),
        provider_id=_sam(desk),
        provider_first_name="Sam",
        start=_at(day, 11),
        end=_at(day, 12),
    )
    anna = (
        await _ok(
            desk,
            "lookup_or_create_client",
            LookupOrCreateClient(tenant_id=desk.spa.id, actor=AGENT, phone=ANNA),
        )
    ).client_id
    held = HoldSlots(tenant_id=desk.spa.id, actor=AGENT, client_id=anna, options=[stale])
    assert await _refused(desk, "hold_slots", held) == ("slot_taken", "options")
    unblock = UnblockProviderTime(tenant_id=desk.spa.id, actor=STAFF, block_id=block.block_id)
    assert (await _ok(desk, "unblock_provider_time", unblock)).removed
    assert not (await _ok(desk, "unblock_provider_time", unblock)).removed
    assert await _starts(desk, day, _sam(desk)) == {_at(day, 10), _at(day, 11)}
    assert (await _ok(desk, "book_for_client", walk_in)).booking.status == "booked"
    assert booked.status == "booked"


async def test_completing_a_package_booking_uses_one_session_once_and_the_agent_reads_the_balance(
    desk: Harness, database_url: str
) -> None:
    day = _day()
    booking = await _book(desk, _at(day, 9), _sam(desk), phone=ANNA)
    assert booking.covered_by_package == "Facial, 3 sessions"
    early = SetBookingStatus(
        tenant_id=desk.spa.id, actor=STAFF, booking_id=booking.booking_id, status="checked_in"
    )
    assert await _refused(desk, "set_booking_status", early) == ("invalid_request", "status")
    await _started_an_hour_ago(database_url, booking.booking_id)
    checked_in = await _ok(desk, "set_booking_status", early)
    assert checked_in.changed and checked_in.booking.status == "checked_in"
    assert checked_in.package_sessions_remaining is None
    complete = SetBookingStatus(
        tenant_id=desk.spa.id, actor=STAFF, booking_id=booking.booking_id, status="completed"
    )
    done = await _ok(desk, "set_booking_status", complete)
    assert done.changed and done.booking.package_session_used and done.package_sessions_remaining == 1
    again = await _ok(desk, "set_booking_status", complete.model_copy(update={"id": uuid4()}))
    assert not again.changed and again.booking.package_session_used
    benefits = await _ok(
        desk,
        "client_benefits",
        GetClientBenefits(
            tenant_id=desk.spa.id,
            actor=AGENT,
            client_id=booking.client_id,
            service_id=desk.spa.service_id("facial"),
        ),
    )
    assert [(p.package_name, p.sessions_remaining) for p in benefits.packages] == [("Facial, 3 sessions", 1)]
    no_show = complete.model_copy(update={"id": uuid4(), "status": "no_show"})
    assert await _refused(desk, "set_booking_status", no_show) == ("status_conflict", "status")
    cancel = CancelBooking(tenant_id=desk.spa.id, actor=STAFF, booking_id=booking.booking_id)
    assert await _refused(desk, "cancel_booking", cancel) == ("status_conflict", "booking_id")


async def test_a_no_show_frees_the_time_and_a_late_arrival_takes_it_back_when_still_free(
    desk: Harness, database_url: str
) -> None:
    booking = await _book(desk, _at(_day(), 9), _sam(desk))
    await _started_an_hour_ago(database_url, booking.booking_id)
    no_show = SetBookingStatus(
        tenant_id=desk.spa.id, actor=STAFF, booking_id=booking.booking_id, status="no_show"
    )
    marked = await _ok(desk, "set_booking_status", no_show)
    assert marked.booking.status == "no_show" and not marked.booking.package_session_used
    # Its time is free: staff can block it, and then the late arrival cannot take it back.
    block = BlockProviderTime(
        tenant_id=desk.spa.id,
        actor=STAFF,
        provider_id=_sam(desk),
        start=marked.booking.start,
        end=marked.booking.end + timedelta(minutes=10),
    )
    block_id = (await _ok(desk, "block_provider_time", block)).block.block_id
    late = no_show.model_copy(update={"id": uuid4(), "status": "checked_in"})
    assert await _refused(desk, "set_booking_status", late) == ("slot_taken", "status")
    unblock = UnblockProviderTime(tenant_id=desk.spa.id, actor=STAFF, block_id=block_id)
    await _ok(desk, "unblock_provider_time", unblock)
    assert (await _ok(desk, "set_booking_status", late)).booking.status == "checked_in"
    calendar = await _calendar(desk, (datetime.now(NY) - timedelta(hours=1)).date())
    assert [b.status for b in calendar[_sam(desk)].bookings] == ["checked_in"]


async def test_the_calendar_shows_bookings_holds_blocks_and_hours_with_names_and_services(
    desk: Harness,
) -> None:
    day = _day()
    await _book(desk, _at(day, 9), _sam(desk), name="Rosa")
    anna = (
        await _ok(
            desk,
            "lookup_or_create_client",
            LookupOrCreateClient(tenant_id=desk.spa.id, actor=AGENT, phone=ANNA),
        )
    ).client_id
    option = SlotOption(
        service_id=desk.spa.service_id("facial"),
        provider_id=_kim(desk),
        provider_first_name="Kim",
        start=_at(day, 10),
        end=_at(day, 11),
    )
    await _ok(
        desk, "hold_slots", HoldSlots(tenant_id=desk.spa.id, actor=AGENT, client_id=anna, options=[option])
    )
    await _ok(
        desk,
        "block_provider_time",
        BlockProviderTime(
            tenant_id=desk.spa.id, actor=STAFF, provider_id=_kim(desk), start=_at(day, 11), end=_at(day, 12)
        ),
    )
    week = await _ok(
        desk,
        "calendar",
        GetCalendar(tenant_id=desk.spa.id, actor=STAFF, date_from=day, date_to=day + timedelta(6)),
    )
    assert week.timezone == "America/New_York" and [p.first_name for p in week.providers] == ["Kim", "Sam"]
    kim, sam = week.providers
    assert (
        len(sam.working) == 7 and sam.working[0].start == _at(day, 9) and sam.working[0].end == _at(day, 12)
    )
    [rosa] = sam.bookings
    assert (rosa.client_name, rosa.service_name, rosa.status, rosa.start) == (
        "Rosa",
        "Facial",
        "booked",
        _at(day, 9),
    )
    [hold] = kim.holds
    assert (hold.client_name, hold.service_name, hold.start) == ("Anna", "Facial", _at(day, 10))
    [block] = kim.blocks
    assert (block.start, block.reason) == (_at(day, 11), "time_off") and kim.bookings == []
    only_kim = await _ok(
        desk,
        "calendar",
        GetCalendar(tenant_id=desk.spa.id, actor=STAFF, date_from=day, provider_ids=[_kim(desk)]),
    )
    assert [p.first_name for p in only_kim.providers] == ["Kim"]


async def test_each_desk_call_leaves_one_audit_record_naming_the_staff_user_and_no_client_details(
    desk: Harness, topology: Topology
) -> None:
    day = _day()
    booking = await _book(desk, _at(day, 9), _sam(desk), phone="+12125550177", name="Priscilla")
    calls: list[tuple[str, Any]] = [
        ("calendar", GetCalendar(tenant_id=desk.spa.id, actor=STAFF, date_from=day)),
        (
            "reschedule_booking",
            RescheduleBooking(
                tenant_id=desk.spa.id, actor=STAFF, booking_id=booking.booking_id, start=_at(day, 10)
            ),
        ),
        ("cancel_booking", CancelBooking(tenant_id=desk.spa.id, actor=STAFF, booking_id=uuid4())),
    ]
    for name, request in calls:
        await desk.call(name, request)
    relay = desk.ctx.extras["relay"]
    await relay.flush()  # type: ignore[attr-defined]
    records = await audit_records(desk.js, topology, 1 + len(calls))
    assert [(r["action"], r["outcome"]) for r in records] == [
        ("book_for_client", "ok"),
        ("calendar", "ok"),
        ("reschedule_booking", "ok"),
        ("cancel_booking", "not_found"),
    ]
    assert all(r["actor"]["staff_user"] == "u-dana" for r in records)
    assert records[0]["actor"]["client_ref"] and records[0]["arguments"]["client_ref"]
    assert datetime.fromisoformat(records[2]["result_summary"]["new"]["start"]) == _at(day, 10)
    assert "providers.bookings.client_name" in records[1]["disclosed_fields"]
    dump = json.dumps(records)
    assert "5550177" not in dump and "Priscilla" not in dump
