"""Guessing receipt codes and passwords: the throttles hold, and the numbers say why they suffice."""

import math

from django.test import Client

from accounts import throttle as box_throttle
from accounts import throttle as login_throttle
from appeals import receipts
from appeals.receipts import receipt_code_new
from appeals.services.intake import appeal_submit
from schools.demo import DEMO_PASSWORD


def wrong_code() -> str:
    return receipt_code_new()  # random: as good a guess as any


def test_it_stops_one_browser_guessing_receipt_codes(demo):
    code = receipt_code_new()
    appeal_submit(
        school=demo,
        text="The canteen food is cold every day.",
        category="other",
        author_kind="student",
        receipt_code=code,
    )
    guesser = Client()
    limit = box_throttle.code_limit().per_browser
    for _ in range(limit):
        assert guesser.post("/s/rakhmanov/follow/", {"code": wrong_code()}).status_code == 200
    # now even the right code is refused to this browser for the window
    assert guesser.post("/s/rakhmanov/follow/", {"code": code}).status_code == 429
    assert Client().post("/s/rakhmanov/follow/", {"code": code}).status_code == 302  # the writer is not locked out


def test_it_stops_guessers_who_throw_their_cookies_away(demo, settings):
    settings.ISHENIM = {**settings.ISHENIM, "WRONG_CODES_PER_SCHOOL_15MIN": 25}
    for _ in range(25):
        assert Client().post("/s/rakhmanov/follow/", {"code": wrong_code()}).status_code == 200
    assert Client().post("/s/rakhmanov/follow/", {"code": wrong_code()}).status_code == 429
    # another school's box is not affected
    assert Client().post("/s/gymnasium5/follow/", {"code": wrong_code()}).status_code == 200


def test_it_makes_guessing_a_receipt_code_hopeless():
    """At the school ceiling, day and night for a century, against a million live codes."""
    bits = receipts.LENGTH * math.log2(len(receipts.ALPHABET))
    assert bits > 95
    limit = box_throttle.code_limit()
    guesses = limit.per_school * (365 * 24 * 3600 / limit.window) * 100
    chance = guesses * 1_000_000 / 2**bits
    assert chance < 1e-9


def test_it_stops_password_guessing_at_a_few_dozen_tries_a_day():
    free, total, elapsed = login_throttle.limits()["FREE_FAILURES"], 0, 0
    n = 0
    while elapsed < 24 * 3600:
        elapsed += login_throttle.delay_after(n)
        n += 1
        total += 1
    assert total < 40
    # a 10-character password from the policy, even a weak one from a list of a million, lasts years
    assert 1_000_000 / total / 365 > 50
    assert free >= 3  # a person who mistypes is not punished at once


def test_it_throttles_a_password_guesser_through_the_login_form(demo):
    guesser = Client()
    statuses = [
        guesser.post("/accounts/login/", {"username": "director", "password": f"guess-{n}"}).status_code
        for n in range(8)
    ]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    assert Client().post("/accounts/login/", {"username": "responsible", "password": DEMO_PASSWORD}).status_code == 302
