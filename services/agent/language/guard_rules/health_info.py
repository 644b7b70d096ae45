"""Questions for health information about a condition, whatever it is called: whether it runs in
families, how common it is, its outlook, its stages, a cure, research on it, how to prevent it.
Asked the way reference sites and worried people ask them ("Is rosacea inherited?", "What is the
outlook for melanoma?", "How many people are affected by alopecia areata?"), they are for a
qualified person even when the condition is one the spa treats.
"""

from __future__ import annotations

import re

from .rule import Rule, rx
from .vocabulary import PROCEDURE

# A booking word after "how do I prevent ...": "how do i prevent my slot from being given away".
_BOOKING = re.compile(r"\b(?:appointment|appt|booking|slot|cancel\w*|reschedul\w*|no[\s-]show|fee|charge)")

# What a med spa's menu is for ("what are the treatments for forehead lines" asks what it offers).
_COSMETIC_CONCERN = (
    r"(?:(?:forehead|frown|fine|smile|laugh|expression|eleven) )?(?:lines|wrinkles)|11s|elevens"
    r"|crow'?s feet|lips|volume|unwanted hair|hair removal|double chin|stubborn fat|love handles"
    r"|belly fat|cellulite|pores"
    r"|dull skin|dark circles|sun ?spots|age spots|peach fuzz|skin texture|glow"
)

HEALTH_INFORMATION: tuple[Rule, ...] = (
    Rule(
        "runs_in_families",
        "medical",
        rx(
            r"\b(?:is|are|was|were)\s+(?:\S+\s+){1,6}?(?:inherited|hereditary|heritable|genetic|contagious)\b",
            r"\bgenetic (?:changes?|mutations?|causes?|testing|factors?) (?:related to|for|of|behind)\b",
            r"\b(?:does|do|can) (?:\S+\s+){1,5}?(?:run in (?:the |my |our )?famil(?:y|ies)|"
            r"be passed (?:down|on))\b",
        ),
        (
            "Is Rosacea inherited ?",
            "is melasma genetic",
            "What are the genetic changes related to alopecia areata ?",
            "does hair loss run in families?",
            "are cold sores contagious",
        ),
        (
            "can i use the package my sister inherited from her mom",
            "I inherited my mom's gift card lol, still good?",
            "genetic lottery lol, my skin is good. just want a facial",
        ),
        needs=re.compile(r"\b(?:inherit|heredit|heritab|genetic|contagious|famil|passed)"),
    ),
    Rule(
        "how_common_and_outlook",
        "medical",
        rx(
            r"\bhow many (?:people|americans|women|men|adults|kids|children) (?:are affected|have|get|suffer|"
            r"live with|develop)\b",
            r"\b(?:what is|what's|whats) the (?:frequency|prevalence|incidence|outlook|prognosis) "
            r"(?:of|for)\b",
            r"\bprognosis\b|\blife expectancy\b|\bsurvival rates?\b|\bmortality\b",
            r"\bwhat are the stages of\b|\bwhat stage (?:is|of)\b",
            r"\b(?:is there|there is|any|a) (?:a )?(?:known )?cure (?:for|to)\b",
            r"\bis (?:\S+\s+){1,5}?curable\b",
            r"\b(?:research|clinical trials?|studies) (?:\(or clinical trials\) )?(?:is |are )?being done\b|"
            r"\bclinical trials?\b",
        ),
        (
            "How many people are affected by Wrinkles ?",
            "What is the frequency of Hyperhidrosis ?",
            "What is the outlook for Melasma ?",
            "whats the prognosis for stage 2 melanoma",
            "is there a cure for rosacea",
            "what research (or clinical trials) is being done for Acne ?",
            "What are the stages of Skin Cancer ?",
        ),
        (
            "how many people can come to the bridal party facials?",
            "what's the frequency of laser sessions, every 4 weeks?",
            "is there a discount for two areas",
        ),
        # "the frequency of laser sessions", "how many people have booked": the spa's own work.
        unless=re.compile(rf"\b(?:{PROCEDURE}|sessions?|treatments?|appointments?|appts?|visits?|booked)\b"),
        needs=re.compile(
            r"\b(?:how many|frequency|prevalence|incidence|outlook|prognosis|expectancy|survival|mortality|"
            r"stage|cure|curable|research|clinical|studies)"
        ),
    ),
    Rule(
        "how_to_prevent",
        "medical",
        rx(
            r"\bhow (?:to|do (?:i|you|we|people)|can (?:i|you|we|one|people)|should (?:i|you)|"
            r"would (?:i|you)|could (?:i|you)) (?:best |even |actually )?prevent\b",
            r"\bways? to prevent\b|\b(?:is|are) (?:\S+\s+){1,5}?preventable\b",
        ),
        (
            "How to prevent Rosacea ?",
            "how can i prevent stretch marks while pregnant",
            "ways to prevent age spots?",
            "is melasma preventable",
        ),
        ("how do i prevent my slot from being given away if im late", "how to prevent a no-show fee?"),
        unless=_BOOKING,
        needs=re.compile(r"\bprevent"),
    ),
    Rule(
        "what_to_do_for_a_condition",
        "medical",
        # Advice asked about a condition with no booking in it: "What to do for dry skin?" (a booking
        # lead says "what can I do / what do you have for my lines").
        rx(
            r"^\W*(?:so |ok |hi |hey )?what (?:to do|should (?:i|we) do|do i do) "
            r"(?:for|about|with) ",
            # the reference-site question: "What are the treatments for acne?" ("what are YOUR
            # treatments for acne" and "do u do treatments for" ask what the spa offers)
            r"^\W*(?:so |ok |hi |hey )?what (?:are|r) the (?:best |usual |common |standard |available )?"
            rf"treatments? (?:for|of) (?!(?:my |the |your )?{_COSMETIC_CONCERN}\b)",
        ),
        (
            "What to do for Rosacea ?",
            "what to do for hives",
            "what should i do about my dry skin",
            "What are the treatments for Acne ?",
        ),
        (
            "what to do for a bachelorette, group facials?",
            "what should i do for my wedding, facial or peel?",
            "what do i do about parking, street or garage?",
            "what do you do for dark circles",
            "what are your treatments for acne",
            "do u do any treatments for stretch marks",
            "what are the treatments for forehead lines",
        ),
        unless=re.compile(
            r"\b(?:party|bachelorette|wedding|birthday|bridal|group|gift|event|date night|vacation|trip|"
            r"appointment|appt|booking|deposit|payment|parking)\b"
        ),
    ),
    Rule(
        # How conditions differ and who gets them: "How is rosacea different from acne?", "Who gets
        # melasma?" (the spa's own treatments compared are a booking question).
        "who_gets_it_and_how_it_differs",
        "medical",
        rx(
            r"\bhow (?:is|are|do you tell) (?:\S+\s+){1,3}?(?:different from|differ from|apart from)\b",
            r"^\W*who (?:gets|develops|is affected by|is at risk (?:for|of)|can get)\b",
        ),
        ("How is rosacea different from acne?", "Who gets melasma?", "who is at risk for keloids"),
        (
            "how is the hydrafacial different from a regular facial",
            "who gets the 9am slot if two people want it",
        ),
        unless=re.compile(rf"\b(?:{PROCEDURE}|slots?|appointments?|appts?|bookings?|packages?|gift)\b"),
        needs=re.compile(r"\b(?:differ|apart|who)"),
    ),
    Rule(
        # The same questions in Spanish: whether it is inherited or catching, its cure, its cause, how it is
        # treated or diagnosed ("¿Es hereditaria la rosácea?", "¿Qué causa el acné en adultos?").
        "spanish_health_information",
        "medical",
        rx(
            r"\b(?:es|son) (?:\S+\s+){0,3}?(?:hereditari[oa]s?|genetic[oa]s?|contagios[oa]s?|cronic[oa]s?|"
            r"curables?)\b|\bse (?:contagia|contagian|hereda|heredan|pega|cura|curan)\b",
            r"\b(?:tiene|hay|existe) (?:una )?cura\b|"
            r"\bque (?:causa|causan|provoca|provocan|produce|producen) (?:el|la|los|las|que)\b|"
            r"\bpor que (?:me |le |nos )?(?:sale|salen|da|dan)\b",
            r"\bcomo se (?:trata|tratan|diagnostica|diagnostican|cura|curan|previene|evita|detecta)\b|"
            r"\bcual es el tratamiento (?:para|de)\b",
        ),
        (
            "¿Es hereditaria la rosácea?",
            "¿Qué causa el acné en adultos?",
            "¿La psoriasis se contagia?",
            "como se trata el melasma",
        ),
        (
            "que tratamientos tienen para las manchas y cuanto cuestan",
            "es mi primera cita, que me recomiendan",
            "se cura rapido el tatuaje? lo quiero quitar con laser",
        ),
        # the spa's own work asked by price or for a booking
        unless=re.compile(r"\b(?:cuesta|cuestan|precio|cita|reservar|agendar|laser|tatuaje)\b"),
        needs=re.compile(r"\b(?:es|son|se|tiene|hay|existe|que|por|como|cual)\b"),
    ),
)
