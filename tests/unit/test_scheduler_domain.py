"""Availability, DST, labels and eligibility: the scheduler's pure logic."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.scheduler import domain, spafile
from services.scheduler.domain import Window
from shared.contracts.tools import TimePreference

pytestmark = pytest.mark.unit

NY = ZoneInfo("America/New_York")
SPA = """
id: test-spa
name: Test Spa
timezone: America/New_York
booking_rules: {lead_time_minutes: 0, horizon_days: 40, slot_minutes: 30, buffer_minutes: 0}
opening_hours: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00",
                fri: "09:00-17:00", sat: "09:00-17:00", sun: ["00:00-04:00", "09:00-17:00"]}
catalog:
  - {key: laser-hair-removal, name: Laser Hair Removal, category: lasers, duration_minutes: 30,
     price: 150, requires: laser}
  - {key: hydrafacial, name: HydraFacial, category: facials, duration_minutes: 60, price: 225,
     requires: esthetician}
providers:
  - key: sloane
    name: Sloane Bennett
    qualifications: [esthetician]
    hours: {mon: "09:00-17:00", tue: "09:00-17:00", sun: ["00:00-04:00", "09:00-17:00"]}
  - key: marco
    name: Marco Reyes
    qualifications: [laser]
    hours: {mon: "09:00-17:00", tue: "09:00-17:00", sun: ["00:00-04:00", "09:00-17:00"]}
  - key: lilian
    name: Lilian Okafor
    qualifications: [laser, injector]
    hours: {mon: "12:00-17:00", sun: "09:00-17:00"}
"""


@pytest.fixture(scope="module")
def spa() -> domain.SpaCatalog:
    """A small New York spa: one esthetician, two laser providers, open early on Sundays."""
    return spafile.parse(SPA).catalog_view()


def _service(spa: domain.SpaCatalog, key: str) -> domain.ServiceDef:
    return next(s for s in spa.services.values() if s.key == key)


def _slots(
    spa: domain.SpaCatalog,
    key: str,
    day: date,
    pref: TimePreference | None = None,
    busy: domain.Busy | None = None,
) -> list[domain.Candidate]:
    service = _service(spa, key)
    now = datetime.combine(day - timedelta(days=2), time(12), UTC)
    window = Window.of(spa, now)
    return domain.day_candidates(
        spa, service, spa.qualified(service), day, pref or TimePreference(), window, busy or {}
    )


def _local(cands: list[domain.Candidate], provider: str | None = None) -> list[str]:
    return sorted(
        {c.start.astimezone(NY).strftime("%H:%M %Z") for c in cands if provider in (None, c.provider_key)}
    )


def test_spring_forward_night_skips_the_missing_hour(spa: domain.SpaCatalog) -> None:
    # 2026-03-08: clocks jump from 2:00 to 3:00 in New York; 00:00-04:00 is only three real hours.
    cands = [c for c in _slots(spa, "laser-hair-removal", date(2026, 3, 8)) if c.provider_key == "marco"]
    night = [c for c in cands if c.start.astimezone(NY).hour < 4]
    labels = [c.start.astimezone(NY).strftime("%H:%M %Z") for c in sorted(night, key=lambda c: c.start)]
    assert labels == ["00:00 EST", "00:30 EST", "01:00 EST", "01:30 EST", "03:00 EDT", "03:30 EDT"]
    assert all(c.end - c.start == timedelta(minutes=30) for c in night)


def test_fall_back_night_offers_the_repeated_hour_twice(spa: domain.SpaCatalog) -> None:
    # 2026-11-01: 1:00-2:00 happens twice (EDT then EST); 00:00-04:00 is five real hours.
    cands = [c for c in _slots(spa, "laser-hair-removal", date(2026, 11, 1)) if c.provider_key == "marco"]
    night = sorted((c for c in cands if c.start.astimezone(NY).hour < 4), key=lambda c: c.start)
    labels = [c.start.astimezone(NY).strftime("%H:%M %Z") for c in night]
    assert labels == [
        "00:00 EDT", "00:30 EDT", "01:00 EDT", "01:30 EDT", "01:00 EST",
        "01:30 EST", "02:00 EST", "02:30 EST", "03:00 EST", "03:30 EST",
    ]  # fmt: skip
    assert len({c.start for c in night}) == 10


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(date(2026, 3, 1), 14), (date(2026, 3, 8), 13), (date(2026, 10, 25), 13), (date(2026, 11, 1), 14)],
)
def test_nine_am_local_moves_in_utc_across_dst(spa: domain.SpaCatalog, day: date, utc_hour: int) -> None:
    pref = TimePreference(earliest_time=time(9))
    first = min(_slots(spa, "laser-hair-removal", day, pref), key=lambda c: c.start)
    assert first.start.astimezone(NY).time() == time(9)
    assert first.start.hour == utc_hour
    assert domain.local_label(first.start, NY).endswith("at 9am")


def test_target_time_is_closest_first_and_never_the_morning(spa: domain.SpaCatalog) -> None:
    monday = date(2026, 3, 9)
    pref = TimePreference(dates=[monday], target_time=time(14))
    chosen = domain.choose(_slots(spa, "laser-hair-removal", monday, pref), 3)
    local = [c.start.astimezone(NY).time() for c in chosen]
    assert local[0] == time(14)
    assert all(time(12) <= t <= time(16) for t in local)
    gaps = [abs(datetime.combine(monday, t) - datetime.combine(monday, time(14))) for t in local]
    assert gaps == sorted(gaps)
    assert {c.provider_key for c in chosen[:2]} == {"marco", "lilian"}  # spread over providers


def test_part_of_day_afternoon_gives_afternoon_slots_only(spa: domain.SpaCatalog) -> None:
    pref = TimePreference(part_of_day="afternoon")
    cands = _slots(spa, "hydrafacial", date(2026, 3, 9), pref)
    assert cands
    assert all(time(12) <= c.start.astimezone(NY).time() <= time(17) for c in cands)


def test_morning_ends_before_noon_and_before_three_means_before_three(spa: domain.SpaCatalog) -> None:
    monday = date(2026, 3, 9)
    morning = _slots(spa, "laser-hair-removal", monday, TimePreference(part_of_day="morning"))
    assert morning
    assert all(c.start.astimezone(NY).time() < time(12) for c in morning)
    before_three = _slots(spa, "laser-hair-removal", monday, TimePreference(latest_time=time(15)))
    assert max(c.start.astimezone(NY).time() for c in before_three) < time(15)


def test_without_a_target_time_options_spread_over_the_afternoon(spa: domain.SpaCatalog) -> None:
    monday = date(2026, 3, 9)
    pref = TimePreference(dates=[monday], part_of_day="afternoon")
    chosen = domain.choose(_slots(spa, "laser-hair-removal", monday, pref), 3, spread=True)
    starts = [c.start for c in chosen]
    assert len(starts) == 3 and starts == sorted(starts)
    assert all(b - a >= domain.SPREAD for a, b in itertools.pairwise(starts))


def test_date_range_and_weekdays_pick_the_right_days(spa: domain.SpaCatalog) -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    window = Window.of(spa, now)
    pref = TimePreference(date_from=date(2026, 3, 9), date_to=date(2026, 3, 15), weekdays=[1, 6])
    assert domain.requested_days(pref, window) == [date(2026, 3, 10), date(2026, 3, 15)]
    past = TimePreference(dates=[date(2026, 2, 1)])
    assert domain.requested_days(past, window) == []
    alternatives = domain.alternative_days(TimePreference(dates=[date(2026, 3, 10)]), window)
    assert alternatives[:3] == [date(2026, 3, 11), date(2026, 3, 9), date(2026, 3, 12)]


def test_laser_is_never_offered_with_an_esthetician(spa: domain.SpaCatalog) -> None:
    for day in (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)):
        providers = {c.provider_key for c in _slots(spa, "laser-hair-removal", day)}
        assert providers and "sloane" not in providers
        assert {c.provider_key for c in _slots(spa, "hydrafacial", day)} <= {"sloane"}


def test_bookings_and_buffers_block_overlapping_slots(spa: domain.SpaCatalog) -> None:
    monday = date(2026, 3, 9)
    marco = next(p for p in spa.providers.values() if p.key == "marco")
    booked = domain.local_at(monday, time(10), NY)
    busy = {marco.id: domain.merge_busy([(booked, booked + timedelta(minutes=45))])}
    free = _local(_slots(spa, "laser-hair-removal", monday, busy=busy), "marco")
    assert "10:00 EDT" not in free and "10:30 EDT" not in free
    assert "09:30 EDT" in free and "11:00 EDT" in free


def test_merge_busy_joins_overlapping_ranges() -> None:
    t = datetime(2026, 3, 9, 14, tzinfo=UTC)
    h = timedelta(hours=1)
    assert domain.merge_busy([(t + 2 * h, t + 3 * h), (t, t + h), (t + h / 2, t + 2 * h)]) == [(t, t + 3 * h)]


def test_local_label_reads_like_a_person() -> None:
    assert domain.local_label(datetime(2026, 3, 9, 17, 30, tzinfo=UTC), NY) == "Monday, Mar 9 at 1:30pm"
    assert domain.local_label(datetime(2026, 3, 9, 13, 0, tzinfo=UTC), NY) == "Monday, Mar 9 at 9am"


def test_hours_summary_groups_equal_days(spa: domain.SpaCatalog) -> None:
    assert domain.hours_summary(spa.opening) == "Mon-Sat 9am-5pm; Sun 12am-4am, 9am-5pm"


def test_after_an_instant_only_later_starts_on_the_grid_remain(spa: domain.SpaCatalog) -> None:
    monday = date(2026, 3, 16)
    service = _service(spa, "hydrafacial")
    now = datetime.combine(monday - timedelta(days=2), time(12), UTC)
    after = datetime.combine(monday, time(13, 10), NY)
    window = Window.of(spa, now, after)
    assert window.today == monday
    cands = domain.day_candidates(spa, service, spa.qualified(service), monday, TimePreference(), window, {})
    starts = sorted(c.start.astimezone(NY).strftime("%H:%M") for c in cands)
    assert starts[0] == "13:30" and starts[-1] == "16:00"
    # An `after` before the lead time changes nothing.
    assert Window.of(spa, now, now - timedelta(days=1)) == Window.of(spa, now)


def test_turned_down_starts_are_skipped_with_every_provider(spa: domain.SpaCatalog) -> None:
    monday = date(2026, 3, 16)
    all_starts = {c.start for c in _slots(spa, "laser-hair-removal", monday)}
    declined = frozenset(sorted(all_starts)[:3])
    service = _service(spa, "laser-hair-removal")
    window = Window.of(spa, datetime.combine(monday - timedelta(days=2), time(12), UTC))
    cands = domain.day_candidates(
        spa, service, spa.qualified(service), monday, TimePreference(), window, {}, declined
    )
    assert {c.start for c in cands} == all_starts - declined


def test_a_spa_closure_closes_every_provider_and_a_short_day_cuts_their_hours() -> None:
    text = SPA + (
        "closures:\n"
        "  - {date: 2026-12-28, closed: true, reason: Holiday}\n"
        '  - {date: 2026-12-29, hours: "09:00-12:00", reason: Short day}\n'
    )
    closed = spafile.parse(text).catalog_view()
    monday, tuesday, next_monday = date(2026, 12, 28), date(2026, 12, 29), date(2027, 1, 4)
    assert _slots(closed, "laser-hair-removal", monday) == []
    assert _local(_slots(closed, "laser-hair-removal", next_monday))  # the week's hours again after it
    short = _local(_slots(closed, "hydrafacial", tuesday))
    assert short and short[0] == "09:00 EST" and short[-1] == "11:00 EST"  # 60 minutes ending by noon
    service = _service(closed, "hydrafacial")
    (sloane,) = closed.qualified(service)
    at = datetime.combine(tuesday, time(13), NY)
    assert not domain.slot_fits_hours(closed, sloane, at, at + timedelta(hours=1))
