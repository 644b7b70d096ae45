"""People rules: complaints (unhappy clients) and requests for a person."""

from __future__ import annotations

import re

from .rule import Rule, rx
from .vocabulary import SPA_OFFER

COMPLAINT: tuple[Rule, ...] = (
    Rule(
        "strong_words",
        "complaint",
        rx(
            # "i sound awful but i'm fine" describes the client, it blames no one
            r"\b(?<!sound )(?<!look )(?<!feel )(?:terrible|horrible|awful|appalling|unacceptable|disgusting|"
            r"ridiculous|outrageous|pathetic)\b",
            # "my cramps are worst the first week" compares days, it blames no one
            r"\b(?:(?<!are )(?<!is )worst|rude|unprofessional|incompetent|careless|botched|ruined|scam\w*|"
            r"rip[\s-]?off)\b",
            r"\b(?:is|was) a joke\b|\bwaste of (?:money|time)\b|\bnever (?:coming|going) back\b",
        ),
        ("this is terrible", "this place is a joke", "the girl at the desk was so rude"),
        (
            "your reviews are great!",
            "my sister got her lips done at some place downtown and they look awful, can i book a consult",
        ),
        # another business's work, told on the way to booking here: "they did her lips at some place
        # downtown and they look awful, can i book a consult"
        unless=re.compile(
            r"^(?=.*\b(?:some|another|a different|the other|other|my (?:old|last|previous|usual)) "
            r"(?:place|spa|clinic|salon|med ?spa|injector|office)\b|"
            r".*\b(?:somewhere|someplace|anywhere) else\b)"
            r"(?=.*\b(?:book|booking|schedule|consult\w*|appointment)\b)"
            r"(?!.*\b(?:you|your|y'?all|here|this place)\b.{0,25}\b(?:terrible|horrible|awful|rude|worst|"
            r"unprofessional|botched|ruined|scam\w*|joke)\b)"
        ),
    ),
    Rule(
        "unhappy",
        "complaint",
        rx(
            r"\b(?:unhappy|not happy|dissatisfied|not satisfied|disappointed|upset|angry|furious|livid|"
            r"pissed|frustrated|frustrating)\b",
            r"\b(?:you|y'?all|you guys|they|she|he|someone|somebody|injector|provider) (?:really |totally |"
            r"completely )?"
            r"(?:messed|screwed) up\b|\b(?:messed|screwed) up my\b",
            r"\bnot what i (?:paid|asked) for\b|\bdidn'?t (?:work|do anything)\b",
            r"\bnot (?:too|very|super|really|that|so|all that) (?:happy|satisfied|pleased|thrilled) with\b"
            r"|\bnot (?:thrilled|pleased|impressed) with\b",
            # Spanish: "no quedé muy contenta con mi facial", "decepcionada", "mal servicio"
            r"\bno (?:quede|quedo|estoy|estuve|he quedado|quedamos) (?:muy |nada |para nada |tan )?"
            r"(?:contenta|contento|satisfecha|satisfecho|feliz|conforme)\b"
            r"|\b(?:decepcionad[ao]|insatisfech[ao]|enojad[ao])\b|\bmal servicio\b|\bpesim[ao]\b",
        ),
        (
            "I'm unhappy with my results",
            "my botox didn't work",
            "not what I paid for",
            "not too happy with how my facial went",
            "hola, la verdad no quede muy contenta con mi facial del sabado",
        ),
        ("happy to come in friday", "estoy muy contenta, gracias", "not too happy about needles lol"),
    ),
    Rule(
        "complain_or_threat",
        "complaint",
        rx(
            r"\bcomplain\w*|\bcomplaint\b",
            r"\b(?:lawyer|attorney|lawsuit|sue you|small claims|better business bureau|bbb)\b",
            r"\b(?:bad|negative|1[\s-]star|one[\s-]star) reviews?\b|\breport (?:you|this)\b",
        ),
        ("I want to file a complaint", "I'm leaving a 1 star review"),
        ("see you friday",),
    ),
    Rule(
        "ignored",
        "complaint",
        rx(
            r"\b(?:nobody|no one|no-one|noone|no body)\b.{0,15}\b(?:called|texted|got back|gotten back|"
            r"responded|"
            r"replied|answered|returned|reached out|followed up)\b",
            r"\bstill (?:waiting|haven'?t heard)\b.{0,40}\b(?:days?|weeks?|hours?|since|again|forever)\b",
            r"\b(?:never|didn'?t) (?:got|get|hear) (?:a )?(?:call|response|reply) back\b",
            # "this is my 3rd time asking for a callback"
            r"\b(?:\d+(?:st|nd|rd|th)?|second|third|fourth|fifth|umpteenth) time"
            r" (?:asking|calling|texting|trying|reaching out|requesting|following up)\b",
            r"\bwaited (?:for )?(?:(?:over |almost |like )?(?:[2-9]\d|\d{3}) ?min\w*|(?:over |"
            r"almost )?an hour|\d+ hours?|"
            r"forever|so long)\b",
            r"\b(?:nobody|no one) (?:said|told|explained|apologi[sz]ed|cared)\b|\U0001f621|\U0001f92c",
            # "ignored me the whole time", "kept waiting over 30 min, this is getting old"
            r"\b(?:ignored|ignoring) (?:me|us|my (?:texts?|messages?|calls?))\b|\bkept (?:me )?waiting\b|"
            r"\b(?:this|it)(?: is|'s) getting old\b",
        ),
        (
            "nobody has called me back",
            "\U0001f621 I waited 40 minutes past my appointment time today",
            "still waiting for a call back, it's been 3 days",
            "the lady at the front was on her phone and ignored me",
            "3rd time ive been kept waiting over 30 min",
        ),
        ("no one has to call, text is fine",),
    ),
    Rule(
        "spanish_complaint",
        "complaint",
        rx(
            r"\bqueja\w*|\bpesim\w*|\b(?:muy )?mal servicio\b|\bgroser\w*|\bmal educad\w*|\bdecepcionad\w*",
            r"\bno estoy (?:contenta|contento|satisfech\w*)\b",
            r"\bme (?:dejaron|tuvieron) esperando\b",
            r"\b(?:estoy|estamos) (?:muy |bien )?(?:molest|enojad|furios)[ao]s?\b",
            r"\bmala atencion\b",
        ),
        (
            "quiero poner una queja",
            "el servicio fue pesimo",
            "estoy muy molesta, me dejaron esperando una hora",
            "que mala atencion",
        ),
        ("todo muy bien, gracias", "no me molesta esperar", "no hay problema, espero"),
    ),
)

# Someone to talk a treatment over with before booking it is a consultation, which the agent books:
# "thinking about filler but i want to talk to someone first", "can i just come talk to someone".
# A text that asks for a real person, a manager or a call stays a request for a person.
_CONSULTATION = re.compile(
    rf"^(?=.*\b{SPA_OFFER}\b)(?!.*\b(?:real|actual|live|human|manager|owner|bot|call)\b)"
    r".*(?:\bcome (?:in |by )?(?:and |to )?(?:talk|speak|chat) (?:to|with)\b|"
    r"\b(?:talk|speak|chat) (?:to|with) "
    r"(?:someone|somebody|a provider|an injector|a nurse|the injector)(?: about (?:it|this|that|my options|"
    r"options))? (?:first|before (?:i|we) (?:book|decide|commit|do))\b)"
)

_WHEN_FOLLOWS = (
    r"(?:back|now|asap|please|pls|plz|today|tomorrow|tonight|later|when|whenever|at|on|in|if|after|before|"
    r"right away|soon|instead|directly|about|re|regarding|\d)"
)

HUMAN_REQUEST: tuple[Rule, ...] = (
    Rule(
        "talk_to_a_person",
        "human_request",
        rx(
            r"\b(?:talk|speak|chat|connect|text)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+|some\s+|your\s+)?"
            r"(?:real\s+|actual\s+|live\s+)?(?:person|human|someone|somebody|people|staff|manager|owner|"
            r"receptionist|front desk|agent|rep|representative|doctor|nurse|injector|provider|team|"
            r"employee)\b",
            r"\b(?:real|actual|live)\s+(?:person|human|people|agent|rep|representative)\b",
            r"\bhuman\b(?!\s+hair)|\bmanager\b|\bsupervisor\b|\brepresentative\b|\boperator\b",
            r"\b(?:person|human|someone|somebody|anyone|staff member) (?:i|we) (?:can|could) (?:talk|speak|"
            r"chat) "
            r"(?:to|with)\b",
        ),
        (
            "can I talk to a person",
            "is there a person I can talk to",
            "human please",
            "let me speak to the manager",
            "I want a real person",
            "can i just talk to someone first, i have questions about my skin",
            "i want to talk to someone first about my botox, a real person please",
        ),
        (
            "who is the injector on friday?",
            "thinking about filler for my smile lines but i want to talk to someone first",
            "idk maybe botox maybe filler can i just come talk to someone",
        ),
        unless=_CONSULTATION,
    ),
    Rule(
        "call_me",
        "human_request",
        rx(
            rf"\b(?:call|ring|phone)\s+me(?:\s+{_WHEN_FOLLOWS}\b|\s*[?.!,]|$)",
            r"\b(?:give|gimme)\s+me\s+a\s+(?:call|ring)\b|\bcan (?:someone|somebody|you|anyone) (?:call|"
            r"phone|ring)\b",
            r"\b(?:need|get|have|request|want|like) (?:a|to get a) (?:call|phone call)(?: back)?\b",
            # "can someone from billing text me about my last visit"
            r"\b(?:can|could|would|will|have|get) (?:someone|somebody|a person|anyone)(?: from (?:the )?\w+)?"
            r" (?:text|call|email|contact|reach out to|get back to|get in touch with) (?:me|us)\b"
            r"(?! (?:the|a|your) (?:address|price|prices|reminder|confirmation|directions|time|menu|link)\b)",
        ),
        (
            "call me",
            "Can someone call me back?",
            "please call me asap",
            "can i get a call back",
            "can someone from billing text me about my last visit",
        ),
        (
            "Call me Sam",
            "call me sarah, I want botox",
            "can you call me a cab after?",
            "can someone text me the address",
        ),
        unless=re.compile(r"\bcall (?:me )?an? (?:cab|taxi|uber|lyft|ride|car)\b"),
    ),
    Rule(
        "not_a_bot",
        "human_request",
        rx(
            r"\b(?:talk|talking|text|texting|chat|chatting) (?:to|with) (?:a |an |this )?(?:bot|robot|"
            r"machine|ai)\b",
            r"\bare you (?:a\s+)?(?:bot|robot|real|human|ai)\b.*\b(?:person|human|someone)\b",
        ),
        ("I don't want to keep talking to a bot", "are you a bot? I want someone real"),
        ("are you open saturday?",),
    ),
    Rule(
        "spanish_person",
        "human_request",
        rx(
            r"\bhablar con (?:una persona|alguien|un humano|el gerente|la gerente|el encargado|"
            r"la encargada|(?:el|la) (?:duen[oa]|jef[ea]|administrador[a]?|recepcionista))\b",
            r"\bpersona real\b|\bllamen(?:me)?\b|\bme (?:pueden|puede) llamar\b",
            # Spanglish: "can i talk to alguien real", "speak with una persona"
            r"\b(?:talk|speak|chat) (?:to|with) (?:alguien|una persona|un humano)\b|\balguien real\b",
        ),
        (
            "quiero hablar con una persona",
            "me pueden llamar por favor?",
            "can i just talk to alguien real porfa",
            "quiero hablar con la dueña por favor",
        ),
        ("me llamo Lucia",),
    ),
)
