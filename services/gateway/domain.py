"""Pure gateway rules: keywords and opt-outs, segment counting, the spa's day, retry classification."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from services.gateway.optout_phrases import Language, opt_out_rule
from shared.contracts.sms import Keyword
from shared.text import normalise

# The carrier keywords (one word, any case). Carriers and Twilio act on exactly these.
OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})

# Twilio error codes that no retry will fix.
OPTED_OUT_CODE = 21610
PERMANENT_CODES = frozenset({21211, 21212, 21408, 21602, 21604, 21606, 21610, 21612, 21614, 21617, 30006})


@dataclass(frozen=True)
class Reading:
    """What a text means to the gateway before any agent sees it.

    `keyword` is what SmsReceived carries (the agent stays quiet on a keyword text); `rule` names
    why ("carrier:STOP", "phrase:stop_texting"), for logs and tests; `carrier` is an exact carrier
    keyword (the carrier itself acts on those); `opt_in_word` is START/YES/UNSTOP, which opts in
    only a number that had opted out; `cancel` is a bare CANCEL (an opt-out that may have meant an
    appointment).
    """

    keyword: Keyword | None
    rule: str | None = None
    language: Language = "en"
    carrier: bool = False
    opt_in_word: bool = False
    cancel: bool = False


def carrier_word(body: str) -> str:
    """The text as a carrier compares it with its keywords: trimmed, upper case ("" past keyword length)."""
    word = body.strip()
    return normalise(word).upper() if len(word) <= _LONGEST_KEYWORD else ""


# Full-width "ＳＴＯＰ" is as long as STOP: nothing longer than the longest keyword can be one.
_LONGEST_KEYWORD = max(len(word) for word in OPT_OUT | OPT_IN | HELP)


_SPACING_AND_PUNCTUATION = re.compile(r"[\W_]+")


def keyword_variant(body: str) -> str:
    """The text as one keyword with its spaces and punctuation dropped: "Cancel!", "S T O P" and
    "stop all" are CANCEL, STOP and STOPALL ("" when longer than any keyword)."""
    word = _SPACING_AND_PUNCTUATION.sub("", normalise(body)).upper()
    return word if len(word) <= _LONGEST_KEYWORD else ""


def _keyword_reading(word: str, source: str) -> Reading | None:
    """The keyword `word` is; `source` is "carrier" (exactly what carriers act on) or "variant".

    "Cancel." is no variant: a client writing it likely means a booking, which the agent hands to
    staff (docs/gateway.md); only a bare CANCEL is the carrier's opt-out.
    """
    carrier = source == "carrier"
    if word == "CANCEL" and not carrier:
        return None
    if word in OPT_OUT:
        return Reading("stop", f"{source}:{word}", carrier=carrier, cancel=word == "CANCEL")
    if word in OPT_IN:
        return Reading(None, f"{source}:{word}", carrier=carrier, opt_in_word=True)
    if word in HELP:
        return Reading("help", f"{source}:{word}", carrier=carrier)
    return None


def read_text(body: str) -> Reading:
    """Keyword, opt-out phrase, or an ordinary text; opt-in words still need the number's state.

    A keyword with punctuation or spaces ("Stop.", "HELP?", "S T O P") is the same keyword, but not
    one the carrier acts on: the gateway answers it itself.
    """
    reading = _keyword_reading(carrier_word(body), "carrier") or _keyword_reading(
        keyword_variant(body), "variant"
    )
    if reading is not None:
        return reading
    rule = opt_out_rule(body)
    if rule is not None:
        return Reading("stop", f"phrase:{rule.name}", language=rule.language)
    return Reading(None)


def opt_in_counts(word: str, opted_out: bool | None) -> bool:
    """Whether START/UNSTOP/YES opts in: only for a number that opted out.

    With the state unknown (database away), START and UNSTOP still opt in (recording "opted in"
    for a number that never left is harmless), while YES stays an ordinary answer to a question.
    """
    if opted_out is None:
        return word != "YES"
    return opted_out


def keyword_of(body: str, opted_out: bool | None = False) -> Keyword | None:
    """The keyword a text is, given whether its number is opted out (None: unknown).

    "cancel" alone opts out by carrier rules; "I need to cancel my appointment" is a sentence;
    "stop texting me" opts out by meaning; "yes" is a keyword only for a number that opted out.
    """
    reading = read_text(body)
    if reading.opt_in_word:
        return "start" if opt_in_counts(keyword_variant(body), opted_out) else None
    return reading.keyword


# GSM 03.38 basic character set and its extension table (two septets each).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class Segments:
    """How a text travels: its encoding, its length in that encoding's units, and its segments."""

    encoding: Encoding
    units: int
    count: int


def count_segments(body: str) -> Segments:
    """GSM-7 when every character is in the GSM alphabet, else UCS-2 (UTF-16 code units).

    Single texts hold 160 septets or 70 UCS-2 units; concatenated ones lose a header per segment
    (153 and 67). An extension character is two septets and is not split across segments.
    """
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        if sum(2 if ch in _GSM_EXTENDED else 1 for ch in body) <= 160:
            return Segments("GSM-7", sum(2 if ch in _GSM_EXTENDED else 1 for ch in body), 1)
        count, used = 1, 0
        for ch in body:
            size = 2 if ch in _GSM_EXTENDED else 1
            if used + size > 153:
                count, used = count + 1, 0
            used += size
        return Segments("GSM-7", sum(2 if ch in _GSM_EXTENDED else 1 for ch in body), count)
    units = len(body.encode("utf-16-le")) // 2
    if units <= 70:
        return Segments("UCS-2", units, 1)
    # A surrogate pair (emoji) is not split across segments either.
    count, used = 1, 0
    for ch in body:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > 67:
            count, used = count + 1, 0
        used += size
    return Segments("UCS-2", units, max(count, math.ceil(units / 67)))


def spa_day(now: datetime, tz: ZoneInfo) -> date:
    """The spa's calendar day at `now`: the daily send cap counts in the spa's own time zone."""
    return now.astimezone(tz).date()


def is_retryable(status: int | None, code: int | None) -> bool:
    """429 and 5xx (or no answer at all) are worth another try; a permanent error code never is."""
    if code is not None and code in PERMANENT_CODES:
        return False
    return status is None or status == 429 or status >= 500


def backoff(attempt: int, base: float, cap: float = 8.0) -> float:
    """Delay before retry number `attempt` (1-based): base, 2·base, 4·base ... capped."""
    return min(cap, base * (2 ** (attempt - 1)))


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
