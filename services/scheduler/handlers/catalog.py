"""Use cases about the spa's catalog: ranking services for a client's words, the public profile."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from services.scheduler import domain, matching
from services.scheduler.domain import SpaCatalog
from services.scheduler.handlers.audit_policy import disclosed_fields
from services.scheduler.handlers.ports import Ports, Served
from shared.contracts.tools import (
    ClosedDay,
    GetSpaProfile,
    MatchService,
    MembershipPlan,
    OpeningDay,
    ProviderInfo,
    ServiceInfo,
    ServiceMatch,
    ServiceMatches,
    SpaProfile,
    ToolReply,
)


async def match_service(
    req: MatchService, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Catalog services ranked for the client's words."""
    ranked = matching.rank(req.text, spa.services.values(), req.limit, ignore=spa.name)
    matches = [
        ServiceMatch(
            service_id=s.service.id,
            name=s.service.name,
            category=s.service.category,
            confidence=s.confidence,
            is_consultation=s.service.is_consultation,
            duration_minutes=s.service.duration_minutes,
            price_cents=s.service.price_cents,
            free_consult=s.service.free_consult,
            consult_service_id=s.service.consult_service_id,
        )
        for s in ranked
    ]
    summary = {"matches": [{"service_id": str(m.service_id), "confidence": m.confidence} for m in matches]}
    return Served(ServiceMatches(matches=matches), summary)


async def spa_profile(
    req: GetSpaProfile, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """The spa's public settings the agent may say: hours, catalog, providers' usual weeks, languages.

    Providers appear by first name with their weekly hours only: dated exceptions (time off) and
    anything about clients stay out.
    """
    cached = _PROFILES.get(spa.id)
    if cached is None or cached[0] is not spa:
        profile = _profile(spa)
        summary = {"services": len(profile.services), "providers": len(profile.providers)}
        served = Served(profile, summary, disclosed=disclosed_fields(profile))
        # The catalog is immutable and replaced on a new version: one profile per catalog object.
        cached = _PROFILES[spa.id] = (spa, served, profile.__pydantic_serializer__.to_json(profile))
    return cached[1]


# Per spa: the catalog object a profile was built from, the profile served, and its JSON.
_PROFILES: dict[str, tuple[SpaCatalog, Served, bytes]] = {}


def encode_reply(tool: str, reply: ToolReply[Any]) -> bytes:
    """The reply as JSON; a cached spa profile is spliced in as the bytes encoded once per catalog."""
    if tool == "spa_profile" and reply.ok and reply.served_at is not None:
        for _, served, encoded in _PROFILES.values():
            if served.result is reply.result:
                stamp = reply.served_at.isoformat().encode()
                return b'{"ok":true,"result":' + encoded + b',"error":null,"served_at":"' + stamp + b'"}'
    return reply.__pydantic_serializer__.to_json(reply)


def _profile(spa: SpaCatalog) -> SpaProfile:
    return SpaProfile(
        tenant_id=spa.id,
        name=spa.name,
        timezone=spa.timezone,
        address=spa.address,
        parking_note=spa.parking_note,
        help_text=spa.help_text,
        hours_summary=domain.hours_summary(spa.opening),
        hours=_week(spa.opening),
        closures=[
            ClosedDay(day=c.day, intervals=list(c.hours), reason=c.reason)
            for c in sorted(spa.closures.values(), key=lambda c: c.day)
        ],
        services=[_service_info(spa, s) for s in sorted(spa.services.values(), key=lambda s: s.key)],
        providers=[
            ProviderInfo(provider_id=p.id, first_name=p.first_name, week=_week(p.weekly))
            for p in sorted(spa.providers.values(), key=lambda p: p.key)
        ],
        languages=list(spa.languages),
        consult_first=spa.rules.consult_first,
        memberships=[
            MembershipPlan(
                name=m.name,
                monthly_price_cents=m.monthly_price_cents,
                discount_percent=m.discount_percent,
                covers=[spa.services[s].name for s in m.covered_service_ids if s in spa.services],
            )
            for m in spa.memberships
        ],
    )


def _week(hours: Mapping[int, Sequence[domain.Interval]]) -> list[OpeningDay]:
    """Seven days, Monday first; a day without intervals is closed."""
    return [OpeningDay(weekday=wd, intervals=list(hours.get(wd, ()))) for wd in range(7)]


def _service_info(spa: SpaCatalog, service: domain.ServiceDef) -> ServiceInfo:
    return ServiceInfo(
        service_id=service.id,
        key=service.key,
        name=service.name,
        category=service.category,
        price_cents=service.price_cents,
        duration_minutes=service.duration_minutes,
        is_consultation=service.is_consultation,
        free_consult=service.free_consult,
        consult_service_id=service.consult_service_id,
        provider_ids=[p.id for p in spa.qualified(service)],
        about=service.about,
    )
