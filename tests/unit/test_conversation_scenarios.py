"""The conversation scenario suite: every file follows the format, and the checker judges right."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from services.agent.scenarios.checks import (
    Reply,
    Transcript,
    TurnLog,
    clock_minutes,
    is_confirmation,
    judge,
    offers_options,
    read_booking,
)
from services.agent.scenarios.main import Result, rate, report
from services.agent.scenarios.play import fresh_numbers
from services.agent.scenarios.spa import read_spa
from services.agent.scenarios.spec import ScenarioError, load, parse_scenario

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "tests" / "conversations"
SPA = read_spa(ROOT / "spas" / "demo-spa.yaml")
TUESDAY = date(2026, 12, 1)  # a Tuesday: "tomorrow" is Wednesday
CONFIRM = (
    "You're booked: {service} on {when} with {provider} at Glow Med Spa, 2140 Chestnut St. See you then!"
)


def _scenario(expect: dict[str, object], turns: list[object] | None = None, **extra: object):  # type: ignore[no-untyped-def]
    raw = {"id": "t", "client": "+14155550999", "turns": turns or ["hi"], "expect": expect, **extra}
    return parse_scenario(raw, "test.yaml")


def _said(*replies: str | Reply, text: str = "hi") -> Transcript:
    return Transcript(turns=[TurnLog(text, [r if isinstance(r, Reply) else Reply(r) for r in replies])])


# ----- the suite's files -----


def test_suite_has_at_least_ninety_scenarios_with_unique_ids_and_numbers() -> None:
    scenarios = load([SUITE])
    assert len(scenarios) >= 90
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert len({s.client for s in scenarios}) == len(scenarios)
    # The inbox shows a client by the last four digits: they must tell scenarios apart too.
    assert len({s.client[-4:] for s in scenarios}) == len(scenarios)


def test_suite_covers_every_outcome_kind_and_file_theme() -> None:
    scenarios = load([SUITE])
    kinds = Counter(s.expect.outcome for s in scenarios)
    assert set(kinds) == {"booked", "handed_off", "opted_out", "answered"}
    assert {s.group for s in scenarios} >= {
        "booking",
        "changes",
        "questions",
        "handoffs",
        "optout",
        "names",
        "spanish",
    }
    assert sum(len(s.turns) > 1 for s in scenarios) >= 45  # most are real multi-turn conversations


def test_suite_names_only_services_and_providers_the_demo_spa_has() -> None:
    for s in load([SUITE]):
        for service in s.expect.service:
            assert service in SPA.services, f"{s.id}: {service} is not a catalog key"
        if s.expect.provider:
            assert s.expect.provider in SPA.providers, f"{s.id}: unknown provider {s.expect.provider}"


def test_suite_uses_demo_client_numbers_only_where_a_known_client_is_meant() -> None:
    known = [s.id for s in load([SUITE]) if s.client in SPA.clients]
    assert known and all(i.startswith("known-client-") for i in known)


# ----- bad input names the file and the scenario -----


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"outcome": "booked_maybe"}, "unknown outcome 'booked_maybe'"),
        ({"outcome": "handed_off"}, "needs a `category`"),
        ({"outcome": "handed_off", "category": "medicine"}, "unknown category 'medicine'"),
        ({"outcome": "booked", "service": "botox", "day": "someday"}, "expect.day 'someday'"),
        ({"outcome": "booked", "service": "botox", "after": "5pm"}, "24-hour time"),
        ({"outcome": "answered", "facts": ["$1"], "category": "medical"}, "unknown field(s) category"),
        ({"outcome": "answered"}, "needs `facts`"),
    ],
)
def test_a_bad_expectation_is_an_error_naming_file_and_scenario(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        _scenario(raw)
    assert str(err.value).startswith("test.yaml: scenario t: ")
    assert message in str(err.value)


def test_missing_turns_and_bad_numbers_are_errors() -> None:
    with pytest.raises(ScenarioError, match="`turns` must be a non-empty list"):
        parse_scenario({"id": "x", "client": "+14155550999", "expect": {"outcome": "opted_out"}}, "f.yaml")
    with pytest.raises(ScenarioError, match=r"E\.164"):
        parse_scenario(
            {"id": "x", "client": "4155550999", "turns": ["hi"], "expect": {"outcome": "opted_out"}}, "f"
        )
    with pytest.raises(ScenarioError, match="unknown field"):
        _scenario({"outcome": "opted_out"}, turns=[{"text": "hi", "replyhas": ["x"]}])


def test_staff_turns_are_alone_and_never_first() -> None:
    s = _scenario({"outcome": "opted_out"}, turns=["hi", {"staff": "Hi, Julia here"}, {"resume": True}, "ok"])
    assert [(t.text, t.staff, t.resume) for t in s.turns] == [
        ("hi", None, False), ("", "Hi, Julia here", False), ("", None, True), ("ok", None, False)
    ]  # fmt: skip
    with pytest.raises(ScenarioError, match="the first turn must be the client's text"):
        _scenario({"outcome": "opted_out"}, turns=[{"staff": "Hi"}, "ok"])
    with pytest.raises(ScenarioError, match="a staff turn is `staff: TEXT` or `resume: true`, alone"):
        _scenario({"outcome": "opted_out"}, turns=["hi", {"staff": "Hi", "options": True}])


def test_staff_turns_carry_no_reply_checks() -> None:
    s = _scenario({"outcome": "answered", "facts": ["$650"]}, turns=["how much", {"staff": "It's $650"}])
    t = _said("Lip Filler is $650.", text="how much")
    t.turns.append(TurnLog("(staff) It's $650"))
    assert judge(s, t, SPA, TUESDAY) == []


def test_yaml_errors_and_duplicates_across_files_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("scenarios:\n  - id: one\n    turns: [hi\n")
    with pytest.raises(ScenarioError, match=r"a\.yaml: not valid YAML"):
        load([tmp_path])
    one = '- {id: one, client: "+14155550001", turns: [hi], expect: {outcome: opted_out}}\n'
    (tmp_path / "a.yaml").write_text(one)
    (tmp_path / "b.yaml").write_text(one.replace("0001", "0002"))
    with pytest.raises(ScenarioError, match=r"b\.yaml: scenario one: id already used in .*a\.yaml"):
        load([tmp_path])
    (tmp_path / "b.yaml").write_text(one.replace("id: one", "id: two"))
    with pytest.raises(ScenarioError, match="client number already used by one"):
        load([tmp_path])


# ----- reading replies -----


def test_clock_times_in_any_spelling() -> None:
    assert clock_minutes("at 1:30pm with Julia") == [13 * 60 + 30]
    assert clock_minutes("10 AM or 4:15 p.m.") == [600, 16 * 60 + 15]
    assert clock_minutes("a las 14:00") == [14 * 60]
    assert clock_minutes("2140 Chestnut St, Dec 4") == []


def test_options_are_told_from_hours_and_confirmations() -> None:
    assert offers_options(
        "For your HydraFacial I have Friday at 2pm with Sloane or tomorrow at 10am. Reply 1 or 2."
    )
    assert offers_options("Para tu HydraFacial tengo viernes a las 2pm con Priya. Responde 1 para confirmar.")
    assert not offers_options("On Saturday we're open 9am to 5pm.")
    assert not offers_options("May I have your first name?")
    assert not is_confirmation(
        "Saturday is booked up, but I have Friday at 2pm with Sloane. Reply 1 to book."
    )
    assert not offers_options(
        CONFIRM.format(service="HydraFacial", when="Friday, Dec 4 at 2pm", provider="Sloane")
    )


def test_a_confirmation_is_read_for_service_day_time_and_provider() -> None:
    text = CONFIRM.format(
        service="Botox / Neurotoxin Consultation", when="Thursday, Dec 3 at 5:30pm", provider="Julia"
    )
    assert is_confirmation(text)
    b = read_booking(text, SPA, TUESDAY)
    assert (b.service, b.weekday, b.minutes, b.provider) == ("neurotoxin-consult", 3, 17 * 60 + 30, "julia")
    es = "Listo, tienes cita: HydraFacial el sábado 5 de dic a las 10:00am con Priya en Glow Med Spa."
    b = read_booking(es, SPA, TUESDAY)
    assert is_confirmation(es) and (b.service, b.weekday, b.minutes, b.provider) == (
        "hydrafacial",
        5,
        600,
        "priya",
    )


# ----- judging outcomes -----

BOTOX_THURSDAY_EVENING = {"outcome": "booked", "service": ["neurotoxin-consult", "botox"], "day": "thursday",
                          "after": "17:00", "provider": "julia"}  # fmt: skip


def test_booked_passes_when_every_constraint_holds() -> None:
    s = _scenario(BOTOX_THURSDAY_EVENING, turns=["botx thurs after 5", "1"])
    t = _said("For your Botox I have Thursday at 5:30pm with Julia. Reply 1 to confirm.")
    booked = CONFIRM.format(
        service="Botox (neurotoxin) treatment", when="Thursday, Dec 3 at 5:30pm", provider="Julia"
    )
    t.turns.append(TurnLog("1", [Reply(booked)]))
    assert judge(s, t, SPA, TUESDAY) == []


@pytest.mark.parametrize(
    ("when", "provider", "service", "failure"),
    [
        ("Friday, Dec 4 at 5:30pm", "Julia", "Botox (neurotoxin) treatment", "booked on friday"),
        ("Thursday, Dec 3 at 4:30pm", "Julia", "Botox (neurotoxin) treatment", "booked at 16:30"),
        ("Thursday, Dec 3 at 5:30pm", "Lilian", "Botox (neurotoxin) treatment", "booked with lilian"),
        ("Thursday, Dec 3 at 5:30pm", "Julia", "Lip Filler", "booked lip-filler"),
    ],
)
def test_booked_fails_on_each_broken_constraint(when: str, provider: str, service: str, failure: str) -> None:
    s = _scenario(BOTOX_THURSDAY_EVENING)
    t = _said(CONFIRM.format(service=service, when=when, provider=provider))
    failures = judge(s, t, SPA, TUESDAY)
    assert len(failures) == 1 and failures[0].startswith(failure)


def test_booked_fails_without_a_confirmation_and_on_a_reply_gate() -> None:
    turn = {"text": "hydrafacial fri", "options": True, "reply_must_not_only": ["first name"]}
    s = _scenario({"outcome": "booked", "service": "hydrafacial"}, turns=[turn])
    failures = judge(s, _said("Hi! May I have your first name?"), SPA, TUESDAY)
    assert "turn 1 ('hydrafacial fri'): expected options" in failures
    assert "turn 1 ('hydrafacial fri'): reply only asks 'first name'" in failures
    assert failures[-1] == "no booking confirmation"
    asked_with_options = "I have Friday at 2pm with Sloane. Reply 1 to confirm. May I have your first name?"
    assert judge(s, _said(asked_with_options), SPA, TUESDAY) == ["no booking confirmation"]


def test_tomorrow_is_resolved_on_the_day_the_check_runs() -> None:
    s = _scenario({"outcome": "booked", "service": "hydrafacial", "day": "tomorrow"})
    t = _said(CONFIRM.format(service="HydraFacial", when="Wednesday, Dec 2 at 2pm", provider="Sloane"))
    assert judge(s, t, SPA, TUESDAY) == []
    assert judge(s, t, SPA, date(2026, 12, 2)) == ["booked on wednesday, expected tomorrow"]


def test_manana_is_tomorrow_and_por_la_manana_the_morning() -> None:
    tomorrow = "Listo, tienes cita: HydraFacial mañana a las 10:00am con Priya en Glow Med Spa."
    assert read_booking(tomorrow, SPA, TUESDAY).weekday == 2  # Wednesday
    assert offers_options("Para tu HydraFacial tengo mañana a las 10am con Priya. Responde 1 para confirmar.")
    morning = "Listo, tienes cita: HydraFacial por la mañana del viernes, a las 10:00am con Priya."
    assert read_booking(morning, SPA, TUESDAY).weekday == 4


def test_handed_off_needs_the_category_and_a_reply() -> None:
    s = _scenario({"outcome": "handed_off", "category": "medical", "priority": "urgent"})
    reply = "I've passed this to our clinical team; someone will text you shortly."
    t = _said(reply)
    t.escalations = [{"category": "medical"}]
    assert judge(s, t, SPA, TUESDAY) == []  # the inbox does not show a priority: not checked
    t.escalations = [{"category": "medical", "priority": "normal"}]
    assert judge(s, t, SPA, TUESDAY) == ["escalation priority is not urgent"]
    t.escalations = [{"category": "complaint"}]
    assert judge(s, t, SPA, TUESDAY) == ["escalation category complaint, expected medical"]
    silent = _said()
    silent.escalations = [{"category": "medical"}]
    assert judge(s, silent, SPA, TUESDAY) == ["turn 1 ('hi'): no reply", "no handoff reply to the last text"]


def test_opted_out_allows_one_confirmation_and_nothing_after() -> None:
    s = _scenario({"outcome": "opted_out"}, turns=["Stop texting me"])
    t = _said("You're unsubscribed and won't get more texts.", text="Stop texting me")
    t.probe = [Reply("Hi! How can I help?", sent=False)]  # refused by the gateway: not sent
    assert judge(s, t, SPA, TUESDAY) == []
    t.probe = [Reply("Hi! How can I help?")]
    assert judge(s, t, SPA, TUESDAY) == ["a text was sent to the number after it opted out"]
    t.probe = None
    assert judge(s, t, SPA, TUESDAY) == ["the opt-out was not probed"]


def test_no_reply_turn_fails_when_something_was_sent() -> None:
    s = _scenario({"outcome": "opted_out"}, turns=[{"text": "STOP", "no_reply": True}])
    t = _said("Ok!", text="STOP")
    t.probe = []
    assert judge(s, t, SPA, TUESDAY) == ["turn 1 ('STOP'): expected no reply, got 1"]


def test_answered_matches_facts_after_normalising() -> None:
    s = _scenario({"outcome": "answered", "facts": ["5pm", "Mallorca", "$350"]})
    t = _said("We close at 5:00 PM on Saturday; there’s a garage on MALLORCA Way. Botox is $350.")
    assert judge(s, t, SPA, TUESDAY) == []
    assert judge(s, _said("We close at 5:30pm."), SPA, TUESDAY) == [
        "no reply contains '5pm'", "no reply contains 'Mallorca'", "no reply contains '$350'"
    ]  # fmt: skip


def test_a_system_error_fails_the_scenario_with_its_message() -> None:
    s = _scenario({"outcome": "answered", "facts": ["x"]})
    assert judge(s, Transcript(error="gateway answered 403"), SPA, TUESDAY) == ["gateway answered 403"]


# ----- numbers and the report -----


def test_fresh_numbers_keep_known_clients_and_the_last_four_digits() -> None:
    scenarios = load([SUITE])
    one, two = fresh_numbers(scenarios, SPA, seed=1), fresh_numbers(scenarios, SPA, seed=2)
    for s in scenarios:
        if s.client in SPA.clients:
            assert one[s.id] == s.client
        else:
            assert one[s.id] != s.client and one[s.id][-4:] == s.client[-4:] and len(one[s.id]) == 12
    assert one != two
    assert len(set(one.values())) == len(scenarios)


def test_report_prints_each_scenario_the_rate_per_file_and_overall() -> None:
    ok = _scenario({"outcome": "answered", "facts": ["$350"]})
    results = [
        Result(ok, "+1", _said("Botox is $350."), ()),
        Result(ok, "+1", _said("Hello!"), ("no reply contains '$350'",)),
    ]
    text = report(results, show=True)
    assert "PASS test/t" in text and "FAIL test/t: no reply contains '$350'" in text
    assert "    < Hello!" in text
    assert "test.yaml                1/2    50.0%" in text
    assert text.endswith("conversations: 1/2 reached their outcome (50.0%)")
    assert rate(results) == 0.5 and rate([]) == 0.0
