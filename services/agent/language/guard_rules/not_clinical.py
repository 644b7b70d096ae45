"""Booking texts the learned model mistakes for clinical ones: nerves before a first treatment, a
botox party, a fee policy, who comes along. They only overrule the model, never a named rule, and
stand down when the text also names a condition, a drug or a sign of a reaction.
"""

from __future__ import annotations

import re

from .rule import rx
from .vocabulary import (
    ACCESS_CONDITION_ONLY,
    AFTER_IT_SETTLES,
    CONDITION,
    CONDITION_SHAPE,
    DRUG,
    DRUG_BRAND,
    DRUG_SHAPE,
    FACT_FOR_THE_VISIT,
    MARKS_LEFT_BY,
    MEDS_AS_TIME_REASON,
    OFFER_ASKED,
    PREGNANCY_OFFER,
    PREGNANT_CLIENT_NOT_TREATED,
    PREGNANT_COMPANION,
    SCHEDULED_AROUND,
    SPA_OFFER,
    SYMPTOM,
    TREATMENT,
)

__all__ = ["MODEL_VETO_COUNTER_EXAMPLES", "MODEL_VETO_EXAMPLES", "overrules_model"]

# How clients write the booking texts the model reads as clinical.
_BOOKING_ONLY = rx(
    # nerves: "kinda scared of needles", "a big baby with pain", "excited and nervous"
    r"\b(?:scared|nervous|anxious|afraid|terrified|worried|freaked out|freaking out|(?:big|such a|total|"
    r"huge) baby|wimp)\b.{0,25}"
    r"\b(?:needles?|pain|it (?:hurting|hurts|will hurt)|shots?|"
    rf"look(?:ing)? (?:fake|frozen|weird|overdone|plastic)|(?:my )?first (?:time|appointment|appt|visit|"
    rf"{TREATMENT}))\b",
    r"\bexcited (?:and|but) (?:nervous|scared)\b|\b(?:nervous|scared) (?:and|but) excited\b",
    # a party or an event: "botox party at my house"
    r"\b(?:botox|tox|filler|injectable|lip|facial|spa|glow) (?:party|parties|night|event)\b|\bparty at my "
    r"(?:house|place|home)\b",
    # a fee or a policy: "is there a cancellation fee if i give 48 hours notice", "a fee if i'm 15 min late"
    r"\b(?:cancell?ation|no[- ]show|late|rescheduling) (?:fee|policy|charge)s?\b|\b\d+ (?:hours?|hrs?|days?) "
    r"notice\b|\b(?:fee|charge)\b.{0,20}\b(?:late|cancel\w*|no[- ]show|reschedul\w*)\b|"
    r"\b(?:running|\d+ ?(?:min|mins|minutes)) late\b",
    # who comes along: "is it ok if my baby comes with me", "can she sit in the waiting room"
    r"\bif my (?:\w+ ){1,3}(?:comes?|came|joins?|waits?|sits?|stays?|tags? along)\b|"
    r"\b(?:sit|wait|stay|hang out|hang) (?:\w+ ){0,2}(?:in|at) (?:the|your) (?:waiting (?:room|area)|lobby|"
    r"front)\b",
    # a ride home: "my husband is picking me up, do i need a driver after filler"
    r"\b(?:need|have|bring|get) a (?:driver|ride(?: home)?)\b|\bdrive (?:myself )?home\b|"
    r"\bpick(?:ing)? me up\b",
    # a choice between two things the spa sells: "is kybella or coolsculpting better"
    rf"\b{SPA_OFFER} or (?:a |the )?{SPA_OFFER}\b.{{0,15}}\b(?:better|best|right for)\b",
    # the next visit: "can i get a follow up appt for 2 weeks after my botox"
    r"\b(?:book|schedule|get|set up|need|make)\b.{0,15}\b(?:follow[- ]?up|touch[- ]?up|check[- ]?in|next) "
    r"(?:appointment|visit|session)\b",
    # when to arrive: "can i get the numbing cream on when i arrive or should i come early"
    r"\b(?:when i (?:arrive|get there|get in|come in)|come (?:in )?early|arrive early)\b",
    # downtime asked at booking: "can i go back to work after botox"
    r"\b(?:go back|return|get back|head back) to work\b",
    # the lines botox and filler treat, by their nicknames: "my 11s are out of control haha"
    r"\b(?:11'?s|elevens|frown lines|forehead lines|crow'?s ?feet|smile lines|laugh lines|marionette lines|"
    r"bunny lines|lip lines|smoker'?s lines|neck lines|tech neck|gummy smile)\b",
    # the spa's work to look at: "do u have before and after pics of cheek filler"
    r"\bbefore (?:and|&|n) afters?\b|"
    r"\b(?:pics|photos|pictures) of (?:your|the|their|her|his) (?:work|results)\b",
    # the look a client wants: "juicy but natural lips, what size syringe"
    r"\b(?:look|looking) (?:\w+ )?(?:frozen|fake|natural|overdone|plastic|shiny)\b|"
    r"\b(?:what|which) size (?:syringe|needle)\b|\bhalf (?:a )?syringe\b|\b(?:juicy|plump|poutier|fuller)\b",
    # getting in and who may book: "is the treatment room upstairs", "with my permission"
    r"\b(?:upstairs|downstairs|elevator|ground floor|step[- ]free)\b|\bwith my (?:permission|consent)\b",
    # where a product comes from: "are the weight loss shots compounded or brand"
    r"\b(?:compounded|brand(?: name)?|name brand|generic) or (?:brand|compounded|generic|name brand)\b",
    # how many visits to plan for: "my tattoo is pretty big, how many removal visits should i plan for"
    r"\bhow many (?:\w+ ){0,2}(?:visits|sessions|treatments|appointments|appts) (?:should|do|will|would)\b",
    # what a treatment does, in plain words: "does the chemical peel help with melasma or is that the laser"
    rf"^(?!.*\b(?:{SYMPTOM}|safe|scar\w*|damage|skin (?:type|tone)|dark(?:er)? skin)\b).*"
    rf"\b(?:does|do|will|would|can) (?:the |a |an )?{SPA_OFFER} (?:\w+ )?(?:help|work|do anything|get rid of|"
    r"fix|improve)\b",
    # whether the spa offers it: "how do i get rid of a double chin, do u do kybella"
    OFFER_ASKED,
    # what a treatment comes with: "does the iv drip come with a vitamin shot"
    r"\b(?:does|do|will) (?:the |a |an |your )?(?:\w+ ){0,2}(?:come with|include)\b|"
    r"\bany (?:\w+ )?(?:facials?|massages?|treatments?|packages?) (?:with|that (?:has|have|includes?))\b|"
    # money off: "any discounts for veterans? my husband is disabled and wants a massage"
    r"\b(?:discounts?|specials|deals|promos?|promotions?)\b|"
    # when the spa sees people: "how do i get in after hours for a late appt"
    r"\b(?:late|early|after[- ]hours|evening|weekend|lunch) (?:appt|appointment|slot|opening)s?\b|"
    # fat the spa's body treatments remove: "does the body sculpting thing actually burn fat"
    r"\b(?:burn|burns|melt|melts|freeze|freezes|kill|kills|remove|removes) (?:the |that |stubborn )?fat\b|"
    # a price: "can you laser a tattoo on the ribs? how much for a palm sized one"
    r"\bhow much for (?:a|an|the|one|it|that|this|two|both)\b",
    # what the spa offers: "my back is killing me from work, do you do massages or just face stuff"
    r"\bdo (?:you|u|y'?all) (?:guys )?(?:do|offer|have) (?:\w+ ){0,2}massages?\b",
)
# What keeps a text clinical whatever else it says.
_STILL_CLINICAL = re.compile(
    rf"\b{CONDITION}\b|\b{DRUG}\b|\b{DRUG_BRAND}\b|{DRUG_SHAPE}|{CONDITION_SHAPE}|"
    r"\b(?:faint\w*|pass(?:ed|ing)? out|black(?:ed)? out|dizz\w*|allerg\w*|react\w*|vasovagal|panic|rash\w*|"
    r"swell\w*|swollen|bruis\w*|bleed\w*|infect\w*|fever|lumps?|itch\w*|blister\w*|droop\w*|breath\w*|"
    r"pregnan\w*|nursing|breastfeed\w*|heart|chest|vision|nause\w*|vomit\w*|worse|uneven|lopsided|"
    r"asymmetr\w*|condition|disease|disorder|syndrome)\b"
)

MODEL_VETO_EXAMPLES: tuple[str, ...] = (
    "kinda scared of needles, do u guys have numbing cream",
    "first time getting botox and im excited and nervous",
    "can we do a botox party at my house",
    "is there a cancellation fee if i give 48 hours notice",
    "is it ok if my baby comes with me, shes 6 months",
    "ugh im such a baby with needles but lets do it",
    "can i get a follow up appt for 2 weeks after my botox",
    "are the weight loss shots compounded or brand",
    "my hands are shaking typing this im so nervous for my first filler lol",
    "can i go back to work after botox",
    "can i get the numbing cream on when i arrive or should i come early",
    "can my husband get botox too lol he has the 11s bad",
    "my husband is picking me up do i need a driver after filler",
    "i want to get rid of my double chin, is kybella or coolsculpting better",
    "i want my lips to look more juicy but natural what size syringe",
    "do u have before and after pics of cheek filler",
    "will botox make my forehead look shiny or frozen, i want natural",
    "my sister is pregnant can she come watch",
    "my knees are bad is the treatment room upstairs",
    "can my 17 yr old get laser for her upper lip with my permission",
    "my tattoo is huge, how many removal sessions should i plan on",
    "i need a morning appointment since i take my medication at night and it knocks me out",
    "is there a fee if i'm 15 min late? stuck at the pediatrician with my kid",
    "my daughter is 13, can she sit in the waiting room while i get my filler or does she need to come back "
    "with me",
    "does microneedling help with melasma or should i do ipl",
    "do you remove tattoos on the neck? how much for one the size of a quarter",
    "my dad has parkinsons and uses a walker, is there an elevator",
    "my husband has dementia so can he sit with me during my facial",
    "how do i fix my turkey neck, do u do kybella",
    "my eyes look so tired from screens, any facial with an eye mask",
    "im exhausted from work, any massage with hot stones",
    "do you do prenatal massages? im 6 months pregnant",
)
MODEL_VETO_COUNTER_EXAMPLES: tuple[str, ...] = (
    "scared of needles, i fainted at my last botox",
    "nervous about my first filler, i'm on blood thinners",
    "is it ok if my baby comes with me, i'm breastfeeding",
    "can i get a follow up appointment, my lip is still swollen",
    "can i go back to work after botox or will the bruising show",
    "my 11s look worse on one side since the botox",
    "my sister is pregnant can she come watch and get a facial too",
    "how many sessions will it take, i bruise so easily",
    "can i get a morning slot, i take my pills at night, is it safe with accutane",
    "does the peel help with the rash i got from the laser",
    "how much for a facial, my face is swollen from the filler",
    "my mom has parkinsons and uses a walker, is the facial safe for her",
)


# Booking texts whose own pattern already stands down for any safety question, whatever else they name:
# someone pregnant who comes along, a pregnant client buying for someone else, a medical date or a
# drug named only as the day or time to book around.
_BOOKING_WHATEVER_NAMED = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            PREGNANT_COMPANION,
            PREGNANT_CLIENT_NOT_TREATED,
            SCHEDULED_AROUND,
            MEDS_AS_TIME_REASON,
            FACT_FOR_THE_VISIT,
            PREGNANCY_OFFER,
            ACCESS_CONDITION_ONLY,
            AFTER_IT_SETTLES,
            MARKS_LEFT_BY,
            OFFER_ASKED,
        )
    )
)


def overrules_model(prepared: str) -> bool:
    """Whether a prepared text is a booking text the model must not escalate on its own: one of the
    booking shapes with nothing clinical, or one of the booking texts that name a pregnancy, a medical
    date or a drug only as logistics (those patterns themselves stand down for any safety question)."""
    if _BOOKING_WHATEVER_NAMED.search(prepared) is not None:
        return True
    return _BOOKING_ONLY.search(prepared) is not None and _STILL_CLINICAL.search(prepared) is None
