"""WhatsApp Cloud API: a number proved by a code sent there, alerts as text or template, retries, failures shown."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from notify.models import Channel, ChannelSettings, Kind, Outbox, WhatsAppCode
from notify.services import WHATSAPP_CODE_TRIES, WHATSAPP_CODES_PER_HOUR, notify_send, outbox_retry_due

NUMBER = "+996 555 123 456"
DIGITS = "996555123456"


def code_sent(client, number=NUMBER) -> str:
    response = client.post("/notify/channels/whatsapp-code/", {"whatsapp_phone": number}, follow=True)
    assert response.status_code == 200
    assert "/notify/channels/whatsapp-verify/" in response.content.decode()  # the field to type the code in
    return WhatsAppCode.objects.get(used_at__isnull=True).code


def verified(client, login, whatsapp, username="director") -> ChannelSettings:
    login(username)
    code = code_sent(client)
    client.post("/notify/channels/whatsapp-verify/", {"code": code})
    return ChannelSettings.objects.get(user__username=username)


def test_a_number_becomes_a_channel_once_the_code_sent_there_is_typed_back(demo, client, login, whatsapp):
    login("director")
    code = code_sent(client)
    [request] = whatsapp.received
    assert request.body["to"] == DIGITS and request.body["type"] == "text"
    assert code in whatsapp.texts(NUMBER)[0]
    assert request.headers["Authorization"] == f"Bearer {whatsapp.token}"
    assert not ChannelSettings.objects.filter(user__username="director", whatsapp_phone=NUMBER).exists()

    assert (
        client.post("/notify/channels/whatsapp-verify/", {"code": "000000" if code != "000000" else "1"}).status_code
        == 400
    )
    response = client.post("/notify/channels/whatsapp-verify/", {"code": code}, follow=True)
    assert response.status_code == 200
    prefs = ChannelSettings.objects.get(user__username="director")
    assert (prefs.whatsapp_phone, prefs.whatsapp_on) == (NUMBER, True)
    assert NUMBER in response.content.decode()
    # the code works once
    assert client.post("/notify/channels/whatsapp-verify/", {"code": code}).status_code == 400
    from audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="ishenim.notify.whatsapp_verified").count() == 1


def test_a_code_stops_working_after_five_wrong_tries(demo, client, login, whatsapp):
    login("director")
    code = code_sent(client)
    wrong = "111111" if code != "111111" else "222222"
    for _try in range(WHATSAPP_CODE_TRIES):
        assert client.post("/notify/channels/whatsapp-verify/", {"code": wrong}).status_code == 400
    assert client.post("/notify/channels/whatsapp-verify/", {"code": code}).status_code == 400
    assert not ChannelSettings.objects.filter(user__username="director").exclude(whatsapp_phone="").exists()


def test_at_most_five_codes_an_hour(demo, client, login, whatsapp):
    login("director")
    for _code in range(WHATSAPP_CODES_PER_HOUR):
        code_sent(client)
    response = client.post("/notify/channels/whatsapp-code/", {"whatsapp_phone": NUMBER})
    page = response.content.decode()
    with translation.override(re.search(r'<html lang="([a-z]+)"', page)[1]):  # the page's own language
        refusal = translation.gettext("Too many codes were asked for. Try again in an hour.")
    assert response.status_code == 429 and refusal in page
    assert len(whatsapp.received) == WHATSAPP_CODES_PER_HOUR


def test_another_persons_code_does_not_confirm_my_number(demo, client, login, whatsapp):
    login("director")
    code = code_sent(client)
    client.logout()
    login("responsible")
    assert client.post("/notify/channels/whatsapp-verify/", {"code": code}).status_code == 400
    assert not ChannelSettings.objects.exclude(whatsapp_phone="").exists()


def test_when_whatsapp_refuses_the_code_the_page_says_why_and_no_secret(demo, client, login, whatsapp, settings):
    settings.WHATSAPP_TOKEN = "wrong-token"  # noqa: S105 - a test value
    login("director")
    response = client.post("/notify/channels/whatsapp-code/", {"whatsapp_phone": NUMBER})
    page = response.content.decode()
    assert response.status_code == 400 and "Invalid OAuth access token" in page
    assert "wrong-token" not in page and whatsapp.url not in page


def test_an_alert_goes_to_the_confirmed_number_with_no_content_and_is_retried(
    demo, client, login, whatsapp, django_capture_on_commit_callbacks
):
    from appeals.services import appeal_submit

    prefs = verified(client, login, whatsapp)
    prefs.email_on = False
    prefs.save()
    whatsapp.received.clear()
    whatsapp.fail_next = 1
    text = "Мугалим мени ургулайт, эч кимге айтпа деди"
    appeal = appeal_submit(school=demo, text=text, category="bullying", author_kind="student")
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify_send(users=[prefs.user], kind=Kind.CASE_ASSIGNED, office=demo, appeal=appeal)
    row.refresh_from_db()
    assert (row.channel, row.address, row.status) == (Channel.WHATSAPP, NUMBER, Outbox.Status.FAILED)
    assert row.last_error == "HTTP 503: Service temporarily unavailable"
    assert outbox_retry_due(row.next_attempt_at + dt.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT and row.answer.startswith("ok, wamid.")
    [alert] = whatsapp.texts(NUMBER)
    assert f"/staff/rakhmanov/appeals/{appeal.pk}/" in alert and str(appeal.journal_number) in alert
    assert "ургулайт" not in alert and "айтпа" not in alert


def test_with_a_template_configured_messages_go_as_that_template_in_the_persons_language(
    demo, client, login, whatsapp, settings, django_capture_on_commit_callbacks
):
    prefs = verified(client, login, whatsapp)
    prefs.email_on, prefs.language = False, "ru"
    prefs.save()
    whatsapp.received.clear()
    settings.WHATSAPP_TEMPLATE = "ishenim_alert"
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(users=[prefs.user], kind=Kind.TEST, office=None)
    [request] = whatsapp.received
    template = request.body["template"]
    assert (request.body["type"], template["name"], template["language"]["code"]) == (
        "template",
        "ishenim_alert",
        "ru",
    )
    [parameter] = template["components"][0]["parameters"]
    assert "\n" not in parameter["text"] and "/notify/channels/" in parameter["text"]


def test_without_whatsapp_configured_the_failure_is_on_the_failures_page(
    demo, client, login, whatsapp, settings, django_capture_on_commit_callbacks
):
    from appeals.services import appeal_submit

    prefs = verified(client, login, whatsapp, "responsible")
    prefs.email_on = False
    prefs.save()
    settings.WHATSAPP_TOKEN = ""
    appeal = appeal_submit(school=demo, text="Саламатсызбы", category="request", author_kind="parent")
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(users=[prefs.user], kind=Kind.CASE_ASSIGNED, office=demo, appeal=appeal)
    row = Outbox.objects.get(recipient=prefs.user, channel=Channel.WHATSAPP)
    assert row.status == Outbox.Status.FAILED and "WhatsApp is not configured" in row.last_error
    client.logout()
    login("director")
    page = client.get("/notify/failures/rakhmanov/").content.decode()
    assert "WhatsApp is not configured" in page and "WhatsApp" in page


def test_the_test_command_sends_by_whatsapp(demo, client, login, whatsapp, capsys):
    verified(client, login, whatsapp)
    whatsapp.received.clear()
    call_command("notify", "test", "--user", "director", "--channel", "whatsapp")
    assert f"whatsapp {NUMBER}: ok, wamid.TEST1" in capsys.readouterr().out
    assert len(whatsapp.texts(NUMBER)) == 1
    whatsapp.fail_next = 1
    with pytest.raises(Exception, match="1 channel"):
        call_command("notify", "test", "--user", "director", "--channel", "whatsapp")
    assert "FAILED HTTP 503" in capsys.readouterr().out


def test_an_old_code_is_not_valid(demo, client, login, whatsapp):
    login("director")
    code = code_sent(client)
    WhatsAppCode.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert client.post("/notify/channels/whatsapp-verify/", {"code": code}).status_code == 400
