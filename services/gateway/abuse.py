"""Texts nobody should answer automatically: auto-replies, a number over its limits, a reply loop.

Pure: no I/O. An auto-reply ("I'm driving", "This is an automated message", a carrier's "not in
service", another business's "Reply STOP to opt out") is recognised by the named rules below, each
with examples and counter-examples (`tests/unit/test_gateway_abuse.py` runs them all). A number
that texts more than its hourly limit, that has used its share of the spa's daily send cap, or
that answers every reply within seconds (a loop with a bot or another business's number) is held
for staff: its texts still reach the inbox, the agent does not answer them, staff get one alert.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from services.gateway.optout_phrases import prepared
from shared.contracts.sms import HeldFor


@dataclass(frozen=True)
class AutoReplyRule:
    """One kind of automatic text, with texts it must catch and texts it must leave alone."""

    name: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()


def _rule(name: str, pattern: str, examples: tuple[str, ...], counter: tuple[str, ...] = ()) -> AutoReplyRule:
    return AutoReplyRule(name, re.compile(pattern), examples, counter)


# Patterns read `optout_phrases.prepared(text)`: lower case, no accents, punctuation as spaces.
AUTO_REPLY_RULES: tuple[AutoReplyRule, ...] = (
    _rule(
        "automated_message",
        r"\b(?:this is an? )?(?:automated|automatic|auto) (?:message|reply|response|text)\b"
        r"|\bplease do not reply to this (?:message|text|number)\b",
        (
            "This is an automated message. Please do not reply.",
            "Auto-Reply: thanks for your text",
            "Automatic reply: I'm away",
            "Please do not reply to this message",
        ),
        ("do you send automatic reminders?", "is this an automated system or a person?"),
    ),
    _rule(
        "driving",
        r"^(?:hi |hey )?i(?: a|')?m driving\b.{0,80}\b(?:do not disturb|get back to you|see your message|"
        r"text you (?:back|later|when)|(?:can'?t|cannot) (?:text|talk|reply|respond)|reply (?:later|when))",
        (
            "I'm driving with Do Not Disturb While Driving turned on. I'll see your message when I get "
            "where I'm going.",
            "I'm driving right now - I'll get back to you later",
            "Im driving and can't text right now",
        ),
        ("I'm driving in from Oakland, can I come at 3?", "im driving over now"),
    ),
    _rule(
        "notifications_silenced",
        r"\bhas notifications silenced\b|\bnotifications (?:are )?silenced with\b|\bfocus mode is on\b",
        ("Dana has notifications silenced with Focus", "My notifications are silenced with Sleep"),
        ("can you silence the reminders?",),
    ),
    _rule(
        "carrier_notice",
        r"\b(?:number|phone) (?:you (?:have )?(?:texted|messaged|dialed) )?is (?:no longer |not )in service\b"
        r"|\b(?:message|text) (?:could|can) ?not be delivered\b|\bunable to (?:deliver|send) (?:your |this )?"
        r"(?:message|text)\b|\bdoes not (?:accept|receive|support) (?:text|sms)\b|\bis a landline\b",
        (
            "The number you have texted is not in service.",
            "Free Msg: Your message could not be delivered",
            "This phone number does not accept text messages",
            "Unable to deliver message: the number is a landline",
        ),
        ("my old number is not working, use this one", "sorry I could not make it"),
    ),
    _rule(
        "out_of_office",
        r"\b(?:i am|i m|i'm|im) (?:currently )?(?:out of (?:the )?office|away from my phone|on vacation)\b"
        r".{0,80}\b(?:until|return|back on|limited access)\b",
        ("I am out of the office until Monday with limited access.", "I'm on vacation until the 12th"),
        ("I'm on vacation next week, can I book after?",),
    ),
    _rule(
        "business_bot",
        r"\breply (?:stop|yes|y|1|help|start) to\b|\btext (?:stop|help) to\b"
        r"|\bmsg (?:and )?data rates may apply\b",
        (
            "Thanks for texting Lux Salon! Reply STOP to opt out.",
            "Welcome! Msg & data rates may apply. Text HELP to 555-0100.",
        ),
        ("what happens if I reply stop?", "stop texting me"),
    ),
)


def auto_reply_rule(body: str) -> AutoReplyRule | None:
    """The auto-reply rule a text matches, if any."""
    words = prepared(body)
    return next((rule for rule in AUTO_REPLY_RULES if rule.pattern.search(words)), None)


@dataclass(frozen=True)
class Limits:
    """A spa's per-number limits (spa file `sms.limits`)."""

    texts_per_hour: int = 30
    share_of_daily_cap: float = 0.1
    loop_reply_seconds: float = 5.0
    loop_replies: int = 4

    def number_cap(self, daily_cap: int) -> int:
        """How many texts a day one number's conversation may use of the spa's daily cap."""
        return max(1, math.floor(daily_cap * self.share_of_daily_cap))


@dataclass(frozen=True)
class NumberActivity:
    """What the gateway knows of a number when its text arrives."""

    texts_last_hour: int
    sent_today: int
    seconds_after_reply: tuple[float | None, ...]  # newest first: how soon each text followed our reply
    held_for_loop: bool = False


def is_loop(seconds_after_reply: tuple[float | None, ...], limits: Limits) -> bool:
    """The number answered each of our last `loop_replies` replies within `loop_reply_seconds`."""
    recent = seconds_after_reply[: limits.loop_replies]
    if len(recent) < limits.loop_replies:
        return False
    return all(gap is not None and gap <= limits.loop_reply_seconds for gap in recent)


def held_for(activity: NumberActivity, limits: Limits, daily_cap: int) -> HeldFor | None:
    """Why this number's text waits for staff instead of being answered, or None."""
    if activity.held_for_loop or is_loop(activity.seconds_after_reply, limits):
        return "loop"
    if activity.texts_last_hour > limits.texts_per_hour:
        return "rate_limit"
    if activity.sent_today >= limits.number_cap(daily_cap):
        return "number_share"
    return None


HOLD_REASONS: dict[HeldFor, str] = {
    "loop": "This number answered each of our last replies within seconds (an automatic responder?). "
    "The AI stopped replying to it today; its texts wait for staff.",
    "rate_limit": "This number sent more texts in an hour than the spa's limit; its texts wait for staff.",
    "number_share": "This number's conversation used its share of today's send cap; its texts wait for "
    "staff so other clients still get replies.",
    "auto_reply": "An automatic reply (not answered).",
}
