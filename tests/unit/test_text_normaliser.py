"""One normaliser for client text: its own behaviour, and the property every language rule relies on.

The property: phones and keyboards change a text's shape without changing what it says (curly
quotes, dashes, zero-width and full-width characters, "!!!"). For a fixed corpus and each such
variant, the guard, the intent detectors and the time parser give the same answer for the variant
as for the plain text. Variants are generated deterministically (no random input): a failure names
the text and the variant, and reruns the same way.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.agent.language import intents
from services.agent.language.guard import check_inbound
from services.agent.language.guard_rules import RULES
from services.agent.language.timeparse import parse_preference
from shared.text import for_matching, normalise, strip_accents

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)  # a Friday, 10am in Los Angeles
TZ = "America/Los_Angeles"
LABELS = ["Monday 1:30pm with Julia", "Tuesday 2pm with Lilian", "Friday 2:15pm with Sloane"]

# ----- unit tests of shared/text.py -----


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I can\u2019t make it", "I can't make it"),
        ("\u2018quoted\u2019 and \u201cdouble\u201d", "'quoted' and \"double\""),
        ("2\u20133pm \u2014 or later", "2-3pm - or later"),
        ("no\u00a0break\u202fspaces", "no break spaces"),
        ("zero\u200bwidth\u200d join\ufeff", "zerowidth join"),
        ("\uff28\uff49 \uff13\uff50\uff4d", "Hi 3pm"),
        ("really?!?!  yes!!!  wait....", "really? yes! wait..."),
        ("well\u2026 ok", "well... ok"),
        ("  spaced \n\t out  ", "spaced out"),
        ("Caf\u00e9 L\u00facia", "Caf\u00e9 L\u00facia"),
        ("", ""),
    ],
)
def test_normalise_gives_one_canonical_shape(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_for_matching_case_folds_and_can_drop_accents() -> None:
    assert for_matching("I CAN\u2019T Make It") == "i can't make it"
    assert for_matching("Stra\u00dfe") == "strasse"
    assert for_matching("S\u00e1bado con Luc\u00eda") == "s\u00e1bado con luc\u00eda"
    assert for_matching("S\u00e1bado con Luc\u00eda", accents=False) == "sabado con lucia"


def test_strip_accents_keeps_letters_and_drops_marks() -> None:
    assert strip_accents("se\u00f1ora Luc\u00eda, \u00bfma\u00f1ana?") == "senora Lucia, \u00bfmanana?"
    assert strip_accents("plain") == "plain"


# ----- the property -----


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _zero_width(text: str) -> str:
    # inside words (after every second letter) and around the text
    out = [c + "\u200b" if c.isalpha() and i % 2 else c for i, c in enumerate(text)]
    return "\ufeff" + "".join(out) + "\u200d"


def _curly_double(text: str) -> str:
    out, opening = [], True
    for c in text:
        if c == '"':
            c, opening = ("\u201c" if opening else "\u201d"), not opening
        out.append(c)
    return "".join(out)


VARIANTS: dict[str, Callable[[str], str]] = {
    "curly apostrophe": lambda t: t.replace("'", "\u2019"),
    "curly double quotes": _curly_double,
    "en dash": lambda t: t.replace("-", "\u2013"),
    "em dash": lambda t: t.replace("-", "\u2014"),
    "zero-width characters": _zero_width,
    "full-width characters": _fullwidth,
    "repeated punctuation": lambda t: t.replace("!", "!!!").replace("?", "???").replace("...", "\u2026"),
    "no-break spaces": lambda t: t.replace(" ", "\u00a0"),
}

_INTENT_TEXTS = [
    "yes please!",
    "yep that's fine",
    "no thanks",
    "nope, none of those work - anything else?",
    "hi! i'm Sarah",
    "Sarah here",
    "it's Maria \u2013 I came in last month",
    "that's too expensive",
    "can't afford it right now",
    "the second one",
    "option 2 please",
    "tuesday 2pm with lilian",
    "can't do Monday - maybe Wednesday at 3:30?",
    "tomorrow at 4 pm",
    "next Tuesday around 2 o'clock",
    '"anytime" after 5 works',
    'I\'d like Botox - "baby Botox" - on Friday',
    'is "baby botox" safe while pregnant?',
    'my "doctor" said I should ask you first',
    'she told me "just text the spa" so: can someone call me?',
    '"cancel" my appointment for tomorrow please',
    'the "glow" facial next Friday at 10?',
]


def _corpus() -> list[str]:
    texts = [t for rule in RULES for t in (*rule.examples, *rule.counter_examples)]
    for name in ("medspa_chatter.jsonl", "medspa_medical.jsonl"):
        path = DATA / name
        with path.open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    texts.extend(_INTENT_TEXTS)
    return sorted(set(texts))


CORPUS = _corpus()

DETECTORS: dict[str, Callable[[str], object]] = {
    "guard": check_inbound,
    "is_greeting": intents.is_greeting,
    "is_affirmative": intents.is_affirmative,
    "is_negative": intents.is_negative,
    "is_price_objection": intents.is_price_objection,
    "is_rejection": intents.is_rejection,
    "parse_choice": lambda t: intents.parse_choice(t, len(LABELS), LABELS),
    "extract_name": lambda t: intents.extract_name(t),
    "extract_name(asked)": lambda t: intents.extract_name(t, asked=True),
    "parse_preference": lambda t: parse_preference(t, NOW, TZ),
}


@functools.cache
def _plain_verdicts(detector: str) -> dict[str, object]:
    decide = DETECTORS[detector]
    return {text: decide(text) for text in CORPUS}


def test_the_corpus_exercises_every_variant() -> None:
    assert len(CORPUS) > 500
    for name, variant in VARIANTS.items():
        changed = sum(variant(t) != t for t in CORPUS)
        assert changed >= 5, f"{name} changes only {changed} texts: the property would prove little"


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("detector", DETECTORS)
def test_a_variant_in_smart_punctuation_gets_the_same_verdict(detector: str, variant: str) -> None:
    decide, reshape, plain = DETECTORS[detector], VARIANTS[variant], _plain_verdicts(detector)
    differing = []
    for text in CORPUS:
        shaped = reshape(text)
        if shaped != text and decide(shaped) != plain[text]:
            differing.append((text, plain[text], decide(shaped)))
    assert not differing, f"{len(differing)} texts change {detector} under {variant}: {differing[:3]}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_normalise_undoes_each_variant(variant: str) -> None:
    reshape = VARIANTS[variant]
    for text in CORPUS:
        assert for_matching(reshape(text)) == for_matching(text), (variant, text)
