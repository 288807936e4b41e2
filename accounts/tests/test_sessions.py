"""Sessions: expiry after inactivity, the list of logged-in browsers, log out everywhere, password change."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import SessionRecord
from accounts.sessions import stored_key
from audit.models import AuditRecord
from schools.demo import DEMO_PASSWORD


def browser(login, username="director") -> Client:
    return login(username, client=Client())


def logged_in(client) -> bool:
    return client.get("/staff/rakhmanov/").status_code == 200


def test_it_ends_a_session_after_a_period_without_activity(client, demo, login, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 3600
    login("director")
    key = stored_key(client.session.session_key)
    first = Session.objects.get(session_key=key).expire_date
    assert logged_in(client)
    assert Session.objects.get(session_key=key).expire_date >= first  # activity moves the end forward
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/staff/rakhmanov/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_lists_where_the_user_is_logged_in_without_addresses(demo, login):
    laptop, phone = browser(login), browser(login)
    page = laptop.get("/accounts/")
    sessions = page.context["sessions"]
    assert len(sessions) == 2
    assert [current for _s, current in sessions].count(True) == 1
    assert "127.0.0.1" not in page.content.decode()
    assert {f.name for f in SessionRecord._meta.fields} == {
        "id",
        "user",
        "key_hash",
        "started_at",
        "two_factor",
    }
    assert logged_in(phone)


def test_it_logs_out_everywhere_else(demo, login):
    laptop, phone, tablet = browser(login), browser(login), browser(login)
    other = browser(login, "responsible")
    response = laptop.post("/accounts/sessions/logout/")
    assert response.status_code == 302
    assert logged_in(laptop)
    assert not logged_in(phone) and not logged_in(tablet)
    assert logged_in(other)
    assert AuditRecord.objects.filter(action="ishenim.account.sessions_ended", detail__n=2).exists()


def test_it_logs_out_one_other_session(demo, login):
    laptop, phone = browser(login), browser(login)
    record = [s for s, current in laptop.get("/accounts/").context["sessions"] if not current][0]
    laptop.post(f"/accounts/sessions/{record.pk}/logout/")
    assert not logged_in(phone) and logged_in(laptop)


def test_it_cannot_end_someone_elses_session(demo, login):
    mine, theirs = browser(login), browser(login, "responsible")
    record = SessionRecord.objects.get(user__username="responsible")
    mine.post(f"/accounts/sessions/{record.pk}/logout/")
    assert logged_in(theirs)


def test_it_forgets_the_session_at_logout(client, demo, login):
    login("director")
    assert SessionRecord.objects.filter(user__username="director").count() == 1
    client.post("/accounts/logout/")
    assert not SessionRecord.objects.filter(user__username="director").exists()
    assert AuditRecord.objects.filter(action="ishenim.account.logout").exists()


def test_it_changes_the_password_and_logs_the_other_sessions_out(demo, login):
    laptop, phone = browser(login), browser(login)
    new = "plov-and-lagman-2026"
    response = laptop.post(
        "/accounts/password/", {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert logged_in(laptop)
    assert not logged_in(phone)
    assert len(laptop.get("/accounts/").context["sessions"]) == 1
    assert Client().post("/accounts/login/", {"username": "director", "password": new}).status_code == 302
    assert AuditRecord.objects.filter(action="ishenim.account.password_changed").exists()


def test_it_enforces_the_password_policy(client, demo, login):
    login("director")
    cases = [
        (
            {"old_password": "wrong", "new_password1": "plov-and-lagman-2026", "new_password2": "plov-and-lagman-2026"},
            "old_password",
        ),
        ({"old_password": DEMO_PASSWORD, "new_password1": "short1", "new_password2": "short1"}, "new_password1"),
        (
            {"old_password": DEMO_PASSWORD, "new_password1": "1234567890123", "new_password2": "1234567890123"},
            "new_password1",
        ),
        (
            {"old_password": DEMO_PASSWORD, "new_password1": "password1234", "new_password2": "password1234"},
            "new_password1",
        ),
        (
            {
                "old_password": DEMO_PASSWORD,
                "new_password1": "plov-and-lagman-2026",
                "new_password2": "plov-and-lagman-2027",
            },
            "new_password2",
        ),
        (
            {"old_password": DEMO_PASSWORD, "new_password1": DEMO_PASSWORD, "new_password2": DEMO_PASSWORD},
            "new_password1",
        ),
    ]
    for data, field in cases:
        response = client.post("/accounts/password/", data)
        assert response.status_code == 200, data
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert Client().post("/accounts/login/", {"username": "director", "password": DEMO_PASSWORD}).status_code == 302


def test_it_stores_passwords_with_argon2_in_production():
    from ishenim import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_it_links_each_member_to_the_keys_and_trails_they_manage(demo, login):
    director = browser(login).get("/accounts/").context["places"]
    assert director[0]["links"] == {
        "recover": "/staff/rakhmanov/keys/recover/",
        "keys": "/staff/rakhmanov/keys/",
        "audit": "/staff/rakhmanov/audit/",
    }
    district = browser(login, "district").get("/accounts/").context["places"]
    assert district[0]["links"]["keys"] == "/district/osh/keys/"
    responsible = browser(login, "responsible").get("/accounts/").context["places"]
    assert set(responsible[0]["links"]) == {"recover"}
    assert browser(login, "parent").get("/accounts/").context["places"] == []
