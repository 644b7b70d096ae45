"""The scheduler's use cases: one per tool, plus the dispatcher that audits every served request.

Every request is answered inside one transaction that also writes its audit record to the outbox
(DESIGN.md invariant 5). A use case runs in a savepoint: when it fails with a typed error, whatever
it wrote is rolled back and only the audit record of the failure is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import structlog
from pydantic import BaseModel, ValidationError

from services.scheduler import domain, matching, repo
from services.scheduler.domain import SpaCatalog
from shared import metrics
from shared.audit import record, record_many
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.contracts.envelope import utcnow
from shared.contracts.tools import (
    TOOLS,
    AvailabilityFound,
    BookingRecord,
    ClientBenefits,
    ClientRecord,
    ConfirmBooking,
    FindAvailability,
    GetClientBenefits,
    GetSpaProfile,
    Hold,
    HoldSlots,
    HoldsReleased,
    LookupOrCreateClient,
    MatchService,
    MembershipInfo,
    OpeningDay,
    PackageBalance,
    PackageOffer,
    ProviderInfo,
    ReleaseHolds,
    ServiceInfo,
    ServiceMatch,
    ServiceMatches,
    SlotsHeld,
    SpaProfile,
    TimePreference,
    ToolError,
    ToolReply,
    ToolRequest,
    UpcomingBookings,
    UpcomingBookingsFound,
)
from shared.db import transaction
from shared.ids import client_ref
from shared.subjects import Topology

log = structlog.get_logger()

ASAP_CHUNK_DAYS = 3


class ToolFailure(Exception):
    """A typed error reply: the use case's writes are rolled back, the failure is audited."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass
class Served:
    """A use case's result and what the audit record says about it."""

    result: BaseModel
    summary: dict[str, Any] = field(default_factory=dict)
    client_id: UUID | None = None
    client_ref: str | None = None
    disclosed: list[str] | None = None  # precomputed disclosed_fields(result) of a cached result


class CatalogCache:
    """Each spa's static catalog in memory; re-read when its version changes (checked every few s)."""

    def __init__(self, recheck_seconds: float = 2.0) -> None:
        self._recheck = recheck_seconds
        self._entries: dict[str, tuple[SpaCatalog, float]] = {}

    async def get(self, conn: asyncpg.Connection, spa_id: str) -> SpaCatalog:
        """The spa's catalog; ToolFailure(not_found) for an unknown spa."""
        entry = self._entries.get(spa_id)
        now = time.monotonic()
        if entry is not None and now - entry[1] < self._recheck:
            return entry[0]
        version = await repo.spa_version(conn, spa_id)
        if version is None:
            raise ToolFailure("not_found", f"no spa {spa_id!r} is loaded", "tenant_id")
        if entry is not None and entry[0].version == version:
            self._entries[spa_id] = (entry[0], now)
            return entry[0]
        catalog = await repo.load_catalog(conn, spa_id)
        if catalog is None:
            raise ToolFailure("not_found", f"no spa {spa_id!r} is loaded", "tenant_id")
        self._entries[spa_id] = (catalog, now)
        return catalog


class AuditBatcher:
    """Commits the audit records of concurrent read-only requests together, each before its reply.

    A caller waits until the one INSERT holding its record has committed, so invariant 5 holds as
    if it had written alone; under load one commit (one WAL flush) serves many requests.
    """

    def __init__(self, pool: asyncpg.Pool, topology: Topology, *, max_batch: int = 500) -> None:
        self._pool = pool
        self._topology = topology
        self._max_batch = max_batch
        self._pending: list[tuple[AuditRecorded, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def record(self, entry: AuditRecorded) -> None:
        """Return once `entry` is committed to the outbox; raise if it could not be."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="scheduler-audit-batch")
        await future

    async def _drain(self) -> None:
        # While one INSERT is in flight the next requests queue up; the next INSERT takes them all.
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                async with self._pool.acquire() as conn:
                    await record_many(conn, self._topology, [entry for entry, _ in batch])
            except BaseException as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else ConnectionError())
                if not isinstance(exc, Exception):
                    raise
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)


@dataclass
class Ports:
    """What the use cases need besides the request."""

    pool: asyncpg.Pool
    topology: Topology
    catalogs: CatalogCache
    id_hash_key: str
    hold_ttl_seconds: int = 600
    instance: str = ""
    crash_after_commit: str | None = None
    on_commit: Callable[[], None] = lambda: None
    audit: AuditBatcher | None = None

    def __post_init__(self) -> None:
        if self.audit is None:
            self.audit = AuditBatcher(self.pool, self.topology)


# ----- use cases -----


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


@dataclass(frozen=True)
class Search:
    """What one availability search walks: the service, its providers, the preference and limits."""

    spa: SpaCatalog
    service: domain.ServiceDef
    providers: list[domain.ProviderDef]
    pref: TimePreference
    window: domain.Window
    excluded: frozenset[datetime]
    limit: int


async def _gather(
    conn: asyncpg.Connection, search: Search, days: list[date], *, stop_early: bool
) -> list[domain.Candidate]:
    # Bookings are read chunk by chunk for the days being considered only, so a 90-day horizon costs
    # one small indexed query when the first days have room.
    spa, tz = search.spa, search.spa.tz
    ids = [p.id for p in search.providers]
    found: list[domain.Candidate] = []
    days_with_slots = 0
    chunk = ASAP_CHUNK_DAYS if stop_early else max(len(days), 1)
    for i in range(0, len(days), chunk):
        part = days[i : i + chunk]
        start = domain.local_at(min(part), domain.time(0), tz)
        end = domain.local_at(max(part) + timedelta(days=1), domain.time(0), tz)
        busy = await repo.busy(conn, ids, start, end)
        for day in part:
            cands = domain.day_candidates(
                spa, search.service, search.providers, day, search.pref, search.window, busy, search.excluded
            )
            if cands:
                days_with_slots += 1
                found.extend(cands)
            if stop_early and domain.enough(found, days_with_slots, search.limit):
                return found
    return found


def _providers_for(
    spa: SpaCatalog, service: domain.ServiceDef, provider_id: UUID | None
) -> list[domain.ProviderDef]:
    """The qualified providers, or only the one asked for (who must be qualified)."""
    if provider_id is None:
        return spa.qualified(service)
    provider = spa.providers.get(provider_id)
    if provider is None:
        raise ToolFailure("invalid_request", "no such provider at this spa", "provider_id")
    if not provider.can_perform(service):
        raise ToolFailure("invalid_request", "that provider does not perform this service", "provider_id")
    return [provider]


async def find_availability(
    req: FindAvailability, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Open slots with qualified providers; alternatives on other days when the asked days are full.

    `provider_id` narrows to one provider, `after` keeps only later starts, `exclude_starts` are never
    offered again; alternatives honour all three.
    """
    service = spa.services.get(req.service_id)
    if service is None:
        raise ToolFailure("service_not_found", "no such service at this spa", "service_id")
    search = Search(
        spa=spa,
        service=service,
        providers=_providers_for(spa, service, req.provider_id),
        pref=req.preference,
        window=domain.Window.of(spa, req.now or utcnow(), req.after),
        excluded=frozenset(req.exclude_starts),
        limit=req.limit,
    )
    days = domain.requested_days(search.pref, search.window)
    cands = await _gather(conn, search, days, stop_early=not search.pref.dates)
    exact = True
    if not cands and (domain.has_day_constraint(search.pref) or req.after or req.provider_id):
        exact = False
        alternatives = domain.alternative_days(search.pref, search.window)
        cands = await _gather(conn, search, alternatives, stop_early=True)
    spread = search.pref.target_time is None
    options = [domain.to_option(spa, service, c) for c in domain.choose(cands, req.limit, spread=spread)]
    summary = {
        "options": len(options),
        "exact": exact,
        "slots": [{"provider_id": str(o.provider_id), "start": o.start.isoformat()} for o in options],
    }
    return Served(AvailabilityFound(options=options, timezone=spa.timezone, exact=exact), summary)


async def hold_slots(req: HoldSlots, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports) -> Served:
    """Hold what can still be held of the offered options; slot_taken when none can."""
    now = utcnow()
    window = domain.Window.of(spa, now)
    buffer = timedelta(minutes=spa.rules.buffer_minutes)
    for i, option in enumerate(req.options):
        service = spa.services.get(option.service_id)
        if service is None:
            raise ToolFailure("service_not_found", "no such service at this spa", f"options.{i}.service_id")
        provider = spa.providers.get(option.provider_id)
        if provider is None or not provider.can_perform(service):
            raise ToolFailure(
                "invalid_request", "provider is not qualified for this service", f"options.{i}.provider_id"
            )
        if option.end - option.start != timedelta(minutes=service.duration_minutes):
            raise ToolFailure(
                "invalid_request", "end does not match the service's duration", f"options.{i}.end"
            )
        if not (window.earliest <= option.start < window.latest):
            raise ToolFailure("invalid_request", "start is outside the booking window", f"options.{i}.start")
        if not domain.slot_fits_hours(spa, provider, option.start, option.end):
            raise ToolFailure("invalid_request", "outside the provider's working hours", f"options.{i}.start")
    ref = None
    if req.client_id is not None:
        ref = await repo.client_ref_of(conn, spa.id, req.client_id)
        if ref is None:
            raise ToolFailure("not_found", "no such client at this spa", "client_id")
    await repo.lock_providers(conn, (o.provider_id for o in req.options))
    await repo.expire_holds(conn, sorted({o.provider_id for o in req.options}))
    ttl = req.ttl_seconds or ports.hold_ttl_seconds
    holds: list[Hold] = []
    taken = 0
    for option in req.options:
        hold_id = uuid4()
        try:
            async with conn.transaction():  # a savepoint: one taken option does not undo the others
                expires = await repo.insert_hold(
                    conn,
                    hold_id=hold_id,
                    spa_id=spa.id,
                    client_id=req.client_id,
                    provider_id=option.provider_id,
                    service_id=option.service_id,
                    start=option.start,
                    end=option.end,
                    blocked_until=option.end + buffer,
                    ttl_seconds=ttl,
                )
        except asyncpg.ExclusionViolationError:
            taken += 1
            continue
        label = option.local_label or domain.local_label(option.start, spa.tz)
        holds.append(
            Hold(hold_id=hold_id, option=option.model_copy(update={"local_label": label}), expires_at=expires)
        )
    if not holds:
        raise ToolFailure("slot_taken", "every option was taken by someone else", "options")
    summary = {
        "hold_ids": [str(h.hold_id) for h in holds],
        "held": len(holds),
        "taken": taken,
        "ttl_seconds": ttl,
    }
    return Served(SlotsHeld(holds=holds), summary, client_id=req.client_id, client_ref=ref)


async def confirm_booking(
    req: ConfirmBooking, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Book a live hold; the same hold confirmed again returns the same booking."""
    # The provider's lock before the hold's row lock: the same order as hold_slots (provider, then rows).
    await repo.lock_hold_provider(conn, spa.id, req.hold_id)
    hold = await repo.hold_for_update(conn, spa.id, req.hold_id)
    if hold is None or (req.client_id is not None and hold["client_id"] not in (None, req.client_id)):
        raise ToolFailure("not_found", "no such hold", "hold_id")
    # A hold is marked booked in the statement that books it, so only a booked hold has a booking.
    booking = await repo.booking_for_hold(conn, req.hold_id) if hold["status"] == "booked" else None
    if booking is None:
        if hold["status"] != "held" or hold["lapsed"]:
            raise ToolFailure("hold_expired", "the hold has expired or was released", "hold_id")
        service = spa.services.get(hold["service_id"])
        covered = None
        if hold["client_id"] is not None:
            for p in await repo.client_packages(conn, hold["client_id"]):
                if p["service_id"] == hold["service_id"]:
                    covered = p["name"]
                    break
        try:
            # No savepoint of its own: the use case's savepoint (serve_tool) undoes a failed insert.
            booking = await repo.insert_booking(conn, hold, covered)
        except asyncpg.ExclusionViolationError as exc:
            raise ToolFailure("slot_taken", "that time was just booked", "hold_id") from exc
    else:
        service = spa.services.get(booking["service_id"])
    provider = spa.providers.get(booking["provider_id"])
    result = BookingRecord(
        booking_id=booking["id"],
        hold_id=req.hold_id,
        service_name=service.name if service else "",
        provider_first_name=provider.first_name if provider else "",
        start=booking["start_at"],
        end=booking["end_at"],
        local_label=domain.local_label(booking["start_at"], spa.tz),
        address=spa.address,
        covered_by_package=booking["covered_by_package"],
    )
    summary = {
        "booking_id": str(booking["id"]),
        "provider_id": str(booking["provider_id"]),
        "service_id": str(booking["service_id"]),
        "start": booking["start_at"].isoformat(),
        "covered_by_package": booking["covered_by_package"] is not None,
    }
    return Served(result, summary, client_id=hold["client_id"])


async def release_holds(
    req: ReleaseHolds, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Release holds the client did not choose."""
    released = await repo.release_holds(conn, spa.id, req.hold_ids, req.client_id)
    return Served(HoldsReleased(released=released), {"released": released}, client_id=req.client_id)


async def client_benefits(
    req: GetClientBenefits, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Packages with sessions left, membership, package pricing and free consults; nothing clinical."""
    if req.client_id is None:
        raise ToolFailure(
            "invalid_request", "client_id is required (bound from the conversation)", "client_id"
        )
    ref = await repo.client_ref_of(conn, spa.id, req.client_id)
    if ref is None:
        raise ToolFailure("not_found", "no such client at this spa", "client_id")
    service = None
    if req.service_id is not None:
        service = spa.services.get(req.service_id)
        if service is None:
            raise ToolFailure("service_not_found", "no such service at this spa", "service_id")
    packages = [
        PackageBalance(
            package_name=p["name"],
            sessions_remaining=p["sessions_remaining"],
            covers_service=service is not None and p["service_id"] == service.id,
        )
        for p in await repo.client_packages(conn, req.client_id)
    ]
    m = await repo.client_membership(conn, req.client_id)
    membership = None
    if m is not None:
        membership = MembershipInfo(
            tier=m["name"],
            discount_percent=m["discount_percent"],
            covers_service=service is not None and service.id in m["covered_service_ids"],
        )
    offers: list[PackageOffer] = []
    free_consult = False
    free_consult_id = None
    price = None
    if service is not None:
        offers = [
            PackageOffer(
                name=o["name"],
                sessions=o["sessions"],
                price_cents=o["price_cents"],
                per_session_cents=round(o["price_cents"] / o["sessions"]),
            )
            for o in await repo.package_offers(conn, spa.id, service.id)
        ]
        price = service.price_cents
        if service.free_consult and service.consult_service_id is not None:
            free_consult, free_consult_id = True, service.consult_service_id
        elif service.is_consultation and service.price_cents == 0:
            free_consult, free_consult_id = True, service.id
    result = ClientBenefits(
        packages=packages,
        membership=membership,
        package_offers=offers,
        free_consult_available=free_consult,
        free_consult_service_id=free_consult_id,
        service_price_cents=price,
    )
    summary = {"packages": len(packages), "membership": membership is not None, "package_offers": len(offers)}
    return Served(result, summary, client_id=req.client_id, client_ref=ref)


async def lookup_or_create_client(
    req: LookupOrCreateClient, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """The client with this number, created from their first text when new."""
    ref = client_ref(ports.id_hash_key, spa.id, req.phone)
    row, is_new = await repo.lookup_or_create_client(conn, spa.id, req.phone, req.name, ref)
    result = ClientRecord(client_id=row["id"], first_name=row["first_name"], is_new=is_new)
    return Served(
        result, {"client_id": str(row["id"]), "is_new": is_new}, client_id=row["id"], client_ref=ref
    )


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
        services=[_service_info(spa, s) for s in sorted(spa.services.values(), key=lambda s: s.key)],
        providers=[
            ProviderInfo(provider_id=p.id, first_name=p.first_name, week=_week(p.weekly))
            for p in sorted(spa.providers.values(), key=lambda p: p.key)
        ],
        languages=list(spa.languages),
        consult_first=spa.rules.consult_first,
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
    )


async def upcoming_bookings(
    req: UpcomingBookings, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """The gateway's question after a bare CANCEL: does this number have bookings ahead? (count only)"""
    if req.actor.service != "gateway":
        raise ToolFailure("invalid_request", "upcoming_bookings answers the gateway only", "actor.service")
    count, next_start = await repo.upcoming_bookings(conn, spa.id, req.phone, utcnow())
    ref = client_ref(ports.id_hash_key, spa.id, req.phone)
    return Served(UpcomingBookingsFound(count=count, next_start=next_start), {"count": count}, client_ref=ref)


UseCase = Callable[..., Awaitable[Served]]
USE_CASES: dict[str, UseCase] = {
    "match_service": match_service,
    "find_availability": find_availability,
    "hold_slots": hold_slots,
    "confirm_booking": confirm_booking,
    "release_holds": release_holds,
    "client_benefits": client_benefits,
    "lookup_or_create_client": lookup_or_create_client,
    "spa_profile": spa_profile,
    "upcoming_bookings": upcoming_bookings,
}


# ----- what the audit record may say about a request -----


def audit_arguments(name: str, req: ToolRequest, id_hash_key: str) -> dict[str, Any]:
    """The request's arguments as they may be logged: no client text, no phone number."""
    if isinstance(req, MatchService):
        return {"text_chars": len(req.text), "limit": req.limit}
    if isinstance(req, FindAvailability):
        return {
            "service_id": str(req.service_id),
            "preference": req.preference.model_dump(mode="json", exclude_defaults=True),
            "limit": req.limit,
            **({"provider_id": str(req.provider_id)} if req.provider_id else {}),
            **({"after": req.after.isoformat()} if req.after else {}),
            **({"excluded_starts": len(req.exclude_starts)} if req.exclude_starts else {}),
            **({"now": req.now.isoformat()} if req.now else {}),
        }
    if isinstance(req, HoldSlots):
        return {
            "options": [
                {
                    "service_id": str(o.service_id),
                    "provider_id": str(o.provider_id),
                    "start": o.start.isoformat(),
                }
                for o in req.options
            ],
            "ttl_seconds": req.ttl_seconds,
        }
    if isinstance(req, ConfirmBooking):
        return {"hold_id": str(req.hold_id)}
    if isinstance(req, ReleaseHolds):
        return {"hold_ids": [str(h) for h in req.hold_ids]}
    if isinstance(req, GetClientBenefits):
        return {"service_id": str(req.service_id) if req.service_id else None}
    if isinstance(req, LookupOrCreateClient):
        return {
            "client_ref": client_ref(id_hash_key, req.tenant_id, req.phone),
            "name_given": req.name is not None,
        }
    if isinstance(req, UpcomingBookings):
        return {"client_ref": client_ref(id_hash_key, req.tenant_id, req.phone)}
    return {}


def disclosed_fields(result: BaseModel, prefix: str = "") -> list[str]:
    """Dotted names of the result fields that carry a value: what the caller got to see."""
    names: list[str] = []
    for name in type(result).model_fields:
        value = getattr(result, name)
        if value is None or value == "" or value == []:
            continue
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            names.extend(disclosed_fields(value, f"{path}."))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            names.extend(dict.fromkeys(n for item in value for n in disclosed_fields(item, f"{path}.")))
        else:
            names.append(path)
    return names


def _disclosed(served: Served, actor: Any = None) -> list[str]:
    names = served.disclosed if served.disclosed is not None else disclosed_fields(served.result)
    # A model-initiated call: what reached the model is what its allow-list let through.
    seen = getattr(actor, "disclosed_to_model", None)
    return names if seen is None else [n for n in names if n in set(seen)]


def _field_of(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return (where or "body"), first["msg"]


def _audit_actor(actor: Any, client_id: UUID | None, ref: str | None) -> AuditActor:
    return AuditActor(
        service=actor.service,
        instance=actor.instance,
        conversation_id=actor.conversation_id,
        staff_user=actor.staff_user,
        client_id=str(client_id) if client_id else None,
        client_ref=ref,
    )


def _reply_error(code: str, message: str, field_name: str | None) -> ToolReply[Any]:
    return ToolReply[Any](
        ok=False, error=ToolError(code=code, message=message, field=field_name), served_at=utcnow()
    )  # type: ignore[arg-type]


async def _audit_invalid(
    name: str, raw: bytes, field_name: str, message: str, ports: Ports, started: float
) -> None:
    # A request that does not validate still leaves one record, in its own transaction, with only
    # what can be trusted from it (tenant and correlation id when they parse).
    tenant, correlation, service, conversation = "unknown", None, "unknown", None
    try:
        data = json.loads(raw)
        if isinstance(data, dict):
            tenant = str(data.get("tenant_id") or tenant)
            correlation = data.get("correlation_id")
            actor = data.get("actor") if isinstance(data.get("actor"), dict) else {}
            service = str(actor.get("service") or service)[:64]
            conversation = actor.get("conversation_id")
    except ValueError:
        pass
    fields: dict[str, Any] = {}
    try:
        AuditRecorded(tenant_id=tenant, actor=AuditActor(service="x"), action=name)
    except ValidationError:
        tenant = "unknown"
    try:
        fields["correlation_id"] = UUID(str(correlation))
    except ValueError:
        pass
    entry = AuditRecorded(
        tenant_id=tenant,
        actor=AuditActor(
            service=service,
            conversation_id=conversation
            if isinstance(conversation, str) and len(conversation) <= 64
            else None,
        ),
        action=name,
        arguments={"invalid_field": field_name, "bytes": len(raw)},
        result_summary={"error": message[:200]},
        outcome="invalid_request",
        latency_ms=(time.perf_counter() - started) * 1000,
        **fields,
    )
    async with transaction(ports.pool) as conn:
        await record(conn, ports.topology, entry)


# Tools that only read: their one write is the audit record, committed in a batch with the records of
# concurrent read-only requests (AuditBatcher) before the reply; no BEGIN/SAVEPOINT/COMMIT round trips.
READ_ONLY = frozenset(
    {"match_service", "find_availability", "client_benefits", "spa_profile", "upcoming_bookings"}
)


@contextlib.asynccontextmanager
async def _unit_of_work(pool: asyncpg.Pool, *, read_only: bool) -> AsyncIterator[asyncpg.Connection]:
    if read_only:
        async with pool.acquire() as conn:
            yield conn
    else:
        async with transaction(pool) as conn:
            yield conn


async def serve_tool(name: str, raw: bytes, ports: Ports) -> ToolReply[Any]:
    """Answer one tool request and leave exactly one audit record of it, in the same transaction."""
    started = time.perf_counter()
    request_type, result_type = TOOLS[name]
    try:
        req = request_type.model_validate_json(raw)
    except ValidationError as exc:
        field_name, message = _field_of(exc)
        await _audit_invalid(name, raw, field_name, message, ports, started)
        ports.on_commit()
        log.info("tool.invalid_request", tool=name, field=field_name)
        return _reply_error("invalid_request", message, field_name)
    arguments = audit_arguments(name, req, ports.id_hash_key)
    if req.actor.disclosed_to_model is not None:
        arguments["via"] = "model"
    read_only = name in READ_ONLY
    async with _unit_of_work(ports.pool, read_only=read_only) as conn:
        served: Served | None = None
        try:
            # A savepoint: a failed use case leaves no partial row (nothing to undo when read-only).
            async with contextlib.nullcontext() if read_only else conn.transaction():
                spa = await ports.catalogs.get(conn, req.tenant_id)
                served = await USE_CASES[name](req, conn=conn, spa=spa, ports=ports)
            reply: ToolReply[Any] = ToolReply[result_type](ok=True, result=served.result, served_at=utcnow())  # type: ignore[valid-type]
            outcome, summary = "ok", served.summary
        except ToolFailure as failure:
            reply = _reply_error(failure.code, failure.message, failure.field)
            outcome, summary = failure.code, {"error": failure.message, "field": failure.field}
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            raise  # the database is away: no reply, the caller times out and may retry
        except Exception as exc:
            log.exception("tool.failed", tool=name, error=type(exc).__name__)
            reply = _reply_error("internal", "the scheduler could not answer; try again", None)
            outcome, summary = "internal", {"error": type(exc).__name__}
        client_id = served.client_id if served and served.client_id else req.client_id
        ref = served.client_ref if served else None
        if ref is None and client_id is not None:
            ref = await repo.client_ref_of(conn, req.tenant_id, client_id)
        entry = AuditRecorded(
            tenant_id=req.tenant_id,
            correlation_id=req.correlation_id,
            actor=_audit_actor(req.actor, client_id, ref),
            action=name,
            arguments=arguments,
            result_summary=summary,
            disclosed_fields=_disclosed(served, req.actor) if served and outcome == "ok" else [],
            outcome=outcome,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
        if not read_only:
            await record(conn, ports.topology, entry)
    if read_only:
        assert ports.audit is not None
        await ports.audit.record(entry)
    if ports.crash_after_commit == name:
        # Test hook (FRONTDESK_CRASH_AFTER_COMMIT): die between the commit and the reply.
        os._exit(17)
    ports.on_commit()
    metrics.tool_served(name, outcome, entry.latency_ms / 1000)
    # Every call is in the audit log already; the service log keeps the failures visible.
    (log.debug if outcome == "ok" else log.info)(
        "tool.served", tool=name, outcome=outcome, latency_ms=round(entry.latency_ms, 2)
    )
    return reply
