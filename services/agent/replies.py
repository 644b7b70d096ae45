# ruff: noqa: E501  (a table of sentences reads best one sentence a line)
"""Every sentence the deterministic brain texts, one table per language, and the words it fills in.

A reply is built from templates (`say(lang, key, **values)`); a test fills every template with demo
values and checks that each passes the outbound guard. Add a language by adding a table with the
same keys (the test checks the keys match).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

Lang = Literal["en", "es"]
LANGS: tuple[Lang, ...] = ("en", "es")

EN: dict[str, str] = {
    # opening and picking up
    "disclosure": "Hi! This is {spa}'s automated assistant.",
    "disclosure_named": "Hi {name}! This is {spa}'s automated assistant.",
    "disclosure_after_staff": "This is {spa}'s automated assistant, picking up from our team.",
    # questions that move a booking on
    "ask_what": "What treatment are you interested in, and when would you like to come in?",
    "ask_service": "What treatment are you interested in?",
    "ask_service_choice": "Which would you like to book: {choices}?",
    "ask_one_service": "Which would you like to book first: {choices}?",
    "ask_time": "When would you like to come in for {service}? For example 'Monday around 2pm' or 'tomorrow morning'.",
    "ask_time_short": "When would you like to come in for {service}?",
    "ask_name": "And may I have your first name for the booking?",
    "anything_else": "Anything else I can help with?",
    # options and bookings
    "options": "For your {service} I have {labels}. Reply {numbers} to confirm.",
    "options_not_exact": "That exact time isn't open, but for your {service} I have {labels}. Reply {numbers} to confirm.",
    "options_other_days": "The day you asked for is full for the next few weeks, but for your {service} I have {labels}. Reply {numbers} to confirm.",
    "options_nearest": "I have nothing {constraint}, but the nearest for your {service}: {labels}. Reply {numbers} to confirm.",
    "nothing_open": "I don't have anything open for {service} then. Would another day or time work?",
    "filled_up": "Those times just filled up. Would another day work?",
    "slot_taken": "Sorry, that time was just taken.",
    "hold_expired": "Sorry, I couldn't hold that time any longer.",
    "confirmation": "You're booked: {service} on {when} with {provider} at {place}. See you then!",
    "booked_followup": "You're all set{name}: {service}, {label} with {provider}. Anything else I can help with?",
    "reply_to_book": "Reply {numbers} to book.",
    "consult_first": "{service} starts with a free {consult} for new clients.",
    "consult_first_paid": "{service} starts with a {consult} for new clients.",
    "consult_is_first": "Yes, new clients start with a {consult}, and it's free.",
    "consult_is_first_paid": "Yes, new clients start with a {consult} ({price}).",
    "consult_not_needed": "No consultation needed: you can book {service} directly.",
    "welcome": "You're welcome{name}! Text us anytime.",
    "no_rush": "No problem{name}! Text us whenever you'd like to book.",
    "welcome_book": "You're welcome{name}! Text us whenever you'd like to book.",
    "noted_book": "Sounds good{name}! Text us whenever you'd like to book.",
    "take_your_time": "No problem{name}, take your time. Text me when you know; times go to whoever books first.",
    "part_only_first": "Only the first is {part}.",
    "part_only_first_two": "Only the first two are {part}.",
    "thanks_name": "Thanks{name}!",
    "goodbye": "Thanks{name}, talk soon!",
    "see_you": "Great{name}! See you then.",
    # constraints said in words ("I have nothing later than that, but ...")
    "constraint_later": "later than those",
    "constraint_earlier": "earlier than those",
    "constraint_another_day": "on another day then",
    "constraint_week_later": "the week after",
    "constraint_other_provider": "with another provider then",
    "constraint_provider": "with {provider} then",
    "constraint_time": "at that time",
    # front-desk answers
    "price": "{service} is {price}.",
    "price_free": "The {service} is free.",
    "price_after_consult": "After it: {items}.",
    "for_the_provider": "Good question: your provider will go over that with you at your visit.",
    "cheapest": "Our {category} start at {price}: {list}.",
    "treatments_word": "treatments",
    "price_package": "Our {package} is {sessions} sessions for {price}.",
    "price_free_consult": "The consultation is free.",
    "membership": "Our {tier} is {price} a month, with {percent}% off {names}.",
    "membership_plain": "Our {tier} is {price} a month.",
    "price_unknown": "Which treatment would you like the price of?",
    "packages_ask_service": "Which treatment would you like a package for?",
    "duration_unknown": "Which treatment would you like to know the length of?",
    "providers_unknown": "Which treatment do you have in mind? I'll tell you who does it.",
    "duration": "{service} takes about {minutes} minutes.",
    "address": "We're at {address}.",
    "parking": "Parking: {note}",
    "phone": "You can call us at {phone}.",
    "hours_day": "On {day} we're open {hours}.",
    "closed_day": "We're closed on {day}.",
    "closed_date": "We're closed {day}.",
    "balance": "Your {package} has {count} {unit} left.",
    "balance_none": "I don't see any package sessions on this number.",
    "hours_week": "Our hours: {summary}.",
    "providers": "{service} is done by {names}.",
    "provider_week": "{provider} is usually in {days}.",
    "provider_day_yes": "Yes, {provider} is in on {day}, {hours}.",
    "provider_day_no": "{provider} isn't in on {day}; {provider} is usually in {days}.",
    "provider_unknown": "I don't have a provider by that name.",
    "provider_off_day": "{provider} isn't in on {day}.",
    "provider_not_for_service": "{provider} doesn't do {service}, so here is who does.",
    "services": "We offer {names}.",
    "service_offered": "Yes, we offer {service}.",
    # price objections, answered from the client's own account
    "objection_package_balance": "Good news: your {package} has {count} {unit} left, so this {service} is covered.",
    "objection_membership": "As a {tier} member you get {percent}% off {service}.",
    "objection_package_offer": "Our {package} ({sessions} sessions for {price}) works out to {per_session} per session.",
    "objection_free_consult": "The consultation is free, so you can meet the provider and get a plan first.",
    "objection_budget": "I understand. Our team can walk you through options for your budget at your visit.",
    "objection_ask_service": "I understand! Which treatment are you considering? I'll check your packages and our pricing.",
    # while the spa's booking system does not answer (sent once per text, before the real answer)
    "holding": "One moment, I'm checking that for you.",
    # handing off a language the spa does not text in
    "handoff_language": "Thanks for your message! A team member will text you back shortly. / ¡Gracias por tu mensaje! Alguien de nuestro equipo te responderá pronto.",
    "handoff_staff_question": "Good question! I've passed it to our team and someone will text you back shortly.",
    "staff_question_noted": "I've passed your other question to our team; someone will text you about it.",
    "handoff_change": "No problem! I've asked our team to move your booking, and someone will text you shortly to confirm the new time.",
    "group_noted": "I'll book yours here, and our team will text you to line up the others.",
    "handoff_group": "Happy to help book for your group! I've passed it to our team, and someone will text you shortly to line up times for everyone.",
    "handoff_running_late": "Thanks for letting us know! I've told the team, and someone will text you if anything changes.",
}

ES: dict[str, str] = {
    "disclosure": "¡Hola! Soy el asistente automático de {spa}.",
    "disclosure_named": "¡Hola, {name}! Soy el asistente automático de {spa}.",
    "disclosure_after_staff": "Soy el asistente automático de {spa}; sigo desde donde lo dejó nuestro equipo.",
    "ask_what": "¿Qué tratamiento te interesa y cuándo te gustaría venir?",
    "ask_service": "¿Qué tratamiento te interesa?",
    "ask_service_choice": "¿Cuál te gustaría reservar: {choices}?",
    "ask_one_service": "¿Cuál quieres reservar primero: {choices}?",
    "ask_time": "¿Cuándo te gustaría venir para {service}? Por ejemplo 'el lunes a las 2pm' o 'mañana por la mañana'.",
    "ask_time_short": "¿Cuándo te gustaría venir para {service}?",
    "ask_name": "¿Y me dices tu nombre para la reserva?",
    "anything_else": "¿Te ayudo con algo más?",
    "options": "Para tu {service} tengo {labels}. Responde {numbers} para confirmar.",
    "options_not_exact": "Esa hora exacta no está libre, pero para tu {service} tengo {labels}. Responde {numbers} para confirmar.",
    "options_other_days": "El día que pediste está lleno las próximas semanas, pero para tu {service} tengo {labels}. Responde {numbers} para confirmar.",
    "options_nearest": "No tengo nada {constraint}, pero lo más cercano para tu {service}: {labels}. Responde {numbers} para confirmar.",
    "nothing_open": "No tengo nada libre para {service} en ese momento. ¿Te sirve otro día u otra hora?",
    "filled_up": "Esas horas se acaban de ocupar. ¿Te sirve otro día?",
    "slot_taken": "Lo siento, esa hora se acaba de ocupar.",
    "hold_expired": "Lo siento, no pude guardar esa hora más tiempo.",
    "confirmation": "Listo, tienes cita: {service} el {when} con {provider} en {place}. ¡Te esperamos!",
    "booked_followup": "Todo listo{name}: {service}, {label} con {provider}. ¿Te ayudo con algo más?",
    "reply_to_book": "Responde {numbers} para reservar.",
    "consult_first": "{service} empieza con una {consult} gratis para clientes nuevos.",
    "consult_first_paid": "{service} empieza con una {consult} para clientes nuevos.",
    "consult_is_first": "Sí, los clientes nuevos empiezan con una {consult}, y es gratis.",
    "consult_is_first_paid": "Sí, los clientes nuevos empiezan con una {consult} ({price}).",
    "consult_not_needed": "No hace falta consulta: puedes reservar {service} directamente.",
    "welcome": "¡De nada{name}! Escríbenos cuando quieras.",
    "no_rush": "¡Claro{name}! Escríbenos cuando quieras reservar.",
    "welcome_book": "¡De nada{name}! Escríbenos cuando quieras reservar.",
    "noted_book": "¡Perfecto{name}! Escríbenos cuando quieras reservar.",
    "take_your_time": "Claro{name}, sin prisa. Escríbeme cuando sepas; los horarios son para quien reserve primero.",
    "part_only_first": "Solo la primera es {part}.",
    "part_only_first_two": "Solo las dos primeras son {part}.",
    "thanks_name": "¡Gracias{name}!",
    "goodbye": "¡Gracias{name}, hasta pronto!",
    "see_you": "¡Perfecto{name}! Te esperamos.",
    "constraint_later": "más tarde",
    "constraint_earlier": "más temprano",
    "constraint_another_day": "otro día",
    "constraint_week_later": "la semana siguiente",
    "constraint_other_provider": "con otra persona en ese momento",
    "constraint_provider": "con {provider} en ese momento",
    "constraint_time": "a esa hora",
    "price": "{service} cuesta {price}.",
    "price_free": "La {service} es gratis.",
    "price_after_consult": "Después: {items}.",
    "for_the_provider": "Buena pregunta: te lo explicarán en tu cita.",
    "cheapest": "Nuestros {category} empiezan en {price}: {list}.",
    "treatments_word": "tratamientos",
    "price_package": "Nuestro {package} son {sessions} sesiones por {price}.",
    "price_free_consult": "La consulta es gratis.",
    "membership": "Nuestro {tier} cuesta {price} al mes, con {percent}% de descuento en {names}.",
    "membership_plain": "Nuestro {tier} cuesta {price} al mes.",
    "price_unknown": "¿De qué tratamiento quieres saber el precio?",
    "packages_ask_service": "¿Para qué tratamiento quieres un paquete?",
    "duration_unknown": "¿De qué tratamiento quieres saber la duración?",
    "providers_unknown": "¿Qué tratamiento te interesa? Te digo quién lo hace.",
    "duration": "{service} dura unos {minutes} minutos.",
    "address": "Estamos en {address}.",
    "parking": "Estacionamiento: {note}",
    "phone": "Puedes llamarnos al {phone}.",
    "hours_day": "El {day} abrimos {hours}.",
    "closed_day": "El {day} está cerrado.",
    "closed_date": "Estamos cerrados el {day}.",
    "balance": "A tu {package} le quedan {count} {unit}.",
    "balance_none": "No veo sesiones de paquete en este número.",
    "hours_week": "Nuestro horario: {summary}.",
    "providers": "{service} lo hace {names}.",
    "provider_week": "{provider} suele estar {days}.",
    "provider_day_yes": "Sí, {provider} está el {day}, {hours}.",
    "provider_day_no": "{provider} no está el {day}; suele estar {days}.",
    "provider_unknown": "No tengo a nadie con ese nombre.",
    "provider_off_day": "{provider} no está el {day}.",
    "provider_not_for_service": "{provider} no hace {service}, así que te ofrezco a quien lo hace.",
    "services": "Ofrecemos {names}.",
    "service_offered": "Sí, ofrecemos {service}.",
    "objection_package_balance": "Buenas noticias: a tu {package} le quedan {count} {unit}, así que este {service} está cubierto.",
    "objection_membership": "Como miembro {tier} tienes {percent}% de descuento en {service}.",
    "objection_package_offer": "Nuestro {package} ({sessions} sesiones por {price}) sale a {per_session} por sesión.",
    "objection_free_consult": "La consulta es gratis: puedes conocer a la especialista y hacer un plan primero.",
    "objection_budget": "Entiendo. Nuestro equipo puede mostrarte opciones para tu presupuesto en tu visita.",
    "objection_ask_service": "¡Entiendo! ¿Qué tratamiento te interesa? Reviso tus paquetes y nuestros precios.",
    "holding": "Un momento, lo estoy revisando.",
    "handoff_language": EN["handoff_language"],
    "handoff_staff_question": "¡Buena pregunta! Se la pasé a nuestro equipo y alguien te responderá pronto.",
    "staff_question_noted": "Le pasé tu otra pregunta a nuestro equipo; alguien te escribirá sobre eso.",
    "handoff_change": "¡Sin problema! Le pedí a nuestro equipo que cambie tu cita, y alguien te escribirá pronto para confirmar la nueva hora.",
    "group_noted": "Reservo la tuya aquí, y nuestro equipo te escribirá para coordinar las demás.",
    "handoff_group": "¡Con gusto ayudamos a tu grupo! Se lo pasé a nuestro equipo y alguien te escribirá pronto para coordinar las horas de todas.",
    "handoff_running_late": "¡Gracias por avisarnos! Ya le avisé al equipo y alguien te escribirá si algo cambia.",
}

TABLES: dict[Lang, dict[str, str]] = {"en": EN, "es": ES}

# Words the templates are filled with.
WORDS: dict[Lang, dict[str, str]] = {
    "en": {"or": "or", "and": "and", "today": "today", "tomorrow": "tomorrow", "at": "at", "with": "with",
           "session": "session", "sessions": "sessions", "to": "to", "closed": "closed",
           "morning": "in the morning", "afternoon": "in the afternoon", "evening": "in the evening"},
    "es": {"or": "o", "and": "y", "today": "hoy", "tomorrow": "mañana", "at": "a las", "with": "con",
           "session": "sesión", "sessions": "sesiones", "to": "a", "closed": "cerrado",
           "morning": "por la mañana", "afternoon": "por la tarde", "evening": "por la noche"},
}  # fmt: skip
DAYS: dict[Lang, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
MONTHS: dict[Lang, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}


def lang_of(code: str | None) -> Lang:
    """A supported reply language for a language code (English for anything else)."""
    return "es" if code == "es" else "en"


def say(lang: str, key: str, **values: object) -> str:
    """One sentence of the reply table of `lang`, filled in."""
    return TABLES[lang_of(lang)][key].format(**values)


def word(lang: str, key: str) -> str:
    """A small word in `lang` ("or", "today", ...)."""
    return WORDS[lang_of(lang)][key]


def join_or(items: Sequence[str], lang: str = "en") -> str:
    """A, B, or C (A, B o C)."""
    return _join(items, word(lang, "or"), serial=lang_of(lang) == "en")


def join_and(items: Sequence[str], lang: str = "en") -> str:
    """A, B, and C (A, B y C)."""
    return _join(items, word(lang, "and"), serial=lang_of(lang) == "en")


def _join(items: Sequence[str], conj: str, *, serial: bool) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    comma = "," if serial else ""
    return f"{', '.join(items[:-1])}{comma} {conj} {items[-1]}"


def numbers(count: int, lang: str = "en") -> str:
    """'1, 2, or 3' for three options."""
    return join_or([str(i + 1) for i in range(count)], lang)


def money(cents: int) -> str:
    """$300, or $12.50 when there are cents."""
    return f"${cents // 100:,}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def clock(moment: datetime | time) -> str:
    """1:30pm, 2pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def day_name(weekday: int, lang: str = "en") -> str:
    """Monday (lunes)."""
    return DAYS[lang_of(lang)][weekday]


def day_label(moment: datetime, today: date, lang: str = "en") -> str:
    """today, tomorrow, Monday (within the week), or Monday, Mar 11 (lunes 11 de mar)."""
    days = (moment.date() - today).days
    if days == 0:
        return word(lang, "today")
    if days == 1:
        return word(lang, "tomorrow")
    name = day_name(moment.weekday(), lang)
    if 1 < days < 7:
        return name
    return date_label(moment, lang, name)


def date_label(moment: datetime, lang: str, name: str | None = None) -> str:
    """Monday, Mar 11 (lunes 11 de mar)."""
    name = name or day_name(moment.weekday(), lang)
    month = MONTHS[lang_of(lang)][moment.month - 1]
    return f"{name} {moment.day} de {month}" if lang_of(lang) == "es" else f"{name}, {month} {moment.day}"


def option_label(start: datetime, provider: str, tz: ZoneInfo, today: date, lang: str = "en") -> str:
    """'Monday at 1:30pm with Julia' ('lunes a las 1:30pm con Julia'), in the spa's time zone."""
    local = start.astimezone(tz)
    return (
        f"{day_label(local, today, lang)} {word(lang, 'at')} {clock(local)} {word(lang, 'with')} {provider}"
    )


def when_label(start: datetime, tz: ZoneInfo, lang: str = "en") -> str:
    """'Tuesday, Mar 4 at 1:30pm' for a confirmation."""
    local = start.astimezone(tz)
    return f"{date_label(local, lang)} {word(lang, 'at')} {clock(local)}"


def hours_label(intervals: Sequence[tuple[time, time]], lang: str = "en") -> str:
    """'9am to 7pm' ('9am a 7pm'); several intervals joined with 'and'."""
    spans = [f"{clock(a)} {word(lang, 'to')} {clock(b)}" for a, b in intervals]
    return join_and(spans, lang)


def article(name: str) -> str:
    """'a Botox consultation', 'an HydraFacial' (by sound of the first letter)."""
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


# Values that fill every template in the outbound-guard test (what a real reply may carry).
DEMO_VALUES: dict[str, object] = {
    "spa": "Glow Med Spa", "name": "Jess", "choices": "Lip Filler or Botox (neurotoxin) treatment",
    "service": "Botox / Neurotoxin Consultation", "labels": "Monday at 2pm with Lilian or Tuesday at 10am with Julia",
    "numbers": "1 or 2", "constraint": "later than those", "when": "Tuesday, Mar 4 at 1:30pm",
    "provider": "Julia", "place": "Glow Med Spa, 2140 Chestnut St, San Francisco, CA 94123",
    "label": "Tuesday at 2pm with Julia", "consult": "Dermal Filler Consultation", "price": "$650",
    "package": "HydraFacial, 3 sessions", "sessions": 3, "unit": "sessions", "address": "2140 Chestnut St, San Francisco",
    "note": "Street parking on Chestnut; garage on Mallorca Way.", "day": "Saturday", "hours": "9am to 5pm",
    "summary": "Mon-Fri 9am-7pm, Sat 9am-5pm", "names": "Julia and Lilian", "days": "Tuesday to Saturday",
    "count": 2, "tier": "Glow Club", "percent": 10, "per_session": "$200", "minutes": 60,
    "phone": "(415) 555-0199", "part": "in the morning", "category": "facials",
    "list": "Dermaplaning $95, Chemical Peel $175, and HydraFacial $225",
    "items": "Laser Hair Removal $150 and IPL Photofacial $400",
}  # fmt: skip
