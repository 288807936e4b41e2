"""Fixtures of the reports' tests: appeals made through the real intake (the SMTP server is the root `smtp_server`)."""

import datetime as dt

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


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Assertions read English; the tests that check other languages choose them explicitly."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
