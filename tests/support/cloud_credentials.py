"""The cloud routes' credentials, checked at the wire: an AWS Signature Version 4 verifier and a local
Google OAuth token endpoint for a service account.

`sigv4_signature` recomputes a request's SigV4 signature from the secret key, independently of
botocore (canonical request, string to sign, derived key), so a test proves the Bedrock client signed
what it sent with the credentials of the standard AWS environment variables. `FakeTokenEndpoint`
plays Google's token URI: it accepts the JWT-bearer grant a service account sends, verifies the
assertion's RS256 signature with the account's public key and its claims, and hands out an access
token, so a test proves the Vertex client's bearer token came from the google-auth chain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.support.fake_anthropic import Recorded
from tests.support.loopback_http import serve_on_loopback

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # the audience google-auth signs for


@dataclass(frozen=True)
class SigV4:
    """The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        """The credential scope: date/region/service/aws4_request."""
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_sigv4(authorization: str) -> SigV4:
    """Read a SigV4 Authorization header (AssertionError when it is not one)."""
    algorithm, _, rest = authorization.partition(" ")
    assert algorithm == "AWS4-HMAC-SHA256", f"not a SigV4 header: {algorithm!r}"
    parts = dict(p.strip().split("=", 1) for p in rest.split(","))
    key, date, region, service, terminator = parts["Credential"].split("/")
    assert terminator == "aws4_request"
    return SigV4(key, date, region, service, tuple(parts["SignedHeaders"].split(";")), parts["Signature"])


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_signature(request: Recorded, secret_key: str, method: str = "POST") -> str:
    """The signature SigV4 gives this request (no query string) for the secret key."""
    auth = parse_sigv4(request.headers["Authorization"])
    headers = {k.lower(): " ".join(v.split()) for k, v in request.headers.items()}
    canonical = "\n".join(
        [
            method,
            quote(quote(request.path, safe="/~"), safe="/~"),  # non-S3 services encode the path twice
            "",
            *(f"{name}:{headers[name]}" for name in auth.signed_headers),
            "",
            ";".join(auth.signed_headers),
            hashlib.sha256(request.raw).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            headers["x-amz-date"],
            auth.scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret_key}".encode()
    for part in (auth.date, auth.region, auth.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def service_account_file(folder: Path, token_uri: str, project: str) -> tuple[Path, rsa.RSAPublicKey]:
    """A Google service-account key file (a fresh RSA key) whose token URI is `token_uri`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": uuid.uuid4().hex,
        "private_key": pem,
        "client_email": f"frontdesk-agent@{project}.iam.gserviceaccount.com",
        "client_id": "1" * 21,
        "token_uri": token_uri,
    }
    path = folder / "service-account.json"
    path.write_text(json.dumps(info))
    return path, key.public_key()


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class FakeTokenEndpoint:
    """Google's OAuth token URI for one service account; `issued` lists the tokens it gave out."""

    public_key: rsa.RSAPublicKey | None = None
    issued: list[str] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def token_uri(self) -> str:
        """Where the service-account file points google-auth."""
        return f"http://127.0.0.1:{self.port}/token"

    async def start(self) -> FakeTokenEndpoint:
        """Listen on 127.0.0.1, a free port."""
        app = web.Application()
        app.router.add_post("/token", self._token)
        self._runner, self.port = await serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != JWT_BEARER:
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        problem = self._check(str(form.get("assertion", "")), str(request.url))
        if problem:
            return web.json_response({"error": "invalid_grant", "error_description": problem}, status=400)
        token = f"ya29.fake-{uuid.uuid4().hex}"
        self.issued.append(token)
        return web.json_response({"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

    def _check(self, assertion: str, url: str) -> str | None:
        """What is wrong with a JWT-bearer assertion, or None."""
        try:
            header, payload, signature = assertion.split(".")
            assert self.public_key is not None
            self.public_key.verify(
                _b64(signature), f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception as exc:  # a malformed or forged assertion is refused, as Google would
            return f"bad assertion: {type(exc).__name__}"
        claims = json.loads(_b64(payload))
        self.claims.append(claims)
        if json.loads(_b64(header)).get("alg") != "RS256":
            return "alg must be RS256"
        if (
            claims.get("aud") not in (url, GOOGLE_TOKEN_URI)
            or CLOUD_PLATFORM not in str(claims.get("scope", "")).split()
        ):
            return "wrong audience or scope"
        if not claims.get("iat", 0) <= time.time() + 60 < claims.get("exp", 0) + 60:
            return "expired"
        return None
