"""The medical guard's learned second line: the shipped weights score the same way every run, the
hand-written feature extraction is scikit-learn's, and a trained file scores as scikit-learn does."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from services.agent import train_guard
from services.agent.language import medical_model
from services.agent.language.medical_model import (
    CHAR_NGRAMS,
    WORD_NGRAMS,
    WORD_PATTERN,
    MedicalModel,
    char_ngrams,
    load_model,
    medical_probability,
    prepare,
    word_ngrams,
)

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[1] / "data"

# Clear cases, none of them in the medspa sets. Verdicts, not floats: a retrained model may move
# every score a little, but it must still put these on the right side of its threshold.
MEDICAL = [
    "What are the side effects of Moexipril?",
    "What should I do if I forget a dose of Lisinopril?",
    "can i get botox while pregnant?",
    "I take warfarin, is lip filler safe for me?",
    "Is it safe to do a chemical peel if I have eczema?",
    "How many units of Botox do I need for my forehead?",
    "I have a rash and blisters after my laser session",
    "What are the symptoms of shingles?",
    "Can accutane interact with microneedling?",
    "my vision went blurry after the filler in my cheek",
]
BOOKING = [
    "Thanks! See you Friday",
    "where do I park?",
    "Can I book a HydraFacial for next Tuesday at 4?",
    "yes please book it",
    "what are your hours on sunday",
    "Do you have anything Saturday morning?",
    "the 3pm one",
    "how much is botox",
    "I want IPL for my rosacea",
    "something for acne scars",
]
# Texts that stress the feature extraction: smart punctuation, emoji, accents, one-letter words,
# repeated spaces, digits, a run-on with a signature.
AWKWARD = [
    "I can’t make it… is that OK?? 😅",
    "  wait   i take ELIQUIS,\u00a0will that be a problem w/ filler?  ",
    "¿Puedo hacerme el láser si estoy embarazada?",
    "a b c 2 u r",
    "3/15 @ 2:30pm pls - Jess",
    "ok",
    "",
    "my lip is still swollen 3 days after filler is that normal lol thx -maria (sent from my iPhone)",
    "ＦＵＬＬ－ＷＩＤＴＨ text\u200band zero\u00adwidth",
]


@pytest.mark.parametrize("text", MEDICAL)
def test_shipped_model_flags_clear_medical_questions(text: str) -> None:
    assert medical_probability(text) >= medical_model.THRESHOLD


@pytest.mark.parametrize("text", BOOKING)
def test_shipped_model_passes_clear_booking_texts(text: str) -> None:
    assert medical_probability(text) < medical_model.THRESHOLD


def test_shipped_model_scores_the_same_text_the_same_way_every_time() -> None:
    fresh = load_model()
    for text in MEDICAL + BOOKING + AWKWARD:
        assert fresh.probability(text) == medical_probability(text)
        assert 0.0 <= fresh.probability(text) <= 1.0


def test_shipped_threshold_is_a_probability_from_the_weights_file() -> None:
    with gzip.open(medical_model.MODEL_PATH, "rt", encoding="utf-8") as fh:
        content = json.load(fh)
    assert 0.0 < medical_model.THRESHOLD < 1.0
    assert medical_model.THRESHOLD == content["threshold"]


@pytest.mark.parametrize("text", AWKWARD + MEDICAL + BOOKING)
def test_feature_extraction_is_scikit_learns(text: str) -> None:
    word = CountVectorizer(preprocessor=prepare, token_pattern=WORD_PATTERN, ngram_range=WORD_NGRAMS)
    char = CountVectorizer(preprocessor=prepare, analyzer="char_wb", ngram_range=CHAR_NGRAMS)
    assert word_ngrams(prepare(text)) == set(word.build_analyzer()(text))
    assert char_ngrams(prepare(text)) == set(char.build_analyzer()(text))


def test_curly_and_straight_punctuation_score_alike() -> None:
    assert medical_probability("I can’t take “Advil”, can I?") == medical_probability(
        'I can\'t take "Advil", can I?'
    )


def _tiny_sample() -> list[train_guard.Example]:
    examples = []
    for name, medical in (("medspa_medical.jsonl", True), ("medspa_chatter.jsonl", False)):
        for i, row in enumerate(train_guard.read_jsonl(DATA / name)):
            if i < 120:
                examples.append(train_guard.Example(row["text"], medical, name, f"{name}:{i}"))
    return examples


def test_a_trained_file_scores_as_scikit_learn_does(tmp_path: Path) -> None:
    trained = train_guard.fit(_tiny_sample())
    path = tmp_path / "guard.json.gz"
    train_guard.write_weights(train_guard.export(trained, threshold=0.5), path)
    model = load_model(path)
    texts = MEDICAL + BOOKING + AWKWARD
    expected = trained.probabilities(texts)
    got = np.array([model.probability(t) for t in texts])
    assert np.abs(got - expected).max() < 1e-6
    assert model.threshold == 0.5
    assert (
        0 < len(model.word) + len(model.char) < len(trained.word.vocabulary_) + len(trained.char.vocabulary_)
    )


def test_the_weights_file_is_the_same_bytes_for_the_same_model(tmp_path: Path) -> None:
    content = train_guard.export(train_guard.fit(_tiny_sample()[::3]), threshold=0.7)
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    train_guard.write_weights(content, first)
    train_guard.write_weights(content, second)
    assert first.read_bytes() == second.read_bytes()


def test_a_weights_file_for_other_features_is_refused() -> None:
    good = {
        "format": medical_model.FORMAT,
        "word_pattern": WORD_PATTERN,
        "word_ngrams": list(WORD_NGRAMS),
        "char_ngrams": list(CHAR_NGRAMS),
        "intercept": 0.0,
        "threshold": 0.5,
        "word": {"pregnant": 2.0},
        "char": {},
    }
    assert MedicalModel.from_dict(good).probability("pregnant") == pytest.approx(1 / (1 + np.exp(-2.0)))
    with pytest.raises(ValueError, match="char_ngrams"):
        MedicalModel.from_dict({**good, "char_ngrams": [2, 4]})
    with pytest.raises(ValueError, match="not a frontdesk-medical-guard"):
        MedicalModel.from_dict({**good, "format": "something-else/1"})


def test_threshold_is_the_highest_recall_within_the_false_escalation_limits() -> None:
    salon = np.array([0.1] * 996 + [0.55, 0.65, 0.75, 0.85])  # at most 3 of 1,000 may escalate
    chatter = np.array([0.2] * 99 + [0.62])  # at most 1 of 100 may escalate
    sets = {
        "sgd Services_1": (False, salon),
        "medspa chatter": (False, chatter),
        "health consumer": (True, np.array([0.3, 0.9])),
    }
    assert train_guard.choose_threshold(sets) == 0.56


def test_data_dir_prefers_the_flag_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_DATA_DIR", "/from/env")
    assert train_guard.data_dir(Path("/from/flag")) == Path("/from/flag")
    assert train_guard.data_dir() == Path("/from/env")
    monkeypatch.delenv("FRONTDESK_DATA_DIR")
    assert train_guard.data_dir() == train_guard.REPO_ROOT.parent / "shared" / "data"


def test_medspa_sets_split_into_a_stable_dev_share() -> None:
    texts = [row["text"] for row in train_guard.read_jsonl(DATA / "medspa_chatter.jsonl")]
    dev = [t for t in texts if train_guard.is_dev(t)]
    assert 0.2 < len(dev) / len(texts) < 0.4
    assert dev == [t for t in texts if train_guard.is_dev(t)]
