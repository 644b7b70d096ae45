"""The scheduler's tools over real NATS request/reply and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from shared.contracts.tools import (
    ConfirmBooking,
    FindAvailability,
    FindAvailabilityByWeek,
    GetClientBenefits,
    GetSpaProfile,
    HoldSlots,
    LookupOrCreateClient,
    MatchService,
    ReleaseHolds,
    SlotOption,
    TimePreference,
)
from shared.subjects import Topology
from tests.integration.scheduler_support import AGENT, Harness, running_scheduler

pytestmark = pytest.mark.integration

DEMO = "glow-medspa"
LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")

SMALL_SPA = """
id: small-spa
name: Small Spa
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
    hours: {mon: "09:00-11:00", tue: "09:00-11:00", wed: "09:00-11:00", thu: "09:00-11:00",
            fri: "09:00-11:00", sat: "09:00-11:00", sun: "09:00-11:00"}
"""


@pytest.fixture
async def demo(nats_url: str, database_url: str, topology: Topology) -> AsyncIterator[Harness]:
    """The scheduler with the demo spa loaded."""
    async with running_scheduler(nats_url, database_url, topology) as harness:
        yield harness


@pytest.fixture
async def small(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The scheduler with a one-provider spa open 9-11am every day (two 60-minute slots a day)."""
    path = tmp_path / "small-spa.yaml"
    path.write_text(SMALL_SPA)
    async with running_scheduler(nats_url, database_url, topology, spa_file=path) as harness:
        yield harness


def _next(weekday: int, tz: ZoneInfo, at_least: int = 2) -> date:
    day = datetime.now(tz).date() + timedelta(days=at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _service(h: Harness, key: str) -> UUID:
    return h.spa.service_id(key)


def _provider(h: Harness, key: str) -> UUID:
    return h.spa.provider_id(key)


async def _client(h: Harness, phone: str) -> UUID:
    reply = await h.call(
        "lookup_or_create_client", LookupOrCreateClient(tenant_id=h.spa.id, actor=AGENT, phone=phone)
    )
    assert reply.ok and reply.result is not None
    return reply.result.client_id  # type: ignore[no-any-return]


async def _find(h: Harness, key: str, limit: int = 3, **pref: Any) -> Any:
    reply = await h.call(
        "find_availability",
        FindAvailability(
            limit=limit,
            tenant_id=h.spa.id,
            actor=AGENT,
            service_id=_service(h, key),
            preference=TimePreference(**pref),
        ),
    )
    assert reply.ok, reply.error
    return reply.result


async def test_laser_slots_are_never_offered_with_an_esthetician(demo: Harness) -> None:
    allowed = {_provider(demo, "lilian"), _provider(demo, "marco")}
    seen: set[UUID] = set()
    for weekday in range(6):
        found = await _find(demo, "laser-hair-removal", dates=[_next(weekday, LA)], limit=10)
        seen |= {o.provider_id for o in found.options}
    assert seen and seen <= allowed
    found = await _find(demo, "hydrafacial", asap=True)
    assert {o.provider_id for o in found.options} <= {_provider(demo, "sloane"), _provider(demo, "priya")}


async def test_monday_around_two_offers_the_closest_afternoon_slots(demo: Harness) -> None:
    monday = _next(0, LA)
    found = await _find(demo, "neurotoxin-consult", dates=[monday], target_time=time(14))
    assert found.exact and found.timezone == "America/Los_Angeles"
    local = [o.start.astimezone(LA) for o in found.options]
    assert local and all(t.date() == monday for t in local)
    assert local[0].time() == time(14)
    assert all(time(12) <= t.time() <= time(16) for t in local)
    assert found.options[0].local_label == f"Monday, {monday:%b} {monday.day} at 2pm"


async def test_date_range_and_part_of_day_stay_inside_both(demo: Harness) -> None:
    start = _next(1, LA)
    found = await _find(
        demo,
        "hydrafacial",
        date_from=start,
        date_to=start + timedelta(days=2),
        part_of_day="afternoon",
        limit=5,
    )
    assert found.exact and len(found.options) == 5
    for option in found.options:
        local = option.start.astimezone(LA)
        assert start <= local.date() <= start + timedelta(days=2)
        assert time(12) <= local.time() <= time(17)
    assert len({o.provider_id for o in found.options}) == 2  # spread over both estheticians


async def test_a_closed_day_offers_the_same_time_on_nearby_days(demo: Harness) -> None:
    sunday = _next(6, LA)
    found = await _find(demo, "hydrafacial", dates=[sunday], target_time=time(15))
    assert not found.exact and found.options
    for option in found.options:
        local = option.start.astimezone(LA)
        assert local.date() != sunday and abs((local.date() - sunday).days) <= 2
        assert time(13) <= local.time() <= time(17)


async def test_a_full_day_offers_the_same_time_of_day_on_other_days(small: Harness) -> None:
    day = _next(2, NY)
    alice = await _client(small, "+12125550101")
    found = await _find(small, "facial", dates=[day])
    assert found.exact and [o.start.astimezone(NY).time() for o in found.options] == [time(9), time(10)]
    held = await small.call(
        "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=alice, options=found.options)
    )
    assert held.ok and len(held.result.holds) == 2
    again = await _find(small, "facial", dates=[day], part_of_day="morning")
    assert not again.exact and again.options
    assert all(
        o.start.astimezone(NY).date() in (day - timedelta(days=1), day + timedelta(days=1))
        for o in again.options
    )
    assert all(o.start.astimezone(NY).time() < time(12) for o in again.options)


async def test_confirming_the_same_hold_twice_returns_the_same_booking(demo: Harness) -> None:
    ava = await _client(demo, "+14155550101")
    found = await _find(demo, "laser-hair-removal", asap=True, limit=1)
    held = await demo.call(
        "hold_slots", HoldSlots(tenant_id=DEMO, actor=AGENT, client_id=ava, options=found.options)
    )
    hold_id = held.result.holds[0].hold_id
    first, second = [
        await demo.call(
            "confirm_booking", ConfirmBooking(tenant_id=DEMO, actor=AGENT, client_id=ava, hold_id=hold_id)
        )
        for _ in range(2)
    ]
    assert first.ok and second.ok
    assert first.result.booking_id == second.result.booking_id
    assert first.result.covered_by_package == "Laser Hair Removal, 6 sessions"
    other = await _client(demo, "+14155550102")
    stolen = await demo.call(
        "confirm_booking", ConfirmBooking(tenant_id=DEMO, actor=AGENT, client_id=other, hold_id=hold_id)
    )
    assert not stolen.ok and stolen.error.code == "not_found"
    again = await demo.call(
        "hold_slots", HoldSlots(tenant_id=DEMO, actor=AGENT, client_id=other, options=found.options)
    )
    assert not again.ok and again.error.code == "slot_taken"


async def test_an_expired_hold_frees_the_slot_and_cannot_be_confirmed(
    small: Harness, database_url: str
) -> None:
    alice, bob = await _client(small, "+12125550101"), await _client(small, "+12125550102")
    day = _next(3, NY)
    option = (await _find(small, "facial", dates=[day], limit=1)).options[0]
    held = await small.call(
        "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=alice, options=[option])
    )
    hold_id = held.result.holds[0].hold_id
    blocked = await small.call(
        "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=bob, options=[option])
    )
    assert not blocked.ok and blocked.error.code == "slot_taken"
    # Time travel instead of waiting ten minutes: the hold's expiry moves into the past.
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE scheduler.holds SET expires_at = now() - interval '1 second' WHERE id = $1", hold_id
        )
    finally:
        await conn.close()
    offered = await _find(small, "facial", dates=[day])
    assert option.start in {o.start for o in offered.options}
    late = await small.call(
        "confirm_booking",
        ConfirmBooking(tenant_id=small.spa.id, actor=AGENT, client_id=alice, hold_id=hold_id),
    )
    assert not late.ok and late.error.code == "hold_expired"
    taken_over = await small.call(
        "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=bob, options=[option])
    )
    assert taken_over.ok
    bob_hold = taken_over.result.holds[0].hold_id
    booked = await small.call(
        "confirm_booking",
        ConfirmBooking(tenant_id=small.spa.id, actor=AGENT, client_id=bob, hold_id=bob_hold),
    )
    assert booked.ok
    still_late = await small.call(
        "confirm_booking",
        ConfirmBooking(tenant_id=small.spa.id, actor=AGENT, client_id=alice, hold_id=hold_id),
    )
    assert still_late.error.code == "hold_expired"


async def test_released_holds_free_their_time(small: Harness) -> None:
    alice, bob = await _client(small, "+12125550101"), await _client(small, "+12125550102")
    option = (await _find(small, "facial", dates=[_next(4, NY)], limit=1)).options[0]
    held = await small.call(
        "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=alice, options=[option])
    )
    hold_ids = [h.hold_id for h in held.result.holds]
    by_bob = await small.call(
        "release_holds", ReleaseHolds(tenant_id=small.spa.id, actor=AGENT, client_id=bob, hold_ids=hold_ids)
    )
    assert by_bob.result.released == 0
    released = await small.call(
        "release_holds", ReleaseHolds(tenant_id=small.spa.id, actor=AGENT, client_id=alice, hold_ids=hold_ids)
    )
    assert released.result.released == 1
    assert (
        await small.call(
            "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=bob, options=[option])
        )
    ).ok


def _shifted(option: SlotOption, minutes: int) -> SlotOption:
    delta = timedelta(minutes=minutes)
    return option.model_copy(update={"start": option.start + delta, "end": option.end + delta})


async def test_one_hundred_concurrent_confirms_for_overlapping_times_book_exactly_one(
    small: Harness, database_url: str
) -> None:
    # One client holds 100 overlapping options on one provider (10:00 and 10:30 for an hour; one
    # client's own holds may overlap); then 100 confirms race and the bookings constraint decides.
    alice = await _client(small, "+12125550101")
    day = _next(5, NY)
    first = (await _find(small, "facial", dates=[day], limit=1)).options[0]
    assert first.start.astimezone(NY).time() == time(9)
    options = [_shifted(first, 30 * (i % 2)) for i in range(10)]
    holds: list[UUID] = []
    for _ in range(10):
        reply = await small.call(
            "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=alice, options=options)
        )
        holds += [h.hold_id for h in reply.result.holds]
    assert len(holds) == 100
    replies = await asyncio.gather(
        *(
            small.call(
                "confirm_booking",
                ConfirmBooking(tenant_id=small.spa.id, actor=AGENT, client_id=alice, hold_id=h),
                timeout=60,
            )
            for h in holds
        )
    )
    assert sum(r.ok for r in replies) == 1
    assert sorted(r.error.code for r in replies if not r.ok) == ["slot_taken"] * 99
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM scheduler.bookings WHERE status = 'booked'") == 1
    finally:
        await conn.close()


async def test_concurrent_holds_of_different_clients_for_one_slot_hold_once(small: Harness) -> None:
    clients = [await _client(small, f"+1212555{100 + i:04d}") for i in range(20)]
    option = (await _find(small, "facial", dates=[_next(6, NY)], limit=1)).options[0]
    replies = await asyncio.gather(
        *(
            small.call(
                "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=c, options=[option])
            )
            for c in clients
        )
    )
    assert sum(r.ok for r in replies) == 1
    assert {r.error.code for r in replies if not r.ok} == {"slot_taken"}


async def test_client_benefits_show_live_packages_membership_and_offers(demo: Harness) -> None:
    ava = await _client(demo, "+14155550101")
    reply = await demo.call(
        "client_benefits",
        GetClientBenefits(
            tenant_id=DEMO, actor=AGENT, client_id=ava, service_id=_service(demo, "laser-hair-removal")
        ),
    )
    benefits = reply.result
    assert [(p.package_name, p.sessions_remaining, p.covers_service) for p in benefits.packages] == [
        ("Laser Hair Removal, 6 sessions", 4, True)
    ]
    assert benefits.membership.tier == "Glow Club" and not benefits.membership.covers_service
    assert [(o.sessions, o.price_cents, o.per_session_cents) for o in benefits.package_offers] == [
        (6, 75000, 12500)
    ]
    assert benefits.free_consult_available and benefits.free_consult_service_id == _service(
        demo, "laser-consult"
    )
    assert benefits.service_price_cents == 15000
    unbound = await demo.call("client_benefits", GetClientBenefits(tenant_id=DEMO, actor=AGENT))
    assert unbound.error.code == "invalid_request" and unbound.error.field == "client_id"


async def test_lookup_creates_a_client_once(demo: Harness) -> None:
    first = await demo.call(
        "lookup_or_create_client",
        LookupOrCreateClient(tenant_id=DEMO, actor=AGENT, phone="+14155550188", name="Dana"),
    )
    second = await demo.call(
        "lookup_or_create_client", LookupOrCreateClient(tenant_id=DEMO, actor=AGENT, phone="+14155550188")
    )
    assert first.result.is_new and not second.result.is_new
    assert first.result.client_id == second.result.client_id and second.result.first_name == "Dana"
    known = await demo.call(
        "lookup_or_create_client", LookupOrCreateClient(tenant_id=DEMO, actor=AGENT, phone="+14155550102")
    )
    assert not known.result.is_new and known.result.first_name == "Ben"


async def test_forehead_lines_match_the_neurotoxin_consultation_over_nats(demo: Harness) -> None:
    reply = await demo.call(
        "match_service", MatchService(tenant_id=DEMO, actor=AGENT, text="something for my forehead lines")
    )
    top = reply.result.matches[0]
    assert (
        top.service_id == _service(demo, "neurotoxin-consult")
        and top.is_consultation
        and top.confidence > 0.8
    )


async def test_concurrent_holds_of_overlapping_options_in_any_order_never_deadlock(demo: Harness) -> None:
    clients = [await _client(demo, f"+1212555{300 + i:04d}") for i in range(20)]
    options = (await _find(demo, "hydrafacial", asap=True, limit=3)).options
    assert len(options) >= 2
    replies = await asyncio.gather(
        *(
            demo.call(
                "hold_slots",
                HoldSlots(
                    tenant_id=demo.spa.id,
                    actor=AGENT,
                    client_id=c,
                    # Half offer the slots in reverse: inserting in different orders used to deadlock.
                    options=options if i % 2 else list(reversed(options)),
                ),
            )
            for i, c in enumerate(clients)
        )
    )
    assert {r.error.code for r in replies if not r.ok} <= {"slot_taken"}, [r.error for r in replies]
    assert any(r.ok for r in replies)


# ----- the spa profile, and availability by provider, after an instant and without turned-down starts


async def _find_with(h: Harness, key: str, pref: TimePreference, limit: int = 3, **constraints: Any) -> Any:
    return await h.call(
        "find_availability",
        FindAvailability(
            limit=limit,
            tenant_id=h.spa.id,
            actor=AGENT,
            service_id=_service(h, key),
            preference=pref,
            **constraints,
        ),
    )


async def test_profile_carries_hours_catalog_providers_weeks_and_languages(demo: Harness) -> None:
    reply = await demo.call("spa_profile", GetSpaProfile(tenant_id=DEMO, actor=AGENT))
    profile = reply.result
    assert profile.languages == ["en", "es"] and profile.consult_first
    assert [d.weekday for d in profile.hours] == list(range(7))
    assert profile.hours[3].intervals == [(time(9), time(20))] and profile.hours[6].intervals == []
    # The spa file's holidays, read back from the database: a short Christmas Eve, two closed days.
    closures = [(c.day.isoformat(), c.intervals, c.reason) for c in profile.closures]
    assert closures == [
        ("2026-12-24", [(time(9), time(14))], "Christmas Eve"),
        ("2026-12-25", [], "Christmas Day"),
        ("2027-01-01", [], "New Year's Day"),
    ]
    services = {s.key: s for s in profile.services}
    assert len(services) == len(demo.spa.catalog)
    assert services["hydrafacial"].about.startswith("A HydraFacial cleanses")  # the spa file's words
    lips = services["lip-filler"]
    assert (lips.price_cents, lips.free_consult) == (65000, True)
    assert lips.consult_service_id == services["filler-consult"].service_id
    assert set(services["botox"].provider_ids) == {_provider(demo, "julia"), _provider(demo, "lilian")}
    assert set(services["hydrafacial"].provider_ids) == {_provider(demo, "sloane"), _provider(demo, "priya")}
    providers = {p.first_name: p for p in profile.providers}
    assert set(providers) == {"Julia", "Lilian", "Sloane", "Marco", "Priya"}
    julia = {d.weekday: d.intervals for d in providers["Julia"].week}
    assert julia[0] == [] and julia[3] == [(time(11), time(20))]
    assert providers["Priya"].week[1].intervals == [(time(9), time(13)), (time(14), time(18))]
    assert [(m.name, m.monthly_price_cents, m.discount_percent, m.covers) for m in profile.memberships] == [
        ("Glow Club", 14900, 10, ["HydraFacial"])
    ]
    # The spa's own holidays are public (above); the rest holds first names and usual weeks only: no
    # surname, no provider's dated time off (Julia's Dec 24), no client.
    dumped = profile.model_dump_json(exclude={"closures"})
    for hidden in ("Alvarez", "Okafor", "2026-12-24", "holiday", "Ava", "+1415"):
        assert hidden not in dumped


async def test_a_spa_file_can_turn_consult_first_off_and_choose_languages(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> None:
    path = tmp_path / "small-spa.yaml"
    text = SMALL_SPA.replace("buffer_minutes: 0}", "buffer_minutes: 0, consult_first: false}")
    path.write_text("languages: [en, fr]\n" + text)
    async with running_scheduler(nats_url, database_url, topology, spa_file=path) as h:
        profile = (await h.call("spa_profile", GetSpaProfile(tenant_id=h.spa.id, actor=AGENT))).result
    assert profile.languages == ["en", "fr"] and not profile.consult_first
    assert [p.first_name for p in profile.providers] == ["Sam"]


async def test_a_named_provider_gets_only_their_own_slots(demo: Harness) -> None:
    priya = _provider(demo, "priya")
    friday = _next(4, LA)
    reply = await _find_with(
        demo, "hydrafacial", TimePreference(dates=[friday], part_of_day="afternoon"), provider_id=priya
    )
    found = reply.result
    assert found.exact and len(found.options) == 3
    assert {o.provider_id for o in found.options} == {priya}
    assert all(o.start.astimezone(LA).date() == friday for o in found.options)


async def test_a_provider_ruled_out_is_never_offered_even_as_an_alternative(demo: Harness) -> None:
    # "anyone but priya": Sloane's slots only, on the day asked for and on the nearest days after it.
    priya, sloane = _provider(demo, "priya"), _provider(demo, "sloane")
    friday = _next(4, LA)
    reply = await _find_with(
        demo, "hydrafacial", TimePreference(dates=[friday]), limit=6, exclude_provider_ids=[priya]
    )
    assert reply.result.options and {o.provider_id for o in reply.result.options} == {sloane}
    tuesday = _next(1, LA)  # Sloane does not work Tuesdays: the nearest days she does
    other = await _find_with(
        demo, "hydrafacial", TimePreference(dates=[tuesday]), exclude_provider_ids=[priya]
    )
    assert other.result.options and {o.provider_id for o in other.result.options} == {sloane}


async def test_a_provider_not_qualified_for_the_service_is_an_invalid_request(demo: Harness) -> None:
    reply = await _find_with(
        demo, "laser-hair-removal", TimePreference(asap=True), provider_id=_provider(demo, "sloane")
    )
    assert not reply.ok and reply.error.code == "invalid_request" and reply.error.field == "provider_id"
    unknown = await _find_with(demo, "botox", TimePreference(asap=True), provider_id=_service(demo, "botox"))
    assert not unknown.ok and unknown.error.field == "provider_id"


async def test_a_named_provider_off_that_day_is_offered_on_their_nearest_days(demo: Harness) -> None:
    julia = _provider(demo, "julia")
    monday = _next(0, LA)  # Julia does not work Mondays
    reply = await _find_with(
        demo, "botox", TimePreference(dates=[monday], part_of_day="afternoon"), provider_id=julia
    )
    found = reply.result
    assert not found.exact and found.options
    assert {o.provider_id for o in found.options} == {julia}
    for option in found.options:
        local = option.start.astimezone(LA)
        assert local.weekday() != 0 and time(12) <= local.time() < time(17)


async def test_later_that_day_offers_only_starts_after_the_last_offered(demo: Harness) -> None:
    tuesday = _next(1, LA)
    morning = await _find(demo, "hydrafacial", dates=[tuesday], part_of_day="morning")
    last = max(o.start for o in morning.options)
    reply = await _find_with(demo, "hydrafacial", TimePreference(dates=[tuesday]), after=last)
    found = reply.result
    assert found.exact and len(found.options) == 3
    assert all(o.start > last and o.start.astimezone(LA).date() == tuesday for o in found.options)


async def test_after_the_last_slot_of_the_day_moves_to_later_days(small: Harness) -> None:
    day = _next(2, NY)
    after = datetime.combine(day, time(10), NY)
    reply = await _find_with(small, "facial", TimePreference(dates=[day]), after=after)
    found = reply.result
    assert not found.exact and found.options
    assert all(o.start > after and o.start.astimezone(NY).date() > day for o in found.options)


async def test_turned_down_starts_of_a_full_day_move_to_other_days(small: Harness) -> None:
    day = _next(3, NY)
    first = await _find(small, "facial", dates=[day])
    declined = [o.start for o in first.options]
    assert len(declined) == 2
    again = (await _find_with(small, "facial", TimePreference(dates=[day]), exclude_starts=declined)).result
    assert not again.exact and again.options
    assert not {o.start for o in again.options} & set(declined)


async def test_turned_down_starts_are_never_offered_again(demo: Harness) -> None:
    tuesday = _next(1, LA)
    pref = TimePreference(dates=[tuesday], part_of_day="afternoon")
    offered = (await _find_with(demo, "hydrafacial", pref)).result.options
    fresh = (await _find_with(demo, "hydrafacial", pref, exclude_starts=[o.start for o in offered])).result
    assert fresh.exact and len(fresh.options) >= 2
    assert not {o.start for o in fresh.options} & {o.start for o in offered}


async def test_microneedling_thursday_evening_offers_three_options(demo: Harness) -> None:
    # "I'm interested in microneedling, do you have Thursday evening?": Sloane works until 8pm.
    thursday = _next(3, LA)
    found = await _find(demo, "microneedling", dates=[thursday], part_of_day="evening")
    assert found.exact and len(found.options) == 3
    assert all(o.start.astimezone(LA).time() >= time(17) for o in found.options)
    assert len({o.start for o in found.options}) == 3


# ----- several weeks in one call: "that Monday is full, what about the Mondays after it?"


async def _by_week(h: Harness, key: str, prefs: list[TimePreference], **constraints: Any) -> Any:
    return await h.call(
        "find_availability_by_week",
        FindAvailabilityByWeek(
            tenant_id=h.spa.id, actor=AGENT, service_id=_service(h, key), preferences=prefs, **constraints
        ),
    )


async def test_weeks_in_one_call_answer_as_one_call_per_week(demo: Harness) -> None:
    monday = _next(0, LA)
    prefs = [TimePreference(dates=[monday + timedelta(weeks=k)], target_time=time(14)) for k in range(3)]
    prefs.append(TimePreference(date_from=monday, date_to=monday + timedelta(days=4), part_of_day="evening"))
    reply = await _by_week(demo, "hydrafacial", prefs)
    assert reply.ok, reply.error
    one_by_one = [(await _find_with(demo, "hydrafacial", pref)).result for pref in prefs]
    assert [w.options for w in reply.result.weeks] == [f.options for f in one_by_one]
    assert all(w.exact and w.options for w in reply.result.weeks)


async def test_a_full_week_answers_no_options_and_never_other_days(small: Harness) -> None:
    day = _next(2, NY)
    alice = await _client(small, "+12125550101")
    full = await _find(small, "facial", dates=[day])
    held = await small.call(
        "hold_slots", HoldSlots(tenant_id=small.spa.id, actor=AGENT, client_id=alice, options=full.options)
    )
    assert held.ok and len(held.result.holds) == 2
    weeks = [TimePreference(dates=[day + timedelta(weeks=k)]) for k in range(2)]
    found = (
        await _by_week(small, "facial", weeks, exclude_starts=[full.options[0].start + timedelta(weeks=1)])
    ).result
    first, second = found.weeks
    assert not first.exact and first.options == []  # full that day: nothing, and no other day instead
    assert second.exact and [o.start.astimezone(NY) for o in second.options] == [
        datetime.combine(day + timedelta(weeks=1), time(10), NY)  # 9am turned down
    ]


@pytest.mark.parametrize(
    ("pref", "field"),
    [
        (TimePreference(weekdays=[0]), "preferences"),  # no days named: the whole horizon
        (TimePreference(date_from=date(2030, 1, 1), date_to=date(2030, 2, 1)), "preferences"),
    ],
)
async def test_a_week_without_named_days_or_longer_than_two_weeks_is_refused(
    small: Harness, pref: TimePreference, field: str
) -> None:
    start = datetime.now(NY).date()
    in_window = pref.model_copy(
        update={"date_from": start, "date_to": start + timedelta(days=20)} if pref.date_from else {}
    )
    reply = await _by_week(small, "facial", [TimePreference(dates=[_next(1, NY)]), in_window])
    assert not reply.ok and reply.error.code == "invalid_request" and reply.error.field == field
