"""Linking a Telegram chat to an account with a one-time code: by the webhook and by polling getUpdates."""

import json

from django.core.management import call_command

from notify.models import ChannelSettings, TelegramLink


def code_for(client, login, username="responsible") -> str:
    if login:
        login(username)
    page = client.post("/notify/channels/telegram-code/", follow=True).content.decode()
    link = TelegramLink.objects.get(user__username=username, used_at__isnull=True)
    assert f"https://t.me/ishenim_test_bot?start={link.code}" in page and f"/start {link.code}" in page
    return link.code


def hook(client, update, secret="hook-secret", header="hook-secret"):  # noqa: S107 - the test settings' secret
    return client.post(
        f"/notify/telegram/{secret}/",
        json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": header},
    )


def test_it_links_a_chat_by_the_code_sent_to_the_bot_through_the_webhook(demo, client, login, telegram):
    code = code_for(client, login)
    client.logout()  # Telegram is not logged in
    response = hook(client, telegram.start_update(777, f"/start {code}"))
    assert response.status_code == 200 and response.json()["done"] == "linked"
    prefs = ChannelSettings.objects.get(user__username="responsible")
    assert prefs.telegram_chat_id == "777" and prefs.telegram_on
    assert "linked" in telegram.texts("777")[0] or "байланды" in telegram.texts("777")[0]
    # the code works once
    assert hook(client, telegram.start_update(888, f"/start {code}")).json()["done"] == "bad code"
    assert ChannelSettings.objects.get(user__username="responsible").telegram_chat_id == "777"


def test_the_webhook_refuses_a_wrong_secret_in_the_path_or_the_header(demo, client, login, telegram):
    code = code_for(client, login)
    client.logout()
    assert hook(client, telegram.start_update(1, f"/start {code}"), secret="guess").status_code == 404
    assert hook(client, telegram.start_update(1, f"/start {code}"), header="guess").status_code == 404
    assert not ChannelSettings.objects.filter(telegram_chat_id="1").exists()


def test_the_webhook_is_closed_when_no_secret_is_configured(demo, client, settings):
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    assert hook(client, {"message": {}}, secret="", header="").status_code == 404


def test_it_links_by_polling_get_updates_when_the_server_has_no_public_address(demo, client, login, telegram, capsys):
    code = code_for(client, login, "director")
    telegram.updates = [telegram.start_update(555, "hello"), telegram.start_update(556, f"/start {code}")]
    call_command("notify", "poll")
    assert capsys.readouterr().out.split() == ["ignored", "linked"]
    assert ChannelSettings.objects.get(user__username="director").telegram_chat_id == "556"


def test_a_new_code_replaces_the_old_one(demo, client, login, telegram):
    first = code_for(client, login)
    second = code_for(client, None)
    assert first != second and not TelegramLink.objects.filter(code=first).exists()


def test_the_channels_page_saves_channels_phone_and_language(demo, client, login):
    login("director")
    response = client.post("/notify/channels/", {"email_on": "on", "sms_on": "on", "phone": "", "language": "ru"})
    assert response.status_code == 400  # SMS without a phone
    client.post("/notify/channels/", {"sms_on": "on", "phone": "+996 555 123 456", "language": "ru"})
    prefs = ChannelSettings.objects.get(user__username="director")
    assert (prefs.email_on, prefs.sms_on, prefs.phone, prefs.language) == (False, True, "+996 555 123 456", "ru")
    assert "/notify/channels/" in client.get("/accounts/").content.decode()
