"""`make run` hooks: where the simulator's phone is."""

from __future__ import annotations

import os
from pathlib import Path


def urls(env: dict[str, str]) -> dict[str, str]:
    """The simulator page (and the webhook Twilio would call) for `make run` to print."""
    port = env.get("GATEWAY_HTTP_PORT") or os.environ.get("GATEWAY_HTTP_PORT") or "8080"
    host = env.get("HTTP_HOST", "127.0.0.1")
    has_twilio = bool(env.get("TWILIO_ACCOUNT_SID") and env.get("TWILIO_AUTH_TOKEN"))
    provider = env.get("SMS_PROVIDER") or ("twilio" if has_twilio else "simulator")
    if provider == "simulator":
        return {"SMS simulator (phone)": f"http://{host}:{port}/simulator"}
    base = env.get("PUBLIC_BASE_URL") or f"http://{host}:{port}"
    return {"Twilio webhook (gateway)": f"{base.rstrip('/')}/twilio/sms"}


def prepare(env: dict[str, str]) -> None:
    """Keep the inbound spool beside the embedded servers' data (FRONTDESK_DATA_DIR)."""
    data = env.get("FRONTDESK_DATA_DIR") or str(Path(__file__).resolve().parents[2] / ".data")
    env.setdefault("SPOOL_DIR", str(Path(data) / "gateway-spool"))
