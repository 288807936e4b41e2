"""Fake edge servers on loopback for tests and `make bench`: the Telegram Bot API and an SMS gateway.

Real HTTP, real sockets; each records what it accepted (with the time) and can
be told to fail the next N requests, to test retries.
"""

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    body: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)


class FakeServer:
    """A small HTTP server in a thread. `received` lists accepted requests; `fail_next` answers 5xx."""

    def __init__(self):
        self.received: list[Received] = []
        self.rejected: list[Received] = []
        self.fail_next = 0
        self.updates: list[dict] = []  # what getUpdates returns (Telegram)
        self.arrived = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                status, answer = server.answer(Received(self.path, body, dict(self.headers)))
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def answer(self, request: Received) -> tuple[int, dict]:
        raise NotImplementedError

    def _accept(self, request: Received):
        with self.arrived:
            self.received.append(request)
            self.arrived.notify_all()

    def wait(self, count: int = 1, timeout: float = 10) -> list[Received]:
        """Block until `count` messages arrived (or the timeout passed); return them."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


class FakeTelegram(FakeServer):
    """Answers `/bot<token>/sendMessage` and `/bot<token>/getUpdates` like the Bot API."""

    def __init__(self, token: str = "123:TEST"):  # noqa: S107 - a fake server's token
        super().__init__()
        self.token = token

    def answer(self, request):
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path)
        if not match or match.group(1) != self.token:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = match.group(2)
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            return 200, {"ok": True, "result": updates}
        if method != "sendMessage":
            return 400, {"ok": False, "description": "method not faked"}
        if self.fail_next:
            self.fail_next -= 1
            self.rejected.append(request)
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        if not request.body.get("chat_id") or not request.body.get("text"):
            return 400, {"ok": False, "description": "Bad Request: chat_id and text are required"}
        self._accept(request)
        return 200, {"ok": True, "result": {"message_id": len(self.received), "chat": {"id": request.body["chat_id"]}}}

    def texts(self, chat_id=None) -> list[str]:
        return [r.body["text"] for r in self.received if chat_id is None or str(r.body["chat_id"]) == str(chat_id)]

    def start_update(self, chat_id: int, text: str) -> dict:
        """A Bot API update as Telegram sends it when a person writes to the bot."""
        return {
            "update_id": 1000 + len(self.updates),
            "message": {"message_id": 1, "chat": {"id": chat_id, "type": "private"}, "text": text},
        }


class FakeSMSGateway(FakeServer):
    """Accepts POST {"to", "text", "sender"} with `Authorization: Bearer <token>`; answers {"id": …}."""

    def __init__(self, token: str = "sms-secret"):  # noqa: S107 - a fake server's token
        super().__init__()
        self.token = token

    def answer(self, request):
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "unauthorized"}
        if self.fail_next:
            self.fail_next -= 1
            self.rejected.append(request)
            return 503, {"error": "gateway busy"}
        if not request.body.get("to") or not request.body.get("text"):
            return 400, {"error": "to and text are required"}
        self._accept(request)
        return 200, {"id": f"sms-{len(self.received)}", "status": "accepted"}

    def texts(self, phone=None) -> list[str]:
        return [r.body["text"] for r in self.received if phone is None or r.body["to"] == phone]


# --- pytest fixtures (imported by the tests' conftest) ------------------------------


def _smtp_controller():
    import email
    import socket
    from email import policy

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    return Controller(inbox, hostname="127.0.0.1", port=port), inbox, port


def edge_fixtures():
    """`telegram`, `sms_gateway` and `smtp_server` fixtures: real servers on loopback, wired into the settings."""
    import pytest

    @pytest.fixture
    def telegram(settings):
        with FakeTelegram() as server:
            settings.TELEGRAM_API_URL, settings.TELEGRAM_BOT_TOKEN = server.url, server.token
            settings.TELEGRAM_BOT_NAME, settings.TELEGRAM_WEBHOOK_SECRET = "ishenim_test_bot", "hook-secret"
            yield server

    @pytest.fixture
    def sms_gateway(settings):
        with FakeSMSGateway() as server:
            settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = server.url + "/send", server.token
            yield server

    @pytest.fixture
    def smtp_server(settings):
        controller, inbox, port = _smtp_controller()
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield inbox.messages
        controller.stop()

    return telegram, sms_gateway, smtp_server
