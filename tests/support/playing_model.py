"""A model that plays conversations: a policy behind the fake Messages API (`FakeAnthropic(default=
PlayingModel())`) that reads each request the Claude brain sends and answers as a careful model would
with the tools it is offered.

It reads only what a real model gets: the system prompt (today's date, time zone, providers, the
catalog), the conversation's messages (the client's and the spa's earlier texts, the brain's
`[context: ...]` note with the held options), and this turn's `tool_use`/`tool_result` blocks. It
understands the client's words with the agent's own language package (a stand-in for a model's
reading, not the deterministic brain's decisions), then plans: hand off what staff must handle,
confirm a chosen option, match the client's words to a service, read the spa profile or the client's
benefits for a question, find availability with a structured preference, hold the options, and
finally write the reply from the tool results. It is not brilliant: a scenario it cannot follow fails
or, when it writes nothing usable, falls back to the deterministic brain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.agent.language.understanding import Understanding, understand
from tests.support.fake_anthropic import text, tool

TODAY = re.compile(r"Today is \w+ (\d{4}-\d{2}-\d{2}) \(([^)]+)\)")
PROVIDERS = re.compile(r"^Providers: (.+)\.$", re.M)
SERVICES = re.compile(r"^- (.+?): ", re.M)
LANGUAGES = re.compile(r"when the spa offers it \(([^)]*)\)")
CONTEXT = re.compile(r"\[context: (.*)\]")
HELD = re.compile(r"(\d)\) ([^;]+)")
CLOCK = re.compile(r"\b(\d{1,2})(?::(\d\d))?\s*(am|pm)\b")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")

# What staff handle, as words a client uses (the guard catches most of these before the model).
HANDOFF_CUES: tuple[tuple[str, str], ...] = (
    (r"\bcancel", "cancellation"),
    (r"\breschedul|\bmove my (appointment|booking)", "reschedule"),
    (r"\brefund|\bmoney back", "refund"),
    (r"\bcomplain|\bterrible|\bawful", "complaint"),
    (r"\b(real|actual) person\b|\bhuman\b|\bmanager\b|\bspeak to (someone|somebody)", "human_request"),
)
BOOKING_CUES = re.compile(
    r"\b(book|appointment|appt|available|availability|opening|openings|slot|come in|schedule|asap"
    r"|soonest|earliest|first available|cita|reservar|disponible)\b"
)
PACKAGE_CUES = re.compile(r"\b(package|packages|sessions left|membership|paquete)\b")
SERVICE_WORD_MIN_CONFIDENCE = 0.5  # a match worth naming (a consultation to suggest)
SERVICE_CHOICE_MIN_CONFIDENCE = 0.7  # a match taken as the service the client means

REPLY: dict[str, dict[str, str]] = {
    "en": {
        "options": "For your {service} I have {labels}. Reply {numbers} to pick one.",
        "none": "I don't see any openings for {service} then. Would another day or time work?",
        "ask_time": "When would you like to come in for {service}? A day and a time of day helps.",
        "ask_service": "Happy to help! Which treatment would you like, and when?",
        "thanks": "You're welcome! Text us any time.",
        "gone": "Sorry, that time was just taken. Would you like me to look for other times?",
        "price": "{service} is {price}.",
        "free": "The {service} is free.",
        "hours_day": "On {day} we're open {hours}.",
        "closed_day": "We're closed on {day}.",
        "hours": "Our hours: {hours}",
        "address": "We're at {address}.",
        "parking": "Parking: {parking}",
        "providers": "Our providers are {names}.",
        "provider_day": "{name} works {day} {hours}.",
        "provider_off": "{name} isn't in on {day}.",
        "package": "{name}: {sessions} sessions for {price}.",
        "balance": "You have {left} session(s) left on your {name}.",
        "services": "We offer {names}.",
        "offer": "Yes, we offer {service} ({price}).",
        "free_word": "free",
        "consult": "I understand! You can start with a free {consult} to talk it through.",
    },
    "es": {
        "options": "Para tu {service} tengo {labels}. Responde {numbers} para elegir.",
        "none": "No veo horarios para {service} entonces. ¿Te sirve otro día u hora?",
        "ask_time": "¿Cuándo te gustaría venir para {service}?",
        "ask_service": "¡Con gusto! ¿Qué tratamiento te gustaría y cuándo?",
        "thanks": "¡De nada! Escríbenos cuando quieras.",
        "gone": "Lo siento, ese horario ya se tomó. ¿Busco otros horarios?",
        "price": "{service} cuesta {price}.",
        "free": "La {service} es gratis.",
        "hours_day": "El {day} abrimos {hours}.",
        "closed_day": "El {day} cerramos.",
        "hours": "Horario: {hours}",
        "address": "Estamos en {address}.",
        "parking": "Estacionamiento: {parking}",
        "providers": "Nuestras especialistas son {names}.",
        "provider_day": "{name} trabaja el {day} {hours}.",
        "provider_off": "{name} no trabaja el {day}.",
        "package": "{name}: {sessions} sesiones por {price}.",
        "balance": "Te quedan {left} sesión(es) de tu {name}.",
        "services": "Ofrecemos {names}.",
        "offer": "Sí, ofrecemos {service} ({price}).",
        "free_word": "gratis",
        "consult": "¡Entiendo! Puedes empezar con una {consult} gratis para hablarlo.",
    },
}


@dataclass(frozen=True)
class Step:
    """A tool this turn already called, and what it returned."""

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    is_error: bool


@dataclass
class Reading:
    """One request, as the model reads it."""

    today: date
    tz: str
    providers: list[str]
    services: list[str]
    languages: list[str]
    client_text: str
    held: list[str]
    earlier: list[tuple[str, str]]  # (role, text) of the conversation before this text
    steps: list[Step] = field(default_factory=list)

    def done(self, name: str) -> Step | None:
        """The last call of a tool this turn."""
        return next((s for s in reversed(self.steps) if s.name == name), None)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content if b.get("type") == "text")


def _steps(messages: list[dict[str, Any]]) -> tuple[int, list[Step]]:
    """Where this turn's client message is, and the tool calls since then with their results."""
    start = max(i for i, m in enumerate(messages) if m["role"] == "user" and _content_text(m["content"]))
    steps: list[Step] = []
    for asked, answered in zip(messages[start + 1 :: 2], messages[start + 2 :: 2], strict=False):
        results = {b["tool_use_id"]: b for b in answered["content"] if b.get("type") == "tool_result"}
        for use in (b for b in asked["content"] if b.get("type") == "tool_use"):
            block = results.get(use["id"], {})
            steps.append(
                Step(
                    use["name"],
                    use["input"],
                    json.loads(block.get("content") or "{}"),
                    block.get("is_error", False),
                )
            )
    return start, steps


def read_request(body: dict[str, Any]) -> Reading:
    """What the model gets from one request."""
    system = body.get("system") or ""
    system = system if isinstance(system, str) else _content_text(system)
    today_m = TODAY.search(system)
    assert today_m, "the system prompt names today's date"
    providers_m = PROVIDERS.search(system)
    languages_m = LANGUAGES.search(system)
    messages = body["messages"]
    start, steps = _steps(messages)
    latest = _content_text(messages[start]["content"])
    context = CONTEXT.search(latest)
    held = [label.strip() for _, label in HELD.findall(context.group(1))] if context else []
    client_text = latest[context.end() :].strip() if context else latest.strip()
    earlier = [(m["role"], _content_text(m["content"])) for m in messages[:start]]
    if context is not None and latest[: context.start()].strip():
        earlier.append(("user", latest[: context.start()].strip()))
    return Reading(
        today=date.fromisoformat(today_m.group(1)),
        tz=today_m.group(2),
        providers=providers_m.group(1).split(", ") if providers_m else [],
        services=SERVICES.findall(system.split("Services:", 1)[-1]),
        languages=languages_m.group(1).split(", ") if languages_m else ["en"],
        client_text=client_text,
        held=held,
        earlier=earlier,
        steps=steps,
    )


def _clock(t: time) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}{t.strftime(':%M') if t.minute else ''}{'am' if t.hour < 12 else 'pm'}"


def _money(cents: int) -> str:
    return f"${cents // 100:,}" + (f".{cents % 100:02d}" if cents % 100 else "")


class PlayingModel:
    """The policy: called with a request body, returns a model turn (tool_use or text)."""

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        r = read_request(body)
        now = datetime.now(ZoneInfo(r.tz))
        u = understand(
            r.client_text,
            now=now,
            tz=r.tz,
            option_labels=r.held,
            provider_names=r.providers,
            service_names=r.services,
        )
        lang = u.language if u.language in REPLY else "en"
        if not r.steps:
            first = self._first_move(r, u)
            if first is not None:
                return first
        return self._next_move(r, u, now, lang)

    def _first_move(self, r: Reading, u: Understanding) -> dict[str, Any] | None:
        """Moves that decide the turn at once: a language the spa does not offer, staff's business,
        a choice among the held options."""
        if u.language not in r.languages and u.language != "en":
            return tool(
                "hand_off", {"category": "other", "reason": "writes in a language the spa does not offer"}
            )
        lowered = r.client_text.lower()
        for pattern, category in HANDOFF_CUES:
            if re.search(pattern, lowered):
                return tool(
                    "hand_off", {"category": category, "reason": f"the client asks about a {category}"}
                )
        if r.held and u.choice is not None and not u.reject_options and u.shift is None:
            return tool("confirm_choice", {"option_number": u.choice + 1})
        return None

    def _next_move(self, r: Reading, u: Understanding, now: datetime, lang: str) -> dict[str, Any]:
        confirmed = r.done("confirm_choice")
        if confirmed is not None:
            return text(confirmed.result.get("suggested_reply") or REPLY[lang]["gone"])
        service = _matched(r, SERVICE_CHOICE_MIN_CONFIDENCE)
        if service is None:
            words = self._words_to_match(r, u, now)
            if words is not None:
                return tool("match_service", {"words": words[:300]})
        service = service or _matched(r, SERVICE_WORD_MIN_CONFIDENCE) or self._named_earlier(r)
        if u.questions and r.done("spa_profile") is None:
            return tool("spa_profile", {})
        if PACKAGE_CUES.search(r.client_text.lower()) and r.done("read_benefits") is None:
            return tool("read_benefits", {"service_name": service} if service else {})
        service = _package_service(r) or service
        wants = self._wants_slots(r, u, now)
        searches = [s for s in r.steps if s.name == "find_availability"]
        if service and wants and not searches:
            return tool("find_availability", self._search(r, u, now, service))
        if searches and not r.done("hold_options"):
            again = _a_week_later(searches)
            if again is not None:
                return tool("find_availability", again)
            found = _last_with_options(searches)
            if found is not None:
                return tool("hold_options", {})
        return text(self._reply(r, u, service, lang))

    def _words_to_match(self, r: Reading, u: Understanding, now: datetime) -> str | None:
        """The client's words for a service: this text's, else (once) their latest earlier text's."""
        tried = {s.arguments.get("words") for s in r.steps if s.name == "match_service"}
        candidates = [u.service_text.strip()] if not u.small_talk else []
        for role, said in reversed(r.earlier):
            if role == "user":
                earlier = understand(
                    said, now=now, tz=r.tz, provider_names=r.providers, service_names=r.services
                )
                if earlier.service_text.strip() and not earlier.small_talk:
                    candidates.append(earlier.service_text.strip())
                    break
        for words in candidates:
            if _has_letters(words) and words not in tried:
                return words
        return None

    def _named_earlier(self, r: Reading) -> str | None:
        """The last catalog service the conversation named."""
        names = sorted(r.services, key=len, reverse=True)
        for _, said in reversed(r.earlier):
            for name in names:
                if name.lower() in said.lower():
                    return name
        return None

    def _wants_slots(self, r: Reading, u: Understanding, now: datetime) -> bool:
        """Whether the client asks for times (a day or time, a change to the options, a provider, a
        new service while a time was already given)."""
        cue = BOOKING_CUES.search(r.client_text.lower()) is not None
        if u.questions and u.preference is None and not cue:
            return False
        if u.price_objection:
            return False
        matched = _matched(r, SERVICE_WORD_MIN_CONFIDENCE)
        changed_service = bool(u.service_text.strip()) and matched is not None and r.earlier
        return bool(
            u.preference is not None
            or u.shift is not None
            or u.reject_options
            or u.provider
            or cue
            or (changed_service and self._earlier_preference(r, now) is not None)
        )

    def _search(self, r: Reading, u: Understanding, now: datetime, service: str) -> dict[str, Any]:
        """find_availability's arguments: the preference of this text, else of the client's earlier
        texts, shifted by what this text changes."""
        preference = _preference(u)
        if preference is None or not _has_days(preference) or not _has_times(preference):
            earlier = self._earlier_preference(r, now)
            preference = _merge(preference, earlier)
        preference = _shift(preference or {}, u, r.held)
        arguments: dict[str, Any] = {"service_name": service, "preference": preference or {"asap": True}}
        provider = u.provider or self._earlier_provider(r, now)
        if provider and u.shift != "other_provider":
            arguments["provider_first_name"] = provider
        return arguments

    def _earlier_preference(self, r: Reading, now: datetime) -> dict[str, Any] | None:
        for role, said in reversed(r.earlier):
            if role == "user":
                found = _preference(understand(said, now=now, tz=r.tz, service_names=r.services))
                if found:
                    return found
        return None

    def _earlier_provider(self, r: Reading, now: datetime) -> str | None:
        for role, said in reversed(r.earlier):
            if role == "user":
                found = understand(said, now=now, tz=r.tz, provider_names=r.providers).provider
                if found:
                    return found
        return None

    def _reply(self, r: Reading, u: Understanding, service: str | None, lang: str) -> str:
        say = REPLY[lang]
        lines = self._answers(r, u, service, lang)
        held = r.done("hold_options")
        found = _last_with_options([s for s in r.steps if s.name == "find_availability"]) or r.done(
            "find_availability"
        )
        if held is not None and not held.is_error:
            options = held.result["held"]
            labels = ", ".join(f"{o['number']}) {o['label']}" for o in options)
            numbers = " or ".join(str(o["number"]) for o in options)
            lines.append(
                say["options"].format(
                    service=found.result["service_name"] if found else service, labels=labels, numbers=numbers
                )
            )
        elif found is not None:
            lines.append(say["none"].format(service=found.result.get("service_name", service)))
        elif service and not lines and not u.small_talk:
            lines.append(say["ask_time"].format(service=service))
        if not lines:
            lines.append(say["thanks"] if u.thanks or u.goodbye else say["ask_service"])
        return " ".join(lines)

    def _answers(self, r: Reading, u: Understanding, service: str | None, lang: str) -> list[str]:
        """Answers to the client's questions from the spa profile and the client's benefits."""
        say = REPLY[lang]
        profile = r.done("spa_profile")
        spa = profile.result if profile is not None and not profile.is_error else {}
        out = _catalog_answers(r, u, service, spa, say)
        if spa:
            out.extend(_profile_answers(r, u, spa, say, lang))
        return out + _benefit_answers(r, say)


def _catalog_answers(
    r: Reading, u: Understanding, service: str | None, spa: dict[str, Any], say: dict[str, str]
) -> list[str]:
    """Prices, what the spa offers, and a free consultation for a client who finds it dear."""
    out: list[str] = []
    catalog = {s["name"]: s for s in spa.get("services", [])}
    if "price" in u.questions:
        for name in (n for n in _priced(r, service) if n in catalog):
            cents = catalog[name]["price_cents"]
            priced = say["price"].format(service=name, price=_money(cents))
            out.append(say["free"].format(service=name) if cents == 0 else priced)
    if u.price_objection and (consult := _free_consult(r)):
        out.append(say["consult"].format(consult=consult))
    if "services" in u.questions and "price" not in u.questions and spa:
        if service in catalog:
            cents = catalog[service]["price_cents"]
            price = say["free_word"] if cents == 0 else _money(cents)
            out.append(say["offer"].format(service=service, price=price))
        else:
            out.append(say["services"].format(names=", ".join(list(catalog)[:8])))
    return out


def _profile_answers(
    r: Reading, u: Understanding, spa: dict[str, Any], say: dict[str, str], lang: str
) -> list[str]:
    """Hours, providers and their days, address and parking."""
    out: list[str] = []
    weekday = u.question_weekday
    if "hours" in u.questions:
        out.append(_hours_answer(spa, weekday, say, lang))
    if "provider_schedule" in u.questions and u.provider:
        day = weekday if weekday is not None else r.today.weekday()
        out.append(_provider_answer(spa, u.provider, day, say, lang))
    elif "providers" in u.questions or "provider_schedule" in u.questions:
        names = ", ".join(p["first_name"] for p in spa.get("providers", []))
        out.append(say["providers"].format(names=names))
    if "address" in u.questions and spa.get("address"):
        out.append(say["address"].format(address=spa["address"]))
    if "parking" in u.questions and spa.get("parking_note"):
        out.append(say["parking"].format(parking=spa["parking_note"]))
    return out


def _benefit_answers(r: Reading, say: dict[str, str]) -> list[str]:
    """The client's own package balances and the spa's package offers, when read this turn."""
    benefits = r.done("read_benefits")
    if benefits is None or benefits.is_error:
        return []
    out = [
        say["balance"].format(left=p["sessions_remaining"], name=p["package_name"])
        for p in benefits.result.get("packages", [])
    ]
    out.extend(
        say["package"].format(name=o["name"], sessions=o["sessions"], price=_money(o["price_cents"]))
        for o in benefits.result.get("package_offers", [])
    )
    return out


def _hours_text(intervals: list[list[str]]) -> str:
    return ", ".join(f"{_clock(time.fromisoformat(a))}-{_clock(time.fromisoformat(b))}" for a, b in intervals)


def _day(weekday: int, lang: str) -> str:
    return (DIAS if lang == "es" else WEEKDAYS)[weekday]


def _hours_answer(spa: dict[str, Any], weekday: int | None, say: dict[str, str], lang: str) -> str:
    if weekday is None:
        return say["hours"].format(hours=spa.get("hours_summary", ""))
    day = next((d for d in spa.get("hours", []) if d["weekday"] == weekday), None)
    if day is None or not day["intervals"]:
        return say["closed_day"].format(day=_day(weekday, lang))
    return say["hours_day"].format(day=_day(weekday, lang), hours=_hours_text(day["intervals"]))


def _provider_answer(spa: dict[str, Any], name: str, weekday: int, say: dict[str, str], lang: str) -> str:
    provider = next((p for p in spa.get("providers", []) if p["first_name"].lower() == name.lower()), None)
    week = {d["weekday"]: d["intervals"] for d in (provider or {}).get("week", [])}
    if not week.get(weekday):
        return say["provider_off"].format(name=name, day=_day(weekday, lang))
    return say["provider_day"].format(name=name, day=_day(weekday, lang), hours=_hours_text(week[weekday]))


def _has_letters(words: str) -> bool:
    return sum(c.isalpha() for c in words) >= 3


DAY_FIELDS = ("dates", "date_from", "date_to", "weekdays")
TIME_FIELDS = ("part_of_day", "target_time", "earliest_time", "latest_time")


def _preference(u: Understanding) -> dict[str, Any] | None:
    """The structured preference of a text, as find_availability takes it (JSON, no empty fields)."""
    if u.preference is None:
        return None
    return {k: v for k, v in u.preference.model_dump(mode="json").items() if v not in (None, [], False)}


def _has_days(p: dict[str, Any]) -> bool:
    return any(k in p for k in DAY_FIELDS)


def _has_times(p: dict[str, Any]) -> bool:
    return any(k in p for k in TIME_FIELDS)


def _merge(new: dict[str, Any] | None, old: dict[str, Any] | None) -> dict[str, Any] | None:
    """A new preference keeps the days or the times of the earlier one it does not restate."""
    if new is None or old is None:
        return new or old
    merged = dict(new)
    if not _has_days(new):
        merged.update({k: v for k, v in old.items() if k in DAY_FIELDS})
    if not _has_times(new):
        merged.update({k: v for k, v in old.items() if k in TIME_FIELDS})
    if _has_days(merged) or _has_times(merged):
        merged.pop("asap", None)
    return merged


def _offered_minutes(labels: list[str]) -> list[int]:
    out = []
    for label in labels:
        for hour, minute, half in CLOCK.findall(label.lower()):
            out.append((int(hour) % 12 + (12 if half == "pm" else 0)) * 60 + int(minute or 0))
    return out


def _shift(p: dict[str, Any], u: Understanding, held: list[str]) -> dict[str, Any]:
    """'later' / 'earlier' than the times offered."""
    offered = _offered_minutes(held)
    if not offered or u.shift not in ("later", "earlier") or _has_times(_preference(u) or {}):
        return p
    out = {k: v for k, v in p.items() if k not in TIME_FIELDS}
    if u.shift == "later":  # "later in the day": from the next full hour after the latest offered
        minutes = (max(offered) // 60 + 1) * 60
        out["earliest_time"] = f"{minutes // 60:02d}:{minutes % 60:02d}"
    else:
        minutes = min(offered) - 1
        out["latest_time"] = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return out


def _confident(step: Step) -> list[dict[str, Any]]:
    if step.is_error:
        return []
    return [m for m in step.result.get("matches", []) if m["confidence"] >= SERVICE_WORD_MIN_CONFIDENCE]


def _matched(r: Reading, at_least: float) -> str | None:
    """The best service the client's words matched this turn with this confidence."""
    for step in r.steps:
        if step.name == "match_service":
            chosen = [m for m in _confident(step) if m["confidence"] >= at_least]
            if chosen:
                return str(chosen[0]["name"])
    return None


def _priced(r: Reading, service: str | None) -> list[str]:
    """The services a price question is about: every close match (up to three), else the service."""
    for step in r.steps:
        if step.name == "match_service":
            close = [
                m["name"] for m in _confident(step) if m["confidence"] >= 0.8 and not m["is_consultation"]
            ]
            if close:
                return close[:3]
    return [service] if service else []


def _free_consult(r: Reading) -> str | None:
    """A free consultation among the services matched this turn or named in the catalog."""
    for step in r.steps:
        if step.name == "match_service":
            for m in _confident(step):
                if m["is_consultation"] and m["price_cents"] == 0:
                    return str(m["name"])
    return None


def _offers_time(found: dict[str, Any], target: str | None) -> bool:
    """Whether the options include the time asked for (any, when no time was asked for)."""
    if not target:
        return True
    wanted = f" at {_clock(time.fromisoformat(target))}"
    return any(o.get("local_label", "").endswith(wanted) for o in found.get("options", []))


def _package_service(r: Reading) -> str | None:
    """The catalog service a package the client holds (with sessions left) is for."""
    benefits = r.done("read_benefits")
    if benefits is None or benefits.is_error:
        return None
    held = [p["package_name"].lower() for p in benefits.result.get("packages", []) if p["sessions_remaining"]]
    for name in sorted(r.services, key=len, reverse=True):
        if any(name.lower() in package for package in held):
            return name
    return None


def _last_with_options(searches: list[Step]) -> Step | None:
    return next((s for s in reversed(searches) if not s.is_error and s.result.get("options")), None)


WEEKS_AHEAD = 3


def _a_week_later(searches: list[Step]) -> dict[str, Any] | None:
    """Search again: when nothing is open then, the nearest times; when the day asked for is full
    (`exact` false) or the time asked for is not among the options, the same day a week later (up to
    three weeks)."""
    last = searches[-1]
    preference = last.arguments.get("preference", {})
    dates = preference.get("dates")
    if last.is_error or len(searches) > WEEKS_AHEAD:
        return None
    if not last.result.get("options") and not preference.get("asap"):
        return {**last.arguments, "preference": {"asap": True}}  # nothing then: the nearest times
    if not dates:
        return None
    if last.result.get("exact", True) and _offers_time(last.result, preference.get("target_time")):
        return None
    later = [(date.fromisoformat(d) + timedelta(days=7)).isoformat() for d in dates]
    return {**last.arguments, "preference": {**last.arguments["preference"], "dates": later}}
