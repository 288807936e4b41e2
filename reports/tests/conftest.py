"""Fixtures of the reports' tests: appeals made through the real intake, and a real SMTP server."""

import datetime as dt
import email
import socket
from email import policy

import pytest
from django.utils import timezone

from appeals.models import Appeal
from appeals.services import appeal_submit


def at(day: str, hour: int = 10) -> dt.datetime:
    """An aware datetime in the project's time zone: at("2026-11-20")."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture
def submit():
    """Make an appeal through `appeal_submit`, then give it the history a test needs."""

    def make(
        school,
        *,
        received: dt.datetime,
        category="bullying",
        author_kind="student",
        channel="online",
        grade=None,
        anonymous=True,
        urgent=False,
        **history,
    ) -> Appeal:
        appeal = appeal_submit(
            school=school,
            text="Тест кайрылуусу",
            category=category,
            author_kind=author_kind,
            channel=channel,
            author=None if anonymous else {"name": "Тест Тестов"},
            grade=grade,
            received_at=received,
        )
        history.setdefault("registered_at", received + dt.timedelta(hours=1))
        history["urgent"] = urgent
        Appeal.objects.filter(pk=appeal.pk).update(**history)
        appeal.refresh_from_db()
        return appeal

    return make


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django's SMTP backend sends to it. Yields the received messages."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox.messages
    controller.stop()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Assertions read English; the tests that check other languages choose them explicitly."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
