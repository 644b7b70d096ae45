"""Spanish time phrases put into the English the time parser reads ("el sábado por la mañana" →
"saturday in the morning").

Pure: no I/O. Rows are applied in order to `shorthand.plain` text (no accents); each holds an
example and what it becomes, checked by the unit tests. Only texts with a Spanish time word are
touched, so English texts parse exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SPANISH_TIME", "SpanishTime", "to_english"]


@dataclass(frozen=True)
class SpanishTime:
    """One Spanish time phrase and the English the parser understands."""

    pattern: str
    english: str
    example: str
    expected: str


_DAYS = {
    "lunes": "monday", "martes": "tuesday", "miercoles": "wednesday", "jueves": "thursday",
    "viernes": "friday", "sabado": "saturday", "domingo": "sunday",
}  # fmt: skip
_MONTHS = {
    "enero": "january", "febrero": "february", "marzo": "march", "abril": "april", "mayo": "may",
    "junio": "june", "julio": "july", "agosto": "august", "septiembre": "september", "setiembre": "september",
    "octubre": "october", "noviembre": "november", "diciembre": "december",
}  # fmt: skip
# Hours written as words after "la"/"las": "a las dos y media" is "a las 2 y media".
_HOURS = {
    "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12,
}  # fmt: skip
_DAY = "(" + "|".join(_DAYS.values()) + ")"
_MONTH = "(" + "|".join(set(_MONTHS.values())) + ")"
_CLOCK_AHEAD = r"(?=\d|quarter|half)"

# Day and month names first, so the phrase rows below read English names.
_NAMES = tuple(SpanishTime(rf"\b{es}\b", en, es, en) for es, en in (_DAYS | _MONTHS).items())
_HOUR_WORDS = tuple(
    SpanishTime(rf"\b(las?) {es}\b", rf"\1 {n}", f"a las {es} y media", f"at {n}:30")
    for es, n in _HOURS.items()
)
_NTH_WEEKS = tuple(
    SpanishTime(
        rf"\b(?:la )?{es} semana de(?= {_MONTH})",
        f"{en} week of",
        f"la {es} semana de enero",
        f"{en} week of january",
    )
    for es, en in (("primera", "first"), ("segunda", "second"), ("tercera", "third"), ("ultima", "last"))
)
SPANISH_TIME: tuple[SpanishTime, ...] = (
    *_NAMES,
    SpanishTime(r"\bpasado manana\b", "day after tomorrow", "pasado mañana", "day after tomorrow"),
    SpanishTime(r"\besta manana\b", "this morning", "esta mañana", "this morning"),
    SpanishTime(r"\besta tarde\b", "this afternoon", "esta tarde", "this afternoon"),
    SpanishTime(r"\besta noche\b", "tonight", "esta noche", "tonight"),
    SpanishTime(
        r"\b(?:por|en|de|a) la manana\b",
        "in the morning",
        "el sábado por la mañana",
        "saturday in the morning",
    ),
    SpanishTime(
        r"\b(?:por|en|de|a) la tarde\b", "in the afternoon", "mañana en la tarde", "tomorrow in the afternoon"
    ),
    SpanishTime(
        r"\b(?:por|en|de|a) la noche\b", "in the evening", "el jueves en la noche", "thursday in the evening"
    ),
    SpanishTime(r"\ba primera hora\b", "first thing", "a primera hora", "first thing"),
    SpanishTime(r"\bmas tarde\b", "later", "más tarde", "later"),
    SpanishTime(
        r"\b(?:despues del|saliendo del|"
        r"al salir del) trabajo\b",
        "after work",
        "después del trabajo",
        "after work",
    ),
    SpanishTime(r"\btarde\b", "afternoon", "viernes tarde", "friday afternoon"),
    SpanishTime(r"\bnoche\b", "evening", "lunes noche", "monday evening"),
    SpanishTime(r"\bmanana\b", "tomorrow", "mañana", "tomorrow"),
    SpanishTime(r"\bhoy\b", "today", "hoy", "today"),
    SpanishTime(r"\bal mediodia\b", "at noon", "al mediodía", "at noon"),
    SpanishTime(r"\bmediodia\b", "noon", "mediodía", "noon"),
    SpanishTime(r"\blos " + _DAY + r"\b", r"\1s", "los lunes", "mondays"),
    SpanishTime(r"\b(?:el|este) proximo " + _DAY + r"\b", r"next \1", "el próximo lunes", "next monday"),
    SpanishTime(
        r"\b(?:el |este )?" + _DAY + r" (?:proximo|que viene)\b",
        r"next \1",
        "el lunes que viene",
        "next monday",
    ),
    SpanishTime(r"\b(?:el|este) " + _DAY + r"\b", r"\1", "el lunes a las 3", "monday at 3"),
    *_HOUR_WORDS,
    SpanishTime(r"\b(\d{1,2}) y media\b", r"\1:30", "a las 4 y media", "at 4:30"),
    SpanishTime(r"\b(\d{1,2}) y cuarto\b", r"\1:15", "a las 4 y cuarto", "at 4:15"),
    SpanishTime(r"\b(\d{1,2}) menos cuarto\b", r"quarter to \1", "a las 5 menos cuarto", "at quarter to 5"),
    SpanishTime(r"\bdespues de las? " + _CLOCK_AHEAD, "after ", "después de las 5", "after 5"),
    SpanishTime(r"\bantes de las? " + _CLOCK_AHEAD, "before ", "antes de las 2", "before 2"),
    SpanishTime(
        r"\bentre las? (\d{1,2}(?::\d{2})?) y las? (?=\d)",
        r"between \1 and ",
        "entre las 2 y las 4",
        "between 2 and 4",
    ),
    SpanishTime(
        r"\b(?:a eso de|como a|tipo|sobre) las? " + _CLOCK_AHEAD, "around ", "como a las 3", "around 3"
    ),
    SpanishTime(r"\ba las? " + _CLOCK_AHEAD, "at ", "a las 3", "at 3"),
    SpanishTime(r"\b(?:el )?(\d{1,2}) de " + _MONTH + r"\b", r"\2 \1", "el 12 de marzo", "march 12"),
    # "el 15": the day of the month ("el 2" may pick option 2, so only from the 6th on, or "del mes").
    SpanishTime(
        r"\bel ((?:[6-9]|[12]\d|3[01])|\d{1,2}(?= de este mes| del mes))\b(?!:|\s*(?:am|pm|hrs?|horas)\b)",
        r"the \1th",
        "el 15 en la mañana",
        "the 15th in the morning",
    ),
    SpanishTime(
        r"\b(?:a |para )?(?:(?:el )?fin|finales|fines) (?:de|del) mes\b",
        "end of the month",
        "para fin de mes",
        "end of the month",
    ),
    # Parts of a named month: "la primera semana de enero", "a mediados de enero", "en enero".
    *_NTH_WEEKS,
    SpanishTime(rf"\b(?:a )?principios de(?= {_MONTH})", "early", "a principios de enero", "early january"),
    SpanishTime(rf"\b(?:a )?mediados de(?= {_MONTH})", "mid", "a mediados de enero", "mid january"),
    SpanishTime(rf"\b(?:a )?finales de(?= {_MONTH})", "end of", "a finales de enero", "end of january"),
    SpanishTime(rf"\ben(?= {_MONTH}\b(?! \d))", "in", "en enero", "in january"),
    SpanishTime(r"\b(?:esta|este) semana\b", "this week", "esta semana", "this week"),
    SpanishTime(
        r"\b(?:la )?(?:proxima semana|semana (?:que viene|proxima|entrante))\b",
        "next week",
        "la semana que viene",
        "next week",
    ),
    SpanishTime(
        r"\b(?:el )?(?:proximo|otro) fin de semana\b",
        "next weekend",
        "el próximo fin de semana",
        "next weekend",
    ),
    SpanishTime(r"\b(?:este |el )?fin de semana\b", "this weekend", "este fin de semana", "this weekend"),
    SpanishTime(
        r"\blo (?:antes|mas pronto) posible\b|\bcuanto antes\b|\blo mas pronto\b"
        r"|\bla primera cita disponible\b",
        "asap",
        "lo antes posible",
        "asap",
    ),
)

# A text without one of these words has no Spanish time phrase (checked before any regex runs).
_HINT_WORDS = frozenset(
    """
    manana hoy tarde noche trabajo semana mes el mediodia hora la las despues antes posible lunes martes
    miercoles jueves
    viernes sabado domingo enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre
    noviembre diciembre
    """.split()
)
_WORD = re.compile(r"[a-z]+")
_COMPILED = tuple((re.compile(row.pattern), row.english) for row in SPANISH_TIME)


def to_english(text: str) -> str:
    """The text with its Spanish time phrases in English; unchanged when it has none."""
    if _HINT_WORDS.isdisjoint(_WORD.findall(text)):
        return text
    for pattern, english in _COMPILED:
        text = pattern.sub(english, text)
    return text
