"""Money rules: disputed charges and fees, then refunds and deposits."""

from __future__ import annotations

import re

from .rule import Rule, rx

_CHARGE = r"(?:charged?|charging|billed?|billing|payment|transaction|debit(?:ed)?)"

PAYMENT_DISPUTE: tuple[Rule, ...] = (
    Rule(
        "charged_twice_or_wrongly",
        "payment_dispute",
        rx(
            r"\b(?:charged|billed) (?:me |my card |us )?(?:twice|twise|two times|2x|x2|double|again|extra|"
            r"more|wrong\w*|"
            r"incorrectly|without)\b",
            r"\b(?:charged|billed)\b.{0,25}\b(?:twice|two times|double|three times|wrong amount|too much)\b",
            r"\b(?:double|over|wrongly|incorrectly|mistakenly)[\s-]?(?:charged|billed)\b",
            rf"\b(?:unauthori[sz]ed|unknown|wrong|duplicate|extra|mystery|random|strange) {_CHARGE}s?\b",
        ),
        (
            "you charged me twice",
            "i was charged 2x for my facial",
            "I was double charged",
            "you charged my card twice",
            "I was overcharged",
            "there's a duplicate charge",
        ),
        ("how much do you charge for botox?",),
    ),
    Rule(
        "charged_for_something_not_bought",
        "payment_dispute",
        rx(
            rf"\b{_CHARGE}\b.{{0,50}}\b(?:never|didn'?t|did not|don'?t|do not|wasn'?t|not) (?:buy|bought|"
            r"purchase|"
            r"purchased|order|ordered|sign|signed|authori[sz]e|authori[sz]ed|agree|agreed|use|used|get|got|"
            r"receive|received|recogni[sz]e|book|booked|show|attend)",
            r"\b(?:didn'?t|did not|never) (?:authori[sz]e|authori[sz]ed|approve|approved|agree to|agreed to) "
            r"(?:this|that|the|a|any|these)? ?(?:charges?|payments?|transactions?)\b",
            # "split it into 3 payments" is a plan, not a dispute
            r"\b(?<!into )(?<!in )(?<!over )(?:two|2|three|3|multiple|several|double|duplicate) (?:charges|"
            r"payments|transactions)\b",
            r"\b(?:charged|billed)\b.{0,40}\b(?:but|when|even though|instead of)\b.{0,30}\b(?:quote|quoted|"
            r"price|"
            r"said|told|supposed|agreed)\b",
        ),
        (
            "I was charged for a package I never bought",
            "there's a charge I don't recognize",
            "there are 2 charges from you on my statement",
        ),
        (
            "I never bought a package before, what do they include?",
            "can i split the laser package into 3 payments",
        ),
    ),
    Rule(
        "why_was_i_charged",
        "payment_dispute",
        rx(
            r"\bwhy (?:was|am|did|were|have|has|is) (?:i|you|we|my card|my account|there)\b.{0,25}"
            r"\b(?:charged|billed|charge|bill|charging|billing)\b",
            r"\bwhat (?:is|was|'s) (?:this|that) (?:charge|fee|bill)\b",
        ),
        ("why was I charged?", "why did you charge my card", "what is this charge on my statement?"),
        ("what is the fee for a consultation?",),
    ),
    Rule(
        "disputed_fee",
        "payment_dispute",
        rx(
            r"\b(?:charged|billed|got|given|hit with|paid) (?:me |us )?(?:an? |the )?(?:no[\s-]?show|"
            r"cancell?ation|"
            r"cancel|late|missed appointment|rebooking) (?:fee|charge|penalty)",
            r"\b(?:no[\s-]?show|cancell?ation|late) fee\b.{0,40}\b(?:unfair|wrong|waive|remove|reverse|"
            r"dispute|"
            r"why|never|didn'?t)\b",
            r"\b(?:waive|remove|reverse|take off|dispute)\b.{0,20}\b(?:no[\s-]?show|cancell?ation|cancel|"
            r"late) fee\b",
            r"\b(?:charged|billed)\b.{0,30}\bfor (?:a |the |my |being a )?(?:no[\s-]?show|late cancell?ation|"
            r"cancell?ation|cancel\w*|missed (?:appointment|appt)|being late)\b",
        ),
        (
            "you charged me a no-show fee",
            "please waive the no show fee, I called ahead",
            "you charged me $200 for a no show",
        ),
        ("what's your cancellation fee?", "is there a late fee?"),
    ),
    Rule(
        "dispute_or_fraud",
        "payment_dispute",
        rx(
            r"\bdispute\w*|\bcharge[\s-]?backs?\b|\bfraud\w*",
            r"\b(?:billing|payment|card|invoice|receipt) (?:error|issue|problem|mistake|discrepanc\w*)s?\b",
        ),
        ("I'm going to dispute this charge", "there's a billing error on my invoice"),
        ("can I pay by card?",),
    ),
    Rule(
        "spanish_dispute",
        "payment_dispute",
        rx(
            r"\bme cobraron (?:dos veces|doble|de mas|mal|sin)\b|\bcobro (?:doble|duplicado|no autorizado)\b",
            r"\bno autorice\b",
        ),
        ("me cobraron dos veces", "hay un cobro duplicado en mi tarjeta"),
        ("cuanto cobran por el botox?",),
    ),
)

REFUND: tuple[Rule, ...] = (
    Rule(
        "refund",
        "refund",
        rx(
            r"\bref(?:u?n|nu)d\w*|\bmoney back\b|\breimburs\w*|\bcredit (?:it |that )?back\b|\bpay (?:me|"
            r"us) back\b"
        ),
        (
            "I want a refund",
            "can I get my money back",
            "is my deposit refundable? i can't come",
            "i bought a package last month, is it refundable",
        ),
        (
            "pay it forward, I'll book my mom too",
            "what's the deposit for filler and is it refundable if i reschedule",
            "is the deposit refundable",
        ),
        # the policy asked before booking (not about money the client paid): the agent can answer
        unless=re.compile(
            r"^(?=.*\bdeposits?\b)(?!.*\b(?:my|i paid|i put|i left|bought|purchased|want|need|get|give)\b)"
            r".*\b(?:is (?:it|the deposit|that|a "
            r"deposit)|are (?:they|deposits|the deposits)) (?:\w+ )?refundable\b"
        ),
    ),
    Rule(
        "deposit_back",
        "refund",
        rx(
            r"\bdeposit\b.{0,20}\b(?:back|returned|refunded|return)\b",
            r"\b(?:get|want|need|have|return|keep|lose|losing|forfeit) (?:my|the|our) deposit\b",
        ),
        ("Can I get my deposit back?", "please return my deposit", "do I lose my deposit if I can't come?"),
        ("is there a deposit to book?", "how much is the deposit?"),
    ),
    Rule(
        "return_purchase",
        "refund",
        rx(
            r"\b(?:return|sell back|give back|cash out) (?:my|the|this|unused) (?:package|membership|"
            r"gift card|"
            r"products?|sessions?|serum|cream)\b",
            r"\bunused (?:sessions?|package|credits?|units)\b.{0,30}\b(?:back|return|cash|money)\b",
        ),
        ("can I return the package I bought?", "how do I return this serum"),
        ("I'd like to use my package for the facial",),
    ),
    Rule(
        "spanish_refund",
        "refund",
        rx(r"\breembols\w*|\bdevoluci\w*|\bdevuelv\w* (?:mi|el) (?:dinero|deposito)|\bmi dinero de vuelta\b"),
        ("quiero un reembolso", "me pueden devolver el deposito? devuelvan mi dinero"),
        ("quiero pagar con tarjeta",),
    ),
)
