"""What a client has and can buy: packages with sessions left, membership, offers, free consults."""

from __future__ import annotations

import asyncpg

from services.scheduler import repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.errors import InvalidRequest, NotFound, ServiceNotFound
from services.scheduler.handlers.ports import Ports, Served
from shared.contracts.tools import (
    ClientBenefits,
    GetClientBenefits,
    MembershipInfo,
    PackageBalance,
    PackageOffer,
)


async def client_benefits(
    req: GetClientBenefits, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Packages with sessions left, membership, package pricing and free consults; nothing clinical."""
    if req.client_id is None:
        raise InvalidRequest("client_id is required (bound from the conversation)", "client_id")
    ref = await ports.client_refs.get(conn, spa.id, req.client_id)
    if ref is None:
        raise NotFound("no such client at this spa", "client_id")
    service = None
    if req.service_id is not None:
        service = spa.services.get(req.service_id)
        if service is None:
            raise ServiceNotFound()
    packages = [
        PackageBalance(
            package_name=p.name,
            sessions_remaining=p.sessions_remaining,
            covers_service=service is not None and p.service_id == service.id,
        )
        for p in await repo.client_packages(conn, req.client_id)
    ]
    m = await repo.client_membership(conn, req.client_id)
    membership = None
    if m is not None:
        membership = MembershipInfo(
            tier=m.name,
            discount_percent=m.discount_percent,
            covers_service=service is not None and service.id in m.covered_service_ids,
        )
    offers: list[PackageOffer] = []
    free_consult = False
    free_consult_id = None
    price = None
    if service is not None:
        offers = [
            PackageOffer(
                name=o.name,
                sessions=o.sessions,
                price_cents=o.price_cents,
                per_session_cents=round(o.price_cents / o.sessions),
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
