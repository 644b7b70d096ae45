"""`frontdesk gateway [serve]` runs the gateway; `frontdesk gateway chat --from +1...` texts the simulator."""

from __future__ import annotations

import argparse
import asyncio
import sys

import httpx


async def chat(base_url: str, number: str, spa_id: str | None) -> int:
    """A terminal phone: what you type is texted to the spa; its replies print as they arrive."""
    params = {"number": number, **({"spa_id": spa_id} if spa_id else {})}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        try:
            history = (await client.get("/simulator/messages", params=params)).raise_for_status().json()
        except httpx.HTTPError as exc:
            print(f"cannot reach the gateway's simulator at {base_url}: {exc}", file=sys.stderr)
            return 1
        last = max((int(m["seq"]) for m in history), default=0)
        print(f"texting as {number}; Ctrl-D or /quit to leave.")

        async def replies() -> None:
            nonlocal last
            while True:
                try:
                    resp = await client.get("/simulator/messages", params={**params, "after": last})
                    for m in resp.json():
                        last = max(last, int(m["seq"]))
                        if m["direction"] == "out":
                            print(f"\n  spa> {m['body']}\n> ", end="", flush=True)
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)

        poller = asyncio.create_task(replies())
        try:
            while True:
                line = await asyncio.to_thread(_read, "> ")
                if line is None or line.strip() == "/quit":
                    return 0
                if not line.strip():
                    continue
                body = {"from_number": number, "body": line, **({"spa_id": spa_id} if spa_id else {})}
                resp = await client.post("/simulator/messages", json=body)
                if resp.status_code >= 400:
                    print(f"  (not sent: {resp.json().get('detail')})")
        finally:
            poller.cancel()


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def main(argv: list[str]) -> int:
    """Entry point of `frontdesk gateway` and `python -m services.gateway`."""
    parser = argparse.ArgumentParser(prog="frontdesk gateway", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the gateway (the default)")
    chat_p = sub.add_parser("chat", help="text the spa through the local SMS simulator")
    chat_p.add_argument("--from", dest="number", required=True, help="the client's number, e.g. +14155550123")
    chat_p.add_argument("--spa", default=None, help="spa id (default: the first spa)")
    chat_p.add_argument(
        "--url", default=None, help="gateway base URL (default http://127.0.0.1:GATEWAY_HTTP_PORT)"
    )
    args = parser.parse_args(argv)
    from services.gateway.settings import GatewaySettings

    settings = GatewaySettings()
    if args.command == "chat":
        url = args.url or f"http://127.0.0.1:{settings.gateway_http_port}"
        return asyncio.run(chat(url, args.number, args.spa))
    try:
        settings.check_webhook_url()
    except ValueError as exc:
        print(f"frontdesk gateway: {exc}", file=sys.stderr)
        return 2
    from services.gateway.app import run

    run(settings)
    return 0
