"""The compliance API's /docs works on a network with no way out: Swagger UI comes from the package."""

from __future__ import annotations

import httpx
import pytest

from services.audit.app import build
from services.audit.settings import AuditSettings

pytestmark = pytest.mark.unit


async def test_docs_page_and_its_swagger_files_are_served_locally() -> None:
    _spec, ctx = build(AuditSettings(allowed_hosts="audit.local"))
    transport = httpx.ASGITransport(app=ctx.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.local") as http:
        page = await http.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert f"/static-offline-docs/{asset}" in page.text
            served = await http.get(f"/static-offline-docs/{asset}")
            assert served.status_code == 200 and len(served.content) > 10_000
        schema = (await http.get("/openapi.json")).json()
        assert schema["info"]["title"] == "frontdesk audit"
