"""Appointment rules: moving an existing appointment (reschedule) before calling it off (cancellation)."""

from __future__ import annotations

import re

from .rule import Rule, rx

_APPOINTMENT = (
    r"(?:appointment|appt|apt|booking|reservation|visit|session|consult\w*|treatment|facial|botox|filler|"
    r"laser|peel)s?"
)

# A day a client may have been booked on (texts here are already spelled out: "tmrw" is "tomorrow").
_A_DAY = (
    r"today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|"
    r"thurs?|fri|sat|sun|this week|next week|this weekend"
)
_MY_APPOINTMENT = (
    r"appointment|appt|booking|my (?:facial|botox|filler|peel|laser|session|consult\w*|treatment)"
)

# A text that asks to cancel and names no other time is a cancellation, not a reschedule.
_CANCEL_ONLY = re.compile(
    r"^(?!.*\b(?:reschedul\w*|rebook\w*|another|different|instead|move|other day|other time)\b).*\bcancel"
)
RESCHEDULE: tuple[Rule, ...] = (
    Rule(
        "reschedule_word",
        "reschedule",
        rx(r"\bre-?sch\w*dul\w*|\bre-?book\w*|\bresched\b|\brain ?check\b"),
        ("I need to reschedule", "can we rebook for next week?", "can I resched?"),
        (
            "book me for friday",
            "is there a fee to reschedule online?",
            "whats the deposit for filler and is it refundable if i reschedule",
            "how long does lip filler usually last before i need to rebook",
            "when should i rebook my botox, every 3 months?",
            "hi! loved my last facial w/ priya, can i rebook w her next fri",
        ),
        # a question about the policy, not a request: "is there a fee to reschedule", "is the
        # deposit refundable if i reschedule"
        unless=re.compile(
            r"\b(?:fee|charge|cost|policy|penalty|deposit|refundable)\b.{0,15}\b(?:to|for|"
            r"if i) re-?sch\w*dul\w*\b(?!.{0,30}\b(?:my|"
            r"our|her|his|it|the appointment)\b)|"
            # the next visit, asked by how long a treatment lasts: "when should i rebook my botox"
            r"\b(?:before|until|till|when) (?:i|you|we|people) (?:\w+ )?(?:need|have|should|want)? ?(?:to )?"
            r"re-?book\b|\b(?:how often|how soon|when) (?:should|do|would) (?:i|you|people|most people) "
            r"re-?book\b|"
            # a cancellation that leaves the next visit for later: "cancel, i'll rebook when i'm ready"
            r"^(?=.*\bcancel)(?!.*\b(?:instead|move|another day|different day|other day)\b).*\b(?:re-?book|"
            r"re-?sch\w*dul\w*)\b.{0,15}\b(?:later|another time|down the road|at some point|in the future|"
            r"when i'?m ready|when i can)\b|\b(?:ready|able) to (?:re-?book|re-?sch\w*dul\w*)\b|"
            # another visit after one the client loved: "loved my last facial, can i rebook w her"
            r"^(?=.*\b(?:loved|love|enjoyed|liked|amazing|obsessed)\b)"
            r"(?!.*\b(?:cancel\w*|move|instead|can'?t|cannot|different|another day|other day|change)\b)"
            r".*\bre-?book\b"
        ),
    ),
    Rule(
        "move_my_appointment",
        "reschedule",
        rx(
            r"\b(?:move|change|switch|shift|push|bump|postpone|swap|reschedule)\s+(?:back\s+)?(?:my|our|her|"
            rf"his)\s+(?:\w+\s+)?{_APPOINTMENT}\b(?! package| membership| credits?| gift)",
            rf"\b(?:move|push|bump|shift|switch|swap) (?:\w+day'?s|tomorrow'?s|today'?s) {_APPOINTMENT}\b",
            r"\b(?:move|push|bump|shift|change) (?:my|our) (?:\d{1,2}(?::\d\d)? ?(?:am|pm)?|\w+day'?s?|"
            r"tomorrow'?s?|today'?s?)(?: \w+)? (?:back|up|out|forward|later|earlier|to)\b",
            rf"\b(?:move|push|bump|postpone)\s+(?:it|that|the {_APPOINTMENT})\s+(?:back|up|out|forward|"
            r"to (?:next|another|a different|later|earlier))\b",
            r"\b(?:different|another|new|other) (?:day|date|time) for (?:my|our|her|"
            rf"his) (?:\w+ )?{_APPOINTMENT}\b",
            rf"\b(?:my|our) (?:\w+ )?{_APPOINTMENT}\b.{{0,40}}\b(?:to a different|to another|to next|earlier|"
            r"later)\b",
            # "my boss scheduled a meeting during my facial on tues, any chance we can shift it?"
            rf"\bmy (?:\w+ )?{_APPOINTMENT}\b.{{0,60}}\b(?:shift|move|push|bump|change) (?:it|that)\b"
            r"(?! (?:up|on) my (?:face|skin))",
            # "can we do next week instead for my facial?": another time for the booking held
            r"\b(?:can|could) (?:we|i|you) (?:do|make it|switch to|change (?:it )?to)\b[^.?!]{0,30}\binstead "
            rf"(?:for|of) (?:my|our) (?:\w+ )?{_APPOINTMENT}\b",
            # "im booked at 2 on friday, any way i can come in later instead?"
            r"\b(?:i have|i've got|i got|i'm|im|i am)\b[^.?!]{0,40}\bbooked\b(?! (?:solid|up|all))"
            r"[^.?!]{0,50}\b(?:later|earlier|another (?:day|time)|a different (?:day|time))\b"
            r"[^.?!]{0,15}\binstead\b",
            # "i have a facial booked fri, could i switch to sat?": the booking held, then another day
            r"\b(?:i have|i've got|i got|i'm|im|i am)\b[^.?!]{0,40}\b(?:booked|scheduled)\b[^.?!]{0,40}"
            r"\b(?:switch|move|change|swap|moved|switched|changed|push|pushed)\b(?: it| that)? (?:to|for) "
            rf"(?:{_A_DAY}|next|another|a different|later|earlier|\d)",
            # "i shouldn't come tmrw right? can we move it": the day held, then moved
            r"\b(?:tomorrow|tmrw|today|tonight|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b[^.!]{0,60}"
            r"\b(?:can|could) (?:we|you) (?:move|push|bump|postpone|reschedule) (?:it|that)\b|"
            # "i already have one on friday, can we move that one to thurs": the one held, then moved
            r"\b(?:i|we) (?:already )?(?:have|got|'ve got) (?:one|an? (?:appointment|appt|booking))\b"
            r"[^.?!]{0,40}\b(?:move|switch|change|swap|push|bump)\s+(?:that one|that|it)\s+"
            r"(?:to|for|back|up)\b",
        ),
        (
            "can I move my appointment to next week?",
            "I'm going to be 20 min late, can you push my 2pm back?",
            "push my facial back an hour",
            "my appt on friday to a different day?",
            "can i move thursdays facial to saturday instead",
            "i have a hydrafacial booked fri but could i switch to sat instead",
            "can we do next week instead for my facial? same time",
            "ugh my boss scheduled a meeting during my facial on tues, any chance we can shift it?",
            "im booked at 2 on friday, any way i can come in later instead?",
            "i'm scheduled for laser on the 10th, could we change it to next week",
            "oh wait i already have one on friday, can we move that one to thurs instead",
            "i already have an appointment friday, can you move it to thursday",
            "i think i'm coming down with something so i shouldn't come tomorrow, can we move it",
        ),
        (
            "Can you change the appointment to 3 pm instead?",
            "is there anything later on friday?",
            "i have never booked before, can i switch to a peel",
            "i already have one question, can i book friday",
        ),
    ),
    Rule(
        "cannot_make_it",
        "reschedule",
        rx(
            r"\b(?:can'?t|cant|cannot|can not|won'?t|wont|will not|not going to|not gonna|unable to) "
            r"(?:be able to )?make (?:it|my|the|our|tomorrow|today)\b",
            r"\bsomething (?:came|has come) up\b",
            # "i wont be able to come tmrw": a day the client said they would come (not "can't", which
            # can be a constraint on a new booking)
            r"\b(?:won'?t|will not|not going to|not gonna) (?:be able to )?(?:come|come in|be there|show up|"
            rf"get there)\b(?: in)? (?:on )?(?:{_A_DAY})\b(?!.{{0,40}}\b(?:what about|how about|do you have|"
            r"anything|available|open|works?|instead|rather)\b)",
            r"\b(?:can'?t|cannot|won'?t|wont|not able to) (?:make it|come in|come|"
            r"be there)\b.{0,40}\b(?:instead|"
            r"another day|another time|other day|other time|different day|different time|can we do|"
            r"could we do)\b",
            r"\b(?:have to|gotta|got to|need to|going to) bail\b.{0,40}\b(?:another|other|different|instead|"
            r"reschedul\w*|rebook\w*|later)\b",
        ),
        (
            "I can't make it to my appointment tomorrow",
            "I can\u2019t make it to my appointment tomorrow",
            "something came up, I need another day",
            "I have to bail on tomorrow sorry, can we find another time",
            "hey i wont be able to come tmrw :(",
        ),
        (
            "can you make it a bit earlier in the day? like 10",
            "I can make it at 3",
            "can't do monday, how about tuesday?",
            "I won't be able to come in friday, do you have anything saturday?",
        ),
        unless=_CANCEL_ONLY,
    ),
    Rule(
        # A plan that no longer holds: a day or an appointment the client now cannot come to.
        "no_longer_coming",
        "reschedule",
        rx(
            rf"^(?=.*\b(?:anymore|any more|after all|no longer)\b)(?=.*\b(?:{_A_DAY}|{_MY_APPOINTMENT})\b)"
            r".*\b(?:can'?t|cannot|can not|won'?t|will not|not able to|unable to|no longer)\b "
            r"(?:be able to )?(?:make it|make|come in|come|be there|do|go|be coming(?: in)?)\b",
            rf"\b(?:{_A_DAY}|{_MY_APPOINTMENT})\b.{{0,30}}"
            r"\b(?:doesn'?t|does not|won'?t|will not|isn'?t|is not) (?:work|happen|going to work)\b"
            r".{0,20}\b(?:anymore|any more|after all)\b",
        ),
        (
            "I can't come in friday anymore",
            "cant come in tmrw anymore sorry",
            "won't be able to make my appt thurs after all",
            "i wont be coming in saturday after all",
            "friday doesn't work anymore for my appointment",
        ),
        (
            "I can't come in the mornings anymore, do you have evenings?",
            "can't do monday, how about tuesday?",
            "I can make friday after all!",
        ),
        unless=_CANCEL_ONLY,
    ),
    Rule(
        "spanish_reschedule",
        "reschedule",
        rx(
            r"\breprogram\w*|\breagend\w*|\b(?:cambiar|mover|pasar) (?:mi|la) cita\b",
            r"\bno (?:puedo|podre|voy a poder) (?:ir|llegar)\b.{0,40}\b(?:otro dia|otra hora|otro horario|"
            r"cambiar)\b",
        ),
        ("necesito reprogramar mi cita", "puedo cambiar mi cita para el viernes?"),
        ("quiero una cita para el viernes",),
    ),
)

# "I don't want to cancel", and asking after other clients' cancellations (a waitlist question).
_NOT_CANCEL = re.compile(
    r"\b(?:don'?t|do not|didn'?t|did not|never|not|no need to|won'?t)\s+(?:want to\s+|need to\s+|"
    r"wanna\s+)?cancel\b|"
    r"\bany (?:last[- ]minute )?cancell?ations\b|\bcancell?ation (?:list|spots?|slots?|openings?)\b|"
    r"\bif (?:there'?s|there is|you get|you have|someone) (?:a )?cancel|"
    r"\b(?:fee|charge|penalty|policy)\b.{0,15}\bif (?:i|you|we) (?:have to |need to )?cancel\b|"
    r"\bwhat (?:happens|if)\b.{0,20}\bcancel|\bif i (?:need|have|want) to cancel\b|"
    r"\bno (?:quiero|necesito) cancelar\b|\b(?:multa|cargo|cuota|penalidad|politica)\b.{0,15}\bcancel|"
    # taken back in the same breath: "quiero cancelar... jk lol, quiero confirmar", "cancel! just kidding"
    r"\bcancel\w*\b.{0,15}\b(?:jk|just kidding|kidding|es broma|bromeando|no es cierto)\b"
)

CANCELLATION: tuple[Rule, ...] = (
    Rule(
        "membership",
        "cancellation",
        rx(
            r"\b(?:cancel|end|stop|terminate|quit|get out of)\b.{0,15}\b(?:membership|"
            r"subscription|"
            r"auto-?pay|auto-?renew\w*|monthly (?:plan|payments?|charges?)|recurring)\b",
        ),
        ("cancel my membership", "how do I stop my monthly payments", "I want to end my membership"),
        ("how much is the membership?", "what does the membership include?"),
        reason="Client wants to cancel or pause a membership or recurring payment.",
    ),
    Rule(
        "cancel_word",
        "cancellation",
        rx(
            r"\b(?:cancel|cancle|cansel|cancell|canel)(?:l?ed|l?ing|s)?\b(?!\s+(?:policy|fee))",
            r"\bcancell?ations?\b(?!\s+(?:policy|fee|list|window|period|notice|deadline|cutoff|rules?|terms))",
        ),
        (
            "cancel my appointment",
            "Please cancel my booking for Friday",
            "oh sorry i meant cancel my facial",
            "I won't make it today, please cancel",
        ),
        (
            "What's your cancellation policy?",
            "I don't want to cancel, just confirming",
            "is there a cancellation fee?",
            "whats ur cancellation window?",
            "cancel my facial... jk lol, just confirming friday",
        ),
        unless=_NOT_CANCEL,
    ),
    Rule(
        "not_coming",
        "cancellation",
        rx(
            rf"\b(?:won'?t|wont|will not|can'?t|cannot|not|no longer) (?:be )?(?:coming|come|attend\w*|going)"
            r"(?! from| by| with| in\b| straight| directly| alone| back| over)"
            rf"(?: to)?(?: my| the)? ?(?:{_APPOINTMENT})?\b(?!.*\b(?:earlier|later|another|different|"
            r"reschedul|"
            r"until|till))",
            r"\b(?:call|calling) off (?:my|the)\b",
            # "gonna have to skip my appt tmrw"
            r"\b(?:have to|gotta|got to|need to|going to|gonna|i'?ll|will) (?:have to )?(?:skip|miss)"
            rf" (?:my|the|our) (?:\w+ )?{_APPOINTMENT}\b",
            r"\btake (?:me|us|my appointment|my appt|it) off (?:the|your) (?:schedule|books?|calendar)\b",
            r"\b(?:have to|gotta|got to|need to) bail\b|\bbail(?:ing)? on (?:my|the|tomorrow|today|you)\b",
            rf"\bdon'?t (?:want|need) (?:my|the) {_APPOINTMENT} (?:anymore|any more)\b",
            rf"\b(?:no longer|don'?t) (?:need|want) (?:my|the|this) {_APPOINTMENT}\b",
        ),
        (
            "I won't be coming to my appointment",
            "I no longer need the appointment",
            "calling off my facial",
            "can you take me off the schedule for friday",
        ),
        ("I won't be coming from work, I'll be coming from home", "not coming until 3, is that ok?"),
    ),
    Rule(
        "spanish_cancellation",
        "cancellation",
        rx(
            r"\bcancel(?:ar|a|o|e|en|ame)\b|\banular (?:mi|la) cita\b",
            r"\b(?:ya|yes) no (?:voy a ir|puedo ir|necesito (?:la|mi) cita)\b",
            # "I won't be able to go" to the appointment (a day alone may be a booking's new constraint).
            r"\bno (?:voy a poder|podre|puedo|podemos) (?:ir|llegar|asistir)\b.{0,20}\ba (?:mi|la) cita\b",
        ),
        (
            "necesito cancelar mi cita del jueves",
            "ya no voy a ir manana",
            "no voy a poder ir a mi cita del jueves",
            "no podre ir manana a mi cita",
        ),
        (
            "cual es su politica de cancelacion?",
            "cuanto es la multa por cancelar",
            "no voy a poder ir a las 3, puede ser a las 4?",
            "no puedo ir el martes, tienen el miercoles?",
        ),
        unless=_NOT_CANCEL,
    ),
)
