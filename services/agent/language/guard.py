"""The escalation guard: what a client wrote that needs a person, and what a reply may not say.

Pure: no I/O. `check_inbound` runs on every inbound text before any brain sees it (DESIGN.md
invariant 9); `check_outbound` on every reply before it is published (invariant 6). Both err on
the side of a person: a false escalation costs a staff member a minute, a missed one can hurt.

Reasons are written for staff and never echo the client's words or clinical detail: the reason
travels in events, alerts and the inbox, which are not all places for health information.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.contracts.escalation import EscalationCategory

__all__ = ["DEFAULT_MAX_LENGTH", "GuardVerdict", "OutboundVerdict", "check_inbound", "check_outbound"]

DEFAULT_MAX_LENGTH = 320  # two SMS segments


@dataclass(frozen=True)
class GuardVerdict:
    """Whether an inbound text goes to a person, under which category, and why (staff words)."""

    escalate: bool
    category: EscalationCategory | None = None
    reason: str = ""


@dataclass(frozen=True)
class OutboundVerdict:
    """Whether a reply may be sent; when not, why (staff words)."""

    allowed: bool
    reason: str = ""


PASS = GuardVerdict(escalate=False)


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


# ----- medical -----

# Words that make a question clinical wherever they appear.
_CLINICAL = _rx(
    r"\bside[\s-]?effects?\b",
    r"\b(?:adverse|allergic|bad|severe|skin)\s+reactions?\b",
    r"\breact(?:ion|ed|s)?\s+(?:to|badly)\b",
    r"\brisks?\s+(?:of|for|with|to|if|when|during)\b",
    r"\bdos(?:e|es|age|ages|ing)\b",
    r"\boverdos\w*",
    r"\bprecautions?\b",
    r"\bsafety concerns?\b",
    r"\bcontra-?indicat\w*",
    r"\binteract(?:ion|ions|s)?\b(?!\s+with\s+(?:you|staff|the team|them))",
    r"\bpregnan\w*",
    r"\btrying to conceive\b|\bttc\b",
    r"\bbreast[\s-]?feed\w*|\bnursing\b(?!\s+home)|\blactat\w*",
    r"\bmedications?\b|\bmedicines?\b|\bmeds\b|\bprescri\w*|\bpharmac\w*",
    r"\b(?:antibiotics?|antidepressants?|blood thinners?|steroids?|hormones?|hrt|chemo\w*|insulin|"
    r"accutane|isotretinoin|tretinoin|retin-?a|warfarin|coumadin|aspirin|ibuprofen|advil|motrin|"
    r"tylenol|acetaminophen|metformin|birth control|the pill|vitamins?|supplements?|vaccin\w*|"
    r"immuni[sz]\w*)\b",
    r"\ballerg\w*|\banaphyla\w*",
    r"\bsymptoms?\b|\bdiagnos\w*|\bprognosis\b",
    r"\b(?:disease|disorders?|syndrome|infections?|infected|cancer|tumou?rs?|diabet\w*|autoimmune|lupus|"
    r"herpes|cold sores?|keloids?|epilep\w*|seizures?|hepatitis|hiv|arthritis|asthma|migraines?|"
    r"hypertension|high blood pressure|blood pressure|heart (?:condition|disease|problems?)|stroke|"
    r"thyroid|kidney|liver|bleeding disorder|blood clots?|anemi\w*|pacemaker|implants?|neuropathy|"
    r"myasthenia|bell'?s palsy|glaucoma|depression|anxiety disorder|surgery|surgeries|transplant\w*)\b",
    r"\b(?:my|a|medical|health|skin|heart|chronic|pre-?existing|underlying)\s+(?:condition|illness)s?\b",
    r"\bconditions?\s+(?:like|such as)\b",
    r"\bis (?:it|this|that|botox|filler|the \w+(?: \w+)?) (?:safe|ok|okay|dangerous|harmful|bad)\b",
    r"\b(?:safe|dangerous|harmful) (?:for|if|to|while|during|with|when|after)\b",
    r"\b(?:suitable|appropriate) (?:for|option for) (?:me|someone|people|my|a)\b",
    r"\b(?:right|good|best|safe) (?:treatment|option|choice|procedure) for (?:me|my|"
    r"someone)\b(?!.{0,20}\b(?:lines|wrinkles))",
    r"\b(?:good |right )?candidate\b",
    r"\bshould i (?:stop|avoid|skip|not|take|keep)\b",
    r"\bcan i (?:take|drink|still take|still drink|keep taking)\b",
    r"\b(?:swelling|swollen|bruis\w*|rash\w*|itch\w*|hives|blister\w*|numb(?:ness|ed|ing)?|"
    r"droop\w*|lump(?:s|y)?|"
    r"bumps?|pus|oozing|scabb?\w*|bleeding|burn(?:ed|t|s|ing)?|fever|headaches?|nause\w*|dizz\w*|"
    r"infect\w*|inflam\w*|redness|painful|hurts?|hurting|aches?|aching|sore(?:ness)?)\b"
    r"(?=.{0,60}\b(?:after|since|from|post|still|won'?t|worse|normal|should|is it|days?|weeks?)\b)",
    r"\b(?:after|since|from) (?:my|the|last|her|his) (?:treatment|botox|filler|injections?|laser|peel|"
    r"facial|session|appointment|procedure)\b.{0,60}\b(?:swelling|swollen|bruis\w*|rash|itch\w*|hives|"
    r"blister\w*|numb(?:ness|ed|ing)?|droop\w*|lumps?|bumps?|pus|bleeding|burn\w*|red|pain\w*|"
    r"hurts?|sore|asymmetr\w*|"
    r"uneven|reaction|infect\w*)\b",
    # A client describing their own body after (or about) a treatment: an adverse reaction until a
    # qualified person says otherwise.
    r"\b(?:i|i'?ve|i'?m|i am|my|it'?s|there'?s|there is)\b.{0,40}\b(?:got|have|has|having|is|are|feels?|"
    r"looks?|been|getting|developed|noticed|see)\b.{0,25}\b(?:bruis\w*|swollen|swelling|lumps?|lumpy|"
    r"droop\w*|rash\w*|itch\w*|numb(?:ness|ed|ing)?|blister\w*|peeling|redness|infect\w*|asymmetr\w*|"
    r"uneven|tingl\w*|scarring|discolou?r\w*|welts?|hives|burns?|burned|burnt|(?<!a )pain|painful|sore|"
    r"tender)\b",
    r"\bthere(?:'s| is| are)\b.{0,15}\b(?:lumps?|bumps?|bruis\w*|swelling|rash|blisters?)\b",
    r"\b(?:it|this|that|my \w+(?: \w+)?) (?:still )?(?:hurts?|is hurting|stings?|burns)\b",
    r"\b(?:does|will|did) (?:it|this|that|the \w+(?: \w+)?) hurt\b",
    r"\bhow (?:painful|much (?:does|will) it hurt)\b|\bis (?:it|this|that) painful\b",
    r"\bhow many units\b|\b\d+\s*units?\s+of\b|\bunits? (?:do|will|would|should) i\b",
    r"\b(?:rosacea|eczema|psoriasis|melasma|dermatitis|vitiligo|lupus|alopecia|hyperhidrosis|"
    r"keratosis|shingles)\b",
    r"\baftercare\b|\bafter[\s-]care\b",
    r"\b(?:work ?out|exercise|gym|run|sauna|steam room|hot tub|sun ?bathe|tan|tanning|makeup|make-up|"
    r"lie down|fly|flying|drink|alcohol|coffee|shower|swim\w*|sleep)\b.{0,25}\b(?:after|before|post)\b.{0,20}"
    r"\b(?:botox|tox|filler|fillers|treatment|laser|peel|injections?|procedure|microneedling|facial|"
    r"appointment|session|kybella|sculptra)\b",
    r"\bbrand names?\b",
    r"\bstorage and disposal\b|\bdisposal of\b",
    r"\bforg[eo]t (?:a|to take|my) (?:dose|pill|medication)",
    r"\bdietary\b|\bdiet\b",
    r"\bemergenc\w*",
    r"\b(?:important )?warnings?\b",
    r"\bwhy (?:get|is it) (?:vaccinated|prescribed)\b",
    r"\bwho should (?:not )?get\b",
    r"\btreat(?:s|ing|ment for)? (?:my|the|her|his) (?:diabet\w*|condition|disease|infection|cancer)",
)

# "What is (are) X?", "Do you have information about X", "How can I learn more about X": a request
# for information on a topic. Answering it is never the booking agent's job; it is medical unless
# the topic is plainly booking logistics (address, rating, price, availability...).
_INFO_REQUEST = _rx(
    r"^\s*(?:(?:and|so|ok|okay|hi|hey|also|but)[,\s]+)?what(?:\s+is|\s+are|'s|'re|"
    r"s)\s*(?:\(are\)\s*)?(?P<topic>[^?.!]{2,80})\s*\??\s*$",
    r"\b(?:any|some|more)?\s*info(?:rmation)?\s+(?:about|on|regarding)\s+(?P<topic2>[^?.!]{2,80})",
    r"\b(?:learn|know|read)\s+more\s+about\s+(?P<topic3>[^?.!]{2,80})",
    r"\bwhat\s+(?:other\s+|important\s+|else\s+)?(?:information|info)\s+(?:should|do|would|"
    r"must)\s+i\s+know\s+"
    r"about\s+(?P<topic4>[^?.!]{2,80})",
)
# Questions about a condition's course or care: medical unless the topic is a cosmetic concern the
# spa treats ("what causes forehead lines" is a sales question, "what causes shingles" is not).
_CARE_REQUEST = _rx(
    r"\bwhat (?:causes|triggers)\s+(?P<t1>[^?.!]{2,60})",
    r"\bwhat are the (?:causes|treatments?|complications|stages|symptoms|signs|outlook|risk factors)"
    r" (?:of|for)\s+(?P<t2>[^?.!]{2,60})",
    r"\bhow (?:to|can i|do i|do you|is|are) (?:prevent|diagnose|treat|cure|"
    r"manage)(?:ed)?\s+(?P<t3>[^?.!]{2,60})",
    r"\bwho (?:is|are) at risk (?:for|of)\s+(?P<t4>[^?.!]{2,60})",
    r"\bis\s+(?P<t5>[^?.!]{2,40})\s+(?:inherited|hereditary|genetic|contagious|curable|fatal)\b",
    r"\bhow many people (?:are )?(?:affected by|have|get)\s+(?P<t6>[^?.!]{2,60})",
    r"\b(?:clinical trials?|research)\b.{0,40}\b(?:for|on|about)\s+(?P<t7>[^?.!]{2,60})",
)
_LOGISTICS = re.compile(
    r"\b(?:address|location|located|directions?|where|parking|park|rating|rated|reviews?|stars?|number|phone|"
    r"contact|email|website|site|hours|open|opening|close|closing|price|prices|pricing|cost|costs|fee|fees|"
    r"deposit|policy|policies|charge|pay|payment|card|cash|time|times|date|dates|day|days|today|tomorrow|"
    r"week|weekend|availability|available|free|slot|slots|appointment|appointments|booking|book|reservation|"
    r"name|names|stylist|provider|providers|staff|team|salon|spa|barber|clinic|office|business|weather|"
    r"package|packages|membership|memberships|deal|deals|special|specials|promo\w*|discount|gift|voucher|"
    r"services?|menu|options?|difference|included|include|duration|long|wait|waitlist|consult\w*|"
    r"schedule|calendar|unisex|it|this|that|up|new|next|happening|going on|wrong|"
    r"best|plan|story|deal|weather|your|you|there|here|the (?:earliest|latest|soonest))\b",
    re.IGNORECASE,
)
_DETERMINER_START = re.compile(
    r"^\s*(?:the|their|its|your|our|my|this|that|these|those|his|her|it|there|they|you|we|he|she|i|"
    r"on|in|for|at|to|with|when|where|how|a good|a great|available|left)\b",
    re.IGNORECASE,
)
# Clinical vocabulary by word shape: conditions and drug classes with unmistakable endings.
_CLINICAL_SHAPE = re.compile(
    r"\b[a-z]{3,}(?:itis|osis|emia|aemia|oma|pathy|plasia|trophy|algia|ectomy|otomy|ostomy|scopy|"
    r"cillin|mycin|cycline|floxacin|azole|prazole|tidine|pril|sartan|olol|dipine|statin|formin|gliptin|"
    r"triptan|setron|parin|xaban|gatran|zumab|ximab|mumab|tinib|navir|ciclovir|clovir|azepam|zolam|"
    r"oxetine|pramine|tyline|lukast|dronate|olone|asone|isone|terol|profen|fenac|coxib|codone|morphone|"
    r"amine|idine|azine|thiazide|semide|barbital|vaccine|virus|viral|bacteria\w*|syndrome|disorder)\b",
    re.IGNORECASE,
)
# Spa services and cosmetic concerns a client names when booking: not clinical on their own.
_COSMETIC_OK = re.compile(
    r"\b(?:botox|dysport|xeomin|jeuveau|filler|fillers|juvederm|restylane|sculptra|kybella|facials?|"
    r"hydrafacial|peel|peels|microneedling|laser|hair removal|wax\w*|massage|lashes|brows|lip|lips|"
    r"wrinkles?|lines|acne|scars?|pigment\w*|sun ?spots?|dark spots?|cellulite|tightening|contouring)\b",
    re.IGNORECASE,
)


def _topic_is_medical(topic: str) -> bool:
    """A topic of an information request: medical unless it is plainly booking logistics."""
    topic = topic.strip().strip("?.! ")
    if not topic:
        return False
    if _CLINICAL.search(topic) or _CLINICAL_SHAPE.search(topic):
        return True
    if _DETERMINER_START.match(topic) or _LOGISTICS.search(topic):
        return False
    if re.match(r"(?i)an?\s", topic) and _COSMETIC_OK.search(topic):
        return False  # "what is a HydraFacial?": a question about what the spa sells
    if len(topic.split()) > 6:
        return False  # a sentence, not a topic
    return True


def _is_medical(text: str) -> bool:
    if _CLINICAL.search(text):
        return True
    for m in _CARE_REQUEST.finditer(text):
        topic = next((v for v in m.groupdict().values() if v), "")
        if topic and not _COSMETIC_OK.search(topic) and _topic_is_medical(topic):
            return True
    for m in _INFO_REQUEST.finditer(text):
        topic = m["topic"] or m["topic2"] or m["topic3"] or m["topic4"]
        if topic and _topic_is_medical(topic):
            return True
    return False


# ----- the other categories -----

_APPOINTMENT = r"(?:appointment|appt|booking|reservation|visit|session|consult\w*|treatment)s?"
_PAYMENT_DISPUTE = _rx(
    r"\bcharged (?:me )?(?:twice|two times|double|again|extra|more|wrong\w*|incorrectly|without)\b",
    r"\b(?:charged|billed)\b.{0,25}\b(?:twice|two times|double|three times)\b",
    r"\b(?:double|over|wrongly|incorrectly|mistakenly)[\s-]?(?:charged|billed)\b",
    r"\bbilled (?:me )?(?:twice|two times|double|again|wrong\w*|incorrectly)\b",
    r"\b(?:unauthori[sz]ed|unknown|wrong|duplicate|extra|mystery) (?:charge|payment|transaction)s?\b",
    r"\bdispute\w*|\bcharge[\s-]?backs?\b",
    r"\bdidn'?t (?:authori[sz]e|approve|agree to) (?:this|that|the|a|any)? ?(?:charge|payment)\b",
    r"\b(?:billing|payment|card) (?:error|issue|problem|mistake)s?\b",
    r"\bfraud\w*",
)
_REFUND = _rx(r"\brefund\w*", r"\bmoney back\b", r"\breimburs\w*", r"\bcredit (?:it )?back\b")
_COMPLAINT = _rx(
    r"\b(?:terrible|horrible|awful|appalling|unacceptable|disgusting|ridiculous|outrageous|pathetic)\b",
    r"\b(?:worst|rude|unprofessional|incompetent|careless|botched|ruined|scam\w*|rip[\s-]?off)\b",
    r"\bcomplain\w*|\bcomplaint\b",
    r"\b(?:is|was) a joke\b|\bwaste of (?:money|time)\b|\bnever (?:coming|going) back\b",
    r"\b(?:unhappy|not happy|dissatisfied|not satisfied|disappointed|upset|angry|furious|livid|pissed)\b",
    r"\bmessed up\b(?! again, could)|\bscrewed up\b",
    r"\b(?:lawyer|attorney|lawsuit|sue you|small claims|better business bureau|bbb)\b",
    r"\b(?:bad|negative|1[\s-]star|one[\s-]star) reviews?\b|\breport (?:you|this)\b",
)
_HUMAN = _rx(
    r"\b(?:talk|speak|chat|connect|text)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+|some\s+|your\s+)?"
    r"(?:real\s+|actual\s+|live\s+)?(?:person|human|someone|somebody|people|staff|manager|owner|"
    r"receptionist|front desk|agent|rep|representative|doctor|nurse|injector|provider|team|employee)\b",
    r"\b(?:real|actual|live)\s+(?:person|human|people|agent|rep|representative)\b",
    r"\bhuman\b(?!\s+hair)",
    r"\bmanager\b|\bsupervisor\b|\brepresentative\b|\boperator\b",
    r"\b(?:call|ring|phone)\s+me\b(?!\s+(?:a|an|by)\s)",
    r"\b(?:give|gimme)\s+me\s+a\s+(?:call|ring)\b|\bcan (?:someone|somebody) call\b",
    r"\b(?:not|stop) (?:talking|texting) (?:to|with) (?:a\s+)?(?:bot|robot|machine|ai)\b",
    r"\bare you (?:a\s+)?(?:bot|robot|real|human|ai)\b.*\b(?:person|human|someone)\b",
)
_RESCHEDULE = _rx(
    r"\bre-?schedul\w*|\bre-?book\w*",
    rf"\b(?:move|change|switch|shift|push|bump|postpone)\s+(?:back\s+)?my\s+(?:\w+\s+)?{_APPOINTMENT}\b",
    rf"\b(?:move|push|bump|postpone)\s+(?:it|that|the {_APPOINTMENT})\s+(?:back|up|out|forward|"
    rf"to (?:next|another|a different))\b",
    rf"\b(?:different|another|new) (?:day|date|time) for my (?:\w+ )?{_APPOINTMENT}\b",
    rf"\bmy (?:\w+ )?{_APPOINTMENT}\b.{{0,40}}\b(?:to a different|to another|to next|earlier|later)\b",
    r"\bcan'?t make (?:it|my)\b|\bwon'?t (?:be able to )?make (?:it|my)\b|\brunning (?:late|behind)\b",
)
_CANCELLATION = _rx(
    r"\bcancel(?:l?ed|l?ing|s)?\b(?!\s+(?:policy|fee))",
    r"\bcancellations?\b(?!\s+(?:policy|fee|list))",
    r"\b(?:call|calling) off (?:my|the)\b",
    rf"\b(?:won'?t|will not|can'?t|cannot|not) (?:be )?(?:coming|come|make it|"
    rf"attend\w*) (?:to )?(?:my|the)? ?{_APPOINTMENT}?\b"
    r"(?!.*\b(?:earlier|later|another|different|reschedul))",
    rf"\bdon'?t (?:want|need) (?:my|the) {_APPOINTMENT} (?:anymore|any more)\b",
)
# "call me Sam" introduces a name; matched case-sensitively because the capital is the only clue
_CALL_ME_NAME = re.compile(r"\b[Cc]all me (?!ASAP|I\b|[A-Z]{2,})[A-Z][a-z]+\b(?!.*\b(?:call|phone|ring)\b)")
_NOT_CANCEL = re.compile(r"\b(?:don'?t|do not|didn'?t|never|not)\s+(?:want to\s+)?cancel\b", re.IGNORECASE)

_REASONS: dict[str, str] = {
    "medical": "Client asked a health or treatment-suitability question; a qualified person must answer.",
    "payment_dispute": "Client disputes a charge.",
    "refund": "Client asked about a refund.",
    "complaint": "Client is unhappy and may have a complaint.",
    "human_request": "Client asked to talk to a person.",
    "reschedule": "Client wants to reschedule an existing appointment.",
    "cancellation": "Client wants to cancel an existing appointment.",
}


def check_inbound(text: str) -> GuardVerdict:
    """Decide whether an inbound text must go to a person; runs before any brain sees the text."""
    if not text or not text.strip():
        return PASS
    flat = " ".join(text.split())
    # Order matters: a clinical question inside a cancellation is still clinical.
    if _is_medical(flat):
        return _verdict("medical")
    if _PAYMENT_DISPUTE.search(flat):
        return _verdict("payment_dispute")
    if _REFUND.search(flat):
        return _verdict("refund")
    if _RESCHEDULE.search(flat):
        return _verdict("reschedule")
    if _CANCELLATION.search(flat) and not _NOT_CANCEL.search(flat):
        return _verdict("cancellation")
    if _COMPLAINT.search(flat):
        return _verdict("complaint")
    if _HUMAN.search(flat) and not _CALL_ME_NAME.search(flat):
        return _verdict("human_request")
    return PASS


def _verdict(category: EscalationCategory) -> GuardVerdict:
    return GuardVerdict(escalate=True, category=category, reason=_REASONS[category])


# ----- outbound -----

_OUT_DOSAGE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:units?|u|mg|mcg|µg|ug|ml|cc|iu|milligrams?|micrograms?|milliliters?)\b",
    re.IGNORECASE,
)
_OUT_CLINICAL = re.compile(
    r"\b(?:side[\s-]?effects?|dosage|dose|doses|overdose|contraindicat\w*|interactions?|diagnos\w*|"
    r"prescri\w*|medications?|medicines?|pregnan\w*|breast[\s-]?feeding|allerg\w*|anaphyla\w*|"
    r"symptoms?|infections?|diabet\w*|cancer|tumou?rs?|herpes|cold sores?|lupus|autoimmune|epilep\w*|"
    r"seizures?|hepatitis|hiv|hypertension|blood pressure|blood thinners?|antibiotics?|steroids?|"
    r"accutane|isotretinoin|tretinoin|warfarin|coumadin|aspirin|ibuprofen|acetaminophen|tylenol|"
    r"metformin|insulin|lidocaine|numbing cream|antiviral|valtrex|valacyclovir|disease|disorder|syndrome)\b",
    re.IGNORECASE,
)
# Drug names by ending, restricted to endings no street, town or first name carries.
_OUT_DRUG_SHAPE = re.compile(
    r"\b[a-z]{3,}(?:cillin|mycin|cycline|floxacin|prazole|sartan|olol|dipine|statin|formin|triptan|"
    r"xaban|zumab|ximab|tinib|navir|ciclovir|azepam|zolam|oxetine|profen|codone|thiazide)\b",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<!\d)(?:\d[\s-]?){12,18}\d(?!\d)")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _has_card_number(text: str) -> bool:
    for m in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", m[0])
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return True
    return False


def check_outbound(
    text: str, max_length: int = DEFAULT_MAX_LENGTH, allowed_terms: tuple[str, ...] = ()
) -> OutboundVerdict:
    """Decide whether a reply may be sent: booking logistics only, no clinical or payment content.

    `allowed_terms` are phrases the spa itself uses (its service names, e.g. "Cold Sore Laser
    Treatment") that may appear even when they contain a clinical word.
    """
    if not text or not text.strip():
        return OutboundVerdict(False, "empty reply")
    if len(text) > max_length:
        return OutboundVerdict(False, f"reply is {len(text)} characters, over the limit of {max_length}")
    if _has_card_number(text):
        return OutboundVerdict(False, "reply contains what looks like a payment card number")
    scrubbed = text
    for term in allowed_terms:
        if term:
            scrubbed = re.sub(re.escape(term), " ", scrubbed, flags=re.IGNORECASE)
    if _OUT_DOSAGE.search(scrubbed):
        return OutboundVerdict(False, "reply states a dosage or quantity of product")
    if _OUT_CLINICAL.search(scrubbed) or _OUT_DRUG_SHAPE.search(scrubbed):
        return OutboundVerdict(False, "reply contains clinical content (condition, drug or medical advice)")
    return OutboundVerdict(True)
