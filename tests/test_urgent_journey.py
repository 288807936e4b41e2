"""Issue 11's "done when", in a real browser 360 px wide, with real HTTP to fake Telegram and SMS servers:

a child says "I or someone else is in danger right now"; the responsible person's Telegram gets the alert
with no content; nobody acknowledges; the director's phone (SMS) gets the escalation; the director
presses "I am on it"; the child comes back with the code and reads that the case was seen.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from appeals.models import Appeal
from appeals.services.urgent import urgent_escalate_due
from notify.models import ChannelSettings
from schools.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


TEXT = "Өгөй атам мени кечээ кечинде катуу сабады, үйгө баргым келбейт. Коркуп жатам."
WORDS = ("Өгөй", "сабады", "баргым", "Коркуп")


def phones():
    users = get_user_model().objects
    ChannelSettings.objects.create(user=users.get(username="responsible"), telegram_chat_id="100", email_on=False)
    ChannelSettings.objects.create(
        user=users.get(username="director"), phone="+996555000200", sms_on=True, telegram_on=False, email_on=False
    )


def test_it_an_urgent_appeal_reaches_a_phone_climbs_and_is_seen(
    page, browser, live_server, demo, telegram, sms_gateway
):
    phones()
    page.goto("/s/rakhmanov/write/")
    page.check("#id_danger")
    page.check("input[name=author_kind][value=student]")
    page.select_option("#id_category", "bullying")
    page.fill("#id_text", TEXT)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/receipt/")
    code = page.inner_text("#receipt-code").strip()
    appeal = Appeal.objects.get()
    assert appeal.urgent

    [alert] = [r.body["text"] for r in telegram.wait(1)]
    assert telegram.received[0].body["chat_id"] == "100"
    assert f"/staff/rakhmanov/appeals/{appeal.pk}/" in alert
    assert not any(word in alert for word in WORDS)

    # Nobody says "I am on it" for 15 minutes: the tick (run here with the clock moved on) goes one level up.
    assert urgent_escalate_due(timezone.now() + dt.timedelta(minutes=16)) == 1
    [sms] = [r.body for r in sms_gateway.wait(1)]
    assert sms["to"] == "+996555000200" and not any(word in sms["text"] for word in WORDS)
    link = re.search(r"https?://\S+", sms["text"]).group(0)

    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    director = context.new_page()
    director.set_default_timeout(15000)
    director.goto("/accounts/login/")
    director.fill("#id_username", "director")
    director.fill("#id_password", DEMO_PASSWORD)
    with director.expect_navigation():
        director.click("form.form button[type=submit]")
    director.goto("/" + link.split("/", 3)[3])  # the path of the link, on the live server
    with director.expect_navigation():
        director.click("form[action$='/acknowledge/'] button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.acknowledged_by.username == "director"
    assert director.locator("form[action$='/acknowledge/']").count() == 0
    context.close()

    writer = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url).new_page()
    writer.goto("/s/rakhmanov/follow/")  # another visit, nothing but the code
    writer.fill("#id_code", code)
    writer.click("button[type=submit].primary")
    writer.wait_for_url("**/follow/")
    assert writer.locator("#seen").is_visible()
    assert urgent_escalate_due(timezone.now() + dt.timedelta(hours=1)) == 0  # it stops climbing
    assert len(sms_gateway.received) == 1
