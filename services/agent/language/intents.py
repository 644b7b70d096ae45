"""What a client's text is doing, for the deterministic brain: greetings, names, choices, yes/no.

Pure: no I/O. Each detector is small and conservative; the brain combines them with the state of
the conversation (e.g. a bare "Sarah" is a name only right after the agent asked for one, a bare
"2" a choice only while options are on the table).
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "Intent",
    "detect_intents",
    "extract_name",
    "is_affirmative",
    "is_availability_request",
    "is_goodbye",
    "is_greeting",
    "is_negative",
    "is_price_objection",
    "is_rejection",
    "is_thanks",
    "parse_choice",
]

Intent = Literal[
    "greeting",
    "thanks",
    "goodbye",
    "affirm",
    "negate",
    "price_objection",
    "availability_request",
    "reject_options",
]


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


def _flat(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).strip()


# ----- small talk -----

_GREETING = _rx(
    r"^\W*(?:hi|hii+|hello|hey+|heya|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|"
    r"morning|afternoon|evening|hola|bonjour)\b"
)
_THANKS = _rx(
    r"\b(?:thanks?|thank (?:you|u)|thx|tnx|ty|tysm|appreciate (?:it|you|that)|cheers|much appreciated)\b"
)
_GOODBYE = _rx(
    r"\b(?:bye|goodbye|good bye|bye bye|see (?:you|ya)|cya|ttyl|talk (?:to you )?(?:later|soon)|"
    r"have a (?:good|great|nice) (?:one|day|night|evening|weekend)|good ?night|that'?s (?:all|"
    r"it)(?: for now)?|"
    r"all set|nothing else)\b"
)
_AFFIRM = _rx(
    r"^\W*(?:yes+|yeah|yea|yep|yup|ya|yah|sure|ok|okay|k|kk|okey|alright|all right|absolutely|definitely|"
    r"of course|certainly|correct|right|perfect|great|awesome|sounds (?:good|great|perfect)|that works|works|"
    r"works for me|please do|go ahead|do it|book it|confirm(?:ed)?|y|👍|👌)\b",
    r"^\W*👍",
)
_NEGATE = _rx(
    r"^\W*(?:no+|nope|nah|not really|no thanks|no thank you|negative|n|not now|not yet|don'?t|"
    r"never ?mind|nvm)\b"
)
_REJECT = _rx(
    r"\b(?:none of (?:them|those|these|the above)|neither|nothing (?:works|there works)|(?:those|these|they) "
    r"(?:don'?t|do not|won'?t) work|no good|other (?:times|options|days)|anything else|something else|"
    r"different (?:time|times|day|days))\b"
)


def is_greeting(text: str) -> bool:
    """The text opens with a greeting ("hi", "hello there", "good morning")."""
    return bool(_GREETING.search(_flat(text)))


def is_thanks(text: str) -> bool:
    """The client says thank you."""
    return bool(_THANKS.search(_flat(text)))


def is_goodbye(text: str) -> bool:
    """The client signs off."""
    return bool(_GOODBYE.search(_flat(text)))


def is_affirmative(text: str) -> bool:
    """A yes ("yes", "yep", "sounds good", "👍"); a text that starts with a no is not a yes."""
    flat = _flat(text)
    return bool(_AFFIRM.search(flat)) and not _NEGATE.search(flat)


def is_negative(text: str) -> bool:
    """A no ("no", "nope", "not really", "no thanks")."""
    return bool(_NEGATE.search(_flat(text)))


def is_rejection(text: str) -> bool:
    """The client turns down every option offered ("none of those work", "anything else?")."""
    return bool(_REJECT.search(_flat(text)))


# ----- sales -----

_PRICE_OBJECTION = _rx(
    r"\b(?:(?:too|so|very|really|pretty|kinda|kind of|a bit|a little|bit)\s+(?:expensive|pricey|"
    r"pricy|steep|costly|"
    r"much|high|rich)|expensive|pricey|pricy|overpriced|costly|steep)\b",
    r"\b(?:can'?t|cannot|can not|couldn'?t|unable to|not able to) (?:really )?afford\b",
    r"\b(?:out of|over|above|beyond|not in|outside) (?:my|our|the) budget\b|\bon a budget\b|\btight budget\b",
    r"\b(?:anything|something|any(?:thing)? options?|options?) (?:a bit |a little )?(?:cheaper|"
    r"less expensive|more affordable)\b",
    r"\bcheaper\b|\bless expensive\b|\bmore affordable\b|\blower price\b",
    r"\b(?:that'?s|thats|it'?s|its) (?:a lot|alot)\b|\ba lot of money\b",
    r"\b(?:any|got any) (?:discounts?|deals?|specials?|promos?|coupons?)\b|\bdiscount\b",
)
_AVAILABILITY = _rx(
    r"\bwhat (?:times?|days?|dates?|slots?|openings?|appointments?|availability)\b.{0,40}\b(?:have|"
    r"got|available|open|free|left)\b",
    r"\bwhat (?:times?|days?)\b.{0,20}\b(?:work|works|are there|is there)\b",
    r"\bwhen (?:are you|is (?:she|he|someone|anyone|it)|can i|could i|do you have|are there)\b",
    r"\bwhat'?s (?:available|open|free)\b|\bavailabilit\w*",
    r"\b(?:any|got any|have any|do you have (?:any)?)\s*(?:openings?|availability|slots?|spots?|times?|"
    r"appointments?)\b",
    r"\bdo you have (?:anything|something|any ?thing|room|time|space)\b",
    r"\b(?:earliest|soonest|next) (?:available|opening|slot|appointment)\b",
    r"\bare you (?:open|free|available)\b|\banything (?:open|available|free)\b",
)


def is_price_objection(text: str) -> bool:
    """The client balks at the price ("that's expensive", "too much", "anything cheaper?")."""
    return bool(_PRICE_OBJECTION.search(_flat(text)))


def is_availability_request(text: str) -> bool:
    """The client asks what is open ("what times do you have", "any openings thursday?")."""
    return bool(_AVAILABILITY.search(_flat(text)))


def detect_intents(text: str) -> frozenset[Intent]:
    """Every intent the text shows; one text can greet, thank and ask at once."""
    found: set[Intent] = set()
    checks: tuple[tuple[Intent, object], ...] = (
        ("greeting", is_greeting),
        ("thanks", is_thanks),
        ("goodbye", is_goodbye),
        ("affirm", is_affirmative),
        ("negate", is_negative),
        ("price_objection", is_price_objection),
        ("availability_request", is_availability_request),
        ("reject_options", is_rejection),
    )
    for intent, check in checks:
        if check(text):  # type: ignore[operator]
            found.add(intent)
    return frozenset(found)


# ----- names -----

# Words that follow "I'm" / "this is" but are not names ("I'm interested", "this is great").
_NOT_NAMES = frozenset(
    """
    a an the and or but so just only also very really still not no yes yeah ok okay sure hi hey hello
    here there this that it its me my you your we our they them he she his her i im interested looking
    wondering trying thinking hoping calling texting writing reaching asking going gonna wanting planning
    free available busy open good great fine well ok new back late early sorry glad happy unhappy sad
    tired ready done sure curious confused worried nervous pregnant allergic breastfeeding nursing sick
    ill over under about around after before from in on at to for with of by like please thanks thank
    interested in botox filler fillers facial laser lips lip book booking appointment consult
    consultation monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight morning
    afternoon evening noon week weekend next last first second third one two three four five six seven
    eight nine ten twelve able unable wanting needing due still also currently actually kinda kind sort
    someone somebody anyone client customer patient member new returning existing regular mom dad wife
    husband friend looking seeing trying out in down up off outside inside home away traveling
    """.split()
)
_NAME_WORD = r"[A-Za-z][A-Za-z'\-]{1,24}"
_NAME_INTRO = re.compile(
    rf"\b(?:my name is|my name's|name is|name's|the name is|i am|i'm|im|this is|it's|its|it is|call me)\s+"
    rf"(?P<first>{_NAME_WORD})(?:\s+(?P<last>{_NAME_WORD}))?",
    re.IGNORECASE,
)
_NAME_HERE = re.compile(
    rf"^\W*(?:(?:hi|hey|hello)\W+)?(?P<first>{_NAME_WORD})(?:\s+(?P<last>{_NAME_WORD}))?\s+here\b"
)
_STRONG_INTRO = re.compile(r"name|call me", re.IGNORECASE)


def _clean_name(word: str | None) -> str | None:
    if not word:
        return None
    w = word.strip("'-")
    if len(w) < 2 or w.lower() in _NOT_NAMES or (w.lower().endswith(("ing", "ed", "ly")) and len(w) > 5):
        return None
    return w[0].upper() + w[1:] if not w[1:].islower() else w.capitalize()


def extract_name(text: str, asked: bool = False) -> str | None:
    """The client's name if they gave it ("I'm Sarah", "this is Dana Lee", "Sarah here").

    With `asked=True` (the agent just asked for their name) a bare "sarah" or "Dana Lee" counts too.
    """
    flat = _flat(text)
    candidates: list[tuple[str, str | None, bool]] = []  # (first, last, strong intro)
    for m in _NAME_INTRO.finditer(flat):
        candidates.append((m["first"], m["last"], bool(_STRONG_INTRO.search(m[0]))))
    m = _NAME_HERE.search(flat)
    if m:
        candidates.append((m["first"], m["last"], False))
    for first_raw, last_raw, strong in candidates:
        first = _clean_name(first_raw)
        if first is None:
            continue
        # A weak intro ("I'm sarah") only counts with a capital letter or when we asked for a name.
        if not (strong or asked or first_raw[0].isupper()):
            continue
        last = _clean_name(last_raw)
        if last and last_raw and not (last_raw[0].isupper() or asked or strong):
            last = None
        return f"{first} {last}" if last else first
    if asked:
        head = re.split(r"[,.!;\n]| and | - ", flat, maxsplit=1)[0].strip()
        words = head.split()
        if 1 <= len(words) <= 3 and all(re.fullmatch(_NAME_WORD, w) for w in words):
            names = [_clean_name(w) for w in words]
            if names[0] is not None and all(n is not None for n in names[:2]):
                return " ".join(n for n in names[:2] if n)
    return None


# Words of a text that only greets or gives a name: nothing in it can name a treatment.
_SMALL_TALK_WORDS = frozenset(
    """
    hi hii hiii hello hey heya hiya howdy yo greetings hola bonjour there good morning afternoon evening
    day my name is name's the am i i'm im this it's its it call me here again and thanks thank you
    """.split()
)


def is_small_talk(text: str, name: str | None = None) -> bool:
    """The text only greets and/or gives the client's name ("Hi there", "I'm Robin"): no treatment in it.

    Lets the brain skip a catalog lookup that could not match anything; any other word counts as
    content, so a text that might name a treatment is always matched.
    """
    allowed = _SMALL_TALK_WORDS | {w.lower() for w in (name or "").split()}
    words = re.findall(r"[a-z][a-z']*", _flat(text).lower())
    return (
        bool(words)
        and all(w.strip("'") in allowed or w in allowed for w in words)
        and not re.search(r"\d", text)
    )


# ----- choosing one of the offered options -----

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
}  # fmt: skip
_WEEKDAY_NAMES = {
    "monday": "mon", "mon": "mon", "tuesday": "tue", "tues": "tue", "tue": "tue", "wednesday": "wed",
    "wed": "wed", "thursday": "thu", "thurs": "thu", "thu": "thu", "friday": "fri", "fri": "fri",
    "saturday": "sat", "sat": "sat", "sunday": "sun", "sun": "sun", "today": "today", "tomorrow": "tomorrow",
}  # fmt: skip
_DAY_KEYS = frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
_EXPLICIT_NUMBER = re.compile(
    r"(?:#|\b(?:option|number|no\.?|choice|slot|num)\s*#?)\s*(\d{1,2})\b", re.IGNORECASE
)
_ORDINAL_CHOICE = re.compile(
    r"\b(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|latter|former|middle)\b"
    r"(?!\s+(?:of|week|time|thing))",
    re.IGNORECASE,
)
_WORD_NUMBER_CHOICE = re.compile(r"^\W*(?:option\s+|number\s+)?(one|two|three|four|five)\W*$", re.IGNORECASE)
_TIME_IN_TEXT = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?=\W|$)", re.IGNORECASE)
_CLOCKISH = re.compile(r"\d{1,2}(?::\d{2})\s*(?:am|pm)?|\d{1,2}\s*(?:am|pm|o'?clock)\b", re.IGNORECASE)
_FILLER = frozenset(
    "the one please pls plz ok okay sure yes yeah yep i'll ill take want choose pick go with would like "
    "works work for me is fine good great perfect thanks thank you option number choice slot "
    "let's lets do no will "
    "that sounds book it confirm i a an".split()
)


def _times(text: str) -> set[tuple[int, int]]:
    """Clock times written in a text or label, as (hour 0-23, minute); bare hours in business hours."""
    out: set[tuple[int, int]] = set()
    for m in _CLOCKISH.finditer(text):
        inner = _TIME_IN_TEXT.match(m[0].strip())
        if not inner:
            continue
        hour, minute, mer = int(inner[1]), int(inner[2] or 0), (inner[3] or "").lower().replace(".", "")
        if mer == "pm" and hour < 12:
            hour += 12
        elif mer == "am" and hour == 12:
            hour = 0
        elif not mer and 1 <= hour <= 7:
            hour += 12
        out.add((hour, minute))
    return out


def _words(text: str) -> set[str]:
    words = set(re.findall(r"[a-z][a-z']+", text.lower()))
    return {_WEEKDAY_NAMES.get(w, w) for w in words}


def parse_choice(text: str, options_count: int, option_labels: list[str] | None = None) -> int | None:
    """Which offered option the client picked, as a 0-based index; None when unclear or out of range.

    Understands "1", "#2", "2.", "option 2 please", "the second one", "first", "last", and, given the
    labels the client saw ("Tuesday, Mar 5 at 2pm with Lilian"), "tuesday works", "the 2pm one" and
    "the one with Lilian".
    """
    if options_count < 1:
        return None
    flat = _flat(text)
    if not flat or is_rejection(flat):
        return None

    def valid(n: int) -> int | None:
        return n - 1 if 1 <= n <= options_count else None

    m = _EXPLICIT_NUMBER.search(flat)
    if m:
        return valid(int(m[1]))
    # A digit on its own or with filler words ("2", "2.", "2 please", "I'll take 2"), not a time.
    tokens = re.findall(r"[a-z']+|\d+(?::\d+)?", flat.lower())
    digits = [t for t in tokens if t.isdigit()]
    others = [t for t in tokens if not t.isdigit()]
    if len(digits) == 1 and not _CLOCKISH.search(flat) and all(t in _FILLER for t in others):
        return valid(int(digits[0]))
    m = _WORD_NUMBER_CHOICE.match(flat)
    if m:
        return valid(_ORDINALS[m[1].lower()])
    m = _ORDINAL_CHOICE.search(flat)
    if m:
        word = m[1].lower()
        if word in ("last", "latter"):
            return options_count - 1
        if word == "former":
            return 0
        if word == "middle":
            return 1 if options_count == 3 else None
        return valid(_ORDINALS[word])
    if option_labels:
        return _match_label(flat, option_labels[:options_count])
    return None


def _match_label(text: str, labels: list[str]) -> int | None:
    """The one label that the text's distinctive words and times point to."""
    label_words = [_words(label) for label in labels]
    label_times = [_times(label) for label in labels]
    common = set.intersection(*label_words) if label_words else set()
    text_words = _words(text)
    text_times = _times(text)
    all_times = set().union(*label_times)
    # A time or day none of the options has ("Tuesday at 3 instead?") asks for something else.
    if text_times - all_times and not text_times & all_times:
        return None
    all_days = set().union(*label_words) & _DAY_KEYS
    if all_days and (text_words & _DAY_KEYS) - all_days:
        return None
    bare = re.search(r"\b(?:at|around|about|@)\s+(\d{1,2})\b(?!:)", text)
    if bare and not text_times:
        hour = int(bare[1])
        hour = hour + 12 if 1 <= hour <= 7 else hour
        if all_times and not any(h == hour for h, _ in all_times):
            return None
    if not text_times:
        # "the 2 one", "at 2": a bare hour against the labels' times
        text_times = {(h + 12 if 1 <= h <= 7 else h, 0) for h in map(int, re.findall(r"\b(\d{1,2})\b", text))}
    scores: list[int] = []
    for words, times in zip(label_words, label_times, strict=True):
        distinctive = {w for w in words - common if len(w) >= 3 and w not in ("with", "and", "the", "at")}
        score = 2 * len(distinctive & text_words)
        score += 3 * len(times & text_times)
        scores.append(score)
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return None
    return scores.index(best)
