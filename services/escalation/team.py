"""The owner's page: the spa's staff accounts, inviting someone, disabling or re-enabling an account."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException
from pydantic import Field

from services.escalation import accounts, staff_audit
from services.escalation.accounts import StaffUser
from services.escalation.signin import Gate
from shared.contracts.envelope import InboundPayload
from shared.db import UnitOfWork


class Invite(InboundPayload):
    """Who to invite, and as what."""

    email: str = Field(min_length=3, max_length=254)
    display_name: str = Field(min_length=1, max_length=64)
    role: str = Field(default="staff", max_length=16)


def account_out(user: StaffUser) -> dict[str, Any]:
    """An account as the owner's page shows it."""
    return {
        "user_id": str(user.user_id),
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "invited": not user.has_password,
    }


def team_router(gate: Gate) -> APIRouter:
    """Owner-only routes over the spa's accounts."""
    router = APIRouter(tags=["staff accounts"])
    Owner = Annotated[StaffUser, Depends(gate.owner)]

    @router.get("/api/staff", summary="The spa's staff accounts (owners only)")
    async def staff(owner: Owner) -> dict[str, Any]:
        async with gate.ports().pool.acquire() as conn:
            users = await accounts.list_users(conn, owner.tenant_id)
        return {"staff": [account_out(u) for u in users]}

    @router.post("/api/staff", summary="Invite someone: an account and a one-time link to set a password")
    async def invite(owner: Owner, payload: Invite) -> dict[str, Any]:
        ports = gate.ports()
        async with UnitOfWork(ports.pool) as uow:
            try:
                user = await accounts.create_user(
                    uow.conn,
                    tenant_id=owner.tenant_id,
                    email=payload.email,
                    display_name=payload.display_name,
                    role=payload.role,
                    password=None,
                    created_by=str(owner.user_id),
                )
            except accounts.AccountError as exc:
                raise HTTPException(422, str(exc)) from None
            token = await accounts.create_invite(uow.conn, user.user_id)
            await staff_audit.record(
                uow.conn, ports, owner, "staff.invite", {"user_id": str(user.user_id), "role": user.role}
            )
        ports.committed()
        return {"account": account_out(user), "invite_url": f"{ports.settings.inbox_url()}/#/invite/{token}"}

    @router.post("/api/staff/{user_id}/{change}", summary="Disable (signs them out) or enable an account")
    async def set_active(owner: Owner, user_id: UUID, change: str) -> dict[str, Any]:
        if change not in ("disable", "enable"):
            raise HTTPException(404, "no such change: disable or enable")
        if user_id == owner.user_id:
            raise HTTPException(422, "you cannot disable your own account")
        ports = gate.ports()
        async with UnitOfWork(ports.pool) as uow:
            try:
                user = await accounts.set_active(uow.conn, owner.tenant_id, user_id, change == "enable")
            except LookupError as exc:
                raise HTTPException(404, str(exc)) from None
            action = f"staff.{change}_account"
            await staff_audit.record(uow.conn, ports, owner, action, {"user_id": str(user_id)})
        ports.committed()
        return {"account": account_out(user)}

    return router
