"""Medical rules: clinical questions (drugs, pregnancy, conditions, "is it safe", aftercare), after
the urgent ones in `medical_urgent.py`.

Each rule names one way clients ask a clinical question; the learned model (`medical_model`) catches
the long tail.
"""

from __future__ import annotations

import re

from .health_info import HEALTH_INFORMATION
from .medical_urgent import URGENT
from .rule import Rule, rx
from .vocabulary import (
    ACCESS_CONDITION_ONLY,
    AFTER_IT_SETTLES,
    BODY_COMPLAINT,
    BODY_PART,
    CARE_SCHEDULE,
    CLEARED_BY_DOCTOR,
    CONDITION,
    CONDITION_SHAPE,
    DRUG,
    DRUG_BRAND,
    DRUG_SHAPE,
    FACT_FOR_THE_ROOM,
    FACT_FOR_THE_VISIT,
    MARKS_LEFT_BY,
    MEDS_AS_TIME_REASON,
    NEW_MOM_BOOKING,
    OFFER_ASKED,
    OFFER_BY_PRICE,
    PREGNANCY_OFFER,
    PREGNANT_CLIENT_NOT_TREATED,
    PREGNANT_COMPANION,
    PROCEDURE,
    PRODUCT,
    SCHEDULED_AROUND,
    SKIN_CONCERN,
    SKIN_CONDITION,
    SPA_OFFER,
    SYMPTOM,
    TREATMENT,
)
from .worries import WORRIES

_QUESTION_AFTER_TREATMENT = (
    rf"\b(?:work ?out|exercise|gym|run|sauna|steam room|hot tub|hot yoga|sun ?bathe|tan|tanning|"
    rf"sun|makeup|make-up|eat|eating|avoid|fast|fasting|lie down|lay down|fly|flying|drink|drinking|alcohol|"
    rf"wine|coffee|shower|swim\w*|"
    rf"sleep|smoke|smoking|vape|vaping|wash my face|retinol|exfoliat\w*|massage my|touch|"
    rf"rub)\b.{{0,30}}\b(?:after|before|post|"
    rf"following|(?:the )?same day as|the (?:day|night) of)\b.{{0,25}}\b{TREATMENT}\b"
)
_NON_MEDICAL_TOPIC = re.compile(
    r"\b(?:address|location|located|directions?|where|parking|park|rating|reviews?|number|phone|contact|"
    r"email|website|hours|open|close|price|prices|pricing|cost|costs|fee|fees|deposit|policy|policies|"
    r"charge|pay|payment|card|cash|time|times|date|dates|day|days|today|tomorrow|week|weekend|"
    r"availability|available|slot|slots|appointment|appointments|booking|book|name|names|provider|"
    r"providers|staff|team|salon|spa|clinic|office|business|package|packages|membership|deal|deals|"
    r"special|specials|promo\w*|discount|gift|voucher|services?|menu|options?|difference|included|"
    r"include|duration|long|wait|waitlist|consult\w*|schedule|it|this|that|up|new|next|best|plan|your|"
    r"you|there|here|wrong|happening|weather|another|other|one|ones|else|good|best|recommend\w*|"
    r"the (?:earliest|latest|soonest))\b"
)
_DETERMINER_START = re.compile(
    r"^(?:the|their|its|your|our|my|this|that|these|those|his|her|it|there|they|you|we|he|she|i|on|in|"
    r"for|at|to|with|when|where|how|a good|a great|available|left)\b"
)
# Everyday aches with an everyday cause ("my feet hurt in these heels") and excitement ("my heart is
# racing, so excited to book"): not a health question.
_EVERYDAY = re.compile(
    r"\b(?:sore|hurts?|hurting|aching|achy)\b.{0,15}\b(?:from|in) (?:the gym|working out|my workout|"
    r"these (?:heels|shoes)|my (?:heels|shoes)|standing all day|walking all day|moving|work)\b|"
    r"\b(?:excited|excitement|can'?t wait)\b|\bnervous (?:for|about) (?:my|the) (?:first|big day|\w+ "
    r"(?:appointment|visit))\b"
)
_CLINICAL_WORD = re.compile(rf"\b{CONDITION}\b|\b{DRUG}\b|\b{DRUG_BRAND}\b|{DRUG_SHAPE}|{CONDITION_SHAPE}")
_SPA_TOPIC = re.compile(rf"\b{SPA_OFFER}\b|\b{SKIN_CONCERN}\b")
# What a price or a plan costs: "what's included in the monthly sema price" is about money.
_PRICE_TOPIC = re.compile(
    r"^(?:included|include[sd]? in|in) .{0,30}\b(?:price|cost|fee|program|plan|package)\b"
)


def topic_is_medical(topic: str) -> bool:
    """The subject of "what is X?" / "how to treat X": medical unless booking logistics or a spa offer."""
    topic = topic.strip(" ?.!,")
    if not topic:
        return False
    if _PRICE_TOPIC.search(topic):
        return False
    if _CLINICAL_WORD.search(topic):
        return True
    if _SPA_TOPIC.search(topic) or _DETERMINER_START.match(topic) or _NON_MEDICAL_TOPIC.search(topic):
        return False
    if re.match(r"an? ", topic):  # "what's a clear + brilliant?": something the spa sells
        return False
    return len(topic.split()) <= 6  # a longer span is a sentence, not a topic


QUESTIONS: tuple[Rule, ...] = (
    Rule(
        "side_effects_and_risks",
        "medical",
        rx(
            r"\bside[\s-]?effects?\b|\badverse\b|\bcomplications?\b|\blong[\s-]term effects?\b",
            r"\brisks?\s+(?:of|for|with|to|if|when|during|involved|in)\b|\bany risks?\b|\bdangers? of\b",
        ),
        (
            "What are the side effects of Botox?",
            "any risks with lip filler?",
            "complications from microneedling?",
        ),
        ("I'll risk the traffic and come at 5",),
    ),
    Rule(
        "reaction",
        "medical",
        rx(
            r"\breact(?:ion|ed|s|ing)?\s+(?:to|badly)\b",
            r"\b(?:bad|allergic|skin|adverse|weird|a|my|this|her|his) reactions?\b|\breactions? (?:last|"
            r"before|to)\b",
            rf"\b(?:{PROCEDURE}|{PRODUCT}|it|that)\b.{{0,20}}\b(?:gave|give|gives|caused|"
            rf"causes) me\b.{{0,30}}"
            rf"\b{SYMPTOM}(?!\w)",
        ),
        (
            "I had a bad reaction last time",
            "what if I react to the numbing cream?",
            "last time the peel gave me a rash",
        ),
        ("your team reacted so fast to my booking, thanks", "the facial gave me such a glow"),
        needs=re.compile(r"\breact|\b(?:gave|give|gives|caused|causes) me\b"),
    ),
    Rule(
        "dosage_and_units",
        "medical",
        rx(
            r"\bdos(?:e|es|age|ages|ing)\b|\boverdo(?:ing|ne)?\b",
            r"\bmax(?:imum)? (?:units|amount|dose|number|syringes|ml)\b|"
            r"\bmax(?:imum)? (?:\w+ ){0,2}(?:i|you|someone|a person) (?:can|should) (?:safely )?"
            r"(?:get|take|have)\b",
            r"\bhow many (?:units|syringes|vials|ml|cc)(?: of \w+)? (?:do|will|would|should|can|"
            r"might)(?: i| you| she|"
            r" he| we)? "
            r"(?:need|get|recommend|use|inject|put|be)\b(?!.{0,25}\b(?:left|include))",
            r"\b\d+\s*(?:units?|syringes?) (?:enough|too much|too many|safe|ok|okay|right|normal)\b",
            r"\b\d+\s*(?:ml|cc|mg|mcg)\b",
            r"\bhow (?:much|many) (?:\w+ ){1,3}(?:is|are) too (?:much|many)\b|"
            r"\b(?:safe|max\w*|normal|right|too much) (?:amount|number|dose) of\b|\bhow much (?:lidocaine|"
            r"numbing)\b",
            r"\bunits? (?:do|will|would|should) (?:i|you|she|he) (?:need|get|use|recommend)\b",
            r"\bhow much (?:botox|tox|filler|product|dysport|xeomin) (?:do|will|would|should|did|does)\b",
            # how often a drug is taken: "can you take norvasc once a day"
            r"\bcan (?:you|u|i|she|he|we) take \w+(?: \w+)? (?:once|twice|\w+ times) (?:a|per) day\b|"
            r"\btake \w+(?: \w+)? (?:every (?:\d+|four|six|eight|twelve) hours|on an empty stomach|"
            r"with food)\b",
        ),
        (
            "How many units is the right dosage for me?",
            "how many units will I need",
            "20 units enough?",
            "Can you take Norvasc once a day?",
        ),
        (
            "I want 2 sessions of laser",
            "how much is botox?",
            "how much for 20 units",
            "scared ill look frozen, can i do a light dose",
        ),
        # a price question about an amount of product: "how much for 50 units of dysport"
        # ... and a light touch asked for at booking: "can i do a light dose"
        unless=re.compile(
            r"^(?:ok |so |and )?(?:how much|what(?:'s| is) the (?:price|cost))\b(?!.*\b(?:need|should|safe|"
            r"enough|"
            r"too much|max\w*|right))|"
            r"\b(?:can|could) (?:i|we|you) (?:do|get|start with|try) (?:a )?(?:light|lighter|small|smaller|"
            r"baby) dose\b\W*$"
        ),
    ),
    Rule(
        "contraindication",
        "medical",
        # "just warning you" is a heads-up, not a question about warnings
        rx(r"\bcontra-?indicat\w*|\bprecautions?\b|\bsafety concerns?\b|\bwarnings?\b(?! (?:you|u|ya)\b)"),
        ("Are there contraindications for microneedling?", "any precautions before a peel?"),
        ("see you at 3!",),
    ),
    Rule(
        "pregnancy_and_nursing",
        "medical",
        rx(
            r"\bpregnan\w*|\btrying (?:to (?:conceive|get pregnant|have a baby)|for a baby)\b|\bttc\b|"
            r"\bpreg+o\b",
            r"\b(?:i'?m|im|i am|we'?re|were) expecting\b(?! (?:a call|a text|to|it|you|your|an? (?:email|"
            r"package|reply)))",
            r"\b(?:having|had|have) (?:a|my) baby\b|\bjust gave birth\b|\bnewborn\b|\bbf'?ing\b",
            # "12 wks along", "second trimester", "preggers", "still pumping"
            r"\b\d+ ?(?:wks?|weeks?|months?|mos?) (?:along|pp|postpartum|post ?partum)\b|\btrimester\b|"
            r"\bpreggers\b|\bbun in the oven\b|\bbaby bump\b|\bpumping\b(?! (?:iron|gas))|\bbreast ?milk\b|"
            r"\bmilk supply\b|\b(?:i'?m|im|i am) \d+ (?:weeks|wks)\b"
            r"(?! (?:out|away|post|after|since|from|until|till|til|before|of)\b)",
            r"\bbreast[\s-]?feed\w*|\bnursing\b(?! home| student| school)|\blactat\w*|\bpostpartum\b",
            r"\bmiscarr\w*|\bivf\b|\bfertility\b",
        ),
        (
            "im 34 weeks and my feet are huge",
            "Can I get filler while pregnant?",
            "I'm breastfeeding, is that ok?",
            "we're ttc, can I still get botox",
        ),
        (
            "my sister is a nursing student, does she get a discount?",
            "is there a fridge for my breast milk, i'll be there 2 hours",
            "is it ok if i bring my newborn in the car seat",
            "i'm 30 weeks pregnant, how much is the prenatal massage and do you have saturdays",
            "im pregnant and need the bathroom a lot lol, is there one close to the lobby",
            "my sister is pregnant can she come watch",
            "im pregnant so i cant do botox rn lol but can i buy a gift card for my sister",
            "i'm 7 months pregnant and my coworkers want to get me a gift card, do you sell them online",
            "im breastfeeding so im skipping botox but my husband wants some, can he book for sat",
            "im 6 months pregnant and my sister is getting her lips done, can i sit in the room with her",
            "my wife is breastfeeding so she's skipping it this time, can i use our couples package for me",
            "i just had a baby in march so i'm finally ready for me time lol, what facials do you have",
        ),
        # where to keep milk or pump while there is logistics, unless a treatment's safety is asked
        unless=re.compile(
            r"^(?!.*\b(?:safe|ok|okay|affect|still|while|can i (?:get|do|have)|pass|harm)\b).*\b(?:fridge|"
            r"refrigerator|cooler|a (?:room|place|spot) to pump|pump (?:in|at) (?:the|your))\b|"
            # a baby who comes along: "is it ok if i bring my newborn in the car seat"
            r"^(?!.*\b(?:safe|while|breast\w*|nursing|pregnan\w*|pumping|postpartum)\b).*\b(?:bring|bringing|"
            r"come with|comes with)\b.{0,15}\b(?:newborn|baby|infant)\b|"
            + PREGNANCY_OFFER
            # the room only, no treatment named: "do you have a bathroom i can use, i'm pregnant"
            + rf"|^(?!.*\b{TREATMENT}\b)(?="
            + FACT_FOR_THE_ROOM
            + ")|"
            + PREGNANT_COMPANION
            + "|"
            + PREGNANT_CLIENT_NOT_TREATED
            + "|"
            + NEW_MOM_BOOKING
            + "|"
            + AFTER_IT_SETTLES
        ),
    ),
    Rule(
        "medication",
        "medical",
        rx(
            r"\bmedications?\b|\bmedicines?\b|\bmeds\b|\bprescri\w*|\bpharmac(?!ists?\b)\w*|\bpills?\b|"
            r"\btablets\b|"
            r"\bcapsules\b",
            rf"\b{DRUG}\b",
        ),
        (
            "I take blood thinners, can I still get filler?",
            "wait i take eliquis, will that be a problem with filler?",
            "Does it interact with my medications?",
            "I'm on accutane",
        ),
        (
            "I'd like the vitamin C facial",
            "do you do vitamin b12 shots",
            "how much is the semaglutide program",
            "is the semaglutide program monthly or a one time fee",
            "does the iv drip come with a vitamin shot",
            "can i get an evening appt, i take my pills in the morning and im groggy",
            "i take adderall in the morning so im more chill in the afternoons, can we do 2pm",
            "i take my thyroid pill first thing in the morning so later in the day works better, like 3?",
            "my sister just finished chemo and i want to treat her to a spa day, do you have gift cards",
            "my wife takes a lot of meds, can she sit in the waiting room while i get my facial",
        ),
        # the spa's own offer asked about by name: "do you do semaglutide?", "how much are B12 shots?"
        unless=re.compile(
            r"\bvitamin c (?:facial|serum|peel|treatment|infusion)\b(?!.{0,40}\b(?:take|taking|pills?))|"
            r"^(?:hi|hey|hello)?[,! ]*(?:do|does|can) (?:you|u|y'?all|you guys) (?:guys )?(?:do|offer|have|"
            r"sell|"
            r"carry|provide)\b[^?]*\??$|\bhow much (?:is|are|for|does)\b|\bprice\b|\bcost\b|"
            r"\band how much\W*$|\bsomething (?:you|u|y'?all)(?: guys)? (?:sell|carry|have|offer)\b|"
            r"\b(?:program|plan|package|membership)\b.{0,20}\b(?:fee|monthly|per month|a month)\b|"
            r"^(?!.*\b(?:take|taking|took|i'?m on|im on)\b).*\b(?:come with|include[sd]?|add(?:ed)?) "
            r"(?:a |the )?vitamin (?:\w+ )?(?:shots?|injections?|boost)\b|"
            # meds named only as the reason for a time: "need a morning slot bc i take my meds at night"
            f"{MEDS_AS_TIME_REASON}|"
            # someone's treatment named only for who comes or a gift: "she just finished chemo, gift cards?"
            r"^(?!.*\b(?:i take|i'?m on|im on|i am on|i use|my (?:meds|medications?|pills))\b)"
            rf"(?:{FACT_FOR_THE_ROOM[1:]})|"
            # a course of treatment behind someone: "my sister just finished her last round of radiation"
            f"{AFTER_IT_SETTLES}|{CARE_SCHEDULE}"
        ),
    ),
    Rule(
        # a drug the spa never sells, by its ending or a brand name: even its price is for staff
        "drug_by_name",
        "medical",
        rx(DRUG_SHAPE, rf"\b{DRUG_BRAND}\b"),
        (
            "What is the cost of valsartan?",
            "my mom just started lisinopril, can she still get a facial",
            "on fluconazole rn is that ok for my lips tmrw",
            "my dad takes bumex and wants a facial",
            "What does Nipride do?",
        ),
        ("how much is the semaglutide program", "is the tirzepatide plan monthly", "april 3rd works"),
    ),
    Rule(
        "interaction",
        "medical",
        rx(
            r"\binteract(?:ion|ions|s)?\b(?!\s+with\s+(?:you|staff|the team|them|people|clients))",
            r"\b(?:mix|combine|combining|mixing)\b.{0,30}\bwith (?:my|the|alcohol|\w+ (?:pills?|"
            r"meds))\b(?!.{0,20}(?:appointment|facial|session))",
            r"\b(?:problem|issue|ok|okay|affect|interfere)\b.{0,25}\bwith (?:the |my )?" + TREATMENT,
            r"\b(?:does|do|will|would|can|could) (?!it\b|that\b|this\b|you\b|they\b)\w+ (?:affect|"
            r"interfere with|"
            r"interact with|mess with) (?:the |my |a )?" + PROCEDURE,
        ),
        ("will that be a problem with filler?", "does botox interact with anything?"),
        ("I'd love to interact with staff in person at the consult",),
    ),
    Rule(
        "allergy",
        "medical",
        rx(
            r"\ballerg\w*|\bhypersensitiv\w*|\blatex\b|"
            # "sensitive to noise" is how a visit should run, not an allergy
            r"\bsensitive to\b(?! (?:noise|sounds?|loud|crowds?|bright lights?|smells|strong smells))"
        ),
        ("I'm allergic to lidocaine", "does the peel have anything I could be allergic to?"),
        (
            "I'd like a brow wax",
            "no latex gloves pls, im allergic. can i book a hydrafacial thurs?",
            "im allergic to fragrance so unscented products for the facial please",
            "my eyes are sensitive to lash glue so no extensions, just a lift on friday",
        ),
        # an allergy told so the room and its products suit: gloves, scents, a note on the file
        unless=re.compile(FACT_FOR_THE_ROOM),
    ),
    Rule(
        "named_condition",
        "medical",
        rx(
            rf"\b{CONDITION}\b",
            r"\b(?:my|a|medical|health|heart|chronic|pre-?existing|underlying|autoimmune) "
            r"(?:condition|illness|disease|disorder|problem|issue)s?\b",
            r"\bconditions? (?:like|such as)\b|\bhealth (?:issues?|problems?|conditions?|history|"
            r"concerns?)\b",
        ),
        (
            "Is Botox right for my condition? I have rosacea and lupus",
            "is it safe for someone with diabetes",
            "I have herpes and take valacyclovir, is filler safe?",
            "can I get a facial with a cold sore?",
            "i have ms, can i get botox",
            "i have dialysis on mondays, is it safe to get filler on tuesday",
        ),
        (
            "I want IPL for my rosacea",
            "something for acne scars please",
            "I have a wedding next week",
            "do you do nose jobs without surgery, the liquid rhino thing",
            "do you have anything for double chin that isnt surgery",
            "you guys had me in stitches lol",
            "sorry im out of breath running in from the car",
            "can my husband who has ms wait inside while i get my facial",
            "im diabetic so i need to eat at noon, can we do 10am",
            "i have adhd and will forget lol, can you text me a reminder the day before",
            "my eczema finally cleared up so i'm ready for a facial, anything friday?",
            "once i'm recovered from my knee surgery, maybe april, i'd like to book a body package",
            "that acne laser you guys advertise on insta, how much is it",
            "my dad has dementia and will come with me, can he sit in the room for my facial",
            "my son is autistic, do you have a quieter time for his brow wax",
            "would the laser fade the marks from my old shingles",
            "any evening openings? i have dialysis in the mornings",
            "my physical therapist says i'm good to get massages again after my knee surgery, can i book",
        ),
        unless=re.compile(
            r"^(?:i (?:want|need|would like|'?d like)|(?:do you|can you) (?:treat|do|"
            rf"help with)) .{{0,25}}\b(?:for|with) (?:my )?{SKIN_CONCERN}\b[^?]*$|"
            r"^(?:do|does|can|could) (?:you|u|y'?all|you guys) (?:do|offer|have)\b[^?]{0,30}\b(?:without "
            r"(?:the )?surgery|non-?surgical|that (?:is ?n'?t|is not) surgery|no surgery)\b[^?]*\??$|"
            # skin tag removal asked by price is a booking the spa sells
            r"^(?!.*\b(?:bleed\w*|itch\w*|hurts?|sore|infect\w*|growing)\b).*\bskin tags?\b.{0,25}\b(?:price|"
            r"pricing|cost|how much)\b|"
            + PREGNANT_COMPANION
            + "|"
            + PREGNANT_CLIENT_NOT_TREATED
            + "|"
            + PREGNANCY_OFFER
            + "|"
            + SCHEDULED_AROUND
            + "|"
            + MEDS_AS_TIME_REASON
            + "|"
            + FACT_FOR_THE_VISIT
            + "|"
            + AFTER_IT_SETTLES
            + "|"
            + NEW_MOM_BOOKING
            + "|"
            + OFFER_ASKED
            + "|"
            + ACCESS_CONDITION_ONLY
            + "|"
            + MARKS_LEFT_BY
            + "|"
            + CLEARED_BY_DOCTOR
            + "|"
            + CARE_SCHEDULE
            # a treatment the spa sells asked by price, with no condition of the client's own told
            + r"|^(?!.*\b(?:i have|i'?ve got|i get|i'?m|im|i am|my)\b)(?="
            + OFFER_BY_PRICE
            + ")"
        ),
    ),
    Rule(
        "condition_shape",
        "medical",
        rx(CONDITION_SHAPE),
        ("I have dermatitis on my hands", "my mom has neuralgia", "what helps tendonitis?"),
        (
            "what time tomorrow?",
            "i have a colonoscopy the 14th so anything the week after works",
            "i have arthritis in my hands so is there a morning slot, i'm stiff till 10",
        ),
        unless=re.compile(f"{SCHEDULED_AROUND}|{FACT_FOR_THE_VISIT}|{OFFER_ASKED}|{ACCESS_CONDITION_ONLY}"),
    ),
    Rule(
        "skin_concern_effect",
        "medical",
        rx(
            rf"\b{SKIN_CONDITION}\b.{{0,40}}\b(?:worse|flare\w*|trigger\w*|aggravat\w*|irritat\w*|safe|help|"
            r"cure|"
            r"affect|bad for|react|cause|spread)\b",
            r"\b(?:worse|flare\w*|trigger\w*|aggravat\w*|irritat\w*|safe|cure|affect|bad for|"
            rf"cause)\b.{{0,40}}\b{SKIN_CONDITION}\b",
        ),
        (
            "would IPL make my rosacea worse?",
            "I have rosacea, will the facial help?",
            "can a peel trigger my melasma?",
        ),
        (
            "I want IPL for my rosacea",
            "book me a facial for my acne please",
            "my rosacea flare finally settled down, ready for a facial, what do you have thursday",
        ),
        # a flare that has settled, told to book: "my eczema flare calmed down so i'm ready for a facial"
        unless=re.compile(AFTER_IT_SETTLES),
    ),
    Rule(
        "is_it_safe",
        "medical",
        rx(
            r"\bis (?:it|this|that|botox|filler|the \w+(?: \w+)?|\w+) (?:safe|dangerous|harmful|risky|toxic|"
            r"normal)\b",
            r"\b(?:safe|dangerous|harmful|risky) (?:for|if|to|while|during|with|when|after|before|on)\b",
            r"\bhow safe\b|\bsafe\?|\bis (?:this|that|it) (?:serious|bad|normal)\b",
            r"\bare (?:they|these|those|the \w+(?: \w+){0,2}|\w+) (?:safe|dangerous|harmful|risky|toxic)\b",
        ),
        (
            "Is it safe?",
            "is it normal to be this swollen?",
            "safe to get botox on my period?",
            "are the b12 shots safe",
        ),
        ("is it open on sundays?", "is that the safest time to call? I mean best time"),
    ),
    Rule(
        "suitability",
        "medical",
        rx(
            r"\b(?:good |right |ideal )?candidate\b",
            r"\b(?:suitable|appropriate|right|safe) (?:for|option for) (?:me|someone|people|my|a|her|him)\b"
            r"(?!.{0,20}\b(?:lines|wrinkles|budget|schedule))",
            r"\bshould i (?:stop|avoid|skip|not|take|keep|be (?:worried|concerned)|worry|see a doctor|go to|"
            r"wait|ice|heat|"
            r"massage|apply|pop|drain|put)\b",
            r"\bwhen (?:should i|to) (?:worry|be (?:worried|concerned)|call)\b",
            r"\bcan i (?:still )?(?:take|drink|mix|combine) (?!the\b|that\b|it\b|this\b|one\b|"
            r"an? (?:appointment|slot|spot|look|gift)|my (?:gift|package|membership|card|credit|points)|\d)",
        ),
        (
            "Am I a good candidate for a chemical peel with eczema?",
            "should I stop my retinol before the peel?",
        ),
        ("can I take the 3pm?", "can i use my gift card", "should i book the 2pm or 4pm?"),
    ),
    Rule(
        "aftercare",
        "medical",
        rx(
            r"\baftercare\b|\bafter[\s-]care\b|\bpost[\s-]?care\b|\bdowntime\b.{0,20}\?",
            _QUESTION_AFTER_TREATMENT,
        ),
        (
            "can i work out after botox",
            "can I drink wine the night before my filler?",
            "aftercare for the peel?",
        ),
        (
            "I would like to come after my workout",
            "I'll book a massage after my facial",
            "can you text me the aftercare sheet again",
            "what's the downtime for microneedling? i have a work trip on the 20th",
        ),
        # the sheet itself is logistics: "can you text me the aftercare sheet again"; so is downtime asked
        # to plan around an event: "what's the downtime for a peel? i have a wedding on the 15th"
        unless=re.compile(
            r"\b(?:send|text|email|resend|forward)\b.{0,15}\b(?:aftercare|after[\s-]care|post[\s-]?care) "
            r"(?:sheet|instructions|info|form|paper|pdf|email)s?\b(?!.{0,30}\?.)|"
            r"^(?!.*\b(?:after|since|still|my \w+ (?:is|are|looks?|feels?))\b)"
            r".*\bdowntime\b.{0,80}\b(?:wedding|event|"
            r"trip|vacation|party|work|meeting|photos?|shoot|date night|\d+(?:st|nd|rd|th))\b"
        ),
    ),
    Rule(
        "symptom_in_first_person",
        "medical",
        rx(
            rf"\b(?:i|i'?ve|i'?m|im|my|it'?s|there'?s|there is|she|he|her|his)\b.{{0,40}}\b(?:got|get|gets|"
            r"have|has|"
            r"having|is|are|keep getting|keep waking up with|wake up with|woke up with|"
            rf"feels?|looks?|been|getting|developed|noticed|see|still)\b.{{0,25}}\b{SYMPTOM}\b",
            r"\bthere(?:'s| is| are)\b.{0,15}\b(?:lumps?|bumps?|bruis\w*|swelling|rash|blisters?)\b",
            r"\b(?:it|this|that|my \w+(?: \w+)?) (?:still )?(?:hurts?|is hurting|stings?|burns|itches)\b",
            r"\bi (?:can'?t|cant|cannot) feel (?:my|part of|half|the|anything in)\b|\bno feeling in\b",
            rf"\b(?:look at|check|see) (?:a|my|the|this) (?:\w+ )?{SYMPTOM}\b",
            rf"\bwhy (?:is|are|does|do) (?:my|her|his|it|this|that|they|these)\b.{{0,30}}\b{SYMPTOM}\b",
            # a statement with no subject: "been getting these weird headaches since tuesday"
            # at the start of the text; written after a word boundary so the rule's pattern stays fast
            rf"\b(?<![\s\S])(?:been|keep|kept|always|still|constantly)\b.{{0,25}}\b(?:{SYMPTOM}|bloat\w*)\b",
            rf"\b(?:shake|kick|get rid of) (?:this|these|my) (?:\w+ )?{SYMPTOM}\b",
            # a spot described by how it feels: "big red painful pimple", "a scaly patch on my scalp"
            r"\b(?:painful|swollen|infected|itchy|bleeding|oozing|throbbing|scaly|flaky|crusty|weeping|"
            r"tender) (?:\w+ )?(?:pimples?|zits?|bumps?|lumps?|spots?|patch(?:es)?|sores?|blisters?|boils?|"
            r"cysts?|knots?|rings?|circles?|welts?|marks?)\b",
            r"\b(?:burn\w*|itch\w*|discharge|bumps?|rash|smell\w*|odou?r|sores?)\b.{0,25}\bdown there\b|"
            r"\b(?:weird|smelly|yellow|green|brown|bloody|thick|clumpy) discharge\b",
        ),
        (
            "I got bruising",
            "there is a lump in my lip",
            "my eyelid is drooping",
            "My lip feels numb",
            "been getting these weird headaches since tuesday",
            "big red painful pimple inside my nose",
        ),
        (
            "Thanks so much! I know I have been a bit of a pain!",
            "I have a gift card",
            "my friend got botox here and loved it",
            "my friend said it hurts is that true lol",
            "i get razor bumps on my bikini line, would laser help, how much",
            "is the spa scent free? i get headaches from perfume",
            "do you use numbing cream for the lip filler, i have a low pain tolerance lol",
            "should i come early if i'm getting numbed for the lip filler",
            "i get migraines so i like the lights dimmed, can you note that on my file",
        ),
        # hearsay before a first visit: "my friend said it hurts, is that true"
        unless=re.compile(
            # numbing as the spa's service: "how long before should i arrive if i'm getting numbed"
            r"\b(?:getting|get|be|being) numbed\b(?!.{0,30}\b(?:still|hours|won'?t|isn'?t|wear))|"
            rf"\b(?:a |such a |bit of a |being a )pain\b(?!ful)|{_EVERYDAY.pattern}|"
            r"^(?:my \w+|someone|people|everyone|they) (?:said|says|told me)(?: that)? it "
            r"(?:hurts|stings|burns)\b"
            r"(?!.{0,40}\b(?:my|i'?m|im|i have|mine)\b)|"
            # razor bumps are what laser hair removal is booked for; a scent-free room is logistics
            r"^(?!.*\b(?:infect\w*|pus|bleed\w*|hurts?|painful|spreading)\b).*\b(?:razor|shaving) "
            r"(?:bumps?|burn)\b|\b(?:scent|fragrance|perfume)[- ]free\b|"
            # how much pain a client bears is a comfort asked at booking: "i have a low pain tolerance"
            r"\b(?:low|high|no|zero|bad|terrible|wimpy) pain tolerance\b|" + FACT_FOR_THE_VISIT
        ),
    ),
    Rule(
        "symptom_question",
        "medical",
        rx(
            r"\bsymptoms?\b|\bdiagnos\w*|\bprognosis\b|\bbiops\w*|\bmri\b|\bct scan\b|\bx-?rays?\b|"
            r"\bultrasound\b|\bclinical trials?\b",
            rf"\b{SYMPTOM}\b.{{0,40}}\b(?:go away|go down|be permanent|permanent|heal|last|normal)\b",
            r"\bblood (?:tests?|work|sugar|count)\b|\blab (?:results|work|tests?)\b|\btest results\b|"
            r"\bcholesterol\b",
            r"\bsuffer(?:ing|s|ed)? (?:from|with)\b|\bi'?ve been (?:experiencing|suffering|feeling sick)\b",
            r"\b(?:sick|ill(?! (?:look|be|get|come|need|have|take|do|go|see|try|just|probably))|unwell|"
            r"nauseous|feverish)\b.{0,30}\b(?:still|ok|okay|safe|can i|should i|come)\b",
            r"\b(?:fever|cough\w*|rash\w*|lumps?|bleed\w*|headaches?|migraines?|nause\w*|vomit\w*|dizz\w*|"
            r"nose ?bleeds?|diarrh\w*|tremors?|cramps?|moles?)\b.{0,40}\b(?:bad|dangerous|serious|worried|"
            r"worry|concern\w*)\b",
            r"\b(?:pulled|strained|tore|torn|twisted|sprained|hurt|injured|broke|bruised) (?:a |my |her |"
            r"his )?"
            r"(?:\w+ )?(?:muscle|back|neck|hamstring|ankle|knee|wrist|shoulder|rib|ligament|tendon)s?\b",
            rf"\b(?:jammed|stubbed|banged|bumped|smashed|sliced|cut|burned|burnt|hit|slammed) (?:my|her|his) "
            rf"(?!(?:toe)?nails?\b)(?:\w+ )?{BODY_PART}\b|"
            rf"\bgot (?:hit|kicked|elbowed|punched) in the {BODY_PART}\b|"
            r"\b(?:pulled|tweaked|strained|tore) something\b|"
            rf"\b(?:can'?t|cannot|can barely) (?:turn|bend|straighten|move|lift|raise) my {BODY_PART}\b",
            # what the bladder does: "it feels like i have to pee but nothing comes out"
            r"\b(?:pee|peeing|urine|urinat\w*)\b.{0,25}\b(?:smells?|burn\w*|hurts?|stings?|nothing comes out|"
            r"a ton|a lot|all the time|constantly|every hour|strong|cloudy)\b|"
            r"\bhave to pee\b.{0,25}\bnothing\b",
            r"\bblood in (?:my |his |her |the )?(?:pee|urine|stool|poop|spit|phlegm|mucus|snot)\b|"
            r"\b(?:pee|urine|poop|stool)\b.{0,15}\b(?:is|was|looks|has been) (?:\w+ )?(?:dark|black|red|"
            r"bloody|cloudy|foamy|orange|brown)\b|\b(?:haven'?t|havent|have not|not) (?:pooped|peed)\b|"
            r"\bi pee (?:\w+ ){0,2}(?:every (?:hour|\d+ minutes)|all the time|constantly|so much|a lot)\b",
            rf"\bwill (?:i|my \w+) (?:be |get |have |look )?(?:\w+ ){{0,2}}{SYMPTOM}\b",
            r"\bmake (?:your|my|you|me|her|his|him) (?:\w+ ){0,2}(?:fall out|sick|break out|bleed|swell|"
            r"itch\w*|dizzy|gain weight|lose weight|constipat\w*|bloat\w*|tired|sleepy|drowsy|nauseous|"
            r"jittery)\b",
            r"\bmy (?:blood )?sugars? (?:is|was|were|level|levels|reading|keeps|has been|dropped|spiked|"
            r"went)\b|\bsugar levels?\b|\bglucose\b",
        ),
        (
            "what are the symptoms of an infection?",
            "I was diagnosed with lupus last year",
            "I'm sick, can I still come in?",
            "i think i pulled a muscle in my neck",
            "does iron make you constipated",
            "my sugar was 250 this morning what do i do",
            "jammed my finger playing volleyball and it wont bend",
            "my urine is dark even though i drink water",
        ),
        (
            "I'm ready to book",
            "can you do my lips and cheeks same day",
            "i cut my nails short before the mani",
            "i broke my ankle so i can't drive, my husband will drop me off, is 2 ok",
            "sorry, was sick all last week, do you still have the friday spot",
        ),
        # an illness behind the client, or an injury told for who drives: a booking
        unless=re.compile(f"{FACT_FOR_THE_VISIT}|{AFTER_IT_SETTLES}|{ACCESS_CONDITION_ONLY}|{OFFER_ASKED}"),
    ),
    Rule(
        "mood",
        "medical",
        rx(
            r"\b(?:i'?m|im|i am|i feel|i'?ve been|been|feeling|feel) (?:so |really |very |super |always |"
            r"constantly |kinda |pretty |extremely )*(?:anxious|depressed|hopeless|panicky)\b"
            r"(?! (?:about|for|to|before|that|over|with|but|and excited)\b)",
            r"\b(?:having|had|have had|close to) a (?:nervous |mental )?breakdown\b|\bmental health\b",
            r"\b(?:feeling|felt|been|feel)\b.{0,20}\b(?:down|low|sad|unmotivated|empty)\b(?! on)"
            r".{0,25}"
            r"\b(?:for (?:weeks|months|days|a while)|lately|all the time|every day)\b",
            r"\b(?:can'?t|cannot|won'?t) stop crying\b|"
            r"\bcrying (?:a lot|all the time|every day|constantly|for no reason)\b"
            r"(?!.{0,30}\b(?:love|happy|obsessed))|"
            r"\b(?:therapy|therapist|counsel(?:l?ing|l?or))\b.{0,25}\b(?:anxiety|panic|depress\w*|grief|"
            r"trauma)\b|\b(?:i |i just )?hate myself\b|"
            # "so irritable and snappy lately and not myself"
            r"\b(?:irritable|snappy|moody|short[- ]tempered|on edge|not myself)\b.{0,30}\b(?:lately|"
            r"all the time|for (?:weeks|months)|every day|anymore|not myself)\b|"
            r"\bbing(?:e|ing|eing)\b(?! watch\w*)",
        ),
        (
            "i feel so anxious all the time and i dont know why",
            "been really depressed lately",
            "feeling kinda down and unmotivated for weeks now",
            "ive been binge eating every night and i hate myself for it",
            "ive been so irritable and snappy lately and not myself",
        ),
        (
            "im anxious about looking fake can we start small",
            "i'm so anxious for my first facial lol",
            "feeling low on energy lately, is a b12 shot walk in",
            "im crying a lot lol i love my lips so much",
        ),
        needs=re.compile(
            r"anxious|depressed|hopeless|panicky|breakdown|mental health|down|low|sad|unmotivated|empty|"
            r"crying|therap|counsel|hate myself|binge|binging|bingeing|irritable|snappy|moody|tempered|"
            r"on edge|myself"
        ),
    ),
    Rule(
        "body_part_complaint",
        "medical",
        rx(
            # skin, a smile and the face are here only: "good for your skin" is not a complaint
            rf"(?:\b(?:my|her|his) (?:\w+ )?|^)(?:{BODY_PART}|skin|smile|face|cheeks?|forehead|chin) "
            rf"(?:keeps? |is |are |has been |have been |feels? |"
            rf"looks? |gets? |gives? |started |still |always |(?:won'?t|will not|doesn'?t|does not) stop )?"
            rf"(?:a (?:little|bit|lil) |(?:\w+ )?){BODY_COMPLAINT}\b",
        ),
        (
            "my knee keeps swelling after i run",
            "my hands shake when i hold a cup",
            "my ears keep ringing",
            "chest has been hurting on and off all day",
            "can i wear my contacts if my eye is a little red",
        ),
        (
            "my sister's hands are shaking with excitement lol, can she come too",
            "my feet hurt in these heels lol almost there",
        ),
        # a standing condition that shapes the visit: "my hands shake from my parkinson's, ok if i fill out
        # the forms at home"
        unless=re.compile(f"{_EVERYDAY.pattern}|{ACCESS_CONDITION_ONLY}"),
    ),
    Rule(
        "clinician_mention",
        "medical",
        rx(
            r"\bmy (?:doctor|doc|physician|dermatologist|derm|obgyn|ob-gyn|ob|pcp|gp|oncologist|surgeon|"
            r"cardiologist|neurologist|specialist|psychiatrist|rheumatologist|endocrinologist)\b"
            # "my doctor friend", "my doctor's appointment is at 2": who or when, not what
            r"(?! (?:friend|buddy|neighbou?r)\b|'?s (?:appointment|appt|office hours|info|information|"
            r"contact|name|number|"
            r"address)\b)",
            r"\b(?<!doctor friend )(?:doctor|dr|physician|dermatologist|nurse(?: practitioner)?|np|"
            r"pharmacist) (?:said|told|says|recommended|"
            r"prescribed|wants|"
            r"cleared)\b",
            r"\bsee (?:a|my) (?:doctor|specialist|dermatologist|physician)\b",
        ),
        ("my doctor said to ask you first", "should I see a doctor about this?"),
        (
            "is the injector a nurse or a doctor?",
            "my dermatologist referred me for the laser, how do i book",
            "my doctor says my skin is fine for it so i want to book the peel, what do you have next week",
            "my dermatologist recommended i get ipl for my rosacea, how much is a session",
            "my doctor wants me to lose some weight, do you have a program and how much is it",
            "my surgeon cleared me last week so i'm good to book the body consult, what do you have",
        ),
        # a referral or a go-ahead that only leads to a booking: "my derm referred me for the laser"
        unless=re.compile(
            r"^(?!.*\b(?:safe|should i|worr\w*|stop|while|still|ask you|ask if|condition|after my|"
            r"since my)\b)"
            r".*\bmy \w+ (?:referred|sent|recommended|suggested|says|said|cleared|wants me to)\b.{0,60}"
            r"\b(?:book|booking|"
            r"schedule|appointment|consult\w*|come in|what do you have|available|openings?|how much|price|"
            r"pricing|cost|sessions?|packages?)\b|" + CLEARED_BY_DOCTOR + "|" + FACT_FOR_THE_VISIT
        ),
    ),
    Rule(
        "health_question_shape",
        "medical",
        rx(
            r"\b(?:cure|cures|remed(?:y|ies)|relief)\b.{0,5}\b(?:for|of|from)\b",
            r"\b(?:is it|could it be|because of) (?:my )?hormon\w*|\bhormon\w* (?:imbalance|levels?|issues?|"
            r"problems?)\b",
            r"\bis it (?:ok|okay|safe|fine|bad) to (?:get|do|have) (?:two|2|three|3|another|more|multiple|"
            r"several)"
            r" \w+",
            r"\bwhat (?:causes|caused|is causing|triggers)\b|\bwhat'?s causing\b|\bwhy do i (?:keep )?(?:get|"
            r"getting|have)\b",
            r"\b(?:is|are) (?:it|this|that|they|\w+) (?:contagious|infectious|hereditary|genetic|curable|"
            r"fatal|cancer\w*)\b",
            r"\bwhat (?:should|can|do) (?:i|we) do\b.{0,30}\bif\b",
            r"\bhelp (?:me|her|him)\b.{0,20}\b(?:heal|recover|get better)\b|\bheal(?:ing)? (?:faster|"
            r"process)\b|\b(?<!what's the )(?<!whats the )(?<!what is the )(?<!how long is the )"
            r"healing time\b",
            r"\b(?:can|could|does|do|will|would) (?!you\b|u\b|i\b|we\b)(?:\w+ ){1,3}cause\b",
            r"\b(?:die|died|dying) (?:from|of)\b|\b(?:deadly|lethal|fatal)\b",
            rf"\bwhat(?:'s| is| helps| can i take| should i take| do you recommend)\b.{{0,25}}\b(?:for|with) "
            rf"(?:a |an |my |the )?(?:\w+ )?(?:{SYMPTOM}|bloat\w*|gas|constipat\w*|diarrh\w*|heartburn|"
            rf"colds?)\b",
            rf"\b(?:bad|good|harmful|dangerous) for (?:your|my|the|his|her) {BODY_PART}\b",
            r"\b(?:dog|cat|spider|tick|snake|bee|wasp|something|bug) (?:bit|stung) (?:me|him|her|my)\b|"
            r"\b(?:bee|wasp|spider|tick|dog|cat|snake|insect|bug|mosquito|jellyfish) (?:stings?|bites?)\b|"
            r"\b(?:bit|bitten|stung) by\b|\bgot (?:stung|bit|bitten)\b",
            r"\b(?:broke|broken|fractured?|sprain\w*|dislocat\w*) (?:my|your|his|her|a|the) (?:\w+ )?(?:toe|"
            r"finger|arm|leg|wrist|ankle|bone|nose|rib|foot|hand|jaw|tooth|knee|elbow|shoulder)\b",
            r"\b(?:menstrual|period) cramps\b|\bcramps\b|\bpms\b|\bhot flash\w*|\b(?:on|during|"
            r"before) my period\b|\bmy period\b",
            r"\bwhat(?:'s| is| could be) wrong with (?:me|my|her|him|his)\b",
            r"\b(?:addictive|habit[- ]forming)\b|\bbald (?:spots?|patch\w*)\b",
            r"\b(?:came|appeared|showed up|popped up) out of (?:nowhere|the blue)\b",
            r"\b(?:i have|i'?ve got|i got|there'?s|there are|i noticed|i found)\b.{0,50}\bwhat "
            r"(?:are (?:they|these|those)|(?:could|can|might|would) (?:it|this|that|they|these) be)\s*\??$",
            r"\bis it (?:ok|okay|safe|fine|bad) to take \w+(?: \w+)? (?:every ?day|daily|every "
            r"(?:night|morning)|at night|long[- ]term|together|while|on an empty)\b",
            rf"\bwhat (?:helps|works)(?: for| with)? (?:a |an |my |the )?(?:\w+ )?{SYMPTOM}",
            r"\bor (?:is it |is this |is |could it be )?something (?:worse|more serious|serious|bad|off|"
            r"wrong)\b|"
            r"\bsomething to worry about\b|\bcould (?:it|this|that) be (?:something|a (?:sign|symptom))\b|"
            r"\bquit(?:ting)? (?:smoking|vaping|drinking|nicotine|alcohol)\b",
            # diet and training: "how much protein should i be eating", "how many calories is too few"
            r"\bhow (?:much|many) (?:\w+ )?(?:protein|fiber|fibre|sugar|caffeine|calories|carbs|salt|sodium|"
            r"iron|sleep|alcohol|grams)\b.{0,30}\b(?:should (?:i|we|you|she|he)|do i need|is (?:too|ok|safe)|"
            r"(?:a|per) day|enough)\b",
            # shots for a trip: "do i need any shots before traveling to thailand"
            r"\b(?:shots?|vaccines?|vaccinations?|jabs?|boosters?)\b.{0,20}\b(?:before|for) (?:my |a |the )?"
            r"(?:travel\w*|trip|going (?:to|abroad)|flying)\b",
            # "is 3 glasses of wine a night too much"
            r"\b(?:is|are) (?:\d+|a few|two|three|four|five|six) (?:\w+ )?(?:glasses|drinks|beers|cups|shots|"
            r"cigarettes|coffees|energy drinks|hours of sleep)\b.{0,25}\btoo (?:much|many|little|few)\b",
            r"\b(?:lost|losing|gained|gaining|dropped|put on) (?:\w+ ){0,3}(?:lbs|pounds|kilos|weight)\b"
            r".{0,30}"
            r"\b(?:without trying|for no reason|not trying|out of nowhere)\b",
            r"\b(?:peeing|urinating) (?:a lot|so much|all the time|constantly|often)\b|"
            r"\bmy (?:hair|hairline) (?:is |has been |keeps )?(?:\w+ )?"
            r"(?:thinning|receding|falling out|shedding)\b",
            # sexual health: "super painful sex lately", "anything for vaginal dryness"
            r"\b(?:vaginal|down there) (?:dryness|pain|itch\w*|odou?r|discharge)\b|\bpainful sex\b|"
            r"\bsex\b.{0,15}\b(?:painful|hurts|pain|bleed\w*)\b|"
            r"\b(?:pain|hurts?|bleed\w*) (?:during|after|with) sex\b",
        ),
        (
            "What causes shingles?",
            "how much protein should i be eating if im lifting 4x a week",
            "do i need any shots before traveling to thailand",
            "is 3 glasses of wine a night too much, asking for a friend (me)",
            "is it contagious?",
            "what should I do if it gets infected?",
            "so tired even after 9 hrs sleep whats wrong with me",
            "is phentermine addictive",
            "i have little white spots on my skin what are they",
            "is it ok to take tums everyday",
            "what helps a dry cough at night",
            "super painful sex lately and idk why",
            "do u do anything for vaginal dryness",
        ),
        (
            "what are the treatments for forehead lines",
            "how do you treat forehead lines?",
            "i have a gift card and a package what are they worth",
            "is it ok to take the 3pm every week",
            "my period's due around the 12th so can i book the bikini laser for the week after",
            "my period starts friday so could we do the brazilian earlier in the week",
            "my hairline is receding a bit, do you guys do prp for that and how much",
        ),
        unless=re.compile(
            f"{SCHEDULED_AROUND}|{FACT_FOR_THE_VISIT}|{OFFER_BY_PRICE}|{AFTER_IT_SETTLES}|{ACCESS_CONDITION_ONLY}"
        ),
    ),
    Rule(
        "lasting_symptom",
        "medical",
        rx(
            rf"\b(?:{SYMPTOM}|heartburn|reflux|insomnia|cramp\w*|constipat\w*|diarrh\w*|bloat\w*|stuffy|"
            rf"congest\w*|sneez\w*)\b"
            r"(?:.{0,20}\b(?:every (?:day|night|morning)|for (?:like |about |almost |over |nearly |around )?"
            r"(?:a|\d+|two|three|several|a few) (?:days?|weeks?|months?)|constantly|non ?stop|24/7)\b|"
            r".{0,40}\bwhat (?:could|can|might|would) (?:it|this|that) be\b)",
        ),
        ("i've had heartburn every day for a month", "knee pain going up stairs what could it be"),
        ("laser every week for a month, is there a package?",),
        # the symptom list is long: only texts that say how long, or ask what it could be, read it
        needs=re.compile(
            r"every (?:day|night|morning)|for (?:like |about |almost |over |nearly |around )?"
            r"(?:a|\d+|two|three|several|a few) (?:day|week|month)|constantly|non ?stop|24/7|"
            r"what (?:could|can|might|would) (?:it|this|that) be"
        ),
    ),
    Rule(
        # signs people notice without a clinical word: tired whatever they do, hair in the shower
        # drain, forgetting things, bleeding between periods, a coated tongue, a dent that stays
        "everyday_signs",
        "medical",
        rx(
            r"\b(?:so|really|very|always|constantly|super|extremely) (?:tired|exhausted|drained|fatigued|"
            r"worn out|wiped out)\b.{0,40}\b(?:lately|all the time|every ?day|even (?:after|though|when|"
            r"with|if)|no matter|for (?:weeks|months|days|a while)|no energy)\b|\bno energy\b.{0,30}"
            r"\b(?:lately|all the time|for (?:weeks|months)|anymore)\b",
            r"\bhair\b.{0,20}\b(?:coming|falling|comes|falls) out\b|\b(?:losing|lost|shedding) (?:so much |"
            r"a lot of |a ton of |clumps of |my )?hair\b|\bthinning hair\b|\bhair (?:is |has been |keeps )?"
            r"(?:thinning|shedding)\b|\b(?:clumps of hair|hair in clumps)\b",
            r"\b(?:keeps?|kept|been|always|constantly) forgetting (?:things|stuff|words|names|where|what)\b|"
            r"\bforgetful\b|\bmemory (?:loss|problems?|issues?|is (?:getting )?(?:bad|worse|terrible))\b",
            r"\b(?:bleed\w*|spotting)\b.{0,20}\b(?:between (?:my )?periods|after sex|mid ?cycle|"
            r"after menopause)\b|\bmissed (?:my |a )period\b",
            r"\b(?:white|yellow|black|dark|brown|green) (?:stuff|spots?|patch(?:es)?|coating|film|lines?|"
            r"streaks?)\b.{0,20}\b(?:tongue|nails?|toenails?|gums?|throat|tonsils?)\b|"
            r"\b(?:tongue|nails?|toenails?|gums?|throat|tonsils?)\b.{0,20}\b(?:white|yellow|black|dark|brown|"
            r"green) (?:stuff|spots?|patch(?:es)?|coating|film|lines?|streaks?)\b|"
            r"\bnails?\b.{0,25}\bridges\b",
            r"\b(?:dent|dimple|mark|indent\w*|pit)\b.{0,30}\b(?:stays?|remains?)\b.{0,20}\bpress\w*|"
            # sleep lost for weeks: "havent slept more than 4 hrs a night in weeks"
            r"\b(?:haven'?t|have not|can'?t|cannot|not|barely|hardly) (?:slept|sleeping|sleep)\b.{0,30}"
            r"\b(?:in (?:weeks|days|months|ages)|for (?:weeks|days|months)|a night|lately|at all)\b|"
            r"\bonly (?:sleeping|sleep|slept|getting) (?:like )?\d+ (?:hours|hrs)\b",
            # a freckle or birthmark that changed (a mole is a condition by name)
            r"\b(?:freckles?|birthmarks?|beauty marks?)\b.{0,30}\b(?:changed|changing|different|darker|"
            r"bigger|growing|grew|raised|irregular|blurry|bleed\w*|itch\w*|crust\w*)\b",
            # confused after a fall, a mouth dry whatever they drink, peeing every half hour
            r"\b(?:confused|confusion|disoriented|not (?:her|him)self)\b.{0,20}\b(?:lately|sometimes|"
            r"all the time|since|now)\b|"
            r"\b(?:fell|fall|hit (?:her|his|my) head)\b.{0,40}\b(?:confused|confusion)\b|"
            r"\b(?:mouth|throat|eyes)\b.{0,20}\b(?:always|constantly|so|really) dry\b|\bdry mouth\b|"
            r"\beven (?:though|tho) i drink (?:\w+ ){0,3}water\b|"
            r"\b(?:peeing|pee|urinating)\b.{0,15}\bevery (?:\d+|few|couple of|half an?) "
            r"(?:min\w*|hours?|hrs?)\b",
            # what they take, smoke or gave up: "anything i can take", "i smoke a pack a day", "sober 2 yrs"
            r"\b(?:anything|something) (?:i|she|he|we|u|you) (?:can|could|should) take\b"
            r"(?! home| with| away)|"
            r"\bi (?:smoke|vape|chew tobacco)\b.{0,50}\b(?:mess|affect|ok|okay|bad|problem|results|heal\w*|"
            r"safe)\b|\b(?:sober|sobriety|in recovery)\b",
            # a patch that keeps coming back, a food that brings something on, a red line going up a limb
            r"\b(?:patch\w*|rash\w*|bumps?|flak\w*|peel\w*|sores?|scab\w*|crust\w*|itch\w*)\b.{0,40}"
            r"\b(?:(?:keeps? )?coming back|comes? back|won'?t go away|doesn'?t go away|never goes away|"
            r"won'?t heal)\b|"
            r"\b(?:whenever|every time|when) i (?:eat|drink|have)\b.{0,30}\b(?:break out|breaks? me out|rash|"
            r"hives|itch\w*|sick|bloat\w*|swell\w*|cramp\w*|headaches?|diarrh\w*|throw up|red)\b|"
            r"\b(?:line|streak)s? (?:going|running|moving|spreading) up\b|"
            r"\b(?:peel\w*|crack\w*|itch\w*|flak\w*|rash\w*|hives|breaks? out|dry)\b.{0,30}\bevery "
            r"(?:winter|summer|spring|fall|autumn|year)\b|"
            r"\bfeel(?:ing)? (?:so |really |very )?(?:terrible|awful|horrible|crappy|like crap|"
            r"like garbage)\b(?! (?:about|for|that|to|when|but)\b)",
            r"\bpitting\b|\b(?:cracking|cracked|splitting|split|raw)\b.{0,10}\b(?:and|&) (?:bleeding|bleeds|"
            r"oozing|stinging)\b",
        ),
        (
            "idk whats wrong ive been so tired lately even after 9 hrs of sleep",
            "my hair is coming out in clumps in the shower",
            "my mom keeps forgetting things and it scares me",
            "i bleed between periods lately",
            "theres white stuff on my tongue that wont scrape off",
            "a dent in my shin that stays when pressed",
            "i havent slept more than 4 hrs a night in weeks",
            "my freckle looks different, darker and the edge is kinda blurry",
            "my 80 yo mom fell last week and now shes confused sometimes",
            "my mouth is always dry even tho i drink water all day",
            "i keep peeing like every 30 min",
            "is there anything i can take to make botox last longer",
            "i smoke a pack a day, will that mess up my results",
            "im sober 2 yrs, is there alcohol in any of the iv stuff",
            "my husband has a patch on his cheek that keeps flaking off and coming back",
            "whenever i eat dairy i break out",
            "i have a cut on my finger thats red and has a line going up my hand",
            "my skin peels on my fingertips every winter",
            "on keto and feel terrible, whats wrong",
        ),
        (
            "what treatments do you have for hair loss",
            "what do u offer for thinning hair, want to come in",
            "do you do prp for thinning hair",
            "so tired lol see you tmrw",
            "i keep forgetting my appt time can u text it again",
            "not sleeping in this weekend so can i get the earliest slot",
            "can you do laser on freckles",
            "is there anything i can take home to keep the glow",
            "i drink a ton of water, does that help the glow",
        ),
        # the spa's own offer asked about by name: "do you do prp for thinning hair", "what do you
        # offer for hair thinning"
        unless=re.compile(
            r"^(?:hi|hey|hello)?[,! ]*(?:do|does|can) (?:you|u|y'?all|you guys) (?:guys )?(?:do|offer|have|"
            r"treat|help with)\b[^?]*\??$|\bhow much\b|\bprice\b|\bcost\b|"
            r"^(?:hi|hey|hello)?[,! ]*what (?:treatments? )?(?:do|does) (?:you|u|y'?all|you guys) (?:guys )?"
            r"(?:offer|have|do) for\b"
        ),
        needs=re.compile(
            r"tired|exhaust|drained|fatigu|worn out|wiped|energy|hair|forget|memory|bleed|spotting|period|"
            r"tongue|nail|gum|throat|tonsil|press|pitting|crack|split|raw|sleep|slept|freckle|birthmark|"
            r"beauty mark|confus|disoriented|himself|herself|dry|water|pee|urinat|take|smoke|vape|chew|sober|"
            r"recovery|coming back|comes back|go away|goes away|won'?t heal|when(?:ever)? i|"
            r"every time i|(?:going|running|moving|spreading) up|"
            r"every (?:winter|summer|spring|fall|autumn|year)|"
            r"terrible|awful|horrible|crappy|like crap|like garbage"
        ),
    ),
    Rule(
        "can_it_cause",
        "medical",
        rx(
            rf"\b(?:can|could|does|do|will|would|did|might)(?: the)? (?:{PROCEDURE}|it|this|that|"
            rf"they)\b.{{0,20}}"
            r"\b(?:cause|spread|migrate|move|block|affect|(?:damage|harm|hurt|burn|scar) (?:my|the|your|"
            r"a(?! (?:lot|bit|little|ton)\b)|an|me|you)\b|"
            r"make (?:it|my|me|your)|weaken|thin out|shrink|go into|"
            r"get into|wear off)",
            rf"\b{PROCEDURE}\b.{{0,30}}\b(?:migrat\w*|move it|moved it|mess(?:ed)? (?:it )?up|ruin(?:ed)? it|"
            r"undo)\b",
            r"\bwhy (?:didn'?t|did not|doesn'?t|isn'?t|hasn'?t) (?:my |"
            rf"the )?{PROCEDURE}\b.{{0,10}}\b(?:work|kick)",
            r"\bresistan(?:t|ce)\b|\bimmune to\b|\bantibod\w*",
            rf"\bmy {PROCEDURE} (?:didn'?t|did not|doesn'?t|does not|hasn'?t|never|isn'?t) (?:\w+ )?"
            r"(?:work|kick)\w*\b.{0,30}\b(?:why|how come|normal)\b",
            r"\bwhat happens if\b.{0,40}\b(?:goes into|gets into|gets in|in (?:my|your) eye|migrat\w*|"
            r"spread\w*|"
            r"swallow\w*|infect\w*|bleed\w*|bruis\w*|react\w*|hit\w* a (?:vessel|nerve|vein))",
        ),
        (
            "can botox cause migraines",
            "can filler migrate",
            "i worked out right after botox, will it migrate?",
            "my botox didnt work at all this time why",
        ),
        (
            "can botox be done on a saturday?",
            "could you do my lips friday?",
            "will botox make my forehead look shiny or frozen, i want natural",
        ),
        # the look asked about before a first visit: "will botox make me look frozen"
        unless=re.compile(
            r"\bmake (?:my|me|it|them|your)(?: \w+)? (?:look|looking) (?:\w+ )?(?:frozen|fake|natural|shiny|"
            r"overdone|plastic|done|expressionless|surprised)\b(?!.{0,30}\b(?:since|after my|now)\b)"
        ),
    ),
    Rule(
        "procedure_still_ok",
        "medical",
        rx(
            rf"\bis (?:the |my |it |this |that |a )?(?:\w+ )?{PROCEDURE}(?: appt| appointment|"
            r" session)? (?:still )?"
            r"(?:ok|okay|fine|alright|a problem|an issue|safe)\b(?! (?:time|day|date|price))",
            r"\b(?:is|are) (?:\w+ )?(?:ok|okay|fine|alright|safe) (?:to (?:do|get|have) (?:\w+ ){0,3})?"
            r"(?:if (?:i'?m|i am|i have|i take|i'?ve|my|she|he)|with (?:my|a|an)|while|after (?:a|my|the|"
            r"having)|"
            r"before (?:a|my|the))\b",
            r"\b(?:will|would|does|could|can) (?:that|this|it) (?:matter|mess with|interfere|be a problem|"
            r"affect)\b"
            r"(?!.{0,10}\bwho\b)",
        ),
        (
            "im bf'ing, is the peel ok?",
            "i take tamoxifen, is ipl ok",
            "im on biotin, will that mess with anything",
        ),
        (
            "is the 3pm ok?",
            "does it matter who i see",
            "is it ok if my sister comes with me",
            "is it ok if my 10 yr old waits in the lobby",
            "my son has a nut allergy, is it ok if he waits in the lobby while i get my facial",
            "is the hydrafacial ok for someone who's never had a facial? what do you recommend",
        ),
        # who comes along is logistics: "is it ok if my baby comes with me"; so is a first visit:
        # "is the hydrafacial ok for someone who's never had one"
        unless=re.compile(
            r"\bif (?:(?:my|her|his|a|the) (?:\w+ ){1,3}|(?:he|she|they) )(?:comes?|came|joins?|waits?|sits?|"
            r"stays?|tags? along|drives?|picks? me up)\b|"
            r"^(?!.*\b(?:i'?m|i am)\b(?! \d)|.*\b(?:i have|i take|i'?ve been|while|with my|after|since)\b)"
            r".*\b(?:ok|okay|fine|good) for (?:someone|somebody|a (?:first[- ]timer|beginner|newbie)|"
            r"first[- ]timers|beginners)\b(?: (?:who'?s|who has|that'?s|who) never)?"
        ),
    ),
    Rule(
        "around_a_procedure",
        "medical",
        rx(
            rf"\bcan i\b(?!.{{0,15}}\b(?:book|schedule|come|reserve|pay|bring|buy|shave|go back to work|"
            r"return to work|"
            r"get an? (?:appointment|appt)|get (?:a |the |some )?numbing))"
            rf".{{0,40}}\b(?:after|before|following|post)\b.{{0,12}}\b(?:my |the |a |last )?{PROCEDURE}\b",
            r"\b(?:right|straight|immediately|just|day) (?:after|before) (?:my |"
            rf"the )?{PROCEDURE}\b.{{0,40}}\?",
            r"\b(?:worked out|exercised|drank|drinking|tanning|tanned|went tanning|in the sun|rubbed|"
            r"touched|"
            rf"massaged|slept on)\b.{{0,40}}\b{PROCEDURE}\b",
            rf"\b{PROCEDURE}\b.{{0,60}}\btoo (?:soon|early|often|close together)\b|\bhow soon (?:after|until|"
            r"before)\b",
            rf"\bhow long (?:after|between|before)\b.{{0,40}}\b{PROCEDURE}\b|\bwait\w* (?:between|"
            rf"after)\b.{{0,25}}\b{PROCEDURE}\b",
        ),
        (
            "can i get a massage after botox",
            "can i go in the sun after ipl",
            "i drank wine last night is that ok for my filler today",
        ),
        (
            "can I book a facial after my botox appointment?",
            "can i come after work for laser?",
            "can i go back to work after botox",
        ),
        unless=re.compile(r"\b(?:from|after) years of\b|\byears ago\b"),
    ),
    Rule(
        "taking_something",
        "medical",
        rx(
            r"(?:\bi(?:'?m| am)? (?:on|taking|take|started|stopped|just started|been taking|using)|"
            r"^(?:taking|been taking|started|just started|stopped|using)) "
            r"(?!the\b|my way\b|it\b|that\b|this\b|one\b|an? (?:break|call|trip|vacation|budget|plane|flight|"
            r"train|"
            r"roll|waitlist|schedule|date|mission)\b|lunch|vacation|break|holiday|call|time|"
            r"board|top|\d)\w+\b.{0,40}\b(?:ok|okay|safe|affect|matter|mess|problem|issue|interfere|fine|"
            r"still (?:get|do|have)|stop|hold off)\b",
        ),
        (
            "i take tamoxifen, is ipl ok",
            "im on biotin, will that mess with anything",
            "i started spironolactone, can i still get a peel",
        ),
        ("i take the 2pm if that's ok", "i'm on my way, is that ok?"),
    ),
    Rule(
        "spanish_clinical",
        "medical",
        rx(
            # one leading word boundary: a branch that opens with a plain letter is skipped fast
            r"\b(?:embarazada\b|amamant\w*|lactancia\b|lactando\b|dando (?:el |de )?(?:pecho|lactar|leche)\b|"
            r"dar (?:el )?pecho\b|(?:semanas|meses) de embarazo\b|alergi\w*|anticoagulant\w*|"
            r"medicament\w*|pastillas\b|"
            r"antibiotic\w*|anticonceptiv\w*|ibuprofeno\b|hinchad\w*|hinchazon\b|moreton\w*|"
            r"me (?:duele|arde|pica|sangra)\b|dolor\b|ardor\b|infeccion\b|"
            r"no puedo (?:ver|respirar|tragar|dormir)\b|vision borrosa\b|desmay\w*|"
            r"emergencia\b|(?:es|sera) (?:seguro|normal|peligroso)\b|efectos secundarios\b|sintomas?\b|"
            r"(?:marcapasos|cirugia|operad[oa]|enfermedad|epilepsia|artritis|hepatitis|vih|tatuaje nuevo|"
            r"piercing)\b|"
            r"puedo (?:tomar|beber|hacer ejercicio|ir al gimnasio|acostarme|maquillarme|tomar sol|volar)\b"
            r".{0,30}\b(?:despues|antes)\b|(?:tomo|estoy tomando|tomando|uso|estoy usando)\b.{0,30}\bpuedo\b|"
            r"(?:ronchas|granos|comezon|picazon|sarpullido|ampollas|costras)\b|"
            r"(?:lunar|lunares|verrugas?|fiebre|gripe|diabet\w*|presion (?:alta|baja)|cancer|lupus|herpes|"
            r"asma|tiroides|convulsion\w*|mareos?|maread[oa]|nauseas?|vomit\w*|sangr\w*|cambio de color)\b|"
            r"(?:insomnio|ansiedad|deprimid[oa]|depresion|tos|menstruacion|bochornos|menopausia|estrenimiento|"
            r"colicos|gripa|resfriado|granitos|cansancio|pican)\b|cansad[oa] todo el tiempo\b|"
            r"no quiere (?:comer|dormir)\b|"
            r"cayendo\b.{0,15}\b(?:cabello|pelo)\b|caida del? (?:cabello|pelo)\b|"
            r"(?:me baja|se me (?:retraso|atraso)|no me (?:ha )?baja\w*) la regla\b|"
            r"que (?:vitaminas|pastillas|suplementos?|medicina)\b|hormonal(?:es)?\b|"
            r"que (?:me )?(?:recomiendan|recomienda|puedo|debo) tomar\b|"
            r"me siento (?:rar[oa]|mal|extran[oa]|fatal)\b|"
            r"(?:culebrilla|azucar|colesterol|triste|tristeza|torci|esguince|vacun\w*|gastritis|"
            r"migrana|diarrea|orina|caries|gases|inflamad[oa]|deja de respirar|manchas (?:blancas|rojas))\b|"
            r"se (?:me|le) (?:cae|olvida|olvidan|duerme|duermen|adormece|adormecen|entumece|entumecen)\b|"
            r"(?:mancha|lunar|bolita|bulto)s? que (?:me |le )?(?:crece|crecio|cambia|sangra|pica|duele)\b|"
            r"puedo (?:fumar|tomar alcohol|beber alcohol)\b|"
            r"calentura\b|vista borrosa\b|varicela\b|sarampion\b|piojos\b|conjuntivitis\b|"
            r"no para de (?:llorar|toser|vomitar)\b|"
            r"(?:granit|bult|bolit|manch|ronch)\w* .{0,30}\bque no se (?:me |le )?(?:quita|va|cura)\b)",
        ),
        (
            "estoy embarazada, puedo ponerme botox?",
            "tomo anticoagulantes, puedo hacerme relleno de labios?",
            "mi lunar cambio de color",
            "no puedo dormir en las noches que me recomiendan",
            "se me esta cayendo mucho el cabello",
        ),
        (
            "quiero una cita para el viernes",
            "cuanto cuesta el botox?",
            "hola! mi hermana esta embarazada, puede acompanarme a mi cita?",
        ),
        # someone pregnant who only comes along: "mi hermana esta embarazada, puede acompanarme?"; an
        # English health fact told only to plan the visit ("im diabetic so can we do 10am")
        unless=re.compile(
            FACT_FOR_THE_VISIT
            + "|"
            + AFTER_IT_SETTLES
            + "|"
            + OFFER_ASKED
            + "|"
            + ACCESS_CONDITION_ONLY
            + r"|^(?!.*\b(?:segur\w*|hacerse|hacerme|ponerse|ponerme|tratamiento|puedo|alergi\w*|duele)\b)"
            r".*\bmi (?:hermana|amiga|mama|prima|hija|esposa|novia|cunada) (?:esta|es) embarazada\b.{0,40}"
            r"\b(?:acompan\w*|venir|ir conmigo|esperar|entrar)\b"
        ),
    ),
    Rule(
        "information_request",
        "medical",
        rx(
            r"^(?:(?:and|so|ok|okay|hi|hey|also|but)[,\s]+)?what(?:\s+is|\s+are|'s|'re|s)\s*(?:\(are\)\s*)?"
            r"(?P<t1>[^?.!]{2,80})\s*\??$",
            r"\b(?:any|some|more)?\s*info(?:rmation)?\s+(?:about|on|regarding)\s+(?P<t2>[^?.!]{2,80})",
            r"\b(?:learn|know|read)\s+more\s+about\s+(?P<t3>[^?.!]{2,80})",
            r"\bwhat (?:causes|triggers)\s+(?P<t4>[^?.!]{2,60})",
            r"\bhow (?:to|can i|do i|do you|is|are) (?:prevent|diagnose|treat|cure|"
            r"manage)(?:ed)?\s+(?P<t5>[^?.!]{2,60})",
            r"\bwho (?:is|are) at risk (?:for|of)\s+(?P<t6>[^?.!]{2,60})",
        ),
        (
            "What is (are) Scoliosis ?",
            "what is fibromyalgia",
            "any info about ringworm?",
            "how to treat vertigo",
        ),
        ("What is the address?", "What is a HydraFacial?", "what is dermaplaning?", "what are your hours"),
        topic=topic_is_medical,
    ),
)

TABLE: tuple[Rule, ...] = URGENT + QUESTIONS + HEALTH_INFORMATION + WORRIES
