"""Urgent appeals (R22): marked, on top of the inbox, alerted at once (here by email through a real SMTP server)."""

import email
import email.policy
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from appeals.models import Appeal
from notify.models import Outbox

pytestmark = pytest.mark.django_db

URGENT = "Мени үйдө өгөй атам сабап жатат, үйгө баргым келбейт. Жардам бергиле."


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def wait_for(inbox, count=1):
    for _ in range(50):
        if len(inbox.messages) >= count:
            return inbox.messages
        time.sleep(0.1)
    return inbox.messages


def post(client, text, **extra):
    client.cookies["ishenim_lang"] = "ru"
    data = {"author_kind": "student", "signed": "anonymous", "category": "bullying", "text": text, **extra}
    return client.post("/s/rakhmanov/write/", data, follow=True)


def test_it_urgent_appeal_alerts_the_responsible_person_first_without_its_content(
    client, demo, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, URGENT)
    appeal = Appeal.objects.get()
    assert appeal.urgent
    messages = wait_for(smtp)
    assert [recipients for recipients, _raw in messages] == [["responsible@school.example"]]  # the first level
    recipients, raw = messages[0]
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert "Content-Transfer-Encoding: 8bit" in raw  # so the body below is the plain text
    body = raw.replace("\r\n", "\n").split("\n\n", 1)[1]
    assert "шашылыш" in str(mail["Subject"]) and demo.name_ky in body  # the recipient's language: Kyrgyz
    assert f"/staff/rakhmanov/appeals/{appeal.pk}/" in body and f"№{appeal.journal_number}" in body
    for secret in ("сабап", "өгөй", "Жардам", "bullying", "буллинг", "куугунтук"):
        assert secret not in body and secret not in raw
    # the writer is shown the emergency numbers at once
    page = response.content.decode()
    assert "urgent-help" in page and 'href="tel:112"' in page and 'href="tel:111"' in page


def test_it_ordinary_appeal_sends_nothing(client, demo, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "Просим поставить новые парты в кабинете химии, старые сломаны.")
    assert not Appeal.objects.get().urgent and "urgent-help" not in response.content.decode()
    time.sleep(0.3)
    assert smtp.messages == []


def test_it_urgent_appeal_to_the_district_goes_to_the_district_officers_not_the_director(
    client, demo, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "Директор угрожает ученикам и бьет их линейкой.", to_district="on")
    recipients = {address for to, _content in wait_for(smtp, 2) for address in to}
    assert "director@school.example" not in recipients
    assert recipients == {"district@school.example", "osh@edu.example"}


def test_it_mail_server_that_is_down_does_not_lose_the_appeal(
    client, demo, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, URGENT)
    assert response.status_code == 200 and Appeal.objects.get().urgent
    failed = Outbox.objects.get(recipient__username="responsible")
    assert failed.status == Outbox.Status.FAILED and failed.last_error.startswith("mail:")


def test_it_urgent_appeals_are_on_top_of_the_inbox(client, demo, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, URGENT)
        post(client, "Просим поставить новые парты в кабинете химии, старые сломаны.")
    login("responsible")
    page = client.get("/staff/rakhmanov/appeals/").content.decode()
    urgent, ordinary = Appeal.objects.get(urgent=True), Appeal.objects.get(urgent=False)
    assert urgent.received_at < ordinary.received_at  # newer, yet below the urgent one
    assert page.index(f"/staff/rakhmanov/appeals/{urgent.pk}/") < page.index(f"/staff/rakhmanov/appeals/{ordinary.pk}/")
    assert 'class="urgent-row"' in page
