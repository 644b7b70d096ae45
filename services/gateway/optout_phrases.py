"""Opt-out by meaning: the ways clients revoke consent besides the carrier keywords.

Since April 2025 the FCC counts any reasonable way of saying "stop" as revoking consent, so
"Stop texting me", "no more texts", "take me off your list" or "ya no me escriban" opt the number
out exactly like STOP. Each rule below has a name (logged when it fires, never the text), a
pattern, the language of its confirmation, examples it must catch and counter-examples it must
not; `tests/unit/test_gateway_optout_phrases.py` runs every one.

Texts are read through `shared.text.for_matching(text, accents=False)` (curly apostrophes, case,
accents), then punctuation and emoji become spaces, so "Don’t text me!!! 😡" reads
"don't text me". Two kinds of rule:
- `whole`: the text is the opt-out and nothing else ("stop please", "alto", "baja"); a word like
  "stop" or "baja" inside a sentence is something else ("the swelling no baja").
- `anywhere`: a phrase that means revoking consent wherever it stands ("please stop texting me,
  I never signed up").

A text that limits *when* or *how* to be contacted ("don't text me after 9pm", "don't text me,
call me") is a preference, not a revocation: it is not an opt-out, the agent answers it and staff
can see it. Bare CANCEL stays a carrier keyword (`domain.py`); "cancel." or "cancel please" are
left to the agent, whose guard hands appointment cancellations to staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.text import for_matching

Language = Literal["en", "es"]


@dataclass(frozen=True)
class Rule:
    """One way of opting out, with what it must and must not catch."""

    name: str
    pattern: re.Pattern[str]
    language: Language
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()
    # Words one of which the text must hold before the pattern is tried: most texts hold none.
    triggers: frozenset[str] = frozenset()

    def matches(self, words: str, tokens: set[str]) -> bool:
        """Whether the prepared text (and its set of words) is this way of opting out."""
        if self.triggers.isdisjoint(tokens):
            return False
        return self.pattern.search(words) is not None


def _any(*words: str) -> str:
    """One regex group of alternatives."""
    return "(?:" + "|".join(words) + ")"


def _whole(*words: str) -> re.Pattern[str]:
    """The text is only this (repeated, or with politeness words around it)."""
    polite = _any(
        "please",
        "pls",
        "plz",
        "por favor",
        "porfa",
        "thanks",
        "thank you",
        "thx",
        "gracias",
        "now",
        "ya",
        "asap",
        "it",
        "already",
        "ok",
        "okay",
    )
    body = _any(*words)
    return re.compile(rf"^(?:{polite} )*{body}(?: {body})*(?: {polite})*$")


def _re(*parts: str) -> re.Pattern[str]:
    """A pattern written as consecutive parts."""
    return re.compile("".join(parts))


_ME_WORDS = r"(?:me|us|this number|my number|my phone|my cell|this phone)\b"
_ME = _any("me", "us", "this number", "my number", "my phone", "my cell", "this phone")
_TEXTS = _any(
    r"texts?",
    r"txts?",
    r"messages?",
    r"msgs?",
    "sms",
    "spam",
    r"reminders?",
    r"promos?",
    r"promotions?",
    "ads",
    "marketing",
    "stuff",
    "junk",
    "crap",
)
_SENDING = _any(
    "texting",
    "txting",
    "messaging",
    "msging",
    "contacting",
    "spamming",
    r"sms ?ing",
    "bothering",
    "harassing",
    "hitting me up",
    "blowing up my phone",
    # "stop txt me": the verb without -ing, only with the client as its object.
    rf"(?:text|txt|msg|message|contact)(?= {_ME_WORDS})",
)
# What may follow "stop texting": the end, or words that keep the object the client themselves.
_FOLLOW = (
    "(?=$| "
    + _any(
        "me",
        "us",
        "this",
        "my",
        "please",
        "pls",
        "plz",
        "again",
        "anymore",
        "any more",
        "already",
        "ever",
        "now",
        "so",
        "lol",
        "omg",
        "wtf",
        "seriously",
        "thanks",
        "thank",
        "ok",
        "okay",
        "i",
        "im",
        "i'm",
        "every",
        "all",
        "with",
        "immediately",
        "asap",
    )
    + r"\b)"
)
_OTHER_PERSON = r"(?! " + _any("you", "u", "her", "him", "them") + r"\b)"
_WAITLIST = _any(r"wait ?list", "appointment", "booking")
_ES_SEND = _any(
    "escriban",
    "escribas",
    "escriba",
    "envien",
    "envies",
    "envie",
    "manden",
    "mandes",
    "mande",
    "contacten",
    "contactes",
    "contacte",
)

# Messages as a thing that can stop ("all texts", "any communication"), and the few words that may
# stand between a stop word and them without changing what is stopped.
_MESSAGES = _any(
    r"texts?",
    "texting",
    r"txts?",
    r"messages?",
    "messaging",
    r"msgs?",
    "sms",
    "contact",
    "contacting",
    r"communications?",
    "spam",
    "spamming",
    r"notifications?",
    r"reminders?",
    r"promos?",
    "marketing",
)
_BETWEEN = _any(
    "all",
    "the",
    "these",
    "those",
    "your",
    "ur",
    "any",
    "of",
    "with",
    "sending",
    "send",
    "getting",
    "receiving",
    "me",
    "us",
    "my",
    "this",
    "number",
    "more",
    "future",
    "further",
    "marketing",
    "promotional",
    "automated",
    "annoying",
    "stupid",
    "damn",
    "text",
    "sms",
    "these stupid",
    "all the",
)
# Words that make "stop" something else: "can't stop", "don't stop", "stop by", "stop in".
_NOT_A_STOP = r"(?<!can't )(?<!cannot )(?<!won't )(?<!don't )(?<!didn't )(?<!couldn't )(?<!wouldn't )"
_VISIT = r"(?! (?:by|in|at|over|off)\b)"

RULES: tuple[Rule, ...] = (
    Rule(
        "stop_word",
        _whole(
            "stop",
            "sto+p+",  # "stopp", "stooop"
            "stpo",
            "sotp",
            "stopall",
            "remove",
            "remove from list",
            "take me off",
            "cease and desist",
            "block (?:this|my) number",
            "block me",
            "go away",
            "enough (?:texts|messages|spam)",
            "stop sending (?:these|them|those|this|it)",
            "can you (?:guys |all |pls |please )?stop",
            "(?:i'?d like to |i want to )?stop (?:receiving|getting) (?:these|them|those|this|it|texts)",
            "do not contact",
            "don'?t contact",
            "do not text",
            "don'?t text",
            "stop all",
            "unsubscribe",
            "unsub",
            "optout",
            "opt out",
            "revoke",
            "quit",
            "end",
            "remove me",
            "alto",
            "basta",
        ),
        "en",
        (
            "Stop.",
            "STOP!!!",
            "stop please",
            "Please stop",
            "stop it",
            "STOP STOP STOP",
            "stop 🛑",
            "Quit.",
            "unsubscribe please",
            "Remove me",
            "opt out",
            "Who is this?? Stop.",
            "Wrong number. STOP",
            "stopp",
            "remove",
            "Do not contact",
            "can you guys stop",
            "Take me off",
            "I'd like to stop receiving these",
            "cease and desist",
            "Block this number",
            "Enough texts!",
            "Stop sending these please",
            "Go away",
        ),
        ("stop by tomorrow?", "stop shaving", "Cancel.", "cancel please", "no", "End of the month works"),
        triggers=frozenset(
            {
                "stop",
                "stopp",
                "stooop",
                "stoop",
                "stpo",
                "sotp",
                "stopall",
                "unsubscribe",
                "unsub",
                "optout",
                "opt",
                "revoke",
                "quit",
                "end",
                "remove",
                "alto",
                "basta",
                "do",
                "don't",
                "dont",
                "take",
                "can",
                "cease",
                "block",
                "go",
                "enough",
            }
        ),
    ),
    Rule(
        "decline_then_stop",
        _re(
            "^",
            _any(
                "(?:i'?m |i am )?not interested",
                "no thanks",
                "no thank you",
                "wrong number",
                "who is this",
                "who's this",
                "no",
                "i said",
                "i already said",
                "i told you",
                "i told u",
            ),
            " (?:",
            _any("please", "pls", "plz", "so", "just"),
            " )?stop(?: ",
            _any("please", "pls", "plz", "it", "now", "thanks"),
            ")*$",
        ),
        "en",
        ("Not interested, please stop", "Im not interested please stop", "no thanks stop", "I said STOP"),
        ("no, the bleeding won't stop", "no stopping by today"),
        triggers=frozenset({"stop"}),
    ),
    Rule(
        "stop_texting",
        _re(r"\b", _NOT_A_STOP, _any("stop", "quit", "cease"), " ", _SENDING, _OTHER_PERSON, _FOLLOW),
        "en",
        (
            "Stop texting me",
            "STOP TEXTING ME",
            "pls stop messaging me",
            "Stop contacting me, I never signed up",
            "who is this? stop texting me",
            "can you stop texting me",
            "stop spamming me",
            "stop texting",
            "stop txt me",
        ),
        (
            "I'll stop texting you now, thanks!",
            "my friend said to stop messaging her ex lol, can I book botox",
            "can you stop by tomorrow",
            "don't text me after 9pm",
            "stop texting me after 8pm please",
            "don't stop texting me the deals lol",
        ),
        triggers=frozenset({"stop", "quit", "cease"}),
    ),
    Rule(
        "stop_sending",
        _re(
            r"\b",
            _NOT_A_STOP,
            _any("stop", "quit", "cease", "don'?t", "do not", "never"),
            " ",
            _any("send", "sending", "getting", "receiving"),
            " ",
            f"(?:{_ME} )?",
            _any("any ", "these ", "those ", "the ", "your ", "all the ", "all these ", "all ", ""),
            _any("more ", "any more ", "anymore ", ""),
            # one word of description: "promotional texts", "these stupid messages"
            "(?:[a-z']+ )?",
            _TEXTS,
            r"\b",
        ),
        "en",
        (
            "stop sending me texts",
            "Please stop sending these messages",
            "stop sending me reminders",
            "stop sending promos",
            "how do I stop getting these texts",
            "Stop sending me stuff",
            "Don't send me any more messages",
            "Stop sending me promotional texts",
        ),
        ("the lab will stop sending results monday", "stop sending the invoice to my old email"),
        triggers=frozenset({"stop", "quit", "cease", "don't", "dont", "do", "never"}),
    ),
    Rule(
        "stop_the_texts",
        _re(
            r"\b",
            _NOT_A_STOP,
            _any("stop", "end", "enough with", "enough of"),
            " (?:with )?",
            _any(
                "the",
                "these",
                "those",
                "your",
                "ur",
                "with the",
                "all",
                "all the",
                "all these",
                "all of these",
            ),
            " ",
            _TEXTS,
            r"\b",
        ),
        "en",
        (
            "stop the texts",
            "Stop with the messages please",
            "enough with the texts",
            "stop all these texts",
            "Please stop with these texts",
        ),
        ("the texts were helpful, can i stop by friday", "stop the bleeding?"),
        triggers=frozenset({"stop", "end", "enough"}),
    ),
    Rule(
        "no_more_texts",
        _re(
            r"\bno more ",
            _TEXTS,
            r"\b",
            "|",
            r"\b",
            _any("no further", "no", "zero"),
            " ",
            _any(_TEXTS, "texting", "messaging", "contact"),
            _any(" please", " pls", " thanks", "$"),
        ),
        "en",
        ("No more texts", "no more messages please", "no further messages", "no texts please"),
        (
            "no more needles for me lol, what about a facial?",
            "no more wrinkles is the goal",
            "no, Friday works better",
            "no messages from you yet about my booking",
        ),
        triggers=frozenset({"no", "zero"}),
    ),
    Rule(
        "remove_from_list",
        _re(
            r"\b",
            _any("remove", "take", "delete", "drop", "erase", "get"),
            " ",
            _any("me", "my number", "my cell number", "my phone number", "this number", "my info"),
            " ",
            _any("off", "from", "out of"),
            " ",
            "(?:of )?",
            _any("your ", "the ", "this ", "ur ", "that ", "these ", "y'all's ", "all ", "any ", ""),
            "(?:future )?",
            _any(
                "texting ", "text ", "sms ", "mailing ", "contact ", "marketing ", "messaging ", "call ", ""
            ),
            _any(
                "list",
                "lists",
                "contacts?",
                "database",
                "system",
                r"texts?",
                r"messages?",
                r"msgs?",
                r"communications?",
            ),
            r"\b",
            "|",
            r"\b",
            _any("remove", "delete", "erase"),
            " ",
            _any("my", "this"),
            " (?:cell |phone )?number",
            r"\b(?! ",
            _any("from", "off"),
            " (?:the |my )?",
            _WAITLIST,
            ")",
            # "how do I get off this list", "I want to be removed from your list"
            r"|\b",
            _any("get off", "want off", "be removed from", "be taken off", "come off"),
            " ",
            _any("this", "your", "ur", "the", "that", "these"),
            r" (?:texting |text |mailing |contact |sms )?lists?\b",
            # "..., remove me" at the end of a text.
            r"|\b",
            _any("remove", "delete"),
            " me",
            "(?: ",
            _any("please", "pls", "now", "asap", "thanks", "thank you", "immediately"),
            ")*$",
        ),
        "en",
        (
            "I never signed up for this, remove me",
            "How do I get off this list?",
            "I want off this list",
            "Please remove me from all future messages",
            "remove me from this list",
            "Take me off your list",
            "please remove my number",
            "delete my number",
            "take me off ur contact list",
            "get me off this list",
        ),
        (
            "take me off the waitlist",
            "remove me from the waitlist for Friday",
            "can you take me off friday",
            "remove my number from the waitlist",
            "remove me from the 3pm slot please",
        ),
        triggers=frozenset({"remove", "take", "delete", "drop", "erase", "get", "be", "come", "want"}),
    ),
    Rule(
        "unsubscribe",
        _re(
            r"\bunsub(?:scribe|scribed|scribing)?\b(?! from (?:the |my )?",
            _any("membership", "package", "plan"),
            ")",
            # "cancel my subscription to these texts" (not a membership subscription)
            r"|\bcancel (?:my |the |this )?subscription (?:to|for|of) (?:these |the |your |all |all the )?",
            _TEXTS,
        ),
        "en",
        (
            "unsubscribe me",
            "Please unsubscribe me from these",
            "I want to unsubscribe",
            "how do I unsubscribe",
            "Cancel my subscription to these texts",
        ),
        ("I want to cancel my membership subscription", "subscribe me to the newsletter"),
        triggers=frozenset({"unsub", "unsubscribe", "unsubscribed", "unsubscribing", "subscription"}),
    ),
    Rule(
        "dont_text_me",
        _re(
            r"\b",
            _any("don'?t", "do not", "never", "(?:can|could|would|will) (?:you|u) (?:please |pls )?not"),
            " (?:ever )?",
            _any("text", "txt", "message", "msg", "contact", "sms", "spam"),
            "(?:ing)? ",
            _any(_ME, "me ever"),
            "(?: ",
            _any("again", "anymore", "any more", "ever again", "no more", "period"),
            ")?",
            _FOLLOW,
        ),
        "en",
        (
            "please don't text me",
            "Don’t text me anymore",
            "do not contact me again",
            "never text this number again",
            "dont message me",
            "DO NOT TEXT ME",
            "Can you not text me anymore",
        ),
        (
            "don't text me after 9pm",
            "don't text me, call me instead",
            "do not text me before 10am on weekends",
            "don't text me back, I'll call",
        ),
        triggers=frozenset({"don't", "dont", "do", "never", "not"}),
    ),
    Rule(
        "dont_want_texts",
        _re(
            r"\b",
            _any("don'?t", "do not", "no longer"),
            " ",
            _any("want", "wish to receive", "want to receive", "want to get", "need"),
            " ",
            _any("any ", "these ", "those ", "the ", "your ", "ur ", "any more ", "anymore ", "more ", ""),
            _any(r"texts?", r"txts?", r"messages?", r"msgs?", "sms", "spam", r"promos?", "marketing"),
            r"\b(?! ",
            _any("to go", "sent", "about my", "at", "on", "from (?!you|u|ya|y'all|this|your|the spa)"),
            r"\b)",
        ),
        "en",
        (
            "I don't want these texts",
            "i dont want any more texts",
            "I do not want messages anymore",
            "I don't want to get texts from you",
            "dont want ur texts",
        ),
        ("I don't want the texts to go to my old number", "don't need texts at work, I'll call later"),
        triggers=frozenset({"don't", "dont", "do", "longer"}),
    ),
    Rule(
        "stop_near_messages",
        _re(
            r"\b",
            _NOT_A_STOP,
            _any("stop", "quit", "cease", "no more", "no longer"),
            _VISIT,
            f"(?: {_BETWEEN}){{0,3}} ",
            _MESSAGES,
            r"\b",
            _OTHER_PERSON,
        ),
        "en",
        (
            "stop all texts to me",
            "please cease all communication",
            "No more contact please",
            "I want no more texts from this number",
        ),
        (
            "I can't stop by, can you text me the address?",
            "when do I stop retinol? the text from the clinic said a week",
            "at the end of the message it says reply 1",
            "don't stop texting me the deals lol",
        ),
        triggers=frozenset({"stop", "quit", "cease", "more", "longer"}),
    ),
    Rule(
        "messages_must_stop",
        _re(
            _any("texts", "txts", "messages", "msgs", "notifications", "reminders", "spam", "promos"),
            "(?: ",
            _any(
                "need",
                "needs",
                "to",
                "have",
                "has",
                "got",
                "gotta",
                "must",
                "should",
                "are",
                "is",
                "annoying",
                "please",
                "pls",
                "just",
                "so",
                "really",
                "will",
                "better",
                "now",
                "these",
                "all",
            ),
            "){0,4} ",
            _any("stop", "end"),
            "(?: ",
            _any("please", "pls", "now", "already", "asap", "thanks", "immediately"),
            ")*$",
        ),
        "en",
        (
            "i want these texts to stop",
            "Make the texts stop",
            "The texts need to stop",
            "these messages are annoying, stop",
        ),
        ("the texts said the bleeding should stop", "do the reminders stop once I book?"),
        triggers=frozenset({"stop", "end"}),
    ),
    Rule(
        "leave_me_alone",
        _re(r"\b", _any("leave me alone", "leave me be", "lose my number"), r"\b"),
        "en",
        ("leave me alone", "Just leave me alone please", "lose my number"),
        ("the numbing cream left me feeling fine", "the redness won't go away"),
        triggers=frozenset({"leave", "lose"}),
    ),
    Rule(
        "opt_out",
        # "opt out of the membership" is about billing; "opt out of texts" is an opt-out.
        _re(
            r"\bopt(?:ing)?[ -]?(?:me )?out\b(?! of (?!(?:the |these |your |all )?",
            _any(_TEXTS, "texting", "messaging", "this", "these", "your list", "the list"),
            r"\b))",
        ),
        "en",
        ("opt me out", "I want to opt out", "Opt-out please", "opt out of texts"),
        ("can I opt out of the membership auto renew", "can I opt out of the numbing cream"),
        triggers=frozenset({"opt", "optout", "opting"}),
    ),
    Rule(
        "es_no_mas_mensajes",
        _re(
            r"\bno ",
            _any(
                "mas ",
                "quiero ",
                "quiero mas ",
                "quiero recibir ",
                "quiero recibir mas ",
                "me envien mas ",
                "me manden mas ",
            ),
            _any("mensajes", "mensajitos", "textos", r"msjs?", "sms"),
            r"\b|\bbasta de ",
            _any("mensajes", "textos"),
        ),
        "es",
        (
            "No más mensajes",
            "no quiero recibir mensajes",
            "no quiero más mensajes por favor",
            "Basta de mensajes!",
            "Ya no quiero mensajes",
        ),
        ("no más arrugas es la meta", "quiero más información de mensajes de texto"),
        triggers=frozenset({"no", "basta"}),
    ),
    Rule(
        "es_no_me_escriban",
        _re(
            r"\b(?:ya )?no me ",
            _ES_SEND,
            "(?: ",
            _any("mas", "mensajes", "textos", "nada", "por favor", "porfa", "gracias"),
            ")*",
            "(?=$| ",
            _any("nunca", "jamas", "ya"),
            r"\b)",
        ),
        "es",
        ("ya no me escriban", "No me manden mensajes", "no me escribas más por favor", "no me contacten"),
        ("no me escriban después de las 9", "no me manden mensajes en la noche, llámenme"),
        triggers=frozenset({"no"}),
    ),
    Rule(
        "es_quitenme_de_la_lista",
        _re(
            r"\b",
            _any(
                "quitenme",
                "quitame",
                "quiteme",
                "sacame",
                "saquenme",
                "sáquenme",
                "borrenme",
                "borrame",
                "eliminenme",
            ),
            " de ",
            _any("la", "su", "esta", "sus", "tu"),
            " ",
            _any("lista", "base de datos", "listas"),
            r"\b(?! de espera)",
        ),
        "es",
        ("Por favor quítenme de la lista", "sacame de tu lista", "bórrenme de su base de datos"),
        ("quítenme de la lista de espera", "sácame una cita el viernes"),
        triggers=frozenset(
            {"quitenme", "quitame", "quiteme", "sacame", "saquenme", "borrenme", "borrame", "eliminenme"}
        ),
    ),
    Rule(
        "es_dejen_de_escribir",
        _re(
            r"\b",
            _any("dejen", "deja", "deje", "paren", "pare", "favor de dejar"),
            " de ",
            _any("escribir(?:me|nos)?", "enviar(?:me)?", "mandar(?:me)?", "contactar(?:me)?"),
            "(?: ",
            _any("mensajes", "textos"),
            r")?\b",
        ),
        "es",
        ("dejen de escribirme", "Deja de mandarme mensajes", "favor de dejar de enviarme textos"),
        ("deje de tomar el retinol?", "dejé de usar la crema"),
        triggers=frozenset({"dejen", "deja", "deje", "paren", "pare", "dejar"}),
    ),
    Rule(
        "es_baja",
        _re(
            "^(?:",
            _any("quiero", "favor de", "por favor", "porfa"),
            " )*",
            _any("baja", "darme de baja", "dame de baja", "denme de baja", "me doy de baja"),
            "(?: ",
            _any("de la lista", "de esta lista", "de su lista", "por favor", "porfa", "gracias", "ya"),
            ")*$",
            "|",
            r"\b",
            _any("darme", "dame", "denme"),
            " de baja de ",
            _any("la", "esta", "su", "sus"),
            " ",
            _any("lista", "mensajes", "textos"),
            r"\b",
        ),
        "es",
        ("Baja", "darme de baja por favor", "quiero darme de baja", "dame de baja de esta lista"),
        ("la hinchazón no baja", "quiero darme de baja de la membresía", "baja el precio?"),
        triggers=frozenset({"baja"}),
    ),
)

# A limit on *when* or *how* ("after 9pm", "call me instead") makes a sentence a preference.
_PREFERENCE = re.compile(
    r"\b(?:after|before|past|until|till|til|between|at|from) (?:\d|noon|midnight|night)"
    r"|\b\d{1,2} ?(?:am|pm)\b"
    r"|\b(?:at night|late at night|so late|so early|this late|this early|in the morning|on weekends?"
    r"|on the weekends?|during work|at work|on sundays?|on saturdays?)\b"
    r"|\b(?:call me|i'?ll call|email me|e-mail me|call instead)\b"
    r"|\b(?:despues de|antes de|en la noche|por la noche|en la manana|tan tarde|tan temprano)\b"
    r"|\b(?:los fines de semana)\b"
    r"|\b(?:llamame|llamenme|llameme)\b"
)
_SENTENCE_END = re.compile(r"[.!?;\n]+")
_NOT_WORD = re.compile(r"[^\w' ]+")
_SPACE = re.compile(r"\s+")


_ALL_TRIGGERS = frozenset().union(*(rule.triggers for rule in RULES))


def prepared(text: str) -> str:
    """The text as the rules read it: normalised, case-folded, no accents, punctuation and emoji as spaces."""
    return _plain(for_matching(text, accents=False))


def _plain(matching: str) -> str:
    return _SPACE.sub(" ", _NOT_WORD.sub(" ", matching).replace("_", " ")).strip()


def _readings(text: str) -> list[str]:
    """The whole text, then each sentence ("Who is this?? Stop." holds the sentence "stop")."""
    matching = for_matching(text, accents=False)
    whole = _plain(matching)
    sentences = [_plain(part) for part in _SENTENCE_END.split(matching)]
    return [whole, *(s for s in sentences if s and s != whole)]


def opt_out_rule(text: str) -> Rule | None:
    """The first rule that reads the text as revoking consent, or None."""
    readings = _readings(text)
    tokens = set(readings[0].split())
    if _ALL_TRIGGERS.isdisjoint(tokens):
        return None
    for rule in RULES:
        if any(rule.matches(words, tokens) for words in readings):
            if rule.name != "stop_word" and _PREFERENCE.search(readings[0]):
                return None
            return rule
    return None
