"""Health worries told without a clinical word: a symptom texted on its own ("bruise?? 😬"), a worry
told as a feeling ("kinda freaking out about this spot"), and signs described in plain words
("pooping blood", "hurts when i pee", "a tick on my leg"). They run after the other medical rules.
"""

from __future__ import annotations

import re

from .rule import Rule, rx
from .vocabulary import FACT_FOR_THE_VISIT, SYMPTOM

# Words that make a few-word text a booking, a thank-you or a question about a treatment: "no
# bruising!", "numbing cream?", "does it hurt", "pain free?".
_SHORT_TEXT_NOT_A_WORRY = (
    r"no|not|zero|any|minimal|less|free|thanks?|thank you|ty|love|loved|is|are|does|do|will|would|how|what|"
    r"when|where|can|could|should|price|cost|much|book|booking|numbing|cream|lol|"
    # Spanish: "¿cuánto cuesta el peeling?" asks the price of a chemical peel
    r"cuanto|cuanta|cuesta|cuestan|precio|cobran|reservar|cita"
)

SHORT_SYMPTOM = Rule(
    "symptom_on_its_own",
    "medical",
    rx(
        rf"^(?!.*\b(?:{_SHORT_TEXT_NOT_A_WORRY})\b)\W*(?:\w+\W+){{0,4}}(?:{SYMPTOM}|bruise|ouch)\b"
        r"(?:\W+\w+){0,3}\W*$"
    ),
    (
        "bruise?? 😬",
        "blisters 😩",
        "swollen again today",
        "throwing up rn",
        "hives everywhere help",
        "ouch my cheek",
        "hot and red and throbbing 😣",
    ),
    (
        "no bruising at all!",
        "numbing cream?",
        "is microneedling painful",
        "hurts less than wax lol",
        "pain free?",
        "laser hair removal",
        "cuanto cuesta el peeling quimico?",
    ),
    # ten words at most (a symptom may take three): only a text that short is read this way
    needs=re.compile(r"^\W*+(?:\w++\W*+){1,10}+$"),
)

WORRY_AS_FEELING = Rule(
    "worry_as_a_feeling",
    "medical",
    rx(
        r"\b(?:freak\w* out|spiral\w*|panick\w*|scared|worried|terrified|paranoid)\b.{0,40}\b(?:spot|lump|"
        r"bump|mole|patch|growth|bruise|mark|scar)s?\b",
        r"\bsomething (?:is|'s|feels|felt|seems|looks) (?:really |seriously |very )?(?:wrong|off|not right) "
        r"with (?:me|my body|him|her|my (?:face|skin|lips?|eyes?|baby|son|daughter))\b|"
        r"\bsomething (?:feels|felt) (?:off|wrong|not right)\b|"
        r"\bmy body (?:is ?n'?t|is not|does ?n'?t feel|does not feel|feels?) (?:right|off|wrong|weird)\b|"
        r"\bi (?:just )?feel (?:so )?off\b(?! (?:about|with))|"
        r"\b(?:do ?n'?t|do not|not) feel(?:ing)? (?:so |very |too )?(?:good|well|right|great)\b(?! about)",
        r"\b(?:have ?n'?t|have not|do ?n'?t|do not|not) (?:been )?(?:felt|feel|feeling) like (?:myself|me)\b",
        # eating told as fear or refusal: "scared to eat bc i think ill gain weight"
        r"\b(?:scared|afraid|terrified) (?:to|of) eat\w*|\bstarving myself\b|"
        r"\bmak(?:e|ing) myself (?:throw up|sick|puke)\b|\bpurging\b|"
        r"\b(?:stopped|barely|hardly|not) eating\b(?! (?:out|before|after|until|till|the (?:day|night)))",
        r"\b(?:is|was) (?:this|that|it) (?:supposed|meant) to (?:happen|look like this|feel like this)\b",
    ),
    (
        "kinda freaking out about this spot on my cheek",
        "im honestly scared something is wrong with me",
        "i just feel off, like my body isnt right",
        "ngl i havent felt like myself in months",
        "tbh i dont feel good",
        "scared to eat bc i think ill gain weight",
        "my daughter is 15 and she stopped eating basically",
        "is that supposed to happen",
    ),
    (
        "im so nervous for my first botox lol",
        "something is wrong with my booking link",
        "i dont feel good about the price tbh",
        "we're not eating out tonight so i can come at 7",
        "scared ill look frozen, can i do a light dose",
    ),
)

PLAIN_SIGNS = Rule(
    "signs_in_plain_words",
    "medical",
    rx(
        r"\b(?:pooping|peeing|coughing|spitting|throwing up|vomiting|puking) (?:up )?(?:blood|bloody)\b",
        r"\b(?:hurts?|burns?|stings?|pain\w*) (?:when|while|after) (?:i|she|he) (?:pee|poop|swallow|breathe|"
        r"chew|eat|walk|sit|cough|sneeze)\b",
        r"\bwhy (?:am i|is (?:she|he)|do i feel|does (?:she|he) feel) (?:always |so |constantly )?(?:cold|"
        r"tired|thirsty|hungry|dizzy|itchy|sweaty|bloated|nauseous|shaky|out of breath)\b",
        r"\bcatch (?:my|her|his) breath\b|\bout of breath (?:so )?(?:easily|walking|climbing|going up)\b|"
        r"\bshort[- ]winded\b|\b(?:get|gets|getting) winded\b",
        r"\b(?:look|looks|looking) like (?:i|she|he) (?:got (?:punched|hit|beat up|beaten up|stung|"
        r"in a fight)|"
        r"was (?:punched|hit|in a fight)|lost a fight)\b|\bsplinters?\b",
        r"\b(?:found|pulled|removed|got) (?:a |an? )?ticks?\b|\bticks? (?:on|in) (?:my|her|his)\b",
        r"\b(?:dark|black|brown) (?:line|streak|stripe)s? (?:under|in|on) (?:my |her |his )?"
        r"(?:finger|toe)?nails?\b",
        r"\b(?:metallic|metal|weird|bad|bitter|funny) taste\b|"
        r"\b(?:lost|losing|can'?t) (?:my )?(?:sense of )?(?:taste|smell)\b",
        r"\b(?:bump|lump|spot|mole|mark|patch|growth|cyst|knot)\b.{0,60}\b(?:getting (?:bigger|darker|"
        r"worse|larger)|growing|grew)\b",
        r"\b(?:found|feel|felt|noticed) (?:a|an|this) (?:\w+ ){0,2}(?:lump|bump|knot|mass|growth|cyst|"
        r"ball)\b|"
        r"\b(?:hard|soft|new|weird|big|small|little|pea[- ]sized) (?:lump|knot|ball|nodule)s? (?:on|in|under|"
        r"behind|near) (?:my|her|his|the)\b|\b(?:ball|knot|lump|marble|pea) under (?:my|her|his|the) skin\b",
        # a part compared to something it should not be like: "my forehead feels like a rock"
        r"\b(?:my|her|his) (?:\w+ ){0,3}(?:feels?|looks?) like (?:a |an )?(?:rock|brick|stone|"
        r"balloons?|golf ball|marble|pebble|map|sausages?|sandpaper)\b|"
        r"\b(?:sand|grit|something|a hair) (?:stuck )?in (?:my|her|his) eyes?\b",
        # what a parent sees: "keeps grabbing his ear", "wets the bed again", "can't remember things"
        r"\b(?:grabbing|pulling|tugging|rubbing|scratching|hitting) (?:at )?(?:his|her) (?:ears?|eyes?|head|"
        r"belly|tummy)\b|\b(?:wets?|wetting) the bed\b|\bbed ?wetting\b|"
        r"\b(?:can'?t|cannot|doesn'?t|does not|don'?t|do not) remember (?:things|stuff|anything|what|where|"
        r"names|words|conversations)\b",
        r"\bnew (?:freckle|mole|spot|mark|growth)s?\b.{0,30}\b(?:looks?|is) (?:weird|odd|funny|different|"
        r"strange|off)\b",
        r"\b(?:keep|kept|been|always|constantly) (?:throwing up|puking|vomiting|getting sick|feeling sick)\b",
        r"\bhairs? (?:growing|sprouting)\b.{0,30}\b(?:suddenly|all of a sudden|out of nowhere)\b|"
        r"\b(?:suddenly|all of a sudden) (?:growing|getting) (?:\w+ )?hairs?\b|"
        r"\bbruis\w* (?:so |really |very )?easily\b",
        r"\b(?:losing|lost|loses|lose) (?:her|his|my|their) balance\b|\bkeeps? falling (?:down|over)\b|"
        r"\b(?:lump|knot|mass|bump) (?:in|on|under) (?:my|her|his) "
        r"(?:breast|armpit|neck|groin|testicle|throat)\b|"
        r"\b(?:vision|eyesight|sight)\b.{0,15}\b(?:goes|went|going|turns?|turned) "
        r"(?:dark|black|blurry|grey|gray|white)\b",
    ),
    (
        "pooping blood a lil?? idk",
        "hurts when i pee",
        "why am i always cold even in summer",
        "cant catch my breath walking up stairs lately",
        "found a tick on my leg and now theres a red circle",
        "theres a dark line under my fingernail",
        "weird metallic taste in my mouth all week",
        "this bump is not it, its been there for weeks and its getting bigger",
        "my partner found a lump in his armpit",
        "fr my forehead feels like a rock",
        "i look like i got punched",
        "I have become increasingly short-winded.",
        "my son keeps grabbing his ear and crying at night",
        "hard lump on my wrist that moves",
        "my dad keeps losing his balance this month",
        "my mom's vision goes black for a second now and then",
        "is there anything for a lump in my breast",
    ),
    (
        "does the hydrafacial help with blackheads",
        "is the waitlist getting bigger lol",
        "can you get rid of a small bump on my nose with filler",
        "i bruise easily so can we do the filler after the wedding pls, like the 20th",
    ),
    # bruising easily told only to time a treatment around an event
    unless=re.compile(FACT_FOR_THE_VISIT),
)

SWEATING = Rule(
    "sweating_without_a_cause",
    "medical",
    rx(r"\bsweat\w* (?:through|so much|a lot|all the time|constantly|at night|every night)\b"),
    ("i sweat so much at night i have to change shirts", "armpits sweating through every shirt in winter"),
    ("can i get my underarms done for sweating, how much", "i sweat a lot, would botox help with that"),
    # asked as the spa's treatment for it, it is a booking
    unless=re.compile(r"\b(?:botox|tox|how much|price|cost|book|treat\w*|laser|offer|help with)\b"),
    needs=re.compile("sweat"),
)

# A part of the face or body that feels or sits differently: "my face feels heavy in the mornings",
# "i think my eyebrow dropped", "feels like something is stuck under my skin", "my energy crashed".
_FACE_OR_BODY = (
    r"face|forehead|brows?|eyebrows?|eyelids?|lids?|cheeks?|chin|jaw|lips?|mouth|smile|neck|skin|scalp|"
    r"eyes?|temples?|head|body|arms?|legs?|hands?"
)
PART_FEELS_CHANGED = Rule(
    "part_feels_changed",
    "medical",
    rx(
        rf"\b(?:my|her|his) (?:left |right |whole )?(?:{_FACE_OR_BODY}) (?:feels?|felt|looks?|is|has been) "
        r"(?:so |really |very |kinda |kind of |super |all )?"
        r"(?:heavy|weird|funny|strange|different|wrong|off)\b",
        r"\b(?:my|her|his) (?:left |right )?(?:brows?|eyebrows?|eyelids?|lids?) (?:dropped|fell|sank|sunk|"
        r"(?:is|are) (?:dropping|falling|sinking|lower))\b",
        r"\bsomething (?:is |'s )?(?:stuck|moving|hard|poking) (?:under|in) (?:my|her|his|the) "
        r"(?:skin|throat|ear)\b",
        r"\b(?:(?:my|her|his) )?energy (?:has )?(?:totally |completely |just )?(?:crashed|tanked|dropped|"
        r"(?:is |has been )?(?:gone|so low|zero))\b|"
        r"\bzero energy\b",
    ),
    (
        "my face feels heavy when i wake up",
        "i think my eyebrow dropped",
        "my jaw has been feeling weird? my jaw feels weird all week",
        "feels like something is stuck under my skin",
        "my energy tanked this month",
        "energy totally crashed since i started the shots",
    ),
    (
        "my skin feels amazing after the facial",
        "my face looks different in a good way lol, booking again",
        "can botox lift my brows, they sit low",
        "which drip is best for energy",
        "my face feels heavy with makeup, which facial should i book",
    ),
    # a look the client wants changed, or a treatment to book for it, is a booking
    unless=re.compile(
        r"\b(?:amazing|great|good way|love|lift|book\w*|which|recommend|want|consult|price|cost|how much)\b"
    ),
    needs=re.compile(
        r"heavy|weird|funny|strange|different|wrong|off\b|dropp|fell|sank|sunk|sinking|lower|"
        r"something|energy"
    ),
)

WORRIES: tuple[Rule, ...] = (SHORT_SYMPTOM, WORRY_AS_FEELING, PLAIN_SIGNS, SWEATING, PART_FEELS_CHANGED)
