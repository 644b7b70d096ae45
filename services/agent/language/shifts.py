"""A new constraint on the options already offered: none of them, later, earlier, another day, the
week after or another provider.

Pure: no I/O. "none of those work, do you have anything later in the day?" is a rejection and a
shift later; "none of these work, what about wednesday?" is a rejection whose new day the time
parser reads; "not lilian" asks for another provider.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import Literal

from .phrases import Rule, first_rule, matches
from .shorthand import plain

__all__ = ["REJECT_RULES", "SHIFT_RULES", "Shift", "find_shift", "is_rejection"]

Shift = Literal["later", "earlier", "another_day", "week_later", "other_provider"]

REJECT_RULES: tuple[Rule, ...] = (
    Rule(
        "none of them",
        r"\b(?:none of (?:them|those|these|the above|that|this)|neither(?: of (?:them|those"
        r"|these))?\b(?! (?:do|does) i)"
        r"|nothing (?:works|there works|of those)|not (?:those|these|any of (?:those|these|them)))\b",
        ("none of those work", "neither", "none of these work, what about wednesday?", "nope none of them"),
        ("the second one", "neither do i know"),
    ),
    Rule(
        "they don't work",
        r"\b(?:those|these|they|them|that|both|all|either)\s+(?:times?\s+|days?\s+|options?\s+)?(?:don't"
        r"|do not|won't|doesn't|"
        r"does not|will not|dont|wont|are not|aren't|is not|isn't)\s+(?:really\s+)?(?:work|good|possible"
        r"|great|ideal)\b"
        r"|\b(?:can't|cannot|can not|couldn't) (?:do|make|come (?:to|at|on)?)\s*(?:any of )?(?:those|these"
        r"|them|either|that|any|it then)\b"
        r"|\bno good\b|\bbusy (?:then|at those)\b",
        (
            "those don't work",
            "I can't make any of those",
            "both times don't work for me",
            "that doesn't work",
        ),
        ("that works", "can you do friday"),
    ),
    Rule(
        "other options",
        r"\b(?:other|any other|more|different|else) (?:options|times|slots|openings|choices)\b"
        r"|\banything else\b(?! i\b)|\b(?:any|some) others\b|\bmore (?:names|options|choices)\b",
        ("any other options?", "got anything else?", "more times?"),
        ("is there anything else i should know",),
    ),
    Rule(
        "ninguna",
        r"\b(?:ninguna|ninguno|ningun)\b|\bno me (?:sirve|sirven|funciona|funcionan|queda|quedan)\b"
        r"|\bno puedo (?:a esa|esos|esas|ese)",
        ("ninguna me sirve", "no me sirven esos horarios"),
        ("la primera",),
    ),
)

SHIFT_RULES: tuple[tuple[Shift, Rule], ...] = (
    # First: "a week later" says later, but about the week.
    (
        "week_later",
        Rule(
            "a week later",
            r"\b(?:the )?week after(?: that| those| this)?\b(?! (?:my|the|your|her|his|next)\b)"
            r"|\b(?:the )?following week\b|\ba week later\b|\bsame (?:day|time|day and time) (?:the )?"
            r"(?:week after|following week|a week later|next week)\b|\bla semana siguiente\b"
            r"|\bla otra semana\b|\bmisma hora la (?:proxima|otra) semana\b",
            (
                "what about the week after?",
                "the following week?",
                "same time a week later",
                "la semana siguiente?",
                "hmm actually same time next week works better",
            ),
            ("the week after my wedding", "next week", "this week", "the week after next"),
        ),
    ),
    (
        "later",
        Rule(
            "later",
            r"\blater\b|\b(?:too|a bit|a little|kinda|bit|way too|pretty) early\b"
            r"|\b(?:anything|something|any time|slot|one|time|appointment)s? after (?:that|those|then)\b"
            r"|\bmas tarde\b|\bdespues\b(?! de)",
            (
                "anything later in the day?",
                "later",
                "something later pls",
                "do you have anything after that?",
                "mas tarde?",
            ),
            ("talk to you later", "see you later!", "I'll let you know later", "anything earlier?"),
        ),
    ),
    (
        "earlier",
        Rule(
            "earlier",
            r"\b(?:earlier|sooner|before that|before then|mas temprano)\b|\bantes\b(?! de)"
            r"|\b(?:too|a bit|a little|kinda|bit|way too|pretty) late\b",
            ("anything earlier?", "something sooner?", "mas temprano"),
            ("anything later?", "I was there before"),
        ),
    ),
    (
        "another_day",
        Rule(
            "another day",
            r"\b(?:other|another|different|else|next|any other|a different|some other|new|diff) (?:days?"
            r"|dates?)\b"
            r"|\bnot (?:that|this|on that|on this) day\b|\b(?:that|this) day (?:doesn't|does not|won't"
            r"|isn't|is not)\b"
            r"|\botro dia\b|\botros dias\b|\bdiferente dia\b",
            ("other days?", "different day please", "any other day this week?", "otro día?"),
            ("the other one", "day after tomorrow"),
        ),
    ),
    (
        "other_provider",
        Rule(
            "someone else",
            r"\b(?:someone|somebody|anyone|anybody) else\b|\b(?:other|another|different|else"
            r"|diff) (?:provider|injector|"
            r"nurse|esthetician|person|lady|girl|guy|staff|one of you)s?\b|\botra persona\b"
            r"|\botro (?:proveedor|especialista)\b",
            (
                "someone else?",
                "a different injector please",
                "is there another provider",
                "anyone else available",
            ),
            ("anything else?", "for my mom"),
        ),
    ),
)
# "later" that only says goodbye or puts a decision off ("talk to you later", "I'll let you know later").
_LATER_ASIDE = re.compile(
    r"\b(?:talk|see|text|chat|speak|catch|call|get back to|let|tell|message|hit)\s+(?:to\s+)?(?:you|ya|u"
    r"|me)?\s*"
    r"(?:know\s+)?later\b|\b(?:decide|confirm|check|book|figure it out|think about it)\s+later\b"
    r"|\b(?:maybe|probably|perhaps|possibly)\s+(?:at a\s+|some\s+)?later\b|^\W*later on\b"
)
# "the later one", "the earliest": a pick among the options, not a new constraint.
_PICK_WORDING = re.compile(
    r"\b(?:the )?(?:earlier|later|earliest|latest) (?:one|option|slot|time)\b|\bthe (?:earlier|later|"
    r"earliest|latest)\b"
)
_NOT_PROVIDER = (
    r"\b(?:not|no|anyone but|anybody but|someone other than|except|without|sin|no con|not with)\s+"
    r"(?:with\s+)?{p}\b"
)


@lru_cache(maxsize=64)
def _not_provider(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    return re.compile(_NOT_PROVIDER.replace("{p}", alternation))


def is_rejection(text: str, *, already_plain: bool = False) -> bool:
    """The client turns down every option offered ("none of those work", "anything else?")."""
    return matches(REJECT_RULES, text, already_plain=already_plain)


def find_shift(text: str, providers: Collection[str] = (), *, already_plain: bool = False) -> Shift | None:
    """The new constraint the text puts on the options; `providers` are provider first names."""
    flat = text if already_plain else plain(text)
    names = tuple(p.lower() for p in providers if p)
    if names and _not_provider(names).search(flat):
        return "other_provider"
    flat = _PICK_WORDING.sub(" ", _LATER_ASIDE.sub(" ", flat))
    for shift, rule in SHIFT_RULES:
        if first_rule((rule,), flat, already_plain=True):
            return shift
    return None
