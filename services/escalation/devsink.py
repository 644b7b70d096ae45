"""`make run` only: a local webhook receiver and SMTP sink that print the staff alerts they get.

They stand in for Slack and a mail server so the demo shows alerts arriving; production points the
spa file's `notifiers` at real ones. Standard library only, in daemon threads of the dev runner.
"""

from __future__ import annotations

import json
import socketserver
import sys
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _show(kind: str, text: str) -> None:
    sys.stdout.write(f"{'alert':>10} | ({kind}) {text}\n")
    sys.stdout.flush()


class _Webhook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length", "0") or 0), 65536)
        try:
            text = str(json.loads(self.rfile.read(length)).get("text", ""))
        except ValueError:
            text = "(not JSON)"
        _show("webhook", text)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args: object) -> None:  # keep the demo output to one line per alert
        pass


class _Smtp(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 frontdesk-dev-sink ESMTP")
        while line := self.rfile.readline(4096):
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                data = b""
                while (chunk := self.rfile.readline(65536)) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                mail = message_from_bytes(data, policy=policy.default)
                _show("email", f"to {mail['To']}: {mail['Subject']}")
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            elif verb in ("EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self._say("250 OK")
            else:
                self._say("502 not implemented")


class _ThreadingTcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(webhook_port: int = 8091, smtp_port: int = 8025) -> list[str]:
    """Start both sinks in daemon threads; returns what started (a port in use is skipped)."""
    started: list[str] = []
    servers: list[tuple[str, socketserver.BaseServer]] = []
    try:
        servers.append(
            (f"http://127.0.0.1:{webhook_port}", ThreadingHTTPServer(("127.0.0.1", webhook_port), _Webhook))
        )
    except OSError:
        pass
    try:
        servers.append((f"smtp://127.0.0.1:{smtp_port}", _ThreadingTcp(("127.0.0.1", smtp_port), _Smtp)))
    except OSError:
        pass
    for url, server in servers:
        threading.Thread(target=server.serve_forever, daemon=True, name=f"devsink {url}").start()
        started.append(url)
    return started
