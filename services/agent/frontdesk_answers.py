"""What a front desk answers from the spa's public profile: prices, packages, how long a treatment
takes, address, hours, parking, providers.

Pure: no I/O. Each answer is one or two sentences from the reply table of the conversation's
language; a question the profile cannot answer gives no sentence (the booking question still goes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from shared.contracts.conversation import ServiceCandidate
from shared.contracts.tools import (
    ClosedDay,
    OpeningDay,
    PackageBalance,
    PackageOffer,
    ProviderInfo,
    ServiceInfo,
    SpaProfile,
)

from .replies import date_label, day_name, hours_label, join_and, lang_of, money, say

# The order answers are given in when one text asks several things.
ORDER = (
    "about", "balance", "for_the_provider", "price", "cheapest", "packages", "consult", "duration",
    "services", "providers", "provider_schedule", "hours", "address", "parking", "phone",
)  # fmt: skip
# A phone number written in the spa's help text ("Call (415) 555-0199 for help.").
_PHONE = re.compile(r"\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b|\+\d{10,15}\b")


@dataclass(frozen=True)
class Asked:
    """What the answers need besides the profile: the service, offers, weekday and provider asked about."""

    profile: SpaProfile
    lang: str = "en"
    service: ServiceCandidate | None = None
    offers: Sequence[PackageOffer] = ()
    weekday: int | None = None
    provider: str | None = None
    questions: frozenset[str] = frozenset()
    day: date | None = None  # the one date asked about ("open christmas eve?"), when the text names one
    balances: Sequence[PackageBalance] | None = None  # the client's packages (None: not looked up)


def answers(questions: frozenset[str], asked: Asked) -> list[str]:
    """The sentences answering every question the text asked, in a fixed order (a reply too long for
    one text drops them from the last)."""
    out: list[str] = []
    asked = replace(asked, questions=questions)
    if "packages" in questions:
        questions = questions - {"services"}  # "do you guys do packages?" asks about packages only
    if "cheapest" in questions:
        questions = questions - {"price"}  # "prices for your facials?": the kind's prices, lowest first
    for question in ORDER:
        if question == "price" and question in questions:
            out.extend(price_sentences(asked))  # sentence by sentence: see `price_sentences`
        elif question in questions:
            text = ANSWERS[question](asked)
            if text:
                out.append(text)
    return out


def price(asked: Asked) -> str:
    """'Lip Filler is $650. The consultation is free.' (with the package offer when there is one)."""
    return " ".join(price_sentences(asked))


def prices_of(asked: Asked, services: Sequence[ServiceCandidate]) -> list[str]:
    """Each service's price for 'how much are botox and lip filler?'; a sentence true of them all
    ('The consultation is free.') is said once, after the prices."""
    each = [price_sentences(replace(asked, service=s)) for s in services]
    shared = set(each[0]).intersection(*each[1:]) if len(each) > 1 else set()
    own = [sentence for sentences in each for sentence in sentences if sentence not in shared]
    return own + [sentence for sentence in (each[0] if each else []) if sentence in shared]


def price_sentences(asked: Asked) -> list[str]:
    """The price, then the package offer and the free consult: a reply too long for one text keeps
    the price and drops the others from the last."""
    service, lang = asked.service, asked.lang
    if service is None:
        return []  # the booking question asks which treatment
    if service.price_cents == 0:
        parts = [say(lang, "price_free", service=service.name)]
        if after := treatments_after(asked):  # "how much is laser?" asks what the treatments cost
            parts.append(say(lang, "price_after_consult", items=after))
    else:
        parts = [say(lang, "price", service=service.name, price=money(service.price_cents))]
    if asked.offers:
        offer = min(asked.offers, key=lambda o: o.per_session_cents)
        parts.append(
            say(
                lang,
                "price_package",
                package=offer.name,
                sessions=offer.sessions,
                price=money(offer.price_cents),
            )
        )
    if service.free_consult:
        parts.append(say(lang, "price_free_consult"))
    return parts


def treatments_after(asked: Asked) -> str:
    """'Laser Hair Removal $150, IPL Photofacial $400 and Fractional Laser Resurfacing $900': the
    treatments a free consultation leads to, cheapest first ("" for any other service)."""
    info = _service_info(asked)
    if info is None or not info.is_consultation:
        return ""
    after = sorted(
        (s for s in asked.profile.services if s.consult_service_id == info.service_id and s.price_cents > 0),
        key=lambda s: (s.price_cents, s.name),
    )
    return join_and([f"{s.name} {money(s.price_cents)}" for s in after[:3]], asked.lang)


# How a catalog category is named in "Our facials start at $95: ..." (the category key otherwise).
CATEGORY_WORDS: dict[str, dict[str, str]] = {
    "en": {"lasers": "laser treatments", "body": "body treatments"},
    "es": {
        "facials": "faciales",
        "lasers": "tratamientos láser",
        "injectables": "inyectables",
        "body": "tratamientos corporales",
    },
}


def cheapest(asked: Asked) -> str:
    """'Our facials start at $95: Dermaplaning $95, Chemical Peel $175, HydraFacial $225 and ...' for
    the kind of treatment asked about (the whole menu when none was named), lowest price first."""
    lang, profile = lang_of(asked.lang), asked.profile
    info = _service_info(asked)
    category = info.category if info else None
    priced = sorted(
        (s for s in profile.services if s.price_cents > 0 and not s.is_consultation),
        key=lambda s: (s.price_cents, s.name),
    )
    kind = [s for s in priced if category is None or s.category == category][:4]
    if not kind:
        return ""
    names = [f"{s.name} {money(s.price_cents)}" for s in kind]
    words = CATEGORY_WORDS[lang].get(category or "", category or say(lang, "treatments_word"))
    return say(lang, "cheapest", category=words, price=money(kind[0].price_cents), list=join_and(names, lang))


def packages(asked: Asked) -> str:
    """The package for the service asked about (its price when it has none); said once with a price."""
    if "price" in asked.questions:
        return ""  # the price answer already names the package
    return price(asked)  # without a service: the booking question asks which treatment


def consult(asked: Asked) -> str:
    """Whether a new client starts with a consultation: 'Yes, new clients start with a Dermal Filler
    Consultation, and it's free.', the consultation a treatment starts with, or that none is needed."""
    service, lang, profile = asked.service, asked.lang, asked.profile
    if service is None:
        return ""  # the booking question asks which treatment
    if service.is_consultation:
        if not profile.consult_first:
            return price(replace(asked, offers=()))
        key = "consult_is_first" if service.price_cents == 0 else "consult_is_first_paid"
        return say(lang, key, consult=service.name, price=money(service.price_cents))
    first = service_info(profile, service.consult_service_id) if service.consult_service_id else None
    if first is None or not profile.consult_first:
        return say(lang, "consult_not_needed", service=service.name)
    key = "consult_first" if first.price_cents == 0 else "consult_first_paid"
    return say(lang, key, service=service.name, consult=first.name)


def duration(asked: Asked) -> str:
    """'A HydraFacial takes about 60 minutes.'"""
    service = asked.service
    if service is None or service.duration_minutes <= 0:
        return ""
    return say(asked.lang, "duration", service=service.name, minutes=service.duration_minutes)


def address(asked: Asked) -> str:
    """'We're at 2140 Chestnut St, ...'."""
    return say(asked.lang, "address", address=asked.profile.address) if asked.profile.address else ""


def parking(asked: Asked) -> str:
    """The spa's parking note."""
    note = asked.profile.parking_note
    return say(asked.lang, "parking", note=note) if note else ""


def phone(asked: Asked) -> str:
    """'You can call us at (415) 555-0199.' from the number in the spa's help text (nothing without one)."""
    m = _PHONE.search(asked.profile.help_text)
    return say(asked.lang, "phone", phone=m[0]) if m else ""


def hours(asked: Asked) -> str:
    """Opening hours of the day asked about, or of the week."""
    profile, lang = asked.profile, asked.lang
    if asked.day is not None and (special := _closure(profile.closures, asked.day)) is not None:
        return closure_hours(special, lang)
    if asked.weekday is not None and profile.hours:
        day = _day(profile.hours, asked.weekday)
        name = day_name(asked.weekday, lang)
        if day is None or not day.intervals:
            return say(lang, "closed_day", day=name)
        return say(lang, "hours_day", day=name, hours=hours_label(day.intervals, lang))
    summary = profile.hours_summary or week_summary(profile.hours, lang)
    return say(lang, "hours_week", summary=summary) if summary else ""


def closure_hours(special: ClosedDay, lang: str) -> str:
    """A holiday or short day: 'We're closed Friday, Dec 25 (Christmas Day).', 'On Thursday, Dec 24
    (Christmas Eve) we're open 9am to 2pm.'"""
    label = date_label(datetime.combine(special.day, time(12)), lang)
    label += f" ({special.reason})" if special.reason else ""
    if not special.intervals:
        return say(lang, "closed_date", day=label)
    return say(lang, "hours_day", day=label, hours=hours_label(special.intervals, lang))


def _closure(closures: Sequence[ClosedDay], day: date) -> ClosedDay | None:
    return next((c for c in closures if c.day == day), None)


def providers(asked: Asked) -> str:
    """Who does the service asked about."""
    service = _service_info(asked)
    if service is None or not service.provider_ids:
        return ""
    names = [p.first_name for p in asked.profile.providers if p.provider_id in service.provider_ids]
    return (
        say(asked.lang, "providers", service=service.name, names=join_and(names, asked.lang)) if names else ""
    )


def provider_schedule(asked: Asked) -> str:
    """Whether a named provider works the day asked about, or their usual days."""
    provider = find_provider(asked.profile, asked.provider)
    lang = asked.lang
    if provider is None:
        return say(lang, "provider_unknown") if asked.provider else ""
    days = days_summary([d.weekday for d in provider.week if d.intervals], lang)
    if asked.weekday is None:
        return say(lang, "provider_week", provider=provider.first_name, days=days)
    day = _day(provider.week, asked.weekday)
    name = day_name(asked.weekday, lang)
    if day is None or not day.intervals:
        return say(lang, "provider_day_no", provider=provider.first_name, day=name, days=days)
    return say(
        lang,
        "provider_day_yes",
        provider=provider.first_name,
        day=name,
        hours=hours_label(day.intervals, lang),
    )


def about(asked: Asked) -> str:
    """What the treatment asked about is, in the spa file's own words (English: nothing in another
    language, rather than a sentence the client may not read)."""
    service = _service_info(asked)
    if service is None or not service.about or lang_of(asked.lang) != "en":
        return ""
    return service.about


def balance(asked: Asked) -> str:
    """'Your HydraFacial, 3 sessions has 2 sessions left.' for each package with sessions left ("" when
    the client was not looked up)."""
    if asked.balances is None:
        return ""
    held = [p for p in asked.balances if p.sessions_remaining > 0]
    if not held:
        return say(asked.lang, "balance_none")
    return " ".join(
        say(
            asked.lang,
            "balance",
            package=p.package_name,
            count=p.sessions_remaining,
            unit=sessions_unit(p, asked.lang),
        )
        for p in held[:2]
    )


def sessions_unit(package: PackageBalance, lang: str) -> str:
    """'session' or 'sessions' (sesión, sesiones) for the sessions left on a package."""
    one = package.sessions_remaining == 1
    if lang_of(lang) == "es":
        return "sesión" if one else "sesiones"
    return "session" if one else "sessions"


def services(asked: Asked) -> str:
    """Whether the spa offers the service asked about, or a few of its services."""
    service, lang = asked.service, asked.lang
    if service is not None:
        parts = [say(lang, "service_offered", service=service.name)]
        if service.is_consultation and service.price_cents == 0:
            parts.append(say(lang, "price_free", service=service.name))
        elif service.free_consult:
            parts.append(say(lang, "price_free_consult"))
        return " ".join(parts)
    offered = [s for s in asked.profile.services if not s.is_consultation]
    if not offered:
        return ""
    names = [s.name for s in offered][:6]
    return say(asked.lang, "services", names=join_and(names, asked.lang))


ANSWERS: dict[str, Callable[[Asked], str]] = {
    "about": about,
    "balance": balance,
    "for_the_provider": lambda asked: say(asked.lang, "for_the_provider"),
    "price": price,
    "cheapest": cheapest,
    "packages": packages,
    "consult": consult,
    "duration": duration,
    "address": address,
    "parking": parking,
    "phone": phone,
    "hours": hours,
    "providers": providers,
    "provider_schedule": provider_schedule,
    "services": services,
}


def memberships(profile: SpaProfile, lang: str = "en") -> str:
    """'Our Glow Club is $149 a month, with 10% off HydraFacial.' for each membership the spa sells
    (empty when it sells none: staff answer then)."""
    sentences = []
    for plan in profile.memberships[:3]:
        price = money(plan.monthly_price_cents)
        values = {"tier": plan.name, "price": price, "percent": plan.discount_percent}
        if plan.discount_percent and plan.covers:
            sentences.append(say(lang, "membership", names=join_and(plan.covers, lang), **values))
        else:
            sentences.append(say(lang, "membership_plain", **values))
    return " ".join(sentences)


def find_provider(profile: SpaProfile, name: str | None) -> ProviderInfo | None:
    """The provider with this first name (any case)."""
    if not name:
        return None
    return next((p for p in profile.providers if p.first_name.lower() == name.lower()), None)


def service_info(profile: SpaProfile, service_id: object) -> ServiceInfo | None:
    """The catalog entry of a service id, when the profile lists the catalog."""
    return next((s for s in profile.services if s.service_id == service_id), None)


def _service_info(asked: Asked) -> ServiceInfo | None:
    return service_info(asked.profile, asked.service.service_id) if asked.service else None


def _day(week: Sequence[OpeningDay], weekday: int) -> OpeningDay | None:
    return next((d for d in week if d.weekday == weekday), None)


def days_summary(weekdays: Sequence[int], lang: str = "en") -> str:
    """'Tuesday to Saturday', 'Monday, Wednesday and Friday' (runs of three or more as a range)."""
    ordered = sorted(set(weekdays))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                f"{day_name(run[0], lang)} {'a' if lang == 'es' else 'to'} {day_name(run[-1], lang)}"
            )
        else:
            parts.extend(day_name(d, lang) for d in run)
    return join_and(parts, lang)


def week_summary(week: Sequence[OpeningDay], lang: str = "en") -> str:
    """'Monday to Friday 9am to 7pm, Saturday 9am to 5pm' (days with the same hours grouped)."""
    groups: list[tuple[list[int], str]] = []
    for day in sorted(week, key=lambda d: d.weekday):
        if not day.intervals:
            continue
        label = hours_label(day.intervals, lang)
        if groups and groups[-1][1] == label and day.weekday == groups[-1][0][-1] + 1:
            groups[-1][0].append(day.weekday)
        else:
            groups.append(([day.weekday], label))
    return ", ".join(f"{days_summary(days, lang)} {label}" for days, label in groups)
