"""Fake edge servers on loopback for tests and `make bench`: the Telegram Bot API, an SMS gateway, WhatsApp.

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


class FakeWhatsApp(FakeServer):
    """Answers `POST /v21.0/<phone-number-id>/messages` like the WhatsApp Cloud API (Graph API errors included)."""

    def __init__(self, token: str = "wa-secret", phone_number_id: str = "1098765"):  # noqa: S107 - a fake's token
        super().__init__()
        self.token, self.phone_number_id = token, phone_number_id

    @staticmethod
    def _error(status: int, message: str, code: int) -> tuple[int, dict]:
        return status, {"error": {"message": message, "type": "OAuthException", "code": code}}

    def answer(self, request):
        if request.path != f"/v21.0/{self.phone_number_id}/messages":
            return self._error(400, "Unsupported post request.", 100)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, "Invalid OAuth access token.", 190)
        if self.fail_next:
            self.fail_next -= 1
            self.rejected.append(request)
            return self._error(503, "Service temporarily unavailable", 2)
        body = request.body
        kind = body.get("type")
        valid = (
            body.get("messaging_product") == "whatsapp"
            and str(body.get("to", "")).isdigit()
            and (
                (kind == "text" and (body.get("text") or {}).get("body"))
                or (kind == "template" and (body.get("template") or {}).get("name"))
            )
        )
        if not valid:
            return self._error(400, "(#100) Invalid parameter", 100)
        self._accept(request)
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": f"wamid.TEST{len(self.received)}"}],
        }

    @staticmethod
    def text_of(body: dict) -> str:
        if body["type"] == "text":
            return body["text"]["body"]
        return " ".join(p["text"] for c in body["template"]["components"] for p in c["parameters"])

    def texts(self, phone=None) -> list[str]:
        """What each number received (a template's parameters joined); `phone` in any spelling."""
        digits = "".join(ch for ch in phone or "" if ch.isdigit())
        return [self.text_of(r.body) for r in self.received if phone is None or r.body["to"] == digits]


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
    """`telegram`, `sms_gateway`, `whatsapp` and `smtp_server` fixtures: real servers on loopback, wired into the
    settings."""
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
    def whatsapp(settings):
        with FakeWhatsApp() as server:
            settings.WHATSAPP_API_URL, settings.WHATSAPP_TOKEN = server.url + "/v21.0", server.token
            settings.WHATSAPP_PHONE_NUMBER_ID, settings.WHATSAPP_TEMPLATE = server.phone_number_id, ""
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

    return telegram, sms_gateway, whatsapp, smtp_server
