"""Gateway rules without I/O: keywords, segments, the spa's day, retry classification, spa files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.gateway.domain import (
    Reading,
    backoff,
    count_segments,
    is_retryable,
    keyword_of,
    read_text,
    spa_day,
)
from services.gateway.spas import load_spas

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        ("  Stop\n", "stop"),
        ("STOPALL", "stop"),
        ("unsubscribe", "stop"),
        ("cancel", "stop"),
        ("END", "stop"),
        ("quit", "stop"),
        ("revoke", "stop"),
        ("optout", "stop"),
        ("ＳＴＯＰ", "stop"),  # full-width, as some keyboards send it
        ("HELP", "help"),
        ("info", "help"),
        ("I need to cancel my appointment", None),
        ("Cancel.", None),  # not the carrier keyword: the agent's guard hands it to staff
        ("stop texting me please", "stop"),
        ("STOP.", "stop"),
        ("Don’t text me anymore", "stop"),
        ("no más mensajes", "stop"),
        ("yes please, Friday works", None),
        ("can you stop by tomorrow", None),
        ("", None),
    ],
)
def test_keyword_is_a_carrier_word_or_an_opt_out_by_meaning(body: str, keyword: str | None) -> None:
    assert keyword_of(body) == keyword


@pytest.mark.parametrize("word", ["START", "yes", "Unstop", " Yes "])
def test_opt_in_words_opt_in_only_a_number_that_opted_out(word: str) -> None:
    assert keyword_of(word, opted_out=True) == "start"
    assert keyword_of(word, opted_out=False) is None


def test_with_the_opt_out_state_unknown_start_opts_in_and_yes_is_an_answer() -> None:
    assert keyword_of("START", opted_out=None) == "start"
    assert keyword_of("unstop", opted_out=None) == "start"
    assert keyword_of("yes", opted_out=None) is None


@pytest.mark.parametrize("word", ["STOP", "cancel", "help"])
def test_other_keywords_do_not_depend_on_the_opt_out_state(word: str) -> None:
    assert keyword_of(word, opted_out=True) == keyword_of(word, opted_out=False) is not None


def test_a_reading_names_its_rule_and_what_the_carrier_acts_on() -> None:
    assert read_text("CANCEL") == Reading("stop", "carrier:CANCEL", carrier=True, cancel=True)
    assert read_text("stop") == Reading("stop", "carrier:STOP", carrier=True)
    phrase = read_text("Stop texting me")
    assert (phrase.keyword, phrase.rule, phrase.carrier, phrase.cancel) == (
        "stop",
        "phrase:stop_texting",
        False,
        False,
    )
    assert read_text("ya no me escriban").language == "es"
    assert read_text("yes") == Reading(None, "carrier:YES", carrier=True, opt_in_word=True)


@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("Hi", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters are two septets each
        ("€" * 81, "GSM-7", 2),
        ("Café à 15h, Ça marche?", "GSM-7", 1),
        ("ça marche", "UCS-2", 1),  # lowercase ç is not in the GSM alphabet
        ("See you 😊", "UCS-2", 1),
        ("ü" + "ą" * 69, "UCS-2", 1),
        ("ą" * 71, "UCS-2", 2),
        ("😊" * 35, "UCS-2", 1),  # 70 UTF-16 units
        ("😊" * 36, "UCS-2", 2),
        ("ą" * 134, "UCS-2", 2),
        ("ą" * 135, "UCS-2", 3),
    ],
)
def test_segments_follow_gsm7_and_ucs2_limits(body: str, encoding: str, segments: int) -> None:
    result = count_segments(body)
    assert (result.encoding, result.count) == (encoding, segments)


def test_spa_day_is_counted_in_the_spa_time_zone() -> None:
    late_evening_in_sf = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)  # 23:30 on the 9th in San Francisco
    assert spa_day(late_evening_in_sf, ZoneInfo("America/Los_Angeles")) == date(2026, 3, 9)
    assert spa_day(late_evening_in_sf, ZoneInfo("Europe/Paris")) == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("status", "code", "retry"),
    [(429, 20429, True), (500, 500, True), (503, None, True), (None, None, True), (400, 21610, False),
     (400, 21211, False), (400, 21603, False), (401, 20003, False)],
)  # fmt: skip
def test_only_429_5xx_and_no_answer_are_retried(status: int | None, code: int | None, retry: bool) -> None:
    assert is_retryable(status, code) is retry


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n, 0.5) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_spa_file_gives_numbers_service_cap_and_token_override(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GLOW_TOKEN", "glow-own-token")
    (tmp_path / "a.yaml").write_text(
        "id: glow\nname: Glow\ntimezone: America/New_York\ncatalog: []\n"
        "sms:\n  numbers: ['+14155550199']\n  messaging_service_sid: MG" + "0" * 32 + "\n"
        "  daily_send_cap: 7\n  auth_token_env: GLOW_TOKEN\n"
    )
    (tmp_path / "b.yaml").write_text("id: other\nname: Other\n")
    spas = load_spas(str(tmp_path / "*.yaml"), "ACdefault", "default-token")
    glow = spas.get("glow")
    assert glow is not None and glow.daily_send_cap == 7 and glow.auth_token == "glow-own-token"
    assert glow.account_sid == "ACdefault"
    assert spas.for_inbound("+14155550199", None) is glow
    assert spas.for_inbound("+19999999999", "MG" + "0" * 32) is glow
    assert spas.get("other").auth_token == "default-token"  # type: ignore[union-attr]


def test_while_a_token_is_rotated_the_old_one_is_accepted_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GLOW_TOKEN", "glow-new")
    monkeypatch.setenv("GLOW_OLD_TOKEN", "glow-old")
    (tmp_path / "a.yaml").write_text(
        "id: glow\nname: Glow\nsms:\n  numbers: ['+14155550199']\n"
        "  auth_token_env: GLOW_TOKEN\n  previous_auth_token_env: GLOW_OLD_TOKEN\n"
    )
    (tmp_path / "b.yaml").write_text("id: other\nname: Other\n")
    (tmp_path / "c.yaml").write_text("id: own\nname: Own\nsms:\n  auth_token_env: GLOW_TOKEN\n")
    spas = load_spas(str(tmp_path / "*.yaml"), "ACdefault", "default-new", "default-old")
    assert spas.get("glow").webhook_tokens == ("glow-new", "glow-old")  # type: ignore[union-attr]
    assert spas.get("other").webhook_tokens == ("default-new", "default-old")  # type: ignore[union-attr]
    # A spa with its own token is not signed with the default's old one.
    assert spas.get("own").webhook_tokens == ("glow-new",)  # type: ignore[union-attr]
    assert load_spas(str(tmp_path / "b.yaml"), "AC", "only").get("other").webhook_tokens == ("only",)  # type: ignore[union-attr]


def test_spa_file_with_a_bad_sms_section_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: glow\nname: Glow\nsms:\n  numbers: ['555-0199']\n")
    with pytest.raises(ValidationError):
        load_spas(str(tmp_path / "*.yaml"))


def test_demo_spa_file_loads() -> None:
    spas = load_spas(str(Path(__file__).resolve().parents[2] / "spas" / "*.yaml"))
    assert spas.get("glow-medspa") is not None


def test_conversation_ids_and_twilio_sids_survive_log_redaction_but_numbers_do_not() -> None:
    from shared.ids import conversation_id
    from shared.logging import redact_text

    conv = conversation_id("key", "glow", "+14155550123")
    assert redact_text(conv) == conv
    assert redact_text("SM" + "0123456789abcdef" * 2) == "SM" + "0123456789abcdef" * 2
    assert "4155550123" not in redact_text("call +1 415 555 0123 back")
