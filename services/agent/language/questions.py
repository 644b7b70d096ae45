"""Front-desk questions a client asks: price, address, hours, parking, providers, services.

Pure: no I/O. The brain answers them from the spa's public profile, then carries on with the
booking. A clinical "how much" ("how much filler will I need") is not a price question: the guard
hands those to staff before any of this runs, and the price rule stays out of its way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from .phrases import Rule
from .shorthand import plain

__all__ = [
    "QUESTION_RULES",
    "STAFF_TOPIC_RULES",
    "Question",
    "find_questions",
    "question_weekday",
    "staff_topic",
]

Question = Literal[
    "about",
    "balance",
    "for_the_provider",
    "price",
    "packages",
    "duration",
    "address",
    "hours",
    "parking",
    "providers",
    "provider_schedule",
    "services",
    "phone",
    "consult",
    "cheapest",
]

_DAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|weekends?|"
    r"lunes|martes|miercoles|jueves|viernes|sabado|domingo|hoy|manana)"
)

# (question, rule): "{p}" in a pattern stands for the spa's provider first names.
QUESTION_RULES: tuple[tuple[Question, Rule], ...] = (
    (
        "for_the_provider",
        Rule(
            "what to expect from a treatment",
            r"\bhow long (?:does|do|will|would) (?:it|they|the results?|results|\w+)(?: \w+){0,3}? lasts?\b"
            r"|\bhow long (?:until|till|before) (?:i|you) (?:see|notice|get) (?:results|a difference|it)\b"
            r"|\bwhen (?:will|do|would|should) i (?:see|notice) (?:results|a difference)\b"
            r"|\b(?:what'?s|what is|whats) the difference between\b"
            r"|\b(?:does|do|will|would) (?:it|they|that|the \w+|\w+ing|\w+) hurt\b"
            r"|\bis (?:it|that|\w+ing|the \w+) (?:painful|uncomfortable)\b"
            r"|\bhow (?:bad|much) (?:does|will) (?:it|\w+) hurt\b"
            r"|\b(?:any|is there(?: any)?|how much) downtime\b"
            r"|\bhow many (?:sessions|treatments|visits|appointments)(?: of \w+(?: \w+)?)?"
            r" (?:will|would|do|does|should) (?:i|it take|you)\b"
            r"|\b(?:numbing|numb cream|numbing cream|lidocaine)\b(?!.{0,20}\b(?:wore|wear|worn) off\b)"
            r"|\bcuanto (?:dura|duran) (?:el|la|los|las)? ?(?:efecto|resultados?)\b|\b(?:duele|dolor)\b\?",
            (
                "how long does botox last",
                "whats the difference between botox and dysport",
                "can i get numbing for laser",
                "does microneedling hurt",
                "is there any downtime with the peel",
                "how long until i see results",
                "how many sessions of laser will i need",
            ),
            (
                "how long does a hydrafacial take",
                "how long is the appointment",
                "my last facial didnt hurt at all lol",
                "how many sessions are in the package",
            ),
        ),
    ),
    (
        "balance",
        Rule(
            "sessions left on the client's package",
            r"\bhow many (?:\w+ ){0,3}?(?:do i (?:still )?have|have i got|i (?:still )?have|are|is) (?:\w+ )?"
            r"(?:left|remaining)\b"
            r"|\b(?:do i|i) (?:still )?have (?:any |some )?(?:\w+ ){0,3}?(?:left|remaining)"
            r"(?: (?:on|in|from) (?:my|the) (?:package|pack|bundle|plan))?\s*\?"
            r"|\b(?:any|some) (?:\w+ ){0,2}?(?:left|remaining) (?:on|in) my (?:package|pack|bundle|plan)\b"
            r"|\b(?:my |the )?(?:package|session) balance\b|\bsessions? (?:left|remaining) on my\b"
            r"|\bcuantas (?:sesiones|citas) me quedan\b|\bme quedan (?:sesiones|citas)\b",
            (
                "hey its ava, how many laser sessions do i have left?",
                "do i have any hydrafacials left on my package",
                "how many sessions are left on my package",
                "whats my package balance",
                "do i still have sessions left?",
                "cuantas sesiones me quedan?",
            ),
            (
                "how many sessions will i need",
                "do you have anything left on friday",
                "how many spots do you have left friday",
                "i have 2 kids so mornings",
            ),
        ),
    ),
    (
        "about",
        Rule(
            "what a treatment is",
            r"\bwhat(?:'s| is|s) (?:a |an )(?!(?:good|great|nice|bad|better|best|free|quick|cheap|long)\b)"
            r"(?:[\w-]+ ){0,2}[\w-]+\s*(?:\?|$)"
            # "what is botox?": the whole text, the treatment named bare
            r"|^\W*(?:(?:hi|hey|hello|ok|so|um)\W+)?what(?:'s| is|s| are) "
            r"(?!(?:the|your|ur|my|it|that|this|up|good|next|open|available|included|new)\b)"
            r"(?:[\w-]+ )?[\w-]+\W*$"
            r"|\bwhat(?:'s| is|s) (?:a |an )?(?:[\w-]+ ){0,2}[\w-]+ (?:exactly|all about)\b"
            r"|\bwhat (?:does|do|will|would) (?!(?:you|u|i|we|they|ya|it|that|this)\b)(?:a |an |the )?"
            r"(?:[\w-]+ ){0,3}?(?:do|involve|feel like|help with)\b(?! (?:for|about|if|when|with my)\b)"
            r"|\bhow does (?:a |an |the )?(?:[\w-]+ ){1,3}?work\b"
            r"|\btell me (?:more )?about (?:the |a |an )?\w"
            r"|\bwhat(?:'s| is) involved\b|\bque es (?:un |una |el |la )?\w+\s*(?:\?|$)",
            (
                "whats a hydrafacial",
                "what is a chemical peel?",
                "what is dermaplaning exactly",
                "what does a chemical peel do",
                "what does microneedling help with?",
                "how does coolsculpting work",
                "tell me about the ipl photofacial",
                "qué es un hydrafacial?",
                "what is botox?",
                "hey whats dermaplaning",
            ),
            (
                "what's a good time for you",
                "what do you do for dark circles",
                "what does it cost",
                "what is the price of botox",
                "whats your address",
                "what does that mean",
                "what is a good day for julia",
                "what is a good time?",
                "whats up",
                "what's the price?",
                "what is open friday",
            ),
        ),
    ),
    (
        "price",
        Rule(
            "how much",
            r"\bhow much\b(?!\s+(?:(?!and\b|or\b|also\b|plus\b)\w+\s+){0,3}"
            r"(?:will|would|should|do|does|did|can|could)\s+(?:i|you|we"
            r"|she|he|it)"
            r"\s+(?:need|get|use|inject|put|have|take|lose|last|hurt|help))"
            r"(?!\s+(?:time|longer|does it (?:hurt|last)|downtime|notice))",
            (
                "How much is botox?",
                "how much is a hydrafacial",
                "how much for lip filler",
                "how much?",
                "how much is botox and do you have parking",
            ),
            (
                "how much filler will I need",
                "how much botox do I need for my forehead",
                "how much time does it take",
            ),
        ),
    ),
    (
        "price",
        Rule(
            "price or cost asked",
            r"\b(?:what(?:'s| is| are| does| do|s)?|whats|how)\b[^.?!]{0,30}\b(?:price|prices|pricing|cost"
            r"|costs|charge|rate|rates|fee)\b"
            r"|^\W*(?:prices?|pricing|cost|costs|price list|rates?|fees?)\W*\??\W*$"
            r"|\b(?:price|prices|pricing|cost) (?:of|for|on)\b|\bprice list\b|\bhow expensive\b"
            r"|\b(?:cuanto|cuanta)s? (?:cuesta|cuestan|vale|valen|es|sale|cobran)\b|\bprecios?\b|\bcosto\b",
            ("what does lip filler cost", "prices?", "whats the price of a hydrafacial", "cuánto cuesta"),
            ("the price is fine", "book it"),
        ),
    ),
    (
        "price",
        Rule(
            "price in other words",
            r"\bwhat'?s the damage\b|\$\$+|\bprice match\b|\b(?:is|are) (?:it|the|a|"
            r"your)\b[^.?!]{0,25}\bfree\b"
            r"|\bhow much (?:do|does|would|will) (?:it|that|this|a \w+|the \w+) (?:cost|run|be)\b"
            r"|\bwhat (?:does|do|would|will) (?:\w+\s+){0,4}?(?:run|go for|set me back)\b"
            r"(?! (?:on|at|from|till))|\bballpark\b|\bset (?:me|you|us) back\b"
            r"|\bwhat(?:'s|s| is)? (?:a |an |the |your |ur )?(?:\w+\s+){0,3}?go(?:es|ing)? for\b"
            r"|\bwhat (?:are|r) (?:you|u|y'all) (?:charging|asking)\b"
            r"|\b(?:what'?s|whats|which(?: one)? is|which'?s)"
            r" (?:cheaper|more expensive|less expensive|pricier)\b"
            r"|\bwhat(?:'s| is|s| would be) (?:the |my )?total\b"
            r"|\bhow much (?:all together|altogether|in total|total)\b|\btotal (?:cost|price)\b"
            r"|\bcuanto (?:seria|es|sale) (?:en )?total\b",
            (
                "ok whats the total for botox + lip filler",
                "how much altogether for a peel and dermaplaning",
                "what's the damage for lip filler",
                "$$ for botox?",
                "Is the consultation free?",
                "do you price match",
                "what does botox run these days?",
                "ballpark for coolsculpting?",
                "what would a hydrafacial set me back",
                "hiya! whats a hydrafacial go for these days",
                "whats cheaper, botox or lip filler?",
                "what r u charging for lip filler",
            ),
            ("I'm free friday", "free parking?", "what time does the sale run on friday", "i go for a run"),
        ),
    ),
    (
        "price",
        Rule(
            "a price asked in one word",
            r"(?<!great )(?<!good )(?<!fair )(?<!best )\b(?:price|prices|pricing|cost|costs|rate|rates)\s*\?"
            r"|^\W*[a-z][a-z' ]{2,30}(?<!great)(?<!good)(?<!fair)(?<!best)(?<!nice)(?<!low)(?<!high)(?<!the)"
            r" (?:price|prices|pricing|cost|costs)(?: (?:please|pls|list))?\W*$"
            r"|(?:^|\s)\$\s*(?:for|on) [a-z]",
            (
                "hydrafacial price?",
                "botox cost?",
                "lip filler prices please",
                "and the cost?",
                "hydrafacial cost",
                "$ for lips?",
            ),
            (
                "that's a great price?",
                "the price is fine",
                "ok good price",
                "worth the cost",
                "$50 for parking",
            ),
        ),
    ),
    (
        "packages",
        Rule(
            "packages on offer",
            r"\b(?:any|your|what|which)\s+(?:\w+\s+){0,2}?(?:packages?|bundles?|series)\b"
            r"|\b(?:do|does|can) (?:you|y'all|the spa)(?: guys)? (?:have|offer|sell|do|got)\s+"
            r"(?:\w+\s+){0,3}?(?:packages?|bundles?|series)\b"
            r"|\bpackage (?:deals?|prices?|pricing|options?|discounts?)\b"
            r"|\b(?:hay|tienen|ofrecen) paquetes?\b"
            r"|\bpaquetes?\b\W*$",
            (
                "do you have any packages for laser hair removal?",
                "any hydrafacial packages",
                "do you do package deals",
                "tienen paquetes?",
            ),
            (
                "can I use my package",
                "how many sessions are left on my package",
                "i bought a package",
                "I have a package",
            ),
        ),
    ),
    (
        "cheapest",
        Rule(
            "the lowest prices of a kind of treatment",
            r"\b(?:what(?:'s| is|s| are)?|which(?: is| are)?|your|ur|the) (?:(?:the|your|ur) )?"
            r"(?:cheapest|least expensive|most affordable|lowest[- ]priced?|most budget[- ]friendly)\b"
            r"(?![^.?!]{0,20}\b(?:works?|is fine|please|pls)\b)"
            r"|\b(?:facials|lasers|fillers|peels|injectables|treatments|services|massages)"
            r" (?:start|starting) at\b|\bstarting price\b"
            r"|\bprices? (?:for|of|on) (?:your |ur |the |all )?(?:facials|lasers|fillers|peels|injectables"
            r"|treatments|services|massages)\b|\b(?:lo|el|la) (?:\w+ )?mas barat[oa]\b"
            # the whole menu's prices: "price list pls", "anything affordable?", "algo accesible?"
            r"|\bprice ?list\b|\b(?:all|full list of) (?:your |ur |the )?prices\b|\blista de precios\b"
            r"|\b(?:anything|something|algo) (?:more )?(?:affordable|inexpensive|cheap|accesible|economico"
            r"|barato)\b",
            (
                "whats ur cheapest facial",
                "what's the least expensive laser treatment?",
                "prices for your facials?",
                "what do facials start at",
                "cual es el facial mas barato?",
                "price list pls",
                "ustedes tienen algo accesible?",
            ),
            ("is there anything cheaper", "the cheapest option works", "how much is a hydrafacial"),
        ),
    ),
    (
        "consult",
        Rule(
            "whether a consultation comes first",
            r"\b(?:do|would|will|should) i (?:need|have to (?:do|get|book|have)|have to) (?:a |an |the )?"
            r"consult\w*\b"
            r"|\b(?:is|are) (?:a |the )?consult\w* (?:needed|necessary|required|mandatory|a must)\b"
            r"|\b(?:need|have|required) to (?:do|get|have|book) (?:a |an |the )?consult\w* (?:first|before)\b"
            r"|\bcan i (?:skip|bypass) the consult\w*\b|\bwithout (?:a |the )?consult\w*\b"
            r"|\b(?:necesito|hace falta|tengo que hacer|es necesaria|se necesita) (?:una |la )?consulta\b",
            (
                "never had filler before, do i need a consultation first?",
                "is a consult required for botox",
                "can i skip the consult and just get botox",
                "do i have to do a consult before filler",
                "necesito una consulta primero?",
            ),
            ("can i book a consultation", "botox consult friday", "how much is the consultation"),
        ),
    ),
    (
        "duration",
        Rule(
            "how long it takes",
            r"\bhow long (?:does|do|will|would|is|are|should)\b"
            r"(?![^.?!]{0,40}\b(?:last|lasts|heal|recover|recovery|swollen|swelling|bruis\w*|results?|kick in"
            r"|wait|numb|sore|red|off|open|been|have you|downtime|until)\b)"
            r"|\bhow many (?:minutes|hours)\b"
            # "how much n how long": the question alone at the end of the text
            r"|\bhow long\b(?=\s*(?:[?.!,]|$))"
            r"|\b(?:cuanto|cuanta) (?:dura|tarda|tiempo (?:dura|tarda|toma))\b",
            (
                "dermaplaning how much n how long",
                "price and how long?",
                "how long does a hydrafacial take",
                "how long is the botox appointment?",
                "how long will it take",
                "cuánto dura el hydrafacial?",
            ),
            (
                "how long does botox last",
                "how long until I see results",
                "how long will I be swollen",
                "how long have you been open",
            ),
        ),
    ),
    (
        "phone",
        Rule(
            "a number to call",
            r"\b(?:what'?s|what is|whats|give me|send me|can i (?:get|have)) (?:your|ur|the|a) (?:phone )?"
            r"(?:number|phone|#)(?! (?:of|for) (?:sessions|units|people))\b"
            r"|\b(?:your|ur|the spa'?s?) phone(?: number)?\b|\b(?:number|phone) (?:to|i can|i could) call\b"
            r"|\b(?:i'?d|i would) rather (?:just )?call\b|\bcan i (?:just )?call (?:you|u|the spa)\b"
            r"|\b(?:numero|telefono) (?:de telefono )?(?:para llamar|de ustedes)\b|\bpuedo llamar(?:les)?\b",
            (
                "whats your number?",
                "id rather just call, whats your number?",
                "can I call you instead?",
                "what's the phone number",
                "puedo llamarles?",
            ),
            ("what number option is that", "my number changed", "what's the number of sessions"),
        ),
    ),
    (
        "address",
        Rule(
            "where you are",
            r"\bwhere\b[^.?!]{0,20}\b(?:are you|r you|is (?:the |your )?(?:spa|office|clinic|place"
            r"|location|studio)|"
            r"(?:are|is) (?:it|that|this)|located|do i go|do i come|you guys at|at exactly)\b"
            r"|\b(?:your|the|ur|spa'?s?|what'?s the|what is the) (?:address|location|addy)\b"
            r"|^\W*(?:address|location|addy)\W*$"
            r"|\bdirections\b|\bhow (?:do|can) i (?:get|find) (?:there|to you|you)\b|\bwhat street\b"
            r"|\bwhich street\b"
            r"|\bdonde (?:estan|esta|quedan|queda|se encuentran|se ubican)\b|\bdireccion\b|\bubicacion\b",
            ("Where are you located?", "what's the address", "address?", "where r u guys", "dónde están"),
            ("where do i park", "I know where you are", "address is fine"),
        ),
    ),
    (
        "address",
        Rule(
            "where the spa is",
            r"\bwhere'?s (?:the|your|ur) (?:spa|office|clinic|place|location|studio|entrance|building)\b"
            r"|\bwhere (?:exactly )?(?:is|are) (?:it|you|the spa|your office)\b",
            ("where's the spa", "where exactly are you", "where's the entrance?"),
            ("where's my receipt",),
        ),
    ),
    (
        "hours",
        Rule(
            "opening hours",
            r"\b(?:what time|when|till what time|until what time|how late"
            r"|how early)\b[^.?!]{0,25}\b(?:close|closes|closing|open|opens|opening)\b"
            r"|\b(?:are|r) (?:you|y'all|ya'll|ya)(?: guys| all)?(?: still| even| currently)? open\b"
            r"|^\W*(?:still )?open (?:today|tomorrow|now|on \w+|this \w+|sundays?|saturdays?)\W*$|\b(?:you"
            r"|spa|office) open (?:on |this |today|tomorrow)"
            r"|\b(?:your|opening|business|office|spa) hours\b|^\W*(?:hours|opening hours)\W*$"
            r"|\bwhat are (?:the|your) hours\b"
            r"|\bclosing time\b|\bopen on " + _DAY + r"|\bare you closed\b"
            r"|\bhorarios?\b|\ba que hora (?:abren|cierran)\b|\b(?:estan|esta) abiert[oa]s?\b|\babren\b"
            r"|\bcierran\b",
            (
                "what time do you close on saturday?",
                "are you open sunday",
                "hours?",
                "how late are you open",
                "horario?",
            ),
            ("book me for the opening at 3", "what time works"),
        ),
    ),
    (
        "hours",
        Rule(
            "open late or early",
            r"\b(?:open|close|closing|opening|stay open) (?:late|early|later|earlier)\b|\b(?:late|weekend|"
            r"evening) hours\b"
            # "do you have evening appts": whether the spa opens then, not a time asked for yet
            r"|\b(?:do|does|can) (?:you|u|y'all|ya|the spa)(?: guys)? (?:have|do|offer|take)"
            r" (?:any )?(?:evening|late|night|early|early morning|weekend|after work|after hours)"
            r" (?:appointments?|appts?|slots?|openings?|hours|availability)\b",
            (
                "open late thursdays?",
                "do you have weekend hours",
                "how late do you stay open",
                "do you have evening appts",
                "do u do weekend appointments",
            ),
            ("I'm running late", "any evening appts thursday?", "i need an evening appointment"),
        ),
    ),
    (
        "parking",
        Rule(
            "parking",
            r"\bparking\b|\b(?:where|can i|do i|should i|to|i|we) park\b|\bpark (?:my car|there|nearby|on)\b"
            r"|\bwhere (?:can|do|should) i (?:leave|put) (?:my|the) car\b|\bgarage\b|\bvalet\b"
            r"|\bestacionamiento\b|\bestacion(?:ar|arme|arse|o|amos)\b|\baparcar\b|\bparque(?:o|ar|arme)\b"
            r"|\bparqueadero\b|\bdonde (?:dejo|puedo dejar) (?:el|mi) (?:carro|coche|auto)\b",
            (
                "Is there parking nearby?",
                "where do i park",
                "estacionamiento?",
                "can i park on the street",
                "donde me estaciono?",
                "donde dejo el carro?",
            ),
            ("let's book botox", "parkway", "a dentist in Menlo Park"),
        ),
    ),
    (
        "provider_schedule",
        Rule(
            "when a provider works",
            r"\b(?:is|does|will|when (?:is|does|will)|what days? (?:is|does|will)|which days? (?:is|does"
            r"|will))\s+{p}\b"
            r"(?:\s+\w+){0,2}\s*(?:in|working|work|works|there|around|available|free|on|off|back)\b"
            r"|\b{p}(?:'s)? (?:schedule|hours|availability|days)\b|\bwhen does {p}\b|\bwhen is {p}\b"
            r"|\b(?:esta|trabaja)\s+{p}\b|\b{p} (?:esta|trabaja)\b",
            ("is julia in on friday?", "when does sloane work", "what days is marco in", "julia's schedule?"),
            ("friday with julia please", "julia please"),
        ),
    ),
    (
        "providers",
        Rule(
            "who does it",
            r"\bwho (?:does|do|can do|performs?|injects?|will do|would do|is doing|does the"
            r"|do i see)\b(?! (?:this|i|you|that)\b)"
            r"|\bwho(?:'s| is| are| can| will| would)\b(?! (?:this|i)\b)[^.?!]{0,40}\b(?:do|does|doing"
            r"|perform|"
            r"inject|injector|injectors|provider|providers|nurse|nurses|esthetician|estheticians|available|"
            r"working|staff|best|good at)\b"
            r"|\bwhich (?:provider|injector|nurse|esthetician|person|staff|one of you)\b"
            r"|\b(?:your|the) (?:providers|injectors|nurses|estheticians|staff)\b|\bwho do you have\b"
            r"|\bquien (?:hace|hacen|aplica|atiende|trabaja)\b",
            (
                "who does lip filler",
                "who's your injector",
                "which provider is best for botox",
                "quién hace el botox",
            ),
            ("who is this", "I was wondering who"),
        ),
    ),
    (
        "providers",
        Rule(
            "who I will see",
            r"\bwho (?:will|would|do|can|should) i (?:see|get|be seeing|have|book with)\b"
            r"|\bwho(?:'s| is| are) (?:the|your|ur) (?:injectors?|providers?|nurses?|estheticians?|"
            r"laser techs?)\b",
            ("who will i see", "who's the injector", "who are your providers"),
            ("who is this",),
        ),
    ),
    (
        "services",
        Rule(
            "menu",
            r"\bmenu\b|\bdo (?:y'all|ya'll|you all|yall|you guys) (?:do|offer|have|carry)\b"
            # "do you guys have parking?" asks about something else than treatments
            r"(?! (?:any )?(?:parking|a (?:parking lot|garage|bathroom)|wifi|gift|memberships?|packages?"
            r"|openings?|availability|time|spots?|anything (?:open|available|today|tomorrow|this|on)|walk))",
            ("what's on the menu", "do y'all do brows"),
            ("do you have time friday", "do u guys have parking", "do you guys have openings saturday"),
        ),
    ),
    (
        "services",
        Rule(
            "what the spa offers",
            r"\b(?:what|which) (?:(?:kinds?|types?|sorts?) of )?(?:services|treatments|procedures|facials"
            r"|peels|"
            r"lasers|fillers|injectables|massages|body treatments)\b"
            r"|\bwhat (?:do|does) (?:you|the spa)(?: guys)? (?:offer|do|have|provide|sell)\b"
            r"|\bdo you(?: guys)? (?:do|offer|provide|perform|carry)\b(?! (?:any(?:thing)?|something"
            r"|openings?|appointments?) "
            r"(?:open|available|today|tomorrow|this|next|for|on|at))"
            r"|\b(?:your|a) (?:menu|service list|treatment list|list of (?:services|treatments))\b"
            r"|^\W*(?:services|menu|treatments)\W*$"
            r"|\bque (?:servicios|tratamientos)\b|\b(?:hacen|ofrecen|tienen) (?:servicio|tratamiento)s?\b",
            ("what services do you have", "do you do lip flips", "what do you offer", "qué servicios tienen"),
            (
                "do you have anything for lip filler this week",
                "book the service",
                "what kind of ratings do they have",
            ),
        ),
    ),
)

# Questions a front desk answers but the spa profile does not: staff answer them. (topic, rule)
# A child by any name: "my kid", "our toddler", "my 8 yr old".
_KID = (
    r"(?:kid|kids|son|daughter|baby|babies|toddler|child|children|little ones?"
    r"|\d+ ?(?:yr|year|month|mo)s?[ -]?old)"
)

STAFF_TOPIC_RULES: tuple[tuple[str, Rule], ...] = (
    (
        "memberships",
        Rule(
            "memberships",
            r"\bmemberships?\b|\bmembresias?\b|\bmonthly (?:plan|club)\b"
            # a club or rewards program by its name: "the glow club", "your vip program"
            r"|\b(?:the|your|ur|join|joining) [a-z]+ (?:club|rewards|member program)\b",
            (
                "do you guys have a membership?",
                "how much is the membership",
                "membresía?",
                "whats included in the glow club and how much",
                "how do i join ur vip club",
            ),
            ("I'm a member", "a member of your team", "i go to a book club on thursdays at 6"),
        ),
    ),
    (
        "gift cards",
        Rule(
            "gift cards",
            r"\bgift ?(?:cards?|certificates?|vouchers?)\b|\btarjetas? de regalo\b"
            # a treatment bought for someone else: "can i buy lip filler as a gift for my sister?"
            r"|\b(?:buy|get|purchase|give)\b.{0,30}\bas an? (?:gift|present)\b|\bde regalo para\b",
            (
                "do you sell gift cards?",
                "can I buy a giftcard for my mom",
                "tienen tarjetas de regalo?",
                "can i buy lip filler as a gift for my sister?",
            ),
            ("it's a gift for me", "thanks for the gift"),
        ),
    ),
    (
        "group bookings",
        Rule(
            "several people booked together",
            r"\b(?:me and my|me n my|my (?:\w+ )?(?:and|n|&) (?:i|me))\b.{0,40}"
            r"\b(?:both|together|same time|side by side|back to back|get|come|book|do)\b"
            r"|\b(?:\d|two|three|four|five|six|seven|eight|ten) of us\b"
            r"|\b(?:bridal|bachelorette|birthday|hen|wedding|girls?'?) (?:party|group|day|trip)\b"
            r"|\bgroup (?:bookings?|appointments?|rates?|discounts?|of)\b"
            r"|\bfor (?:\d|two|three|four|five|six|seven|eight)"
            r" (?:people|persons|of us|girls|ladies|friends)\b"
            r"|\bsomos (?:\d|dos|tres|cuatro|cinco)\b|\bpara (?:\d|dos|tres|cuatro|cinco) personas\b",
            (
                "can me and my sister both get hydrafacials saturday at 11?",
                "looking to book 4 of us for hydrafacials for a bridal party on the 12th",
                "my friend and i want to come in together for facials",
                "do you do group bookings",
                "somos 3, queremos faciales el sabado",
            ),
            (
                "me and my husband are going away next week so friday works",
                "my sister recommended you",
                "can i book 2 sessions",
                "hydrafacial for 60 minutes",
            ),
        ),
    ),
    (
        "payment plans",
        Rule(
            "payment plans and financing",
            r"\bpayment plans?\b|\bfinanc(?:e|ing)\b|\bmonthly payments?\b|\binstall?ments\b"
            r"|\bpay (?:for it |it )?(?:in|over|by|with) (?:installments|instalments|monthly|months"
            r"|parts|chunks|payments)\b|\bpay (?:monthly|over time)\b"
            r"|\bsplit (?:it|the cost|the payment) (?:up|into)\b"
            r"|\b(?:afterpay|klarna|carecredit|care credit|sezzle|cherry (?:financing|payments?))\b"
            r"|\b(?:pagar|pago) (?:en|a) (?:plazos|cuotas|mensualidades)\b|\ba plazos\b|\bfinanciamiento\b",
            (
                "do u take payment plans",
                "can i pay in installments",
                "do you take afterpay or klarna",
                "is there financing for coolsculpting",
                "se puede pagar en plazos?",
                "can i split it up into payments",
                "do u do payment in installments for coolsculpting",
            ),
            ("can i pay when i get there", "how do i pay", "i can pay monday", "a payment for my facial"),
        ),
    ),
    (
        "policies",
        Rule(
            "the spa's policies",
            r"\b(?:cancel\w*|no[- ]?show|late|refund|deposit|reschedul\w*|booking|return) (?:policy|policies"
            r"|fees?)\b|\bpolic(?:y|ies) (?:on|for|about|if) (?:cancel\w*|no[- ]?shows?|late|refunds?"
            r"|deposits?|i (?:cancel|miss|am late))\b"
            r"|\b(?:do you|do u|does the spa) (?:require|take|need|charge) (?:a |an )?(?:deposit|card on file"
            r"|cancellation fee|no[- ]?show fee)\b|\bis there (?:a |an )?(?:deposit|cancellation fee"
            r"|no[- ]?show fee)\b"
            r"|\bcancell?ation (?:window|period|notice|deadline|cutoff|rules?|terms)\b"
            r"|\b(?:fee|charge|penalty)\b.{0,15}\bif (?:i|you|we) (?:have to |need to )?"
            r"(?:cancel|reschedule|miss|no[- ]?show)\b"
            r"|\bpolitica de (?:cancelacion|reembolso|citas)\b",
            (
                "whats ur cancellation policy?",
                "is there a no show fee",
                "do you require a deposit",
                "what's your policy on late arrivals",
                "cual es la politica de cancelacion",
                "is there a fee if i cancel last minute?",
                "sorry to bother again but whats ur cancellation window?",
            ),
            ("I need to cancel", "can i cancel my appointment", "I'm running late", "i paid the deposit"),
        ),
    ),
    (
        "payment methods",
        Rule(
            "how a client can pay",
            r"\b(?:apple|google|samsung) pay\b|\b(?:venmo|zelle|paypal|cash ?app)\b"
            r"|\b(?:do you|do u|can i|you guys|y'all) (?:take|accept|pay with|pay by|pay in)"
            r" (?:credit |debit )?(?:cards?|credit|debit|cash|checks?|amex|visa|mastercard)\b"
            r"|\bpay (?:with|by|in) (?:credit |debit )?(?:card|cash|check|amex)\b"
            r"|\baceptan (?:tarjetas?|efectivo|credito|debito)\b|\bformas? de pago\b"
            r"|\bpagar con (?:tarjeta|efectivo)\b",
            (
                "can i pay with apple pay?",
                "do you take amex",
                "do u accept cash",
                "aceptan tarjeta de credito o solo efectivo?",
                "do you take venmo",
            ),
            ("i paid cash last time", "do you take walk ins", "do you take insurance"),
        ),
    ),
    (
        "referrals",
        Rule(
            "rewards for referring a friend",
            r"\breferr?al (?:bonus(?:es)?|program|discounts?|credits?|rewards?|perks?|deals?)\b"
            r"|\brefer a friend\b"
            r"|\b(?:get|give|offer|have) (?:anything|something|credit|a discount|a bonus) for (?:referring"
            r"|referrals|sending (?:a )?friends?)\b|\bpor referir\b|\breferidos\b",
            (
                "hi! my friend referred me, do you guys do referral bonuses?",
                "do you have a refer a friend program",
                "do i get anything for referring my sister?",
            ),
            ("my friend referred me, can i book a hydrafacial", "she referred me to you"),
        ),
    ),
    (
        "insurance",
        Rule(
            "insurance",
            r"\b(?:take|accept|use|bill|covered by|cover|through) (?:my |your )?(?:insurance|hsa|fsa)\b"
            r"|\binsurance\b.{0,20}\?|\bseguro medico\b",
            ("do you take insurance?", "can I use my HSA", "is it covered by insurance"),
            ("travel insurance is fine",),
        ),
    ),
    (
        "running late",
        Rule(
            "running late",
            r"\b(?:running|gonna be|going to be|will be|i'll be|ill be|i'm|im)\s+(?:\w+\s+){0,3}?late\b"
            r"|\brunning behind\b|\bvoy (?:a llegar )?tarde\b|\bllego tarde\b"
            r"|\brunning (?:like |about |around |maybe )?(?:\d+|a few|a couple|five|ten|fifteen)"
            r"(?: ?(?:min|mins|minutes))? (?:behind|late)\b",
            (
                "running 15 min late for my 2pm, so sorry!!",
                "I'll be 10 minutes late",
                "voy a llegar tarde",
                "so sorry running like 10 behind!!",
            ),
            ("do you have anything late in the day", "is it too late to book today?"),
        ),
    ),
    (
        "walk-ins",
        Rule(
            "walk-ins",
            r"\bwalk[\s-]?ins?\b|\bwithout an? (?:appointment|booking)\b|\bjust (?:walk|stop|drop) in\b"
            r"|\bsin cita\b",
            (
                "do u take walk ins?",
                "can I just walk in?",
                "do you do facials without an appointment",
                "atienden sin cita?",
            ),
            ("I walked in yesterday", "can I book an appointment"),
        ),
    ),
    (
        "arriving early",
        Rule(
            "arriving early",
            r"\bhow (?:early|soon|long before)\b.{0,25}"
            r"\b(?:arrive|get there|get here|come in|be there|show up)\b"
            r"|\b(?:arrive|get there|be there|show up) (?:a (?:few|little) )?(?:early|minutes? before)\b"
            r".{0,20}\?"
            r"|\b(?:con cuanto tiempo|cuanto tiempo antes)\b.{0,20}\bllegar\b"
            # "is it ok if i come like 10 min early tomorrow?"
            r"|\b(?:come|come in|get there|get here|arrive|show up|be there)\b(?: like| about| around)?"
            r" (?:\d+|a few|a couple|ten|fifteen|five|twenty) ?(?:min|mins|minutes) early\b"
            r"|\b(?:ok|okay|fine|alright|all right) if i (?:come|come in|get there|arrive|show up)"
            r" (?:a bit |a little |\w+ )?early\b",
            (
                "great! how early should i get there?",
                "how long before my appointment should I arrive",
                "should I arrive early?",
                "cuanto tiempo antes debo llegar?",
                "is it ok if i come like 10 min early tomorrow?",
            ),
            ("I can come in early afternoon", "how early do you open"),
        ),
    ),
    (
        "their appointment",
        Rule(
            "their appointment",
            r"\b(?:what time|when|what day)(?: is| was)? my (?:appointment|booking|visit)\b"
            r"|\b(?:forgot|forget|don't remember|can't remember|not sure)\b.{0,20}"
            r"\b(?:what time|when|what day)\b.{0,15}\bmy (?:appointment|booking|visit)\b"
            r"|\bremind me\b.{0,25}\bmy (?:appointment|booking|visit)\b"
            r"|\b(?:do i|did i) (?:still )?have (?:an|my) (?:appointment|booking)\b"
            r"|\ba que hora es mi cita\b|\bcuando es mi cita\b",
            (
                "hi! i forgot what time my appointment is on friday, can you remind me?",
                "when is my appointment again?",
                "do I still have an appointment tomorrow?",
                "a que hora es mi cita?",
            ),
            ("can I make an appointment friday", "what time works for my appointment"),
        ),
    ),
    (
        "billing",
        Rule(
            "a bill, a charge or a receipt",
            r"\b(?:question|questions|issue|problem|confused|wrong)\b.{0,12}\b(?:about|with|on|in)"
            r" (?:my |the |a |last |this )?(?:bill|invoice|receipt|charges?|statement|payment)\b"
            r"|\b(?:send|email|text|need|get|copy of) (?:me )?(?:a |my |the |an )?(?:receipt|invoice"
            r"|itemized (?:bill|receipt)|superbill)\b|\bsuperbill\b"
            r"|\b(?:duda|pregunta) (?:sobre|con) (?:mi |la )?(?:factura|cuenta|cobro|recibo)\b",
            (
                "hi! i have a question about my bill",
                "can you email me a receipt for my hsa",
                "need an itemized receipt for last visit",
                "tengo una pregunta sobre mi factura",
            ),
            ("my friend bill wants to book too", "i'll pay the bill when i get there", "can i pay by card"),
        ),
    ),
    (
        "coupons and codes",
        Rule(
            "a Groupon, coupon or promo code",
            # A deal bought or a code to redeem: staff check it. "any specials?" is a price objection,
            # met with the spa's packages and the free consult.
            r"\bgroupons?\b|\b(?:promo(?:tion)?|discount|coupon|referral) codes?\b|\bcoupons?\b"
            r"|\bvouchers? (?:from|for|i (?:got|bought|have))\b|\bcupon(?:es)?\b",
            (
                "i got a groupon for a hydrafacial, can i use it",
                "any promo codes for first timers?",
                "i have a coupon from your instagram",
                "tengo un cupon",
            ),
            ("do u have any specials", "it's for a special occasion", "big deal lol", "any deals?"),
        ),
    ),
    (
        "children along",
        Rule(
            "a child coming along",
            rf"\b(?:bring|brings|bringing|come with|comes with|tag along|with me)\b.{{0,20}}"
            rf"\b(?:my|our) {_KID}\b"
            rf"|\b(?:my|our) {_KID} (?:come|comes|tag along|wait|sit)\b"
            r"|\bno (?:sitter|babysitter|childcare|child care)\b"
            r"|\b(?:traer|llevar) a mi (?:hijo|hija|bebe|nino|nina)\b",
            (
                "can i bring my 8 yr old, no sitter",
                "is it ok if my toddler comes with me",
                "can my kids wait in the lobby",
                "puedo traer a mi hijo?",
            ),
            (
                "my daughter wants to book a facial",
                "can i book for my son too",
                "my son is 16, can he get a facial",
            ),
        ),
    ),
    (
        "aftercare instructions",
        Rule(
            "aftercare instructions sent again",
            r"\b(?:send|resend|email|text|forward|share|have|get)\b.{0,20}"
            r"\b(?:after ?care|post[- ]?care|pre[- ]?care|prep)"
            r" (?:instructions|sheet|info|information|guide|paper|handout|list)\b",
            (
                "can you send me the aftercare instructions again",
                "could u text me the pre-care sheet",
                "do you have the post care info for microneedling? lost mine",
            ),
            ("aftercare is so easy with the hydrafacial", "send me the price list"),
        ),
    ),
    (
        "getting ready",
        Rule(
            "how to get ready for a visit",
            r"\b(?:do|should|must|can) i (?:need to |have to |still )?"
            r"(?:do|bring|prepare|prep|avoid|stop|wear|know|shave|skip|wash)\b"
            r".{0,30}\b(?:before|beforehand|ahead of time|prior|to prepare)\b"
            r"|\bhow (?:do|should|can) i (?:best )?(?:prepare|prep|get ready)\b"
            r"|\banything i (?:should|need to|have to) (?:do|know|bring|prepare|avoid|stop|skip|not do)\b"
            r"|\bque (?:debo|tengo que) (?:hacer|llevar|saber) antes\b|\bcomo me preparo\b",
            (
                "oh wait do i need to do anything before?",
                "should i shave before laser?",
                "how do i prepare for my peel",
                "anything i should know for my first visit?",
                "que debo hacer antes de la cita?",
                "cool and is there anything i should avoid before?",
            ),
            ("should i come before 5?", "do i need to bring my id", "can i come before work"),
        ),
    ),
    (
        "jobs",
        Rule(
            "jobs",
            r"\b(?:are you|r you) hiring\b|\bjob (?:openings?|opportunities)\b"
            r"|\bapply (?:for|to) (?:a |the )?(?:job|position)\b|\bsend (?:you )?my resume\b",
            ("are you hiring?", "any job openings for estheticians", "can I send you my resume"),
            ("what time do you open",),
        ),
    ),
)


def staff_topic(text: str, *, already_plain: bool = False) -> str | None:
    """The topic of a question staff answer ("do you sell gift cards?" → "gift cards"), if any."""
    flat = text if already_plain else plain(text)
    return next((topic for topic, rule in STAFF_TOPIC_RULES if rule.regex.search(flat)), None)


_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip
_RELATIVE = {"today": 0, "hoy": 0, "tomorrow": 1, "manana": 1}
_DAY_WORD = re.compile(r"\b(" + "|".join([*_WEEKDAYS, *_RELATIVE]) + r")\b")
_PROVIDER_SLOT = "{p}"


@lru_cache(maxsize=64)
def _rules_for(providers: tuple[str, ...]) -> tuple[tuple[Question, re.Pattern[str]], ...]:
    """Every question rule compiled, with "{p}" standing for these providers (rules with "{p}" drop out
    when the spa has none)."""
    names = "(?:" + "|".join(re.escape(p) for p in sorted(providers, key=len, reverse=True)) + ")"
    patterns: dict[Question, list[str]] = {}
    for question, rule in QUESTION_RULES:
        if _PROVIDER_SLOT not in rule.pattern:
            patterns.setdefault(question, []).append(rule.pattern)
        elif providers:
            patterns.setdefault(question, []).append(rule.pattern.replace(_PROVIDER_SLOT, names))
    # One search per question: its rules as one alternation.
    return tuple((q, re.compile("|".join(f"(?:{p})" for p in ps))) for q, ps in patterns.items())


def find_questions(
    text: str, providers: Sequence[str] = (), *, already_plain: bool = False
) -> frozenset[Question]:
    """Every front-desk question in the text; `providers` are the spa's provider first names."""
    flat = text if already_plain else plain(text)
    rules = _rules_for(tuple(p.lower() for p in providers if p))
    return frozenset(question for question, regex in rules if regex.search(flat))


def question_weekday(text: str, today: date, *, already_plain: bool = False) -> int | None:
    """The weekday a question names (0 = Monday): "open on saturday?", "is julia in tomorrow?"."""
    flat = text if already_plain else plain(text)
    m = _DAY_WORD.search(flat)
    if m is None or len({w for w in _DAY_WORD.findall(flat) if w in _WEEKDAYS}) > 1:
        return None  # none, or several days ("sat and sun"): the week's hours answer
    word = m[1]
    if word in _WEEKDAYS:
        return _WEEKDAYS[word]
    if word == "manana" and re.search(r"\b(?:la|por la|en la|de la) manana\b", flat):
        return None  # "la mañana" is the morning
    return (today + timedelta(days=_RELATIVE.get(word, 1))).weekday()
