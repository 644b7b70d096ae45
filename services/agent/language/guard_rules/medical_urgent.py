"""Urgent medical rules: possible emergencies and symptoms after a treatment, tried before any other.

An urgent escalation pages staff and tells the client to call 911 if it is an emergency. A rule
stands down (`unless=_NOT_NOW`) when the text asks in general ("will I bruise?") or tells history
("I fainted at my last botox") and names no symptom the client has now.
"""

from __future__ import annotations

import re

from .rule import Rule, alt, rx
from .vocabulary import (
    AFTER_SYMPTOM,
    DRUG,
    PROCEDURE,
    PRODUCT,
    SYMPTOM,
    TREATMENT,
)

_AFTER = (
    r"(?:after|since|from|post|following|during|at (?:my|the))[- ]?(?:starting |i started |getting |i got |"
    r"having |i had )?(?:my |the |last |her |his |this |that |our |yesterday'?s |today'?s |"
    r"a )?(?:[\w']+ ){0,2}"
)
# Where a treatment was done: "where they injected", "the injection site".
_TREATED_SPOT = (
    r"\b(?:(?:where|the (?:spot|area|place|part)) (?:they|she|he|you|i|the \w+) (?:did|injected|put|had|"
    r"got|was|were|lasered|treated)|"
    rf"(?:treated|injected|needle|{PROCEDURE}) (?:site|area|spot|points?)s?|"
    rf"where (?:the |my )?(?:\w+ )?(?:{PROCEDURE}|needles?) (?:went in|was|were|is|went))\b"
)
# A treatment described as done ("got lip filler on sat and my lip is still swollen").
_HAD_PROCEDURE = (
    rf"(?:\b(?:had|got|did|done|get|getting|having)\b (?:my |the |a |some )?(?:\w+ ){{0,2}}{PROCEDURE}\b|"
    r"\b(?:had|got|get|getting|having) (?:my |them |it |her |his )?(?:\w+ )?done\b)"
)
# Generic questions about what may happen ("is it normal to bleed after microneedling?"), not a
# symptom the client has now: medical, but not urgent.
_PRESENT_SYMPTOM = (
    r"(?:\bmy \w+(?: \w+)? (?:is|are|r|feels?|looks?|has|keeps?|have been|has been)\b|\bnow\b|"
    r"\bis it normal to (?:be|feel)\b|"
    rf"\b(?:this|so|still|super|really|very|kinda|pretty) (?:\w+ )?{AFTER_SYMPTOM}(?!\w)|"
    r"\bthe (?:\w+ )?(?:burn|blister|bruise|bump|rash|wound|scab|lump)s?\b(?! (?:me|my|you|her|him)\b)|"
    # "i've been so stressed" is no symptom
    r"\b(?:i'?ve|ive|i have) (?:had|been)\b(?! (?:so |really |super |very )?(?:stressed|busy|meaning|wanting|"
    r"thinking|looking|saving|waiting|dying to|going|working))|"
    rf"\b{SYMPTOM} (?:on|in|under|around) my\b)"
)
_GENERIC_QUESTION = re.compile(
    rf"^(?!.*{_PRESENT_SYMPTOM})(?=(?:hi|hey|hello|so|ok|quick question)?[,!. ]*(?:is it normal to|"
    r"how long (?:is|does|will|should|do|can)|how (?:bad|much|painful) (?:does|do|will|would|is)|"
    r"when (?:should|do) i|could i|will i|would i|how (?:do|"
    r"can) i (?:know|tell)|"
    r"do (?:people|most)|does (?:everyone|it)|what if|what are the (?:chances|odds)|how (?:likely|common)|"
    r"can (?:the |a )?(?:\w+ ){1,2}(?:hurt|cause|damage|make (?:me|you|my|your))|"
    r"(?:does|do|will|would) (?:the |a )?(?:\w+ ){0,2}(?:hurt|sting|burn)(?! (?:me|my|you|her|him)\b)|"
    r"(?:is|are) (?:the |a |it )?(?:\w+ ){0,3}(?:painful|uncomfortable)\W*$|"
    # a reference question: "what are the symptoms of a filler infection", "are cold sores contagious"
    r"what are (?:the )?(?:usual |common |typical )?(?:signs|symptoms|chances|odds)|"
    r"(?:is|are) (?:\w+ ){1,3}(?:contagious|catching|common))\b|"
    # hearsay or a hypothetical: "her face went numb after botox somewhere else, can that happen?"
    r".*\bcan (?:that|this|it) (?:really |even )?happen\b|.*\bwhat (?:happens|would happen|will happen) if "
    r"(?:someone|somebody|you|they|a|an|the|people)\b|"
    r".*\bwill i\b|.*\bwill (?:it|that|this) (?:migrate|move|spread)|.*\b(?:can|could|should) i (?:still )?"
    r"(?:get|do|have|come|take|go|book)\b|"
    r".*\b(?:will|would) (?:it|this|that|the \w+(?: \w+)?) (?:burn|hurt|harm|scar|damage|cause|leave|make|"
    r"affect|bruise|swell)\b|"
    r".*\bwhat(?:'s| is) safe to\b|.*\bwhat (?:can|should) i (?:take|eat|do|avoid|use)\b|"
    r".*\bhow (?:do|can|would) (?:you|u|i|we) (?:prevent|avoid)\b|"
    r".*\bcan you prescribe\b)"
)
# A past episode or a standing condition ("I fainted at my last botox", "a seizure disorder"), not a
# reaction happening now: medical, not urgent.
_HISTORY = re.compile(
    rf"^(?!.*{_PRESENT_SYMPTOM})(?=.*\b(?:last time|(?:at|during|after|from|in) my (?:last|previous)|"
    r"previous(?:ly)?|in the past|history of|years? ago|last year|disorder|before,|sometimes|occasionally|"
    r"prone to|every (?:so often|now and then)|once in a while|every time|whenever|all the time|"
    r"on and off|off and on|when i (?:stand|eat|work out|exercise|run|wake up)|"
    r"after i eat|(?:had|has had) (?:a|her|his) (?:\w+ )?(?:heart attack|stroke|seizure) (?:in|back in) "
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|\d{4})|"
    r"(?:before|after) (?:every|each) (?:appointment|appt|visit|session|treatment)))"
)
# What urgent rules stand down for: a general question, or a past episode.
_NOT_NOW = re.compile(f"{_GENERIC_QUESTION.pattern}|{_HISTORY.pattern}")

# What the symptom rules cannot do without: a symptom word, or one of the few other words their
# branches name. Most texts have none, and those rules are the costliest to run (`Rule.needs`).
_NAMES_A_SYMPTOM = re.compile(
    rf"\b(?:{AFTER_SYMPTOM}|wound|injured|cut|damaged|messed up|fuller|puffier|different)"
)

# "despues del relleno", "desde que me puse botox": after a treatment, not since a weekday
# ("desde el martes").
_SINCE_ES = (
    r"(?:despues|desde) (?:del?|de la|de mi|que|el|la|mi)\b"
    r"(?! (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|ayer|hace)\b)"
)

# What `symptom_on_a_drug` cannot do without: the drug, or weight loss shots.
# A question in Spanish about what may happen ("es normal que me salgan moretones despues del
# relleno?", "me va a doler?"), with nothing the client has now: medical, not urgent.
_GENERAL_ES = re.compile(
    r"^(?!.*\b(?:tengo|tiene|tienes|ahora|todavia|aun|sigue|siguen|hoy|anoche|ayer|me duele|me arde|"
    r"me salio|me salieron|se me|me quedo)\b)"
    r"(?=.*\b(?:es normal que|es comun que|suele|suelen|puede (?:causar|dar|salir)|pueden (?:salir|dar)|"
    r"cuanto (?:tiempo )?(?:dura|duran|tarda|tardan)|"
    r"(?:me|se) va a|van a|saldran?|que pasa si)\b)"
)

_NAMES_A_DRUG = re.compile(rf"\b(?:{DRUG}|weight loss)")

_PILLS = alt(r"pills?|tablets|capsules|meds|medications?|medicines?|gummies|" + DRUG[3:-1])

URGENT: tuple[Rule, ...] = (
    Rule(
        "breathing",
        "medical",
        rx(
            r"\b(?:can'?t|cant|cannot|can not|hard to|trouble|difficulty|struggling to|hard time) breath\w*",
            r"\bshort(?:ness)? of breath\b|\bwheez\w*|\bchoking\b",
            r"\b(?:throat|tongue|airway)\b.{0,25}\b(?:swell\w*|swollen|closing|tight\w*|closed)",
            r"\b(?:can'?t|cant|cannot|trouble|difficulty|hard to|hard time|problems?) swallow\w*",
            r"\bstop(?:s|ped)? breathing\b(?!.{0,30}\b(?:at night|in (?:his|her|my|their) sleep)\b)",
            r"\bno puedo respirar\b|\bme falta el aire\b|\bme cuesta respirar\b|"
            r"\b(?:garganta cerrada|se me cierra la garganta)\b",
        ),
        (
            "I can't breathe",
            "my throat feels like it's closing up",
            "having trouble breathing since the shot",
        ),
        ("I need a breather, can we do 3pm?", "breathtaking results on your page!"),
        priority="urgent",
    ),
    Rule(
        "vision_change",
        "medical",
        rx(
            r"\b(?:my|her|his|the) (?:vision|eyesight|eye ?sight|sight)\b(?! of\b)",
            r"\bvision (?:is|went|got|changes?|loss|problems?|issues?)\b",
            r"\b(?:blurr?y|blurred|double) (?:vision|eyes?|sight)\b",
            r"\b(?:vision|eyes?|sight|seeing)\b.{0,20}\b(?:blurr?y|blurred|dark(?! circles)|spots)\b",
            r"\bcan'?t see (?:out of|well|anything|properly|clearly|straight)\b",
            r"\b(?:lost|losing|loss of) (?:my )?(?:vision|sight)\b|\bgoing blind\b|\bseeing (?:spots|double)",
            r"\bcan (?:barely|hardly) see\b(?! (?:a|any|the|much) (?:difference|change|results?)\b)",
            r"\bflash(?:es|ing)? (?:of light|lights?)\b|\bcurtain (?:over|across|coming down)\b|"
            r"\b(?:veo|vision) (?:doble|borros[oa])\b",
        ),
        (
            "my vision is blurry after the filler",
            "I have blurred vision since this morning",
            "can't see out of my left eye",
        ),
        (
            "the photo you sent is blurry",
            "i faint at the sight of needles lol so numbing cream pls",
            "Vision board goals: glowing skin!",
            "it's been a month and i can barely see a difference with my lips",
        ),
        priority="urgent",
        unless=_HISTORY,
    ),
    Rule(
        "overdose_or_poisoning",
        "medical",
        rx(
            r"\boverdos\w*",
            rf"\b(?:took|taken|swallowed|ate|had) (?:too many|too much)\b.{{0,25}}\b{_PILLS}|"
            r"\btook too many\b",
            r"\b(?:double|extra|second|wrong) (?:dose|shot|injection)\b|\baccidentally (?:took|injected|used|"
            r"swallowed)\b",
            r"\b(?:my|a|the|her|his) whole bottle\b",
            rf"\b(?:took|taken|swallowed|ate|had) (?:like |about |over |around )?"
            r"(?:\d+|a (?:whole|bunch|handful|lot)|all (?:of )?(?:my|the|her|his)|several|"
            rf"extra)\b.{{0,25}}\b{_PILLS}",
            r"\b(?:swallowed|ingested)\b(?! (?:my|his|her|their) (?:pride|words))",
            r"\b(?:drank|drink|ate)\b.{0,30}\b(?:bleach|poison|chemicals?(?! peel)|cleaner|battery|detergent|"
            r"cream|serum|numbing|pills?)\b",
            r"\bpoison(?! ivy| oak)(?<!food poison)\w*",
            r"\b(?:took|injected|used|did)\b.{0,30}\b(?:twice|two doses|double)\b.{0,20}\b(?:by accident|"
            r"accidentally|by mistake)\b",
            r"\bby (?:accident|mistake)\b.{0,30}\b(?:vein|dose|twice|double)\b|\binto a (?:vein|"
            r"blood vessel)\b",
            r"\b(?:kid|son|daughter|child|toddler|baby|\d+ ?(?:yr|year)s? old|dog|cat)\b.{0,20}\b(?:got into|"
            r"ate|swallowed|drank|chewed)\b",
            # "se tomo unas pastillas": any verb (the shorthand reads "tomo" as "tomorrow")
            r"\bse \w+ (?:unas|las|mis|muchas|todas|varias|\d+) (?:\w+ )?(?:pastillas|pildoras|medicinas)\b",
        ),
        (
            "Um...i took 25 iron pills...what do i do",
            "I think I overdosed on tylenol",
            "my son swallowed some bleach",
        ),
        (
            "I took 2 friends to their facials last week",
            "I'd like 3 sessions of laser",
        ),
        priority="urgent",
        # a reference question about someone, not a client who took something: "what happens if someone
        # injects filler into a blood vessel" (medical, not urgent)
        unless=re.compile(
            r"^(?=.*\bwhat (?:happens|would happen|will happen) if (?:someone|somebody|you|they|a|an|the|"
            r"people)\b)(?!.*\b(?:i|my|me|im|i'?m|i'?ve)\b)"
        ),
    ),
    Rule(
        "chest_or_heart",
        "medical",
        rx(
            r"\bchest\b.{0,15}\b(?:pains?|tight\w*|pressure|hurts?|hurting|heavy)",
            r"\bheart (?:is )?(?:racing|pounding|attack)|\bpalpitations?\b",
            r"\bskipp(?:ing|ed) beats?\b|\birregular heart ?beat\b|\bheart (?:is )?(?:skipping|fluttering)\b",
            r"\b(?:me duele|dolor (?:en|de)) el pecho\b|\bdolor de pecho\b",
        ),
        ("I have chest pain and feel weird", "my heart is racing since the injection"),
        ("chest hair removal price?",),
        priority="urgent",
        # "I had a heart attack 2 years ago, is botox safe?" is history, and "my heart is racing, so
        # excited to book" is joy: medical or nothing, not urgent
        unless=re.compile(rf"{_HISTORY.pattern}|\b(?:excited|excitement|can'?t wait)\b"),
    ),
    Rule(
        "severe_allergic_reaction",
        "medical",
        rx(
            r"\banaphyla\w*|\bepi-?pens?\b",
            r"\b(?:having|getting|think i'?m having|i'?m having|i am having) (?:an? )?(?:severe |bad |"
            r"serious )?allergic reaction",
            r"\bsevere (?:allergic )?reaction\b",
            r"\b(?:face|lips?|eyes?|eyelids?|tongue)\b.{0,15}\b(?:swelling up|swelled up|blown up|ballooned|"
            r"puffed up)",
            r"\bhives all over\b",
            r"\b(?:face|lips?|eyes?|eyelids?|tongue|throat) (?:is |are |keeps |started |"
            r"getting )?(?:swelling|swollen shut|blowing up)\b",
            r"\b(?:having|getting|think i(?:\'m| am) having) (?:an? )?(?:\w+ )?reaction\b",
        ),
        ("I think I'm having an allergic reaction", "my face is swelling up", "do I need my epipen"),
        ("I'd like to plump my lips up a bit",),
        priority="urgent",
    ),
    Rule(
        "fainting_or_seizure",
        "medical",
        rx(
            r"\bfaint(?:ed|ing)\b|\bfeel(?:ing)? faint\b|\bpass(?:ed|ing)? out\b|\bunconscious\b|"
            r"\b(?:gonna|going to|about to) (?:faint|pass out)\b",
            r"\blost consciousness\b|\bseizures?\b|\bconvuls\w*|\bcollapsed\b",
            r"\b(?:dizzy|light-?headed|woozy|room is spinning)\b",
        ),
        ("she fainted after the injection", "I passed out in the car", "feeling faint and dizzy"),
        ("my forehead lines are faint, is baby botox enough to book?", "I'll pass on that time"),
        priority="urgent",
        unless=_NOT_NOW,
    ),
    Rule(
        "weakness_or_paralysis",
        "medical",
        rx(
            r"\b(?:face|eye|eyelid|mouth|lip|arm|leg|side|smile)\b.{0,15}\b(?:feels? |is |looks? )?(?:weak|"
            r"paraly\w*)\b",
            r"\b(?:trouble|difficulty|hard time|problems?) (?:chewing|chew|talking|talk|"
            r"speaking|speak|"
            r"smiling|blinking|blink)\b",
            r"\bcan'?t (?:move|lift|raise|close|open|feel) (?:my|his|her) (?:right |left )?(?:eyebrow|brow|"
            r"eye|eyelid|mouth|lip|arm|leg|hand|face)\b",
            r"\b(?:eye|eyelid) is (?:half )?(?:closed|shut)\b",
            # signs of a stroke: "sudden numb arm and cant talk right"
            r"\b(?:can'?t|cannot|can not) (?:talk|speak) (?:right|properly|clearly|straight)\b|\bslurr\w*|"
            r"\bsudden(?:ly)? (?:numb\w*|weak\w*)\b",
        ),
        (
            "my face feels weak and i'm having trouble chewing",
            "i can't move my eyebrow at all and my eye is half closed",
        ),
        ("my weak spot is chocolate lol, see you at 3", "please only text, i can't talk at work"),
        priority="urgent",
    ),
    Rule(
        "skin_colour_change",
        "medical",
        rx(
            r"\bblanch\w*|\bdusky\b|\bmottled\b|\blivedo\b|\bnecros\w*",
            r"\b(?:skin|area|spot|patch|lip|lips|nose|cheek|chin|it|filler|site)\b.{0,20}\b(?:turn(?:ed|"
            r"ing)?|gone|went|"
            r"going|looks?|looking|look|is|are|r|it'?s|got) (?:all |really |very |kinda |"
            r"\w+ and )?(?:white|grey|"
            r"gray|blue|"
            r"bluish|purple|"
            r"purplish|black|pale)\b",
        ),
        (
            "the skin around my lip turned white after filler",
            "my nose looks dusky",
            "there's blanching near the injection",
        ),
        ("I'd like to go blonde, is it white or gray?",),
        priority="urgent",
    ),
    Rule(
        "spreading_or_worsening",
        "medical",
        rx(
            r"\b(?:redness|red|pain|swelling|rash|bruis\w*|infection|bump|lump|welts?)\b.{0,40}"
            r"\b(?:spread\w*|getting worse|gotten worse|got worse|worse and worse|growing|getting bigger|"
            r"getting (?:darker|larger|redder|harder)|(?:bigger|darker|redder|harder|more swollen) (?:today|"
            r"now|every day|than yesterday))",
            r"\bspreading (?:redness|rash|pain|swelling|infection)",
        ),
        ("the redness is spreading down my cheek", "the swelling keeps getting worse"),
        ("word is spreading about your spa!",),
        priority="urgent",
    ),
    Rule(
        "bleeding_or_infection_signs",
        "medical",
        rx(
            r"\bbleed\w*\b.{0,30}\b(?:won'?t stop|not stopping|a lot|heavily|so much|everywhere)",
            r"\bblood\b.{0,30}\b(?:won'?t stop|not stopping|everywhere)|\b(?:cough\w*|throw\w*|threw|"
            r"vomit\w*|spit\w*|puk\w*) up blood\b",
            r"\bpus\b|\bred streaks?\b|\bstreaks? (?:going|spreading|running)\b|\boozing\b",
            r"\b(?:fever|chills|shaking|shivering)\b.{0,40}\b(?:after|since|where|injection|filler|botox|"
            r"laser|peel)\b",
        ),
        (
            "i'm bleeding a lot from my lip and it won't stop",
            "pus coming out of my cheek",
            "red streaks going up my arm",
        ),
        ("can i book a peel for friday",),
        priority="urgent",
    ),
    Rule(
        "severe_pain",
        "medical",
        rx(
            r"\b(?:severe|extreme|excruciating|unbearable|intense|horrible|terrible|really bad|so much|"
            r"a lot of|"
            r"awful|sharp|constant|throbbing) (?:\w+ )?(?:pain|burning|swelling|headache)",
            r"\b(?:pain|hurts?|hurting)\b.{0,10}\b(?:so bad|unbearable|severe|excruciating|like hell|"
            r"a lot)\b",
            r"\bworst (?:\w+ )?(?:headache|pain) (?:of|in) my life\b|\bthunderclap\b",
        ),
        ("I'm in so much pain", "severe pain where she injected", "it hurts so bad"),
        ("no pain no gain, book me in!", "does microneedling hurt a lot?", "will the laser hurt a lot"),
        priority="urgent",
        # The whole text asks whether a treatment to come will hurt: a comfort question, not pain now.
        unless=re.compile(
            r"^\W*(?:does|do|will|would|is|how much does|how bad does)\b[^.!?]{0,60}\bhurt\b[^.!?]*\W*$"
        ),
    ),
    Rule(
        "self_harm",
        "medical",
        rx(
            r"\b(?:suicid\w*|(?:kill|killing|hurt|hurting|harm|harming|cut|cutting) myself\b|self[- ]harm\w*|"
            # someone else's: "my teen is cutting herself" (a child who fell and "hurt herself" is not)
            r"(?:is|been|keeps?|started|was) (?:cutting|harming|starving) (?:him|her|them)sel(?:f|ves)\b|"
            r"end (?:it all|my life)\b|no reason to live\b|want(?:ing)? to die\b|"
            r"(?:talking|talks|thinking|thinks|talked|wants?|going) (?:about |to )?(?:ending it|end it|"
            r"end (?:his|her|their) life|kill(?:ing)? (?:him|her|them)sel(?:f|ves))\b|"
            r"(?:don'?t|do not|dont) want to (?:be here|live|be alive|wake up)\b"
            r"(?!.{0,12}\b(?:for|until|at|that long|all day)\b)|"
            r"(?:do|does|did)(?:n'?t| not) see the point (?:anymore|any more|of living|in living|in "
            r"(?:anything|life))\b|"
            r"quiero morir\w*|no quiero vivir\b|matarme\b|quitarme la vida\b)",
        ),
        (
            "i dont want to be here anymore",
            "i keep thinking about hurting myself",
            "my friend is talking about ending it and im scared",
            "my teen is cutting herself and i dont know what to do",
        ),
        (
            "i don't want to be here for 2 hours, how long is the facial?",
            "my daughter tripped and hurt herself lol shes fine, see you at 3",
        ),
        priority="urgent",
        needs=re.compile(
            r"m(?:yself|orir|atarme)|suicid|harm|die\b|end (?:it|my|his|her|their)|ending it|sel(?:f|ves)\b|"
            r"reason to live|want to (?:be|live|wake)|see the point|"
            r"vi(?:vir|da)"
        ),
    ),
    Rule(
        "emergency",
        "medical",
        rx(
            r"\bemergenc\w*|\b911\b|\bemergency room\b|\burgent care\b|\bambulance\b|\bthe er\b",
            r"\b(?:in|at|to) the hospital\b|\bhospitali[sz]ed\b",
            r"\b(?:think i'?m|i'?m|she'?s|he'?s|is) having a stroke\b|\bstroke symptoms\b",
            r"\b(?:droop\w*|numb\w*|weak\w*|paraly\w*) on one side\b|\bone side of my (?:face|body)\b|"
            r"\bslurr\w*|\bhalf (?:of )?(?:my|his|her) face\b.{0,15}\b(?:droop\w*|numb|frozen|paraly\w*|fell|"
            r"fallen|sagg\w*|dropped)\b",
            r"\b(?:can'?t feel|numb\w*|droop\w*|weak\w*|paraly\w*)\b.{0,20}\b(?:left|right|one) side of "
            r"(?:my|his|her) (?:face|body)\b",
            r"\bcan'?t keep (?:anything|food|water|it) down\b",
            # a blow to the head with signs after it: "hit my head skiing and now i feel foggy"
            r"\b(?:hit|banged|bumped|smacked) (?:my|his|her) head\b.{0,50}\b(?:headache|dizz\w*|foggy|"
            r"confused|throw\w* up|threw up|vomit\w*|sleepy|passed out)\b|"
            r"\btalking (?:funny|weird|strange|gibberish)\b|\b(?:words|speech) (?:are |is )?(?:jumbled|"
            r"garbled)\b",
            # sudden confusion, a stroke sign: "my mom is super confused today and not making sense"
            r"\b(?:confused|disoriented|not making (?:any )?sense)\b.{0,40}\b(?:today|tonight|"
            r"this morning|suddenly|all of a sudden|out of nowhere|right now|never like this|"
            r"not like (?:her|him)|not making (?:any )?sense)\b|"
            r"\b(?:suddenly|all of a sudden) (?:so |really |very )?(?:confused|disoriented)\b",
            # a clot after sitting still: "my leg is swollen red and hot and i just got off a long flight"
            r"\b(?:leg|calf|calves)\b.{0,30}\b(?:swollen|red|hot|warm)\b.{0,40}\b(?:flight|flew|long drive|"
            r"road trip)\b",
        ),
        (
            "is this an emergency?",
            "should I go to urgent care",
            "she's in the hospital since the treatment",
            "my 80 yr old mom is super confused today and not making sense",
            "woke up and half my face is droopy",
        ),
        (
            "how late are you open tonight?",
            "i work at the hospital until 6, anything after?",
            "i was in the hospital all last week and missed my facial, is there a no-show fee",
        ),
        priority="urgent",
        # where a client works or visits is logistics: "i work at the hospital until 6"
        unless=re.compile(
            # someone else's or a household's emergency, told to call off a visit: "family emergency,
            # i wont make my appt today"
            r"\b(?:family|work|personal|pet|dog|cat|childcare|house|home|car) emergenc(?:y|ies)\b|"
            r"\bemergency (?:came up|at work|with (?:work|my (?:kid|son|daughter|dog|cat|car|house)))\b|"
            # a stay over, told for a missed visit or its money: "i was in the hospital and missed my appt,
            # can i get my deposit back"
            r"\b(?:charged?|fee|deposit|refund\w*|missed|no[- ]show)\b.{0,60}\b(?:was|were|been) (?:\w+ )?"
            r"(?:in|at) (?:the )?(?:hospital|er|emergency room|urgent care)\b|"
            r"\b(?:was|were|been|got out of|home from|out of) (?:\w+ )?(?:in |at )?(?:the )?(?:hospital|er|"
            r"emergency room|urgent care)\b.{0,60}"
            r"\b(?:missed|deposit|refund\w*|cancel\w*|reschedul\w*|rebook\w*|no[- ]show|fee|charged?)\b|"
            # someone else in hospital, told to call off a visit (a cancellation or a move for staff):
            # "my dad is in the hospital, i need to cancel tomorrow"
            r"\bmy (?:dad|father|mom|mother|husband|wife|partner|son|daughter|kid|child|sister|brother|"
            r"grandma|grandpa|grandmother|grandfather|aunt|uncle|friend|boyfriend|girlfriend) "
            r"(?:is|was|'s|went|got taken) (?:\w+ )?(?:in|to|into) (?:the )?(?:hospital|er|emergency room|"
            r"icu)\b"
            r".{0,60}\b(?:cancel\w*|reschedul\w*|move|push|can'?t (?:make|come)|won'?t (?:make|be able))\b|"
            # a visit long past is history: "i went to urgent care last month for my stomach"
            r"\b(?:went|been|was|were) (?:to|in|at) (?:the )?(?:urgent care|er|emergency room|hospital)\b"
            r".{0,30}\b(?:last (?:week|month|year)|(?:\d+|a few|two|three|several) (?:weeks|months|years) "
            r"ago|years ago)\b|"
            r"\b(?:work|works|working|worked|shift|job|visiting|visit|volunteer\w*|near|next to|"
            r"across from)\b"
            r".{0,25}\b(?:at|in|by|from) the hospital\b(?!.{0,40}\b(?:since|because|after (?:my|the|her|"
            r"his|a|an|getting|having))\b)"
        ),
    ),
    Rule(
        "spanish_after_treatment",
        "medical",
        rx(
            # "me hice el botox ayer y me duele la cabeza"
            r"\bme (?:hice|puse|pusieron|hicieron|aplicaron)\b.{0,60}\b(?:duele|dolor|arde|hinchad\w*|"
            r"moreton\w*|"
            r"rojo|roja|morad\w*|sangr\w*|bulto\w*|bolitas?|ampollas|ronchas|granitos?|fiebre|pica|caid[oa]|"
            r"manchas?|blanc[oa]|palid[oa]|"
            r"torcid[oa]|chuec[oa]|entumid[oa]|adormecid[oa]|infectad[oa]|inflamad[oa])\b",
            rf"\b{_SINCE_ES}.{{0,40}}\b(?:hinch\w*|moreton\w*|duele|dolor|arde|ardor|rojo|roja|morad\w*|"
            r"sangr\w*|bulto|no puedo|caid[oa]|torcid[oa]|arden|duelen|pican|chuec[oa]|entumid[oa]|"
            r"adormecid[oa]|infectad[oa]|inflamad[oa])\b",
            r"\b(?:hinch\w*|moreton\w*|duelen?|dolor|arden?|ardor|pican?|rojo|roja|morad\w*|sangr\w*|bulto|"
            r"no puedo|caid[oa]|torcid[oa]|chuec[oa]|entumid[oa]|adormecid[oa]|infectad[oa]|inflamad[oa])\b"
            rf".{{0,60}}\b{_SINCE_ES}",
            rf"\b{_SINCE_ES}.{{0,40}}\b(?:quemad\w*|ampollas|ronchas|granitos?|bultos?|fiebre|dur[oa])\b",
            rf"\b(?:quemad\w*|ampollas|ronchas|granitos?|bultos?|fiebre|dur[oa])\b.{{0,60}}\b{_SINCE_ES}",
        ),
        (
            "tengo la cara hinchada despues del relleno, es normal?",
            "me arde mucho la piel despues del peeling",
            "me hicieron el botox ayer y hoy tengo el parpado caido",
            "me pusieron relleno en los labios y ahora tengo una mancha blanca",
        ),
        ("puedo ir despues del trabajo?",),
        priority="urgent",
        unless=_GENERAL_ES,
    ),
    Rule(
        "symptom_on_a_drug",
        "medical",
        rx(
            rf"\b{AFTER_SYMPTOM}\b.{{0,40}}\b(?:on|since starting|since i started|started|from) (?:the |my |"
            rf"this )?(?:\w+ ){{0,3}}(?:{DRUG}|weight loss (?:shots?|injections?|meds))\b",
            rf"\b(?:on|since starting|since i started) (?:the |my |this )?(?:{DRUG}|weight loss (?:shots?|"
            r"injections?|"
            rf"meds))\b.{{0,40}}\b{AFTER_SYMPTOM}(?!\w)",
            # a symptom that came with something just begun: "started the collagen powder last week and
            # now i have hives"
            rf"\bstarted (?:taking )?(?:the |my |this |a )?(?:\w+ )?{DRUG}\b.{{0,30}}\b(?:and|but|&) now\b"
            rf".{{0,30}}\b{AFTER_SYMPTOM}(?!\w)",
        ),
        ("i've been nauseous all week on semaglutide is that normal", "im losing hair on semaglutide"),
        ("how much is semaglutide a month?", "i'm on my way, see you at 3"),
        priority="urgent",
        unless=_NOT_NOW,
        # a drug's name is rarer in a text than a symptom word, and cheaper to find than the pattern
        needs=_NAMES_A_DRUG,
    ),
    Rule(
        "drug_or_product_making_me_sick",
        "medical",
        rx(
            rf"\b(?:{DRUG}|{PRODUCT}|meds?|medications?|medicines?|pills?)\b(?: (?:you|u|they|she|"
            rf"he) \w+ me)? "
            r"(?:is |has been |keeps? |just )?"
            rf"(?:making|made|makes|gave|giving|gives) (?:me|my)\b.{{0,30}}\b{AFTER_SYMPTOM}(?!\w)",
        ),
        ("the ozempic is making me so sick i cant eat", "that eye cream made my lids red and itchy"),
        ("the serum made my skin glow", "the hydrafacial gave me such a glow"),
        priority="urgent",
        unless=_NOT_NOW,
        # the verb is rare and cheap to find; the drug and product names in front of it are not
        needs=re.compile(r"\b(?:making|made|makes|gave|giving|gives) (?:me|my)\b"),
    ),
    Rule(
        "caring_for_a_symptom",
        "medical",
        rx(
            # how a client pays is not care: "can i use my fsa for the acne facials"
            rf"\b(?:take|put|use|apply|ice|heat|massage|cover)\b(?! (?:my |a |the |your )?(?:fsa|hsa|"
            r"insurance|card|credit|gift|points|package|membership|coupon|code|voucher|discount|deposit)\b)"
            rf".{{0,25}}\b(?:for|on) (?:the|my|this|these) "
            rf"(?:\w+ )?{AFTER_SYMPTOM}(?!\w)",
            r"\b(?:ice|heat|massage|cover|pop|drain) (?:the|my|this|"
            rf"these) (?:\w+ )?{AFTER_SYMPTOM}(?!\w)",
            rf"\bwhat (?:should|do|can) i do (?:about|for|with) (?:the|my|this|"
            rf"these) (?:\w+ )?{AFTER_SYMPTOM}(?!\w)",
            rf"\b(?:make|get) (?:the|my|this) (?:\w+ )?{AFTER_SYMPTOM} (?:go down|go away|heal|stop|better|"
            r"calm)",
        ),
        (
            "what should i put on the swelling",
            "should i ice the bruise or use heat",
            "how do i make the swelling go down faster",
        ),
        (
            "can i use my package for the facial?",
            "put me down for the 3pm",
            "can i use my FSA for the acne facials",
        ),
        priority="urgent",
        unless=_NOT_NOW,
        # the caring verb is rarer than a symptom word and cheap to find
        needs=re.compile(
            r"\b(?:take|put|use|apply|ice|heat|massage|cover|pop|drain)\b|\bdo (?:about|for|with)\b|"
            r"\b(?:make|get) (?:the|my|this)\b"
        ),
    ),
    Rule(
        "symptom_after_treatment",
        "medical",
        rx(
            rf"\b{_AFTER}{TREATMENT}\b.{{0,80}}\b{AFTER_SYMPTOM}(?!\w)",
            # a symptom, then the treatment: one branch, so the long symptom list is read once per word
            rf"\b{AFTER_SYMPTOM}\b(?:.{{0,80}}\b{_AFTER}{PROCEDURE}\b|.{{0,60}}{_TREATED_SPOT}|"
            rf".{{0,60}}{_HAD_PROCEDURE}|.{{0,40}}\b(?:after|it'?s been) (?:\d+|a few|two|three|four|"
            rf"five|"
            r"six|several) (?:days?|weeks?|wks?)\b|"
            r".{0,40}\b(?:\d+|a few|two|three|four|five|six|ten|several) (?:days?|weeks?|wks?) (?:out|later|"
            r"post)\b)",
            rf"{_TREATED_SPOT}.{{0,60}}\b{AFTER_SYMPTOM}(?!\w)",
            # a symptom since the visit itself: "swelling around my mouth since my visit last thursday"
            rf"\b{AFTER_SYMPTOM}\b.{{0,80}}\b(?:since|after|following) (?:my|the|your|our|her|his|their) "
            r"(?:last |recent )?"
            r"(?:visit|appointment|appt|treatment|session|one)\b",
            rf"{_HAD_PROCEDURE}.{{0,60}}\b(?:now|still|since then|today|this morning|tonight|"
            rf"ever since|woke up)\b.{{0,30}}\b{AFTER_SYMPTOM}(?!\w)",
            rf"\b{PROCEDURE} (?:burn|burns|blisters?|bruis\w*|bumps?|lumps?|rash|scabs?|wound|scar|"
            r"infection)\b",
            # told tersely, the symptom first: "lips tingling. since 20 min. filler this morning"
            rf"\b{AFTER_SYMPTOM}\b.{{0,40}}\b{PROCEDURE} (?:this morning|today|yesterday|last night|earlier|"
            r"this afternoon)\b",
            # told tersely: "filler 3 days ago. lump. normal?"
            rf"\b{PROCEDURE}\W+(?:\w+ )?(?:\d+|a few|two|three|four|five|six|several|a couple(?: of)?) "
            rf"(?:days?|hours?|hrs?|weeks?|wks?) ago\b.{{0,40}}\b{AFTER_SYMPTOM}(?!\w)",
            rf"\b{PROCEDURE} (?:left|gave me|caused|made)\b.{{0,40}}\b{AFTER_SYMPTOM}(?!\w)",
            rf"(?:\b(?:my|the) (?:\w+ ){{0,2}}|^(?!(?:is|are|does|do|will|would|which|what|how|can|could|"
            rf"should)\b)"
            rf"(?:\w+ )?){PROCEDURE} (?:area |site |"
            rf"spot )?(?:(?:\w+ ){{0,3}}(?:looks?|"
            r"feels?|is|"
            r"are|has|went|"
            rf"got|seems|turned)\b.{{0,30}}\b)?{AFTER_SYMPTOM}(?!\w)",
            r"\b(?:laser|peel|filler|botox|needle|injection|wax|treatment|machine|device|tech|injector|"
            r"provider|she|he|they|you guys|you) (?:burn(?:ed|t)|scar(?:red)?|bruised|hurt|injured|cut|"
            r"damaged|messed up) (?:my|me|her|him)\b(?! feelings| ego| pride)",
            r"\b(?:it\'?s been|its been|after) (?:\d+|a few|two|three|four|five|six|several) (?:days?|"
            rf"weeks?)\b.{{0,60}}\b{SYMPTOM}\b",
            rf"\b(?:{TREATMENT}|{PRODUCT})\b.{{0,40}}\band (?:now|since then|ever since|today|this morning|"
            rf"my)\b.{{0,60}}"
            rf"\b{AFTER_SYMPTOM}(?!\w)",
            r"\b(?:bruis\w*|swell\w*|swollen|lump\w*|bumps?|knots?|numb\w*|redness|red|droop\w*|scab\w*)\b"
            r".{0,40}\b(?:hasn'?t|has not|haven'?t|have not|won'?t|wont|will not|isn'?t|"
            r"is not|"
            r"aren'?t|not|never) (?:gone|go|going|went|gotten|get|getting|calmed|calming) (?:down|away|"
            r"better)\b",
            rf"\bmy (?:\w+ ){{1,2}}(?:is|are|r|feels?|looks?) (?:still |so |really |super |kinda |very |"
            rf"way )*"
            rf"{SYMPTOM}\b(?=.{{0,120}}\b(?:{PROCEDURE}|{PRODUCT})\b)",
            rf"\b(?:{PROCEDURE}|{PRODUCT})\b.{{0,120}}\bmy (?:\w+ ){{1,2}}(?:is|are|r|feels?|looks?) "
            rf"(?:still |so |really |super |kinda |very |way )*{SYMPTOM}\b",
            rf"^(?:\w+ )?{SYMPTOM} (?:\w+ ){{0,2}}(?:after|since|from) (?:yesterday|today|this morning|"
            rf"last night|"
            r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|the weekend)\b",
            # "got her lips done tuesday and one side is hard and purple"
            rf"{_HAD_PROCEDURE}.{{0,60}}\band\b.{{0,40}}\b(?:{SYMPTOM}|blue|purple|gr[ae]y|white|black|"
            rf"hard)\b",
            r"\b(?:one|left|right|other) side\b.{0,40}\b(?:bigger|smaller|higher|lower|fuller|puffier|"
            r"droop\w*|swollen|lumpy|uneven|different)\b|\b(?:bigger|smaller|higher|lower|fuller|"
            r"puffier) than "
            r"the (?:other|left|right)\b",
        ),
        (
            "my lips are still swollen 5 days after filler",
            "I have a rash after my laser treatment",
            "The laser burned my leg and nobody has called me back",
            "since my botox I've had a headache every day",
            "the injection site is really sore now",
            "botox on friday and now my eyebrow looks weird",
            "the bruise still hasn't gone away",
        ),
        (
            "I'd like a facial after my botox appointment next week",
            "can I book laser after work on friday?",
            "after my facial can I book a massage?",
            "got filler last month and now i want more",
        ),
        unless=_NOT_NOW,
        priority="urgent",
        needs=_NAMES_A_SYMPTOM,
    ),
)
