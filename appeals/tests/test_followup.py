import pytest
from django.test import Client

from appeals.models import Appeal, FollowUp, Message
from appeals.services import message_post
from audit.models import AuditRecord

pytestmark = pytest.mark.django_db

TEXT = "Бизге ашканада тамак суук берилет, балдар ооруп жатат. Чара көрүңүздөр."


def submit(client) -> str:
    client.cookies["ishenim_lang"] = "en"
    client.get("/s/rakhmanov/write/")
    response = client.post(
        "/s/rakhmanov/write/",
        {"author_kind": "parent", "signed": "anonymous", "category": "request", "text": TEXT},
        follow=True,
    )
    return response.context["code"]


def fresh() -> Client:
    client = Client()
    client.cookies["ishenim_lang"] = "en"
    return client


def test_it_writer_returns_with_the_code_and_sees_status_and_text(client, demo):
    code = submit(client)
    other = fresh()
    assert "Type the receipt code" in other.get("/s/rakhmanov/follow/").content.decode()
    response = other.post("/s/rakhmanov/follow/", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and response["Location"] == "/s/rakhmanov/follow/"
    page = other.get("/s/rakhmanov/follow/").content.decode()
    assert "Registered" in page and TEXT in page and "There is no answer yet" in page
    # a reload keeps it; a browser without the session does not get in
    assert TEXT in other.get("/s/rakhmanov/follow/").content.decode()
    assert TEXT not in fresh().get("/s/rakhmanov/follow/").content.decode()


def test_it_wrong_code_is_refused_in_the_readers_language(client, demo):
    submit(client)
    response = fresh().post("/s/rakhmanov/follow/", {"code": "ABCDE-FGHJK-MNPQR-STUVW"})
    assert response.status_code == 200
    assert "No appeal to this school has this code" in response.content.decode()
    response = fresh().post("/s/rakhmanov/follow/", {"code": "12"})
    assert "A receipt code has 20 letters" in response.content.decode()


def test_it_code_works_only_at_its_own_school(client, demo):
    code = submit(client)
    response = fresh().post("/s/gymnasium5/follow/", {"code": code})
    assert "No appeal to this school has this code" in response.content.decode()


def test_it_guessing_codes_is_rate_limited_but_the_real_code_of_another_browser_works(client, demo, settings):
    settings.ISHENIM = {**settings.ISHENIM, "WRONG_CODES_PER_BROWSER_15MIN": 3}
    code = submit(client)
    guesser = fresh()
    guesser.get("/s/rakhmanov/follow/")
    for _ in range(3):
        assert guesser.post("/s/rakhmanov/follow/", {"code": "ABCDE-FGHJK-MNPQR-STUVW"}).status_code == 200
    refused = guesser.post("/s/rakhmanov/follow/", {"code": code})
    assert refused.status_code == 429 and "Please wait a quarter of an hour" in refused.content.decode()
    honest = fresh()
    honest.get("/s/rakhmanov/follow/")
    assert honest.post("/s/rakhmanov/follow/", {"code": code}).status_code == 302


def test_it_messages_go_both_ways_sealed(client, demo):
    submit(client)
    appeal = Appeal.objects.get()
    response = client.post("/s/rakhmanov/follow/message/", {"body": "Бүгүн да ошондой болду."})
    assert response.status_code == 302
    director = demo.memberships.get(role="director").user
    message_post(appeal=appeal, side=Message.Side.STAFF, body="Сиз кайсы класстансыз?", sender=director)
    message_post(appeal=appeal, side=Message.Side.ANSWER, body="Ашкана текшерилди, чара көрүлдү.", sender=director)
    page = client.get("/s/rakhmanov/follow/").content.decode()
    assert "Бүгүн да ошондой болду." in page and "Сиз кайсы класстансыз?" in page
    assert "Ашкана текшерилди, чара көрүлдү." in page and "The official answer" in page
    assert Message.objects.filter(side__in=["staff", "answer"], read_at=None).count() == 0
    for message in Message.objects.all():
        assert "Ашкана".encode() not in bytes(message.body_sealed) + bytes(message.body_for_writer)
    assert director.get_full_name() not in page  # the writer sees «School», never a name
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"ishenim.appeal.message_received", "ishenim.appeal.message_sent"} <= actions


def test_it_empty_message_is_refused_and_the_thread_kept(client, demo):
    submit(client)
    response = client.post("/s/rakhmanov/follow/message/", {"body": "   "})
    assert response.status_code == 200 and "Write the message first." in response.content.decode()
    assert TEXT in response.content.decode()
    assert Message.objects.count() == 0


def test_it_after_closure_the_writer_is_asked_whether_it_was_solved(client, demo):
    submit(client)
    appeal = Appeal.objects.get()
    assert "Was the problem solved?" not in client.get("/s/rakhmanov/follow/").content.decode()
    assert client.post("/s/rakhmanov/follow/solved/", {"solved": "yes"}).status_code == 200  # not closed yet
    assert FollowUp.objects.get().solved == ""
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED)
    page = client.get("/s/rakhmanov/follow/").content.decode()
    assert "Was the problem solved?" in page and "Send the message" not in page
    refused = client.post("/s/rakhmanov/follow/message/", {"body": "Дагы бир нерсе"})
    assert "This appeal is closed" in refused.content.decode() and Message.objects.count() == 0
    response = client.post("/s/rakhmanov/follow/solved/", {})
    assert "Choose one answer." in response.content.decode()
    assert client.post("/s/rakhmanov/follow/solved/", {"solved": "partly"}).status_code == 302
    followup = FollowUp.objects.get()
    assert followup.solved == "partly" and followup.solved_at
    assert "You answered: partly" in client.get("/s/rakhmanov/follow/").content.decode()


def test_it_leaving_forgets_the_code_on_this_device(client, demo):
    submit(client)
    assert TEXT in client.get("/s/rakhmanov/follow/").content.decode()
    client.post("/s/rakhmanov/follow/leave/")
    assert TEXT not in client.get("/s/rakhmanov/follow/").content.decode()


def test_it_keeps_the_code_only_encrypted_in_a_cookie(client, demo):
    import base64

    from django.contrib.sessions.models import Session

    code = submit(client)
    assert not Session.objects.exists()  # nothing of the visit is stored
    cookie = client.cookies["ishenim_wk"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["max-age"]  # gone with the browser
    jar = cookie.value.encode() + base64.urlsafe_b64decode(cookie.value)
    assert code.encode() not in jar and code.replace("-", "").encode() not in jar  # whoever reads the jar later
    assert TEXT in client.get("/s/rakhmanov/follow/").content.decode()


def test_it_refuses_a_kept_code_tampered_with_idle_too_long_or_of_another_school(client, demo, settings):
    import base64
    import json
    import time

    from appeals import followup
    from vault.services import server_box

    submit(client)
    kept = client.cookies["ishenim_wk"].value
    blob = bytearray(base64.urlsafe_b64decode(kept))
    blob[-1] ^= 1
    client.cookies["ishenim_wk"] = base64.urlsafe_b64encode(bytes(blob)).decode()
    assert TEXT not in client.get("/s/rakhmanov/follow/").content.decode()  # tampered: refused
    client.cookies["ishenim_wk"] = kept
    assert "Type the receipt code" in client.get("/s/gymnasium5/follow/").content.decode()  # another school's box
    assert TEXT in client.get("/s/rakhmanov/follow/").content.decode()
    assert client.cookies["ishenim_wk"].value != kept  # reading the thread renewed it
    code = followup.session_code(_with_cookie(client.cookies["ishenim_wk"].value), "rakhmanov")
    assert code
    # The same cookie as the server made it, last renewed past the idle limit ago: refused.
    settings.SESSION_COOKIE_AGE = 60
    stale = json.dumps({"s": "rakhmanov", "c": code, "t": int(time.time()) - 61}).encode()
    client.cookies["ishenim_wk"] = base64.urlsafe_b64encode(server_box(followup.COOKIE_PURPOSE, stale)).decode()
    assert TEXT not in client.get("/s/rakhmanov/follow/").content.decode()
    fresh_enough = json.dumps({"s": "rakhmanov", "c": code, "t": int(time.time()) - 30}).encode()
    client.cookies["ishenim_wk"] = base64.urlsafe_b64encode(server_box(followup.COOKIE_PURPOSE, fresh_enough)).decode()
    assert TEXT in client.get("/s/rakhmanov/follow/").content.decode()


def _with_cookie(value: str):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES["ishenim_wk"] = value
    return request
