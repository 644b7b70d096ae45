"""What the gateway itself says: opt-out and opt-in confirmations, and the first-text notice.

Wording as data, one entry per (what happened, language), with the spa's name and, when the spa
file gives one (`sms.phone_display`), its phone number. Every text here is plain GSM-7 and fits
one segment (160 characters) for a spa name of up to 30 characters: `tests/unit/test_gateway_notices.py`
checks both.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Literal

from services.gateway.domain import count_segments
from services.gateway.optout_phrases import Language
from services.gateway.spas import Spa
from shared.contracts.tools import UpcomingBookingsFound
from shared.text import for_matching

Confirmation = Literal["stop", "cancel", "start"]

# The notice carriers expect on the spa's first text to a number.
OPT_OUT_NOTICE = "Reply STOP to opt out."

# (what happened, language) -> (wording with the spa's phone, wording without it).
CONFIRMATIONS: dict[tuple[Confirmation, Language], tuple[str, str]] = {
    ("stop", "en"): (
        "You're unsubscribed from {spa} texts and won't get more. Reply START to resubscribe.",
        "You're unsubscribed from {spa} texts and won't get more. Reply START to resubscribe.",
    ),
    # A bare CANCEL opts out by carrier rules; the client may have meant an appointment.
    ("cancel", "en"): (
        "You're unsubscribed from {spa} texts. If you meant to cancel an appointment, call {phone} "
        "or reply START and text us.",
        "You're unsubscribed from {spa} texts. If you meant to cancel an appointment, reply START "
        "and text us.",
    ),
    ("start", "en"): (
        "You're resubscribed to {spa} texts. Reply STOP to opt out.",
        "You're resubscribed to {spa} texts. Reply STOP to opt out.",
    ),
    ("stop", "es"): (
        "Listo: ya no recibiras mensajes de {spa}. Responde START para volver a recibirlos.",
        "Listo: ya no recibiras mensajes de {spa}. Responde START para volver a recibirlos.",
    ),
    ("cancel", "es"): (
        "Listo: ya no recibiras mensajes de {spa}. Si querias cancelar una cita, llama al {phone} "
        "o responde START y escribenos.",
        "Listo: ya no recibiras mensajes de {spa}. Si querias cancelar una cita, "
        "responde START y escribenos.",
    ),
    ("start", "es"): (
        "Listo: volveras a recibir mensajes de {spa}. Responde STOP para no recibirlos.",
        "Listo: volveras a recibir mensajes de {spa}. Responde STOP para no recibirlos.",
    ),
}


def confirmation_key(kind: str, message_sid: str) -> str:
    """Idempotency key of the gateway's answer to an opt-out or opt-in text."""
    return f"{kind}-reply:{message_sid}"


def confirmation(kind: Confirmation, language: Language, spa: Spa) -> str:
    """The confirmation text of an opt-out, a bare CANCEL or an opt-in, in the client's language."""
    with_phone, without = CONFIRMATIONS.get((kind, language)) or CONFIRMATIONS[(kind, "en")]
    if spa.phone_display:
        return with_phone.format(spa=spa.name, phone=spa.phone_display)
    return without.format(spa=spa.name)


def has_notice(body: str) -> bool:
    """Whether a text already tells the client how to opt out (a spa's HELP text usually does)."""
    return "reply stop" in for_matching(body)


def with_notice(body: str, max_chars: int) -> str | None:
    """The body of a first text with the opt-out notice, or None when it would not fit.

    It may add a segment (a 150-character reply becomes two); carriers expect the notice on the
    first text, so it is added anyway, and the segment count is taken of the final body.
    """
    if has_notice(body):
        return body
    joined = f"{body.rstrip()} {OPT_OUT_NOTICE}"
    if len(joined) > max_chars:
        return None
    return joined


def segments_added(body: str, max_chars: int) -> int:
    """How many segments the notice adds to a body (0 when it is already there or does not fit)."""
    noticed = with_notice(body, max_chars)
    if noticed is None or noticed == body:
        return 0
    return count_segments(noticed).count - count_segments(body).count


def cancel_alert_reason(found: UpcomingBookingsFound | None, tz: tzinfo) -> str:
    """Staff words for a bare CANCEL from a number with bookings ahead (None: they could not be checked)."""
    said = "The client texted CANCEL, which unsubscribes their number from all texts. "
    if found is None:
        return (
            said
            + "Their bookings could not be checked; they may have meant an appointment. Please call them."
        )
    count = f"{found.count} upcoming booking" + ("s" if found.count != 1 else "")
    when = ""
    if found.next_start is not None:
        local = found.next_start.astimezone(tz)
        clock = local.strftime("%I:%M%p").lstrip("0").lower()
        when = f" (next: {local.strftime('%a %b')} {local.day}, {clock})"
    return said + f"They have {count}{when} and may have meant to cancel it. Please call them."
