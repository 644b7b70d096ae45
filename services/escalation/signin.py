"""Signing in to the inbox: who a request is, sign-in and sign-out, invitations, CSRF.

A browser signs in with email and password and gets an HttpOnly, SameSite=Strict session cookie
(Secure over https); every change it asks for carries the session's CSRF token in `X-CSRF-Token`.
A program may send the session token as `Authorization: Bearer <token>` instead (no cookie, so no
CSRF token needed). Every route but sign-in refuses a request without a live session.
"""

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import Field

from services.escalation import accounts, sessions, staff_audit
from services.escalation.accounts import StaffUser
from services.escalation.handlers import Ports
from services.escalation.sessions import Session, Throttle
from shared.contracts.envelope import InboundPayload
from shared.db import UnitOfWork

log = structlog.get_logger()

SESSION_COOKIE = "frontdesk_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class LoginRequest(InboundPayload):
    """Sign in with the account's email and password."""

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=accounts.MAX_PASSWORD)


class AcceptInvite(InboundPayload):
    """Set a password with the one-time invitation token."""

    token: str = Field(min_length=10, max_length=200)
    password: str = Field(min_length=1, max_length=accounts.MAX_PASSWORD)


def same_origin(request: Request) -> None:
    """Refuse a browser's cross-site request: another web page must not press the inbox's buttons."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, "cross-site request refused")


def _token(request: Request) -> tuple[str, bool]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), True
    return request.cookies.get(SESSION_COOKIE, ""), False


@dataclass
class Gate:
    """Checks every request's session; `ports` is looked up per request (it exists once started)."""

    ports: Callable[[], Ports]
    secure_cookies: bool
    session_hours: float
    throttle: Throttle

    async def session(self, request: Request) -> Session:
        """The request's live session: 401 without one, 403 for a change without its CSRF token."""
        same_origin(request)
        token, by_header = _token(request)
        async with self.ports().pool.acquire() as conn:
            found = await sessions.load(conn, token)
        if found is None:
            raise HTTPException(401, "sign in first")
        if request.method not in SAFE_METHODS and not by_header:
            supplied = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(supplied.encode(), found.csrf_token.encode()):
                raise HTTPException(403, "missing or wrong CSRF token: reload the page")
        return found

    async def staff(self, request: Request) -> StaffUser:
        """The signed-in staff member."""
        return (await self.session(request)).user

    async def owner(self, request: Request) -> StaffUser:
        """The signed-in staff member, who must be an owner of the spa."""
        user = await self.staff(request)
        if not user.is_owner:
            raise HTTPException(403, "only an owner of the spa can do this")
        return user


def signin_router(gate: Gate) -> APIRouter:
    """Sign-in, sign-out, who am I, and accepting an invitation."""
    router = APIRouter(tags=["sign-in"])
    Signed = Annotated[Session, Depends(gate.session)]

    @router.post("/api/login", summary="Sign in with email and password")
    async def login(payload: LoginRequest, request: Request, response: Response) -> dict[str, Any]:
        same_origin(request)
        user = await _authenticate(gate, payload, request.client.host if request.client else "")
        ports = gate.ports()
        async with UnitOfWork(ports.pool) as uow:
            token, session = await sessions.start(uow.conn, user, gate.session_hours)
            await staff_audit.record(uow.conn, ports, user, "staff.signed_in", {"role": user.role})
        ports.committed()
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(gate.session_hours * 3600),
            httponly=True,
            secure=gate.secure_cookies,
            samesite="strict",
        )
        log.info("staff.signed_in", user_id=str(user.user_id), tenant_id=user.tenant_id)
        return _me(session, ports)

    @router.post("/api/logout", summary="Sign out: this session ends")
    async def logout(session: Signed, request: Request, response: Response) -> dict[str, Any]:
        token, _ = _token(request)
        ports = gate.ports()
        async with UnitOfWork(ports.pool) as uow:
            await sessions.end(uow.conn, token)
            await staff_audit.record(uow.conn, ports, session.user, "staff.signed_out", {})
        ports.committed()
        response.delete_cookie(SESSION_COOKIE, httponly=True, secure=gate.secure_cookies, samesite="strict")
        log.info("staff.signed_out", user_id=str(session.user.user_id))
        return {"signed_out": True}

    @router.get("/api/me", summary="Who is signed in, their spa, and the CSRF token for changes")
    async def me(session: Signed) -> dict[str, Any]:
        return _me(session, gate.ports())

    @router.post("/api/invites/accept", summary="Set a password with an invitation link")
    async def accept(payload: AcceptInvite, request: Request) -> dict[str, Any]:
        same_origin(request)
        async with UnitOfWork(gate.ports().pool) as uow:
            try:
                user = await accounts.accept_invite(uow.conn, payload.token, payload.password)
            except accounts.AccountError as exc:
                raise HTTPException(422, str(exc)) from None
        return {"email": user.email, "password_set": True}

    return router


async def _authenticate(gate: Gate, payload: LoginRequest, address: str) -> StaffUser:
    email = payload.email.strip().lower()
    async with UnitOfWork(gate.ports().pool) as uow:
        if await gate.throttle.refused(uow.conn, email, address):
            raise HTTPException(429, "too many failed sign-ins: wait a few minutes and try again")
        found = await accounts.find_by_email(uow.conn, email)
        user, stored = found if found else (None, None)
        if user is None or not user.active or not accounts.password_matches(stored, payload.password):
            await gate.throttle.failed(uow.conn, email, address)
            log.info("staff.sign_in_refused")
            failed = True
        else:
            await gate.throttle.succeeded(uow.conn, email, address)
            failed = False
    if failed or user is None:
        raise HTTPException(401, "wrong email or password")
    return user


def _me(session: Session, ports: Ports) -> dict[str, Any]:
    user = session.user
    spa = ports.spas.get(user.tenant_id)
    return {
        "user_id": str(user.user_id),
        "staff_user": user.display_name,
        "email": user.email,
        "role": user.role,
        "spa": {"id": user.tenant_id, "name": spa.name if spa else user.tenant_id},
        "csrf_token": session.csrf_token,
    }
