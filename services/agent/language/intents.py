"""What a client's text is doing, for the deterministic brain: greetings, yes/no, price objections.

Pure: no I/O. Each detector is a table of named phrase rules (`phrases.Rule`, with examples and
counter-examples) read over `shorthand.plain(text)`, so "Thx!!", "yesss 👍", "sí" and "no thx" need
no rule of their own. The brain combines them with the state of the conversation (a bare "2" is a
choice only while options are on the table). Names live in `names`, choices in `choices`,
rejections and new constraints in `shifts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from .choices import parse_choice
from .names import find_name
from .phrases import Rule, matches
from .shifts import is_rejection
from .shorthand import plain

__all__ = [
    "ACK_ONLY_RULES",
    "AFFIRM_RULES",
    "AVAILABILITY_RULES",
    "BOOKING_ASK_RULES",
    "DEFER_RULES",
    "GOODBYE_RULES",
    "GREETING_RULES",
    "NEGATE_RULES",
    "PRICE_OBJECTION_RULES",
    "THANKS_ONLY_RULES",
    "THANKS_RULES",
    "Intent",
    "defers",
    "detect_intents",
    "extract_name",
    "is_affirmative",
    "is_availability_request",
    "is_booking_ask",
    "is_goodbye",
    "is_greeting",
    "is_negative",
    "is_price_objection",
    "is_rejection",
    "is_small_talk",
    "is_thanks",
    "only_acknowledges",
    "only_thanks",
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

GREETING_RULES: tuple[Rule, ...] = (
    Rule(
        "hello",
        r"^\W*(?:hi+|hello+|hell?o there|hey+|heya|hiya|howdy|yo|greetings|good (?:morning|afternoon"
        r"|evening|day)|"
        r"morning|afternoon|evening|gm|hola+|buenas|buenos dias|buenas (?:tardes|noches)|que tal|saludos"
        r"|bonjour)\b",
        ("hi", "Heyyy", "Good morning!", "hola!", "buenas tardes", "hiii there"),
        ("this is high", "I said hi to julia"),
    ),
)
THANKS_RULES: tuple[Rule, ...] = (
    Rule(
        "thank you",
        r"\b(?:thanks?|thank (?:you|u)|thank you+|tysm|appreciate (?:it|you|that|the help|your help|all)"
        r"|thankful|cheers|much appreciated|"
        r"gracias|muchas gracias|mil gracias|merci)\b|🙏",
        ("thanks!", "thx so much", "ty!", "Thank youuu", "gracias!", "🙏"),
        ("thanksgiving week",),
    ),
)
# Words that go with a thank-you and ask for nothing ("ok cool", "got it", "never mind then").
_COURTESY = (
    r"(?:thanks?|thank you|thank u|appreciate (?:it|that|you)|gracias|muchas|mil|never ?mind|nvm|ok|okay|k|kk"
    r"|cool|great|perfect|awesome|amazing|nice|lovely|good to know|got it|gotcha|noted|alright|all right"
    r"|sounds good|all good|no worries|i see|understood|makes sense|oh|ah+|then|anyway|anyways|so much"
    r"|very much"
    r"|a lot|again|for (?:the|your) (?:help|information|info|quick reply|answer)|for letting me know|you|u"
    r"|too|vale|perfecto|genial|entendido|bueno|de nada|igualmente|💕|😊|🙂|👍|👌|✅|🙌|💯|❤️?|😍|🥰|🙏)"
)
# A text that only thanks or takes note ("good to know"), or lets the question go: nothing in it to
# book or answer.
THANKS_ONLY_RULES: tuple[Rule, ...] = (
    Rule(
        "thanks or noted, and nothing else",
        r"^(?=.*\b(?:thanks?|thank (?:you|u)|appreciate|gracias|never ?mind|good to know|got it|gotcha|noted"
        r"|makes sense|understood|entendido)\b)\W*(?:" + _COURTESY + r"(?:\b|(?=\W)|$)\W*)+$",
        (
            "ok cool thanks!",
            "perfect ty",
            "ok nvm then, thanks anyway",
            "got it, thank u so much 🙏",
            "great, appreciate it",
            "thanks for the info!",
            "ok gracias!",
            "ok great, good to know",
        ),
        (
            "ok thanks, can i book friday?",
            "thanks! how much is botox",
            "thanks, saturday morning works",
            "thanks, 2 please",
            "no thanks",
        ),
    ),
)
# A text that only acknowledges ("👍", "ok great", "perfect!"): after a booking, nothing to act on.
ACK_ONLY_RULES: tuple[Rule, ...] = (
    Rule(
        "an acknowledgement and nothing else",
        r"^\W*(?:" + _COURTESY + r"(?:\b|(?=\W)|$)\W*)+$",
        ("👍", "ok", "ok great", "perfect!", "cool cool", "sounds good 👌", "ok gracias"),
        ("ok can i also get a peel", "great, what time?", "ok friday then", "2", "julia"),
    ),
)
GOODBYE_RULES: tuple[Rule, ...] = (
    Rule(
        "goodbye",
        r"\b(?:that(?:'s| is| will be| would be) (?:all|everything)|(?:i've |i )?(?:got|have) to go)\b|"
        r"\b(?:bye+|goodbye|good bye|bye bye|see (?:you|ya)(?: then| soon| there| later)?|cya|ttyl"
        r"|talk (?:to you )?"
        r"(?:later|soon)|have a (?:good|great|nice) (?:one|day|night|evening|weekend)|good ?night"
        r"|that'?s (?:all|it)"
        r"(?: for now)?|all set|nothing else|adios|hasta luego|hasta pronto|nos vemos|chao|chau)\b",
        ("bye!", "see you then", "that's all, thanks", "adiós", "ttyl"),
        ("by friday",),
    ),
)
AFFIRM_RULES: tuple[Rule, ...] = (
    Rule(
        "yes",
        r"^\W*(?:yes|yeah+|yea|yep|yup|sure|ok|okay|alright|all right|absolutely|definitely|def|of course"
        r"|ofc|certainly|"
        r"correct|right|perfect|great|awesome|cool|bet|deal|sounds (?:good|great|perfect|fine|amazing)"
        r"|sgtm|that works|"
        r"works|works for me|please do|go ahead|do it|book it|book me|lock it in|confirm(?:ed)?|for sure|y"
        r"|i'm in|"
        r"let's do it|let's do that|si|claro|dale|vale|perfecto|de acuerdo|esta bien|por supuesto|listo"
        r"|oui)\b",
        ("yes please", "yesss", "ya", "yup", "sounds good!", "Sí", "ok cool", "bet", "y"),
        ("no thanks", "yesterday", "why"),
    ),
    Rule("thumbs up", r"^\W*(?:👍|👌|✅|🙌|💯|❤|😍|🥰)", ("👍", "👌🏼"), ("👎",)),
    Rule(
        "that works",
        r"^\W*(?:(?:ok|okay|yes|yeah|great|perfect|sure|cool|alright|awesome|oh|ah|well)\W+)?(?!.*\?\W*$)"
        r"(?:that|this|it|that one|this one|that time)\s+(?:sounds?|works?|suits me"
        r"|should work|"
        r"would work|will work|is (?:good|great|fine|perfect)|'s (?:good|great|fine|perfect)|is ok|'s ok)\b"
        r"|^\W*(?:(?:ok|okay|yes|yeah|sure|thank you|thanks)\W+)?i can do that\b|^\W*(?:please )?(?:try it"
        r"|go for it)\b",
        (
            "That suits me well.",
            "That should work.",
            "that sound great",
            "ok that works for me",
            "I can do that",
        ),
        ("that doesn't work", "does that work?", "it hurts"),
    ),
)
NEGATE_RULES: tuple[Rule, ...] = (
    Rule(
        "no",
        r"^\W*(?:no|not really|no thanks|no thank you|negative|n|not now|not yet|don't|never ?mind|no way"
        r"|i'll pass|"
        r"pass|no gracias|nop|para nada|todavia no)\b|^\W*👎",
        ("nah", "no thx", "nope", "Not really", "no gracias", "👎"),
        ("nothing else?", "now please", "nobody told me"),
    ),
)
PRICE_OBJECTION_RULES: tuple[Rule, ...] = (
    Rule(
        "too expensive",
        r"\b(?:too|so|very|really|pretty|kinda|kind of|a bit|a little|bit|quite|way)\s+"
        r"(?:expensive|pricey|pricy|steep|costly|high|rich|spendy)\b"
        r"|\b(?:expensive|pricey|pricy|overpriced|costly|steep|spendy)\b"
        r"|\b(?:way too|too|a bit|a little|bit) much\b(?! (?:time|trouble|of a|sun|work|hassle))"
        r"|\bmore than i (?:wanted|want|was hoping|hoped|planned|expected|thought|can"
        r"|could) (?:to )?(?:spend|pay)\b"
        r"|\b(?:that'?s|thats|it'?s|its|is|was|a (?:bit|lot|little)|way) more than i (?:thought|expected"
        r"|was expecting|hoped|imagined|planned|figured)\b"
        r"|\$\d[\d,]*\s*\?\s*(?:for|really|seriously|wow|omg|yikes|$)",
        (
            "that's expensive",
            "too much",
            "thats kinda steep",
            "hmm pricey",
            "$350?? for botox?",
            "wow ok thats more than i thought",
        ),
        ("how much is it", "Thanks so much!! See you then"),
    ),
    Rule(
        "a lot of money",
        r"\b(?:that's|it's|is|seems|sounds|that is|it is)\s+(?:a lot|alot|a bit much|a lot of money"
        r"|too much|crazy|"
        r"insane|high)\b|\ba lot of money\b|\b(?:yikes|oof|whoa|wow)\b.{0,20}\$|\$\d+.{0,15}\b(?:a lot"
        r"|alot|much)\b",
        ("omg $650 is a lot", "that's a lot", "yikes $800?"),
        ("thanks a lot", "i like it a lot"),
    ),
    Rule(
        "can't afford",
        r"\b(?:can't|cannot|can not|couldn't|unable to|not able to)\s+(?:really\s+)?(?:afford|swing"
        r"|justify)\b"
        r"|\b(?:can't|cannot|don't want to|not trying to) (?:spend|pay) (?:that|so) much\b",
        ("I can't afford it", "i can't swing that rn", "can't justify that much"),
        ("I can't do friday", "can't do it at 3"),
    ),
    Rule(
        "budget",
        r"\b(?:out of|outta|over|above|beyond|not in|outside) (?:my|our|the) (?:budget|price range)\b"
        r"|\bon a budget\b|"
        r"\btight budget\b",
        ("out of my budget", "I'm on a budget", "thats outta my budget"),
        ("budget is fine",),
    ),
    Rule(
        "cheaper",
        # "whats cheaper, botox or filler?" compares prices: a price question, not an objection
        r"(?<!what's )(?<!whats )(?<!which is )(?<!which's )(?<!which one is )\bcheaper\b"
        r"|\bless expensive\b|\bmore affordable\b|\blower price\b|\b(?:any|got any|have any"
        r"|are there)\s+"
        r"(?:discounts?|deals?|specials?|promos?|promotions?|coupons?|offers?)\b|\bdiscount\b"
        r"|\bmuy caro\b|\bcaro\b|\bmas barato\b|\bdescuentos?\b|\bpromocion(?:es)?\b"
        r"|\bcar[io]sim[oa]\b|\b(?:esta|es|muy|bien|super|que) cara\b|\bcostos[oa]\b|\bno me alcanza\b"
        r"|\bfuera de mi presupuesto\b"
        r"|\bno tengo (?:tanto|ese|el) dinero\b|\bno (?:puedo|podemos) pagar (?:tanto|eso|mucho|ese precio)\b"
        r"|\bfuera de mi alcance\b",
        (
            "is there anything cheaper",
            "do u have any specials",
            "any deals?",
            "es muy caro",
            "uy esta carisimo",
            "no me alcanza ahorita",
            "no puedo pagar tanto ahorita",
        ),
        (
            "cheers",
            "do you take payment plans",  # financing is a question for staff
            "me duele la cara",
            "whats cheaper, botox or lip filler?",
        ),
    ),
    Rule(
        "a lower price seen elsewhere",
        r"\$\d[^.?!]{0,40}\b(?:elsewhere|somewhere else|other places?|another (?:place|spa|clinic|med ?spa)"
        r"|(?:at|from) (?:another|other|a different|the other|some|my old|this other))\b"
        r"|\b(?:elsewhere|somewhere else|other places?|another place|down the street|across town)\b"
        r"[^.?!]{0,30}\$\d"
        r"|\b(?:does it|do it|charges?|offers? it|get it|got it|found it|had it done)\b[^.?!]{0,20}"
        r"\bfor less\b"
        r"|\b(?:saw|seen|found|got|paid)\b (?:it )?(?:for|at) (?:only |just |like )?\$\d"
        # "the skin bar on union st does them for $179": another place's price
        r"|\b(?:does|do|did|charges?|offers?|sells?) (?:them|it|one|those|that|theirs|\w+s) for "
        r"(?:only |just |like )?\$\d",
        (
            "hmm i saw $9/unit at another place",
            "other places are $250",
            "the place down the street does it for less",
            "i got it for like $200 at my old spa",
            "$12 a unit at the other med spa",
            "the skin bar on union st does them for $179",
        ),
        ("$350 is fine", "i saw julia last time", "I found you on instagram", "i got it at 3 last time"),
    ),
    Rule(
        "a price said back in disbelief",
        r"\$\d[\d,]*(?:\s+(?:for|on|per)\b[^.?!]{0,25})?\s*\?\W*(?:no way|nope|really|seriously|wow|omg"
        r"|yikes|ouch|lol|jeez|geez|that'?s (?:crazy|insane|wild|a lot))\b"
        r"|\$\d[\d,]*\b[^.?!]{0,25}\b(?:no way|nope|hell no|yikes|ouch|jeez|geez|dang|damn)\b"
        r"|\b(?:no way|ouch|jeez|geez)\b[^.?!]{0,20}\$\d",
        ("$650 for lips?? no way", "$900?? seriously", "$350 ouch", "no way, $800 for cheeks"),
        ("is $350 the price?", "$350 per session?", "no way i can make friday"),
    ),
)
AVAILABILITY_RULES: tuple[Rule, ...] = (
    Rule(
        "asks what is open",
        r"\bwhat (?:times?|days?|dates?|slots?|openings?|appointments?|availability)\b.{0,40}\b(?:have|got"
        r"|available|open|"
        r"free|left)\b|\bwhat (?:times?|days?)\b.{0,20}\b(?:work|works|are there|is there)\b"
        r"|\bwhen (?:are you|is "
        r"(?:she|he|someone|anyone|it)|can i|could i|do you have|are there)\b|\bwhat's (?:available|open"
        r"|free)\b|"
        r"\bavailabilit\w*|\b(?:any|got any|have any|do you have (?:any)?)\s*(?:openings?|availability"
        r"|slots?|spots?|"
        r"times?|appointments?)\b|\bdo you have (?:anything|something|any ?thing|room|time|space)\b"
        r"|\b(?:earliest|"
        r"soonest|next) (?:available|opening|slot|appointment)\b|\bwhat's the (?:soonest|earliest)\b"
        r"|\bare you "
        r"(?:free|available)\b|\banything (?:open|available|free)\b|\b(?:tienen|hay) (?:espacio|citas?|"
        r"disponibilidad|algo)\b",
        (
            "what times do you have",
            "any openings thursday?",
            "when are you available?",
            "whats the soonest you have?",
        ),
        ("I have time on friday",),
    ),
    Rule(
        "asks to be fitted in",
        r"\b(?:fit|squeeze|get|sneak) me in\b(?!\s+(?:a|an|the|to|my|your)\b)"
        r"|\bwhen (?:could|can|would|will) (?:you|u|y'?all) (?:fit|squeeze|see|take|have) me\b",
        ("when could you fit me in?", "can u squeeze me in this week", "when can you see me"),
        ("can you fit me in a robe after", "you fit me right in last time"),
    ),
    Rule(
        "pregunta qué hay libre",
        r"\bcuando (?:tienen|hay|puedo|podria|pueden|me pueden)\b|\bque (?:horarios?|dias?|citas?|horas?) "
        r"(?:tienen|hay)\b|\b(?:tienen|hay) (?:algo |alguna cita )?disponibles?\b|\blo (?:antes|mas pronto) "
        r"posible\b|\blo mas pronto\b|\bla (?:primera|proxima) cita disponible\b",
        (
            "¿cuándo tienen disponible?",
            "qué horarios tienen el sábado",
            "lo antes posible",
            "¿hay algo disponible mañana?",
        ),
        ("tengo tiempo el viernes", "cuándo cierran"),
    ),
)


BOOKING_ASK_RULES: tuple[Rule, ...] = (
    Rule(
        "asks to come in",
        r"\b(?:can|could|may) (?:i|we) (?:please )?(?:come in|book|schedule"
        r"|get (?:in|booked|an appointment))\b"
        r"|\b(?:i'd|i would|i want to|i wanna|want to|wanna) (?:like to )?(?:book|come in|schedule)\b"
        r"|\bbook me\b|\bput me down\b|\bquiero (?:una cita|reservar|agendar)\b",
        (
            "can i come in for dermaplaning thursday and is marco working then",
            "I'd like to book a facial friday, are you open late?",
            "book me thursday",
        ),
        ("what time do you close on thursday?", "is julia in on friday?", "can i ask something"),
    ),
)


DEFER_RULES: tuple[Rule, ...] = (
    Rule(
        "gets back later",
        r"\b(?:let me|lemme|i(?:'ll| will| need to| have to| gotta|'m going to| am going to))"
        r" (?:check|look at|think about|sleep on|ask|talk to|confirm with)\b"
        r"|\b(?:i'll|i will|let me) (?:get back to you|text (?:you )?back|let you know|circle back"
        r"|reach out)\b"
        r"|\b(?:get|text|write) back to (?:you|u)\b|\bnot sure (?:yet|which)\b"
        r"|\b(?:dejame|dejeme|deja que) (?:ver|revisar|pensar|checar)\b|\bte (?:aviso|escribo|confirmo)\b"
        r"|\blo (?:pienso|consulto|reviso)\b"
        r"|\b(?:luego|despues|mas tarde|otro dia) (?:reservo|agendo|te escribo|les escribo|te aviso"
        r"|les aviso)\b"
        r"|\b(?:i'll|i will|let me|lemme|gonna|need to)"
        r" (?:have a think|think it over|think on it|mull it over)\b"
        r"|\bmaybe (?:another|some other) time\b|\bnot (?:right )?now,? thanks?\b"
        r"|\b(?:i'?ll|i will|will|gonna|going to|i'?m going to) (?:book|schedule|text|reach out|come in)"
        r"(?: it| one| something| an appointment)?"
        r"(?: later| another time| soon| when i'?m ready| when i know)\b",
        (
            "ok thanks, i'll have a think",
            "maybe another time, thank you",
            "let me check my calendar and get back to you",
            "hmm let me think about it and text you back",
            "I'll let you know!",
            "dejame ver mi agenda y te aviso",
            "ty for the info! ill book later",
            "gracias por la info, luego reservo",
        ),
        ("let me know what you have", "check in is at 3", "can you get back to me about prices?"),
    ),
)


def defers(text: str, *, already_plain: bool = False) -> bool:
    """The client puts the choice off ("let me check my calendar and get back to you")."""
    return matches(DEFER_RULES, text, already_plain=already_plain)


def is_booking_ask(text: str, *, already_plain: bool = False) -> bool:
    """The client asks to book or come in ("can i come in thursday", "I'd like to book"), whatever
    else the text asks."""
    return matches(BOOKING_ASK_RULES, text, already_plain=already_plain)


def is_greeting(text: str, *, already_plain: bool = False) -> bool:
    """The text opens with a greeting ("hi", "hello there", "good morning", "hola")."""
    return matches(GREETING_RULES, text, already_plain=already_plain)


def is_thanks(text: str, *, already_plain: bool = False) -> bool:
    """The client says thank you."""
    return matches(THANKS_RULES, text, already_plain=already_plain)


def only_acknowledges(text: str, *, already_plain: bool = False) -> bool:
    """The text only acknowledges or thanks ("👍", "ok great", "perfect, thanks so much")."""
    return matches(ACK_ONLY_RULES, text, already_plain=already_plain)


def only_thanks(text: str, *, already_plain: bool = False) -> bool:
    """The text only thanks or takes note ("ok cool thanks!", "perfect ty", "ok great, good to know")."""
    return matches(THANKS_ONLY_RULES, text, already_plain=already_plain)


def is_goodbye(text: str, *, already_plain: bool = False) -> bool:
    """The client signs off."""
    return matches(GOODBYE_RULES, text, already_plain=already_plain)


def is_affirmative(text: str, *, already_plain: bool = False) -> bool:
    """A yes ("yes", "yep", "sounds good", "👍", "sí"); a text that starts with a no is not a yes."""
    flat = text if already_plain else plain(text)
    return matches(AFFIRM_RULES, flat, already_plain=True) and not matches(
        NEGATE_RULES, flat, already_plain=True
    )


def is_negative(text: str, *, already_plain: bool = False) -> bool:
    """A no ("no", "nope", "not really", "no thx", "no gracias")."""
    return matches(NEGATE_RULES, text, already_plain=already_plain)


def is_price_objection(text: str, *, already_plain: bool = False) -> bool:
    """The client balks at the price ("that's expensive", "omg $650 is a lot", "anything cheaper?")."""
    return matches(PRICE_OBJECTION_RULES, text, already_plain=already_plain)


def is_availability_request(text: str, *, already_plain: bool = False) -> bool:
    """The client asks what is open ("what times do you have", "any openings thursday?")."""
    return matches(AVAILABILITY_RULES, text, already_plain=already_plain)


_CHECKS: tuple[tuple[Intent, Callable[[str], bool]], ...] = (
    ("greeting", is_greeting),
    ("thanks", is_thanks),
    ("goodbye", is_goodbye),
    ("affirm", is_affirmative),
    ("negate", is_negative),
    ("price_objection", is_price_objection),
    ("availability_request", is_availability_request),
    ("reject_options", is_rejection),
)


def detect_intents(text: str) -> frozenset[Intent]:
    """Every intent the text shows; one text can greet, thank and ask at once."""
    return frozenset(intent for intent, check in _CHECKS if check(text))


def extract_name(text: str, asked: bool = False) -> str | None:
    """The client's name if they gave it ("I'm Sarah", "Sarah here", "... - Jess", "soy Lucía").

    With `asked=True` (the agent just asked for their name) a bare "sarah" or "Dana Lee" counts too.
    """
    found = find_name(text, asked=asked)
    return found.name if found else None


# Words of a text that only greets or gives a name: nothing in it can name a treatment.
_SMALL_TALK_WORDS = frozenset(
    """
    hi hii hiii hello hey heya hiya howdy yo greetings hola bonjour buenas buenos dias tardes noches there
    good morning afternoon evening day my name is name's the am i i'm im this it's its it call me here again
    and thanks thank you soy llamo me
    """.split()
)


def is_small_talk(text: str, name: str | None = None) -> bool:
    """The text only greets and/or gives the client's name ("Hi there", "I'm Robin"): no treatment in it.

    Lets the brain skip a catalog lookup that could not match anything; any other word counts as
    content, so a text that might name a treatment is always matched.
    """
    allowed = _SMALL_TALK_WORDS | {w for w in plain(name or "").split()}
    words = re.findall(r"[a-z][a-z']*", plain(text))
    return (
        bool(words)
        and all(w.strip("'") in allowed or w in allowed for w in words)
        and not re.search(r"\d", text)
    )
