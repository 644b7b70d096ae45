"""Treatments a client names and takes back in the same text, left out of the words matched to the catalog.

Pure: no I/O. "I wanted a chemical peel saturday but actually can we do a hydrafacial instead" asks
for a HydraFacial; "hydrafacial instead of a peel" too; "is marco in? oh he doesn't do facials nvm,
dermaplaning" asks for dermaplaning only. Each rule reads `shorthand.plain(text)` and says what part
of it no longer names a treatment; the times in the text are read elsewhere and stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TAKEN_BACK", "TakenBack", "without_taken_back"]


@dataclass(frozen=True)
class TakenBack:
    """A way of taking a treatment back: the pattern's `gone` group (or the whole match) is dropped."""

    name: str
    pattern: re.Pattern[str]
    example: str
    expected: str  # the example's words that are left for catalog matching
    needs_new_words: bool = False  # only when what follows still names something (not only a time)


def _rule(
    name: str, pattern: str, example: str, expected: str, *, needs_new_words: bool = False
) -> TakenBack:
    return TakenBack(name, re.compile(pattern), example, expected, needs_new_words)


TAKEN_BACK: tuple[TakenBack, ...] = (
    _rule(
        "actually ... instead",
        r"^(?P<gone>.*?)\b(?:but |oh |wait |hmm |no )?(?:actually|on second thought|scratch that)\b"
        r"(?=.*\b(?:instead|rather)\b)",
        "i wanted a chemical peel saturday but actually can we do a hydrafacial instead",
        " but actually can we do a hydrafacial instead",
        needs_new_words=True,
    ),
    _rule(
        "no, ... instead",
        r"^(?P<gone>.*?)(?:^|[.?!,;]\s*)(?:oh |wait |hmm )?no\b(?=.*\b(?:instead|rather)\b)",
        "can i get botox thurs? no, lip filler instead",
        " ? no, lip filler instead",
        needs_new_words=True,
    ),
    _rule(
        "instead of",
        r"\b(?:instead of|rather than)\s+(?:a |an |the |my |doing )?"
        r"(?P<gone>[a-z]+(?: (?!(?:on|at|for|in|this|next|please|then|and|with)\b)[a-z]+)?)",
        "hydrafacial instead of a chemical peel please",
        "hydrafacial instead of a   please",
    ),
    _rule(
        "someone doesn't do it",
        r"\b(?:he|she|they|you|marco|julia|lilian|sloane|priya) (?:doesn't|does not|don't|do not|can't)"
        r" (?:do|offer|have) (?P<gone>[a-z]+)",
        "is marco in? oh wait he doesn't do facials nvm",
        "is marco in? oh wait he doesn't do   nvm",
    ),
)
# Words that ask or link, never a treatment: what follows "actually" must have another word to
# take a treatment's place ("actually saturday instead" changes the day, not the treatment).
_LINKING = frozenset(
    "a an the can we i do make it that instead rather let's lets go with get just please how about "
    "what maybe "
    "i'd id prefer switch to change for me is ok okay sorry wait um could would you do book try one".split()
)
_WORD = re.compile(r"[a-z][a-z']*")


def _names_something(text: str, time_words: frozenset[str]) -> bool:
    return any(w not in _LINKING and w not in time_words for w in _WORD.findall(text))


def without_taken_back(flat: str, time_words: frozenset[str] = frozenset()) -> str:
    """The plain text without the treatments it takes back; `time_words` never name one."""
    for rule in TAKEN_BACK:
        m = rule.pattern.search(flat)
        if m is None:
            continue
        start, end = m.span("gone")
        if rule.needs_new_words and not _names_something(flat[m.end() :], time_words):
            continue
        flat = flat[:start] + " " + flat[end:]
    return flat
