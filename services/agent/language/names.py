"""The client's own first name, from the ways people introduce themselves or sign a text.

Pure: no I/O. A name comes from an introduction ("I'm Sarah", "my name is jess", "soy Lucía",
"Priyanka here") or a signature ("... - Jess", "x Leah", "thx! -Sam"). It is never a word that is
a treatment, a day, a month or an everyday word ("I'm interested", "it's my first time", "this is
botox right?"), never a third party ("This is Ava's husband"), and a provider's name only where
nothing else can be meant ("it's Julia I want" asks for the provider Julia).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from shared.text import normalise, strip_accents

from .phrases import Rule, matches
from .providers import one_edit_apart
from .shorthand import plain
from .vocabulary import LOGISTICS_WORDS, NOT_NAMES, RELATIONS, TIME_WORDS, TREATMENT_WORDS

__all__ = [
    "NOT_A_NAME_RULES",
    "SOMEONE_ELSE_RULES",
    "WRONG_NUMBER_RULES",
    "NameFound",
    "about_someone_else",
    "find_name",
    "says_wrong_number",
]

_WORD = r"[^\W\d_][^\W\d_'\-]{0,24}"
_NAME = rf"(?P<first>{_WORD})(?:\s+(?P<last>{_WORD}))?"
_CLAUSE_START = r"(?:^\W*|[,.!?;:(]\s*|\b(?:hi|hey|hello|hola|heya|hii+|heyy+)\W+)"
# (label, pattern, strong): a strong introduction needs no capital letter ("my name is jess").
_INTRODUCTIONS: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE), strong)
    for label, pattern, strong in (
        (
            "my name is",
            rf"(?:\b(?:my name is|my name's|my names)"
            rf"|{_CLAUSE_START}(?:name is|name's|the name's|names))\s+{_NAME}",
            True,
        ),
        ("me llamo", rf"\b(?:me llamo|mi nombre es)\s+{_NAME}", True),
        ("soy", rf"(?:^|[,.!¡¿?]\s*|\b(?:hola|buenas|buenos dias|hi|hey)\W+)soy\s+{_NAME}", False),
        ("i'm", rf"\b(?:i am|i'm|im|this is|it's|its|it is|here is|here's|call me)\s+{_NAME}", False),
        ("here", rf"(?:^|[,.!?;:]\s*|\b(?:hi|hey|hello|hola|heya|hii+)\W+){_NAME}\s+here\b", False),
        # The name the booking goes under: "put it under Jen", "under the name Dana", "a nombre de Ana".
        # The person the booking is for names them: "1 - her name is Ella", "se llama Ana".
        (
            "under the name",
            rf"\b(?:under the name(?: of)?|a nombre de|(?:her|his|their) name(?:'s| is)|se llama)\s+{_NAME}",
            True,
        ),
        (
            "put it under",
            r"\b(?:(?:put|book|have|list|make|save)\s+"
            r"(?:it|that|this|me|her|him|them|the (?:appointment|booking))"
            rf"\s+(?:down\s+)?|(?:it's|its|it is|booking is|appointment is) )under\s+{_NAME}",
            False,
        ),
    )
)
_SIGN_OFF = (
    r"(?:-|~|x{1,3}o*|xo+|love|(?:thanks|thank you|thx|ty)(?: so much| again| very much| a lot)?|cheers|best|"
    r"regards|sincerely|atte|saludos|gracias)"
)
# A signature closes the text: "... - Jess", "x Leah", "thx! -Sam", "love, Jess xx".
_SIGNATURE = re.compile(
    rf"(?:^|[\s.!?,;:()])(?P<off>{_SIGN_OFF})\s*[,:]?\s*{_NAME}\s*(?:x+o*|xo+)?$", re.IGNORECASE
)
# A word alone after the last sentence or an emoji: "... soonest you have? Jess", "first one, Jen",
# "1. Alexis", "🙏 Olivia" (not after an initial or a title: "Dr. Norma E. Deato").
_TRAILING_NAME = re.compile(
    r"(?P<sep>[!?,]|(?<=[^\W\d_]{2})(?<![Dd]r)(?<![Ss]t)(?<![Mm]r)(?<![Mm]s)(?<![JjSs]r)\.|(?<=\d)\.|"
    r"[^\x00-\x7f\w\s])"
    r"\s*(?P<first>[^\W\d_][^\W\d_'\-]{1,24})$"
)
# A text that opens with a pick ("1 thx, sam", "first one, Jen"): what trails it is a signature.
_PICK_FIRST = re.compile(
    r"^\W*(?:ok\W+|yes\W+)?(?:#?\d{1,2}\b|(?:the )?(?:first|second|third|last|1st|2nd|3rd)\b)", re.I
)
# A pick and a capitalised word, nothing else: "1 Maria", "#2 Dana", "the first Jen".
_PICK_THEN_NAME = re.compile(
    r"^\W*(?:#?\d{1,2}|(?:the )?(?:first|second|third|last|1st|2nd|3rd)(?: one)?)\s+"
    r"(?P<first>[A-Z][^\W\d_'\-]{1,24})\W*$"
)
# A lowercase name ("it's mia") only counts where an introduction starts a clause, a greeting's
# word for the reader included ("hey girl its steph", "hi ladies, its mia").
_OPENS_CLAUSE = re.compile(
    r"(?:^|[.,!?;:(\-]|\b(?:hi+|hey+|hello|hola|heya|yes|yeah|ok|okay|and|but|oh|sorry|also|btw|again|"
    r"so)(?:\W+(?:girl|girlie|girls|lady|ladies|babe|hun|hon|there|guys|y'?all|all|team|chica|amiga))?)\W*$",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"\s*(?:$|[.,!?;:)\-]|(?:here|and|from|again|y|aqui)\b)", re.IGNORECASE)
# A lowercase name may also run straight into the request ("its steph can i get a facial").
_REQUEST_AFTER = re.compile(
    r"\s+(?:can|could|wanted|want|would|need|looking|wondering|was wondering|do you|are you|r u)\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"^'s?\b", re.IGNORECASE)
_TAIL_NOISE = re.compile(r"[\W_]+$")
# What a phone or mail app appends ("Sent from my iPhone"): after the client's own signature.
_DEVICE_LINE = re.compile(
    r"\W*\b(?:sent from my \w+(?: \w+)?|get outlook for \w+|sent via \w+(?: \w+)?)\W*$", re.IGNORECASE
)

_RELATIONS = "(?:" + "|".join(RELATIONS) + ")"
_RELATIONS_ES = (
    r"(?:mama|madre|papa|padre|hija|hijo|esposa|esposo|novia|novio|hermana|hermano|amiga|amigo|tia|abuela)"
)
SOMEONE_ELSE_RULES: tuple[Rule, ...] = (
    Rule(
        "someone's relative writes",
        rf"\b[a-z]+'s {_RELATIONS}\b",
        ("This is Ava's husband, can you tell me", "im kim's mom"),
        ("it's my first time",),
    ),
    Rule(
        "booking for a relative",
        rf"\b(?:for|booking for|book for|appointment for|asking for|on behalf of|calling for|texting for)\s+"
        rf"(?:my|our|me and my)\s+{_RELATIONS}\b|\bmy {_RELATIONS} (?:wants|would like|needs|is interested|"
        r"is looking|"
        r"come|comes|join|too|also|and i|and me|"
        r"was wondering|asked|has|is|and i)\b",
        ("it's for my mom", "booking for my daughter", "my wife wants botox", "for me and my sister"),
        ("I'm interested", "for my forehead"),
    ),
    Rule(
        "not for me",
        r"\b(?:for someone else|not for me|for a friend|as a gift|gift card for|for (?:him|her) not me)\b",
        ("it's for someone else", "botox for a friend"),
        ("for me please",),
    ),
    Rule(
        "para mi familiar",
        rf"\b(?:para|por) (?:mi|mis) {_RELATIONS_ES}s?\b|\bmi {_RELATIONS_ES} (?:quiere|necesita|quisiera)\b",
        ("es para mi mamá", "mi hija quiere botox"),
        ("para mí", "quiero botox"),
    ),
)


# "Wrong number" is said by someone who is not a client at all (handed to staff, see special_texts).
WRONG_NUMBER_RULES: tuple[Rule, ...] = (
    Rule(
        "wrong number",
        r"(?:^|[.!?,] )\W*(?:(?:sorry|lol|um+|hi|hey)\W+)?(?:(?:you|u) (?:have|got|texted|messaged) |"
        r"(?:you'?ve|u'?ve|you'?re texting|this is) )?(?:the |a )?wrong (?:number|#|person|phone)(?!\w)"
        r"|\bnot (?:the person|who) you(?:'re| are) looking for\b",
        (
            "wrong number",
            "Wrong #",
            "Sorry wrong number",
            "you have the wrong number",
            "This is the wrong number",
            "u got the wrong person lol",
            "I'm not Sarah. Wrong number",
        ),
        ("do I have the right number to book?", "I put the wrong number on my form, can you update it"),
    ),
)

# Whole texts that are never the client's name, however they are capitalised or punctuated.
NOT_A_NAME_RULES: tuple[Rule, ...] = (
    *WRONG_NUMBER_RULES,
    Rule(
        "who is this",
        r"^\W*(?:(?:new (?:phone|number|fone)|sorry|um+|hi|hey)\W+)?"
        r"(?:who(?: is|'?s) (?:this|that|dis)|who (?:dis|this)|who are (?:you|u))\b",
        ("who is this", "Who's this??", "new phone who dis", "Who dis", "who are you"),
        ("this is Dana", "who does lip filler", "who is the injector"),
    ),
    Rule(
        "a keyword",
        r"^\W*(?:stop|stop ?all|unsubscribe|cancel|end|quit|revoke|opt ?out|start|unstop|help|info)"
        r"(?:\W+(?:stop|all|please|now))*\W*$",
        ("Stop.", "STOP ALL", "stop!!", " stop ", "Quit", "HELP?"),
        ("Stopher", "Stacy", "stop by friday?"),
    ),
)


def says_wrong_number(text: str) -> bool:
    """The person texting says this is not their conversation ("wrong number", "u got the wrong person")."""
    return matches(WRONG_NUMBER_RULES, text)


@dataclass(frozen=True)
class NameFound:
    """A client's name and where the introduction or signature sits in the normalised text."""

    name: str
    start: int
    end: int


def about_someone_else(text: str) -> bool:
    """The text is written for or about another person ("This is Ava's husband", "for my mom")."""
    return matches(SOMEONE_ELSE_RULES, text)


def _word_key(word: str) -> str:
    """How a word is compared with provider names and everyday words: case-folded, no accents."""
    return strip_accents(word.casefold())


def _blocked(word: str, extra: Collection[str]) -> bool:
    key = _word_key(word)
    if word.islower() and plain(word) != word:
        return True  # SMS shorthand ("tmrw", "thx"); "Eve" with a capital is still a name
    return not key.isascii() or key in extra or _everyday(key)


@lru_cache(maxsize=4096)
def _everyday(key: str) -> bool:
    """A word that is never a name: too short, everyday, a treatment, or an -ing/-ed/-ly word."""
    if len(key) < 2 or key in NOT_NAMES or key in TREATMENT_WORDS or key in LOGISTICS_WORDS:
        return True
    return len(key) > 5 and key.endswith(("ing", "ed", "ly"))


# Word endings of adjectives that follow "I'm" in lower case ("i'm thankful", "im nervous").
_ADJECTIVE_ENDINGS = ("ful", "ous", "ive", "able", "ible", "less", "ish", "ed", "ing")
_LONG_EVERYDAY = tuple(w for w in NOT_NAMES - TIME_WORDS if len(w) >= 5)


def _everyday_lowercase(word: str) -> bool:
    """A lower-case word that reads as an everyday word or its typo ("perfet", "thankful")."""
    key = _word_key(word)
    if len(key) > 4 and key.endswith(_ADJECTIVE_ENDINGS):
        return True
    return len(key) >= 5 and any(one_edit_apart(key, w) for w in _LONG_EVERYDAY)


def _display(word: str) -> str:
    if word.isupper() and len(word) > 2:
        return word.capitalize()  # "DORA" written in capitals is Dora
    return word[0].upper() + word[1:] if not word[1:].islower() else word.capitalize()


def _name_at(
    m: re.Match[str], flat: str, *, strong: bool, providers: Collection[str], blocked: Collection[str]
) -> str | None:
    """The name an introduction match gives, or None when the word cannot be the client's name."""
    first, rest = m["first"], flat[m.end("first") :]
    if _POSSESSIVE.match(rest) or _blocked(first, blocked):
        return None
    at_boundary = bool(_BOUNDARY.match(rest))
    if _word_key(first) in providers and not (strong or at_boundary):
        return None  # "it's Julia I want": the provider asked for, not the client
    if not (strong or first[0].isupper()):
        ends = at_boundary or bool(_REQUEST_AFTER.match(rest))
        if not (ends and _OPENS_CLAUSE.search(flat[: m.start()])) or _everyday_lowercase(first):
            return None
    last = m["last"]
    if last and (
        _blocked(last, blocked) or not last[0].isupper() or _POSSESSIVE.match(flat[m.end("last") :])
    ):
        last = None
    return f"{_display(first)} {_display(last)}" if last else _display(first)


def _introduced(flat: str, providers: Collection[str], blocked: Collection[str]) -> NameFound | None:
    for _label, pattern, strong in _INTRODUCTIONS:
        for m in pattern.finditer(flat):
            name = _name_at(m, flat, strong=strong, providers=providers, blocked=blocked)
            if name:
                return NameFound(name, m.start(), m.end())
    return None


def _signed(flat: str, providers: Collection[str], blocked: Collection[str]) -> NameFound | None:
    body = _TAIL_NOISE.sub("", _DEVICE_LINE.sub("", flat))
    m = _SIGNATURE.search(body)
    if m and not _blocked(m["first"], blocked) and _word_key(m["first"]) not in providers:
        lowercase_ok = m["off"] in ("-", "~") or m["first"][0].isupper()
        if lowercase_ok:
            last = (
                m["last"]
                if m["last"] and m["last"][0].isupper() and not _blocked(m["last"], blocked)
                else None
            )
            name = _display(m["first"]) + (f" {_display(last)}" if last else "")
            return NameFound(name, m.start("off"), len(body))
    t = _TRAILING_NAME.search(body) or _PICK_THEN_NAME.match(body)
    if t is None or _blocked(t["first"], blocked) or _word_key(t["first"]) in providers:
        return None
    first, short = t["first"], len(body.split()) <= 6
    if first.isupper() and not body.isupper():
        return None  # "..., MD, FACOG": letters after a name, not a name
    if t.re is _TRAILING_NAME and t["sep"] == "," and not short:
        return None  # "a salon in San Fran, California": a place
    # Lower case only after a pick ("1 thx, sam"), where nothing else can follow the choice.
    if first[0].isupper() or (_PICK_FIRST.match(body) and not _everyday_lowercase(first)):
        return NameFound(_display(first), t.start("first"), len(body))
    return None


def _bare(flat: str, blocked: Collection[str]) -> NameFound | None:
    """A name given on its own after the agent asked for it ("sarah", "Dana Lee", "Mike, need a facial")."""
    head = re.split(r"[,.!;\n]| and | y | - ", flat, maxsplit=1)[0].strip()
    words = head.split()
    if not 1 <= len(words) <= 3 or not all(re.fullmatch(_WORD, w) for w in words):
        return None
    if any(_blocked(w, blocked) for w in words):  # "whichever is soonest": no word of it is a name
        return None
    return NameFound(" ".join(_display(w) for w in words[:2]), 0, len(head))


@lru_cache(maxsize=64)
def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_word_key(w) for w in words)


def find_name(
    text: str,
    *,
    asked: bool = False,
    providers: Collection[str] = (),
    service_words: Collection[str] = (),
) -> NameFound | None:
    """The client's own name in the text, if they gave it; `providers` are provider first names."""
    if matches(NOT_A_NAME_RULES, text):
        return None
    flat = normalise(text)
    provider_keys = _keys(tuple(providers))
    blocked = _keys(tuple(service_words))
    found = _introduced(flat, provider_keys, blocked) or _signed(flat, provider_keys, blocked)
    if found is None and asked:
        found = _bare(flat, blocked)
    return found
