"""One normaliser for what clients type: every language rule reads text through it.

Phones insert "smart punctuation" (’ “ ” – —), keyboards in other languages send full-width
characters, and copy-paste brings zero-width spaces. A rule written with a plain apostrophe must
match "can’t" exactly as it matches "can't", so the guard, the intents, the time parser and the
service matcher all call `normalise` (shape only, case kept) or `for_matching` (also case-folded,
optionally without accents) instead of cleaning text their own way.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["for_matching", "normalise", "strip_accents"]

# Characters NFKC leaves alone but that mean a plain ASCII mark to a reader.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2032": "'",  # ′
        "\u00b4": "'",  # ´
        "\u0060": "'",  # `
        "\u02bc": "'",  # ʼ
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2033": '"',  # ″
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2010": "-",  # ‐
        "\u2011": "-",  # ‑
        "\u2012": "-",  # ‒
        "\u2013": "-",  # –
        "\u2014": "-",  # —
        "\u2015": "-",  # ―
        "\u2212": "-",  # −
        "\u2026": "...",  # …
        "\u00a0": " ",  # no-break space
        "\u2007": " ",
        "\u202f": " ",
    }
)
# Invisible characters that split words for a regex but not for a reader.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# "!!!" → "!", "???" → "?", "?!?!" → "?", "...." → "..."; commas and dashes likewise.
_REPEATED = (
    (re.compile(r"[?!]*\?[?!]*"), "?"),
    (re.compile(r"!{2,}"), "!"),
    (re.compile(r"\.{3,}"), "..."),
    (re.compile(r",{2,}"), ","),
    (re.compile(r"-{2,}"), "-"),
)
# Only a run of marks is changed by `_REPEATED` (a single "?" or "..." is left as it is).
_HAS_REPEATS = re.compile(r"[?!][?!]|\.{4,}|,,|--")


@functools.lru_cache(maxsize=512)
def normalise(text: str) -> str:
    """The text in one canonical shape: NFKC, plain quotes and dashes, no invisible characters,
    repeated punctuation collapsed, whitespace collapsed and trimmed. Case and accents are kept.

    Every detector reads the same text through this, so the last few hundred are remembered; plain
    ASCII (most texts) skips the Unicode steps, which change nothing in it but the backquote."""
    if not text:
        return ""
    if text.isascii():
        out = text.replace("`", "'") if "`" in text else text
    else:
        out = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).translate(_PUNCTUATION))
    if _HAS_REPEATS.search(out):
        for pattern, replacement in _REPEATED:
            out = pattern.sub(replacement, out)
    return " ".join(out.split())


def strip_accents(text: str) -> str:
    """'sábado' → 'sabado', 'Lucía' → 'Lucia'; ñ becomes n as well (matching only, never for display)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def for_matching(text: str, *, accents: bool = True) -> str:
    """`normalise`d and case-folded; with accents=False also without diacritics."""
    out = normalise(text).casefold()
    return out if accents else strip_accents(out)
