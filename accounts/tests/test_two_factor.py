"""Two-factor login: required for directors, responsible persons and district officers."""

import pyotp
import pytest
from django.test import Client

from accounts import twofactor
from accounts.models import TwoFactor
from audit.models import AuditRecord
from schools.demo import DEMO_PASSWORD


@pytest.fixture
def required(settings):
    settings.ISHENIM_TWO_FACTOR_ROLES = twofactor.REQUIRED_ROLES


def password_step(client, username="director"):
    return client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})


def enrol(client, username="director") -> str:
    """Log in for the first time and set up the app; returns the seed."""
    assert password_step(client, username).url == "/accounts/login/two-factor/"
    page = client.get("/accounts/login/two-factor/")
    seed = page.context["seed"]
    assert page.context["qr"].startswith("data:image/svg+xml")
    done = client.post("/accounts/login/two-factor/", {"code": pyotp.TOTP(seed).now()})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    return seed, done.context["codes"]


def logged_in(client) -> bool:
    return client.get("/staff/rakhmanov/").status_code == 200


def test_it_makes_a_director_set_up_the_second_factor_before_anything_else(client, demo, required):
    response = password_step(client)
    assert response.status_code == 302
    assert response.url == "/accounts/login/two-factor/"
    assert not logged_in(client)
    assert client.get("/accounts/login/two-factor/").status_code == 200


def test_it_enrols_then_asks_for_the_code_at_every_login(client, demo, required):
    seed, _codes = enrol(client)
    assert logged_in(client)
    assert TwoFactor.objects.get(user__username="director").confirmed_at
    assert bytes(TwoFactor.objects.get(user__username="director").secret_boxed).find(seed.encode()) == -1
    client.post("/accounts/logout/")

    assert password_step(client).url == "/accounts/login/code/"
    assert not logged_in(client)
    wrong = client.post("/accounts/login/code/", {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert AuditRecord.objects.filter(action="ishenim.account.two_factor_failed").exists()
    right = client.post("/accounts/login/code/", {"code": pyotp.TOTP(seed).now()})
    assert right.status_code == 302
    assert logged_in(client)
    assert AuditRecord.objects.filter(action="ishenim.account.login", detail__two_factor=True).exists()


def test_it_refuses_a_code_used_twice(demo, required):
    first = Client()
    seed, _ = enrol(first)
    code = pyotp.TOTP(seed).now()
    other = Client()
    password_step(other)
    # the enrolment consumed nothing; one login consumes the code, the next cannot replay it
    assert other.post("/accounts/login/code/", {"code": code}).status_code == 302
    third = Client()
    password_step(third)
    assert third.post("/accounts/login/code/", {"code": code}).status_code == 200


def test_it_lets_a_backup_code_in_once(demo, required):
    _seed, codes = enrol(Client())
    browser = Client()
    password_step(browser)
    assert browser.post("/accounts/login/code/", {"code": codes[0].upper()}).status_code == 302
    again = Client()
    password_step(again)
    assert again.post("/accounts/login/code/", {"code": codes[0]}).status_code == 200
    assert AuditRecord.objects.filter(action="ishenim.account.backup_code_used").count() == 1


def test_it_starts_over_after_too_many_wrong_codes(client, demo, required):
    enrol(Client())
    password_step(client)
    for _ in range(5):
        response = client.post("/accounts/login/code/", {"code": "123456"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert client.get("/accounts/login/code/").status_code == 302


def test_it_needs_the_password_step_first(client, demo, required):
    assert client.get("/accounts/login/code/").url == "/accounts/login/"
    assert client.post("/accounts/login/code/", {"code": "123456"}).url == "/accounts/login/"
    assert client.get("/accounts/login/two-factor/").url == "/accounts/login/"


def test_it_does_not_require_it_of_a_case_handler_who_may_still_turn_it_on(client, demo, required, login):
    login("psychologist")
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and not page.context["required"]
    seed = page.context["seed"]
    done = client.post("/accounts/two-factor/", {"code": pyotp.TOTP(seed).now()})
    assert done.status_code == 200 and done.context["codes"]
    assert twofactor.active_for(done.wsgi_request.user)
    off = client.post("/accounts/two-factor/off/", {"code": "000000"})
    assert off.status_code == 302 and twofactor.active_for(done.wsgi_request.user)


def test_it_cannot_be_turned_off_by_a_director(client, demo, required):
    seed, _ = enrol(client)
    client.post("/accounts/two-factor/off/", {"code": pyotp.TOTP(seed).now()})
    assert TwoFactor.objects.filter(user__username="director").exists()


def test_it_accepts_a_code_from_a_slightly_wrong_clock():
    seed = pyotp.random_base32()
    now = 1_800_000_000
    code = pyotp.TOTP(seed).at(now - 30)
    assert twofactor.matching_step(seed, code, at=now) is not None
    assert twofactor.matching_step(seed, pyotp.TOTP(seed).at(now - 120), at=now) is None


def test_it_lets_an_administrator_remove_a_lost_authenticator(demo, required):
    enrol(Client())
    tf = TwoFactor.objects.get(user__username="director")
    admin = Client()
    enrol(admin, "admin")  # the administration pages need a login with two-factor codes
    page = admin.get(f"/admin/accounts/twofactor/{tf.pk}/change/")
    assert page.status_code == 200 and "secret" not in page.content.decode().lower()
    admin.post(f"/admin/accounts/twofactor/{tf.pk}/delete/", {"post": "yes"})
    assert not TwoFactor.objects.filter(pk=tf.pk).exists()
    assert AuditRecord.objects.filter(action="ishenim.account.two_factor_reset").exists()
    assert password_step(Client()).url == "/accounts/login/two-factor/"  # sets up a new app at once
