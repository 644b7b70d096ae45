"""SMS shorthand and common typos spelled out, so every detector reads one plain vocabulary.

Pure: no I/O. `plain` is the matching form every rule of the language package reads: the text
through `shared.text.for_matching` (case-folded, no accents), keycap emoji as digits, letters typed
three or more times cut to two ("yesss" → "yess"), and the shorthand below replaced by the words it
stands for ("tmrw" → "tomorrow", "w julia" → "with julia", "b4 5" → "before 5"), and a day or
part of day typed a letter or two wrong as the word meant ("aftrnoon", see `typos`). Whole-word
spellings are one table lookup per word; the few that need context are regexes. Every row holds an
example, checked by the unit tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.text import for_matching

from .typos import time_word

__all__ = [
    "PHRASES",
    "SHORTHAND",
    "SPELLINGS",
    "Phrase",
    "Spelling",
    "expand",
    "folded",
    "plain",
]


@dataclass(frozen=True)
class Spelling:
    """Whole words people text and the plain words they mean."""

    words: tuple[str, ...]
    plain: str
    example: str  # a text using one of the words
    expected: str  # the example after `expand`


@dataclass(frozen=True)
class Phrase:
    """Shorthand that needs context: a regex, applied only when the text contains `hint`."""

    pattern: str
    plain: str  # the replacement (may use groups)
    hint: str  # a substring every match contains (a cheap test before the regex runs)
    example: str
    expected: str


def _w(words: str, plain: str, example: str, expected: str) -> Spelling:
    return Spelling(tuple(words.split()), plain, example, expected)


SPELLINGS: tuple[Spelling, ...] = (
    _w(
        "tmrw tmrww tmr tmw tmro tmrow tomoz 2moro 2morro 2morrow 2mrw 2mro tomorow tommorow tommorrow "
        "tomorrrow tomrrow tomorro tmorrow tommrow",
        "tomorrow",
        "botox tmrw?",
        "botox tomorrow?",
    ),
    _w("tonite 2nite 2night", "tonight", "2nite?", "tonight?"),
    _w("2day tdy tday", "today", "any spots 2day", "any spots today"),
    _w("appt appts apt apts apointment appoinment appointmnt", "appointment", "an appt.", "an appointment."),
    _w("pls plz plss pleas pleez pleasee puhlease plis pliss", "please", "1 pls", "1 please"),
    _w("thx thnx thnks thanx tks tnx thankss thanku tyvm", "thanks", "thx!", "thanks!"),
    _w("tx ty tysm tyty", "thank you", "ty!", "thank you!"),
    _w("thurs thur thrs thu thursdy thrusday thursday's", "thursday", "thurs eve", "thursday evening"),
    _w("tues tue tuesdy teusday tuseday", "tuesday", "tues?", "tuesday?"),
    _w("weds wednsday wensday wendsday wedensday wednesdy", "wednesday", "weds am", "wednesday am"),
    _w("fri friday's fridy firday", "friday", "fri 3pm", "friday 3pm"),
    _w("satuday saterday saturdy saturday's", "saturday", "saterday", "saturday"),
    _w("mondy monady", "monday", "mondy", "monday"),
    _w("sundy sunady", "sunday", "sundy", "sunday"),
    _w("botoks botax bottox botex botos botux", "botox", "botoks friday?", "botox friday?"),
    _w("filer fillr filller", "filler", "lip filer", "lip filler"),
    _w("dermaplane dermaplaned dermaplanes dermplane", "dermaplaning", "a dermaplane", "a dermaplaning"),
    _w("porfavor porfis porfi xfa", "por favor", "la 2 porfavor", "la 2 por favor"),
    _w("actualy actully acutally actaully actuly", "actually", "actualy no", "actually no"),
    _w("noonish", "noon", "around noonish", "around noon"),
    _w("b4", "before", "b4 noon", "before noon"),
    _w("l8r", "later", "anything l8r", "anything later"),
    _w("l8", "late", "running l8", "running late"),
    _w("aft arvo aftn afternoonish", "afternoon", "sat aft", "saturday afternoon"),
    _w("morn mornin mrng morningish", "morning", "fri morn", "friday morning"),
    _w("eve evenin evng", "evening", "thurs eve", "thursday evening"),
    _w("wknd wkend wekend weeknd wkd", "weekend", "this wknd", "this weekend"),
    _w("wk wek", "week", "next wk", "next week"),
    _w("nxt", "next", "nxt week", "next week"),
    _w("avail", "available", "anything avail", "anything available"),
    _w("u", "you", "do u have", "do you have"),
    _w("ur", "your", "ur address", "your address"),
    _w("yah yeh yee yas yass yess yesh yepp yupp yuh", "yes", "yesss", "yes"),
    _w("nah nahh naw nope noo", "no", "nah", "no"),
    _w("k kk okk okey okie okok oki okayy okkay", "ok", "kk", "ok"),
    _w("lmk", "let me know", "lmk", "let me know"),
    _w("nvm", "never mind", "nvm", "never mind"),
    _w("abt bout", "about", "what abt weds", "what about wednesday"),
    _w("wat wut wht whta", "what", "wat time", "what time"),
    _w("whats wats whts", "what's", "whats the price", "what's the price"),
    _w("howmuch", "how much", "howmuch is botox", "how much is botox"),
    _w("cn", "can", "cn i come", "can i come"),
    _w("dont dnt", "don't", "dont work", "don't work"),
    _w("cant cnt", "can't", "i cant", "i can't"),
    _w("wont", "won't", "wont work", "won't work"),
    _w("doesnt dosent", "doesn't", "doesnt work", "doesn't work"),
    _w("im", "i'm", "im mia", "i'm mia"),
    _w("ive", "i've", "ive got", "i've got"),
    _w("thats", "that's", "thats steep", "that's steep"),
    _w("theres", "there's", "theres parking", "there's parking"),
    _w("lets", "let's", "lets do 2", "let's do 2"),
    _w("some1", "someone", "some1 else", "someone else"),
    _w("any1", "anyone", "any1 free", "anyone free"),
    _w("sth smth somethin", "something", "smth later", "something later"),
    _w("anythin anythng anyting nething", "anything", "anythng later", "anything later"),
    _w("thru", "through", "mon thru fri", "mon through friday"),
    _w("tho", "though", "pricey tho", "pricey though"),
    _w("bc cuz coz", "because", "bc work", "because work"),
    _w("ppl", "people", "2 ppl", "2 people"),
    _w("mins", "minutes", "15 mins", "15 minutes"),
    _w("hrs", "hours", "your hrs", "your hours"),
    _w("info", "information", "more info", "more information"),
    _w("diff", "different", "diff day", "different day"),
    # how clients misspell what they notice on their skin, so the guard reads one word for each
    _w("swolen swolle swollon swolled swallen sollen swollend", "swollen", "lip is swolen", "lip is swollen"),
    _w("brusing bruseing bruzing bruisng", "bruising", "brusing under my eye", "bruising under my eye"),
    _w("bruse bruize", "bruise", "a bruse", "a bruise"),
    _w("brused bruized", "bruised", "its brused", "it's bruised"),
    _w("numbe numm", "numb", "feels numbe", "feels numb"),
    _w("alergic allergik alergick allergec alergec", "allergic", "im alergic", "i'm allergic"),
    _w("alergy alergie allergie", "allergy", "an alergy", "an allergy"),
    _w("alergies allergys", "allergies", "bad alergies", "bad allergies"),
    _w("itchey ichy itchie", "itchy", "so itchey", "so itchy"),
    _w("infeccted infectd infeted", "infected", "looks infectd", "looks infected"),
    _w("frist fisrt firts", "first", "the frist one", "the first one"),
    _w("secnd secound scond seocnd", "second", "the secnd one", "the second one"),
    _w("thrid thrd", "third", "thrid one pls", "third one please"),
)

# Lookbehinds (fixed width each): a short day word after these is a verb or a noun, not a day.
_NOT_A_VERB = "".join(rf"(?<!\b{w} )" for w in ("the", "i", "we", "they", "she", "he", "you", "u", "just"))
_DAY_CUE = (
    r"\.?\s*(?:morning|morn|am\b|pm\b|afternoon|aft|eve|evening|night|at\b|@|around|after|before|\d|or\b|"
    r"works?\b|"
    r"is good|please|pls|preferably|ideally|if possible|would be|is best|is better|\?)"
)
PHRASES: tuple[Phrase, ...] = (
    Phrase(r"\bw/o\b", "without", "w/", "w/o julia", "without julia"),
    Phrase(r"\bw/\s*", "with ", "w/", "w/julia", "with julia"),
    Phrase(
        r"(?<![\w/])w(?=\s+[a-z])(?!\s+(?:or|and)\b)", "with", "w ", "friday w julia", "friday with julia"
    ),
    Phrase(r"\bb/c\b", "because", "b/c", "b/c work", "because work"),
    # "tomo" is tomorrow in English texting but "I take" in Spanish ("tomo ibuprofeno"): only on its own
    # or before a time.
    Phrase(
        r"\btomo\b(?=\s*(?:$|[?!.,]|at\b|@|morning|afternoon|evening|night|\d))",
        "tomorrow",
        "tomo",
        "botox tomo?",
        "botox tomorrow?",
    ),
    # "sat"/"sun"/"mon"/"wed" are words too: only a day before a part of day or a time, never after
    # "the" ("stay out of the sun after ipl") or a subject ("i sat around for an hour").
    *(
        Phrase(rf"{_NOT_A_VERB}\b{short}\b(?={_DAY_CUE})", day, short, f"{short} morning", f"{day} morning")
        for short, day in (("sat", "saturday"), ("sun", "sunday"), ("mon", "monday"), ("wed", "wednesday"))
    ),
    # ...or last in the text after what is booked ("lip filler sat", "can i get a peel sat!"); not
    # "sun", which ends texts as a word ("avoid sun"), nor after a word joined by an apostrophe (c'mon).
    *(
        Phrase(rf"{_NOT_A_VERB}(?<!\bgot )(?<=\s){short}(?=\W*$)", day, short, f"peel {short}", f"peel {day}")
        for short, day in (("sat", "saturday"), ("mon", "monday"), ("wed", "wednesday"))
    ),
    *(
        Phrase(
            rf"\b(on|this|next|every|til|till|until|by|from|or|and|actually|about|maybe|instead|rather|"
            rf"prefer|try|do|make it|come|coming|come in|free|available|open|book) {short}\b",
            rf"\1 {day}",
            short,
            f"on {short}",
            f"on {day}",
        )
        for short, day in (("sat", "saturday"), ("sun", "sunday"), ("mon", "monday"), ("wed", "wednesday"))
    ),
    # "ya" is yes in English texting but "already" in Spanish ("ya no voy a ir").
    Phrase(
        r"^(\W*)ya\b(?!\s+(?:no|me|se|te|lo|la|le|les|nos|tengo|tiene|estoy|esta|es|voy|fui|hice|llegue|"
        r"quedo|"
        r"pague|puedo|sabe|se))",
        r"\1yes",
        "ya",
        "ya that works",
        "yes that works",
    ),
    # "rn" is "right now" at the end of a clause ("cant rn"); "my RN said" is a nurse.
    Phrase(
        r"\brn\b(?=\s*(?:$|[.,!?;)]|tho|though|but|so|lol|haha))",
        "right now",
        "rn",
        "cant rn",
        "can't right now",
    ),
    Phrase(r"\br\b(?=\s+(?:you|u|ya|there|they|we)\b)", "are", "r ", "r you open", "are you open"),
    Phrase(r"\bits\b(?!\s+own\b)", "it's", "its", "its mia", "it's mia"),
    Phrase(r"\b(?:hw|how|hm) mch\b|\bhw much\b", "how much", "m", "hw much is it", "how much is it"),
    Phrase(r"\bany thing\b", "anything", "any thing", "any thing later", "anything later"),
    # "sat am", "tomorrow am", "in the am": the morning (an "am" after a number is a clock time)
    Phrase(
        r"\b(\w+day|tomorrow|tmrw|tmr|today|the) am\b",
        r"\1 morning",
        " am",
        "saturday am?",
        "saturday morning?",
    ),
    # "@ 1" is "at 1" (an email's @ has a letter after it)
    Phrase(r"\s*@\s*(?=\d)", " at ", "@", "thursday @ 1", "thursday at 1"),
    # Spanglish "más late" / "más early" (accents already gone): later, earlier
    Phrase(r"\bmas late\b", "later", "mas late", "algo mas late?", "algo later?"),
    Phrase(r"\bmas early\b", "earlier", "mas early", "algo mas early", "algo earlier"),
    Phrase(r"\bsome one\b", "someone", "some one", "some one else", "someone else"),
    Phrase(r"\b(\d{1,2}(?::\d{2})?)\s*ish\b", r"\1 ish", "ish", "around 3ish", "around 3 ish"),
)
SHORTHAND: tuple[Spelling | Phrase, ...] = (*SPELLINGS, *PHRASES)

_KEYCAP = re.compile("([0-9#])\ufe0f?\u20e3")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_WORDS = {word: row.plain for row in SPELLINGS for word in row.words}
_PHRASES = tuple((re.compile(row.pattern), row.plain, row.hint) for row in PHRASES)


def expand(text: str) -> str:
    """Shorthand spelled out in an already case-folded text ("botx pls tmrw" → "botx please tomorrow")."""
    out = _REPEATS.sub(r"\1\1", _KEYCAP.sub(r"\1", text))
    for pattern, replacement, hint in _PHRASES:
        if hint in out:
            out = pattern.sub(replacement, out)
    return _TOKEN.sub(lambda m: _WORDS.get(m[0]) or time_word(m[0]) or m[0], out)


@lru_cache(maxsize=4096)
def folded(text: str) -> str:
    """`for_matching` without accents ("Sí, MAÑANA" → "si, manana"), cached for the turn's detectors."""
    return for_matching(text, accents=False)


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    """The matching form of a client's text: case-folded, without accents, shorthand spelled out."""
    return expand(folded(text))
