"""The language handling meets its thresholds on the public data sets, and the eval command scores
any file in their format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.agent import evaluate
from services.agent.evaluate import GuardScore, read_jsonl, score_escalation, score_time_parsing

pytestmark = pytest.mark.unit

SGD = "sgd_appointments.jsonl"
MEDQUAD = "medquad_questions.jsonl"
HEALTH = "health_questions.jsonl"
PROJECT_DATA = Path(__file__).resolve().parents[1] / "data"


def _booking_texts(name: str, *, at_least: int, max_false: float) -> GuardScore:
    """A project file of texts the agent keeps: enough of them, and few escalated."""
    score = score_escalation(read_jsonl(PROJECT_DATA / name), source="chatter")
    assert score.negatives >= at_least
    assert score.false_escalation_rate <= max_false, score.false_alarms[:10]
    return score


def _health_texts(name: str, *, at_least: int, category: float, priority: float) -> None:
    """A project file of texts that go to staff: enough of them, in the right category and priority."""
    group = score_escalation(read_jsonl(PROJECT_DATA / name), source="medical").groups[
        "medical: must escalate"
    ]
    assert group.total >= at_least
    assert group.right_category / group.total >= category, group.misses[:10]
    assert group.right_priority / group.priority_total >= priority, group.misses[:10]


def _staff_texts_in_their_category(chatter: GuardScore, at_least: int) -> None:
    """The file's texts for staff (complaints, moves, refunds...) are all handed over in their category."""
    handed_over = chatter.groups["chatter: must escalate"]
    assert handed_over.total >= at_least
    assert handed_over.right_category == handed_over.total, handed_over.misses


def _require(shared_data: Path, name: str) -> Path:
    path = shared_data / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the public data sets live beside the project (../shared/data)")
    return path


def test_time_parser_agrees_with_sgd_annotations(shared_data: Path) -> None:
    score = score_time_parsing(read_jsonl(_require(shared_data, SGD)))
    assert score.time_total > 1000 and score.date_total > 1000
    assert score.time_agreement >= 0.97, score.time_misses[:10]
    assert score.date_agreement >= 0.95, score.date_misses[:10]


def test_guard_escalates_medquad_questions(shared_data: Path) -> None:
    score = score_escalation(read_jsonl(_require(shared_data, MEDQUAD)))
    assert score.positives >= 3000
    assert score.recall >= 0.999, score.misses[:10]


def test_guard_escalates_consumer_and_clinician_health_questions(shared_data: Path) -> None:
    score = score_escalation(read_jsonl(_require(shared_data, HEALTH)))
    assert score.positives >= 4800
    assert score.recall >= 0.99, score.misses[:10]


def test_guard_leaves_salon_booking_chatter_alone(shared_data: Path) -> None:
    score = score_escalation(read_jsonl(_require(shared_data, SGD)))
    assert score.negatives > 2900, "only the Services_1 (salon) turns are the target"
    assert score.false_escalation_rate <= 0.005, score.false_alarms[:10]


def test_guard_leaves_medspa_booking_chatter_alone_and_catches_medspa_medical_texts() -> None:
    _booking_texts("medspa_chatter.jsonl", at_least=300, max_false=0.01)
    _health_texts("medspa_medical.jsonl", at_least=700, category=0.97, priority=0.95)


def test_guard_on_fresh_texts_leaves_booking_chatter_alone_and_catches_health_questions() -> None:
    # Written in rounds without looking at the rules (tests/data/fresh_*.jsonl); the rules were tuned
    # on each round afterwards, so they are a second development set. The learned model never trained
    # on them: its false escalations of unseen chatter (1-3%, docs/guard-model.md) are what is left.
    _booking_texts("fresh_chatter.jsonl", at_least=450, max_false=0.02)
    _health_texts("fresh_medical.jsonl", at_least=450, category=0.99, priority=0.95)


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_time_parsing_command_prints_agreement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        {
            "utterance": "the 7th at 4 pm please",
            "reference_date": "2019-03-01",
            "appointment_date": {"text": "the 7th", "canonical": "2019-03-07"},
            "appointment_time": {"text": "4 pm", "canonical": "16:00"},
        },
        {
            "utterance": "half past 3 tomorrow",
            "reference_date": "2019-03-01",
            "appointment_time": {"text": "half past 3", "canonical": "10:00"},
        },
        {"utterance": "Find me a salon", "reference_date": "2019-03-01"},
    ]
    assert evaluate.main(["time-parsing", str(_write(tmp_path / "t.jsonl", rows))]) == 0
    out = capsys.readouterr().out
    assert "time agreement       50.00%  (1/2)" in out
    assert "date agreement       100.00%  (1/1)" in out


def test_escalation_command_detects_the_format_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"question": "What are the side effects of Botox?"},
        {"question": "What time is it?"},
        {"utterance": "What is the address?", "service": "Services_1"},
        {"utterance": "I need to see a doctor about my rash", "service": "Services_3"},
        {"text": "I can\u2019t make it to my appointment tomorrow", "expect": "reschedule"},
        {"text": "i took too many pills", "expect": "medical", "priority": "urgent"},
        {"text": "is it normal to bleed after microneedling", "expect": "medical", "priority": "urgent"},
        {"text": "how much is botox", "expect": "pass"},
        {"text": "you charged me twice", "expect": "refund"},
    ]
    assert evaluate.main(["escalation", str(_write(tmp_path / "e.jsonl", rows))]) == 0
    out = capsys.readouterr().out
    assert "e: must escalate: recall 83.33% (5/6)" in out
    # a dispute expected as a refund counts as escalated, not as the right category
    assert "expected category      4/6" in out
    assert "expected priority      1/2" in out
    assert "SGD Services_1 turns: false escalations 0.00% (0/1)" in out
    assert "SGD other service Services_3 turns: false escalations 100.00% (1/1)" in out
    assert "e: must pass: false escalations 0.00% (0/1)" in out
    assert "by rule                " in out and "side_effects_and_risks 1" in out
    assert "false escalations    0.00%  (0/2 must-pass, other SGD services apart)" in out


def test_escalation_command_reads_several_files_and_shows_what_fired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    positives = _write(
        tmp_path / "pos.jsonl", [{"question": "What time is it?"}, {"question": "Is it safe?"}]
    )
    negatives = _write(tmp_path / "neg.jsonl", [{"text": "cancel my facial", "expect": "pass"}])
    more = _write(tmp_path / "more.jsonl", [{"text": "hi there", "expect": "pass"}])
    priority = _write(
        tmp_path / "prio.jsonl",
        [{"text": "i took too many pills", "expect": "medical", "priority": "normal"}],
    )
    args = ["escalation", str(positives), str(more), str(priority), "--negatives", str(negatives), "--show"]
    assert evaluate.main(args) == 0
    out = capsys.readouterr().out
    assert "pos: must escalate: recall 50.00% (1/2)" in out
    assert "What time is it? | escalate | passed" in out
    assert "neg: must pass: false escalations 100.00% (1/1)" in out
    assert "cancel my facial | cancellation/cancel_word" in out
    assert "more: must pass: false escalations 0.00% (0/1)" in out
    assert "i took too many pills | medical/normal | medical/urgent/overdose_or_poisoning" in out


def test_escalation_command_rejects_a_line_of_no_known_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "odd.jsonl", [{"question": "Is it safe?"}, {"body": "hello"}])
    assert evaluate.main(["escalation", str(path)]) == 2
    assert "line 2: needs `question`" in capsys.readouterr().err


def test_eval_command_rejects_a_broken_line_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"utterance": "hi", "reference_date": "2019-03-01"}\nnot json\n', encoding="utf-8")
    assert evaluate.main(["time-parsing", str(bad)]) == 2
    assert "bad.jsonl:2: not JSON" in capsys.readouterr().err
    assert evaluate.main(["escalation", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_guard_on_general_health_questions_and_booking_texts_naming_areas_products_and_fees() -> None:
    # The ninth round (tests/data/fresh_health.jsonl, fresh_chatter2.jsonl), written the same way:
    # health questions that name no treatment, and booking texts about nerves, parties and fees.
    _booking_texts("fresh_chatter2.jsonl", at_least=100, max_false=0.02)
    _health_texts("fresh_health.jsonl", at_least=200, category=0.99, priority=0.9)


def test_guard_on_health_texts_told_as_statements_and_booking_texts_that_look_clinical() -> None:
    # The eleventh round (tests/data/fresh_health2.jsonl, fresh_chatter3.jsonl), written the same way
    # in two batches: health texts told as statements, about family, sport, teeth, eyes, ears, tests,
    # doses and misspellings, a tenth of them Spanish; booking texts naming treatments with body
    # words, nerves, follow-ups and fees, and complaints and a reschedule that go to staff as such.
    chatter = _booking_texts("fresh_chatter3.jsonl", at_least=200, max_false=0.02)
    _staff_texts_in_their_category(chatter, at_least=10)
    _health_texts("fresh_health2.jsonl", at_least=350, category=0.99, priority=0.95)


def test_guard_on_health_texts_as_people_text_and_booking_texts_that_name_the_body() -> None:
    # The twelfth round (tests/data/fresh_health3.jsonl, fresh_chatter4.jsonl), written in five batches,
    # each scored before the rules were tuned on it: run-ons, emoji and shorthand, questions inside
    # stories, symptoms inside a booking, drugs, pregnancy, children and parents, chronic conditions,
    # mood, sleep, hair, hormones, a tenth in Spanish; booking texts naming treatments, areas, babies
    # and fees, and complaints, moves, cancellations, refunds, disputes and requests for a person.
    chatter = _booking_texts("fresh_chatter4.jsonl", at_least=280, max_false=0.02)
    _staff_texts_in_their_category(chatter, at_least=15)
    _health_texts("fresh_health3.jsonl", at_least=420, category=0.99, priority=0.92)


def test_guard_on_worries_told_without_a_clinical_word_and_booking_texts_full_of_body_words() -> None:
    # The thirteenth round (tests/data/fresh_health4.jsonl, fresh_chatter5.jsonl), written in four
    # batches, each scored before the rules were tuned on it: very short texts, long stories with the
    # worry near the end, a parent or partner texting, a booking and a worry in one breath, worries as
    # feelings, slang, formal phrasing, a tenth in Spanish; booking texts full of body words, units,
    # dates and treatment names, aftercare asked at booking, and texts staff take in their category.
    chatter = _booking_texts("fresh_chatter5.jsonl", at_least=210, max_false=0.01)
    _staff_texts_in_their_category(chatter, at_least=15)
    # the priorities were labelled by feel as the texts were written; 78% agree with the urgency rules
    _health_texts("fresh_health4.jsonl", at_least=320, category=0.99, priority=0.77)


def test_guard_on_everyday_worries_in_many_voices_and_booking_texts_that_look_medical() -> None:
    # The fourteenth round (tests/data/fresh_health5.jsonl, fresh_chatter6.jsonl), one batch scored
    # before the rules were tuned on it: teens, older clients, non-native English, voice-to-text,
    # people texting for a parent, child or partner; sleep, energy, appetite, digestion, skin, hair,
    # mood, memory, pain that comes and goes, "feels weird", a tenth in Spanish; booking texts that
    # name meds, tiredness, babies and parents as logistics, and texts staff take in their category.
    chatter = _booking_texts("fresh_chatter6.jsonl", at_least=75, max_false=0.02)
    _staff_texts_in_their_category(chatter, at_least=9)
    _health_texts("fresh_health5.jsonl", at_least=100, category=0.99, priority=0.95)


def test_guard_on_health_texts_in_under_covered_styles_and_booking_texts_naming_medical_dates() -> None:
    # The fifteenth round (tests/data/fresh_health6.jsonl, fresh_chatter7.jsonl), written in four
    # batches, each scored before the rules were tuned on it: long rambling texts, two questions in one,
    # a friend or a TikTok quoted, someone else's health, hedging, autocorrect, all caps, no spaces after
    # punctuation, misspelt symptoms; supplements, diet, exercise, alcohol, sun, flying, dental work,
    # vaccines, surgery, periods, menopause, blood thinners, a tenth in Spanish or Spanglish; booking
    # texts naming a surgery, a period, a pill, a pregnancy or a doctor only as logistics, and texts
    # staff take in their category.
    chatter = _booking_texts("fresh_chatter7.jsonl", at_least=160, max_false=0.01)
    _staff_texts_in_their_category(chatter, at_least=19)
    _health_texts("fresh_health6.jsonl", at_least=240, category=0.99, priority=0.94)


def test_guard_on_health_facts_told_only_to_plan_a_visit_and_reference_health_questions() -> None:
    # The sixteenth round (tests/data/fresh_health7.jsonl, fresh_chatter8.jsonl), written in four
    # batches, each scored before the rules were tuned on it: booking texts naming a condition, a
    # disability, a surgery, a pregnancy, an allergy or someone else's illness only to plan the visit
    # (who comes and how they get in, the room, the time, a reminder, a gift), what a treatment does in
    # plain words, texts asking whether a treatment suits (medical) and texts for staff; health texts
    # asked as reference questions about skin conditions, hypotheticals, about someone else, terse,
    # quoting a clinician, a tenth in Spanish, and clinical questions in the shapes of a booking.
    chatter = _booking_texts("fresh_chatter8.jsonl", at_least=210, max_false=0.04)
    handed_over = chatter.groups["chatter: must escalate"]
    assert handed_over.total >= 45
    # a swelling after a dental surgery, told to move a facial, is read as urgent medical, and a
    # complaint that names an allergy as medical
    assert handed_over.right_category / handed_over.total >= 0.94, handed_over.misses
    _health_texts("fresh_health7.jsonl", at_least=160, category=0.99, priority=0.94)
