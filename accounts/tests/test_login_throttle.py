"""Login guessing is throttled per account, a known browser keeps working, and no address is kept."""

from django.test import Client

from accounts import throttle
from accounts.models import Counter
from audit.models import AuditRecord
from schools.demo import DEMO_PASSWORD


def attempt(client, password="wrong-password-x", username="director"):  # noqa: S107
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_lets_a_few_mistakes_through_then_makes_the_guesser_wait(client, demo):
    for _ in range(throttle.limits()["FREE_FAILURES"]):
        assert attempt(client).status_code == 200
    refused = attempt(client, password=DEMO_PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="ishenim.account.login_throttled").exists()
    for _ in range(20):  # a flood of refused tries is one line in the trail, not twenty
        attempt(client)
    assert AuditRecord.objects.filter(action="ishenim.account.login_throttled").count() == 1
    assert AuditRecord.objects.filter(action="ishenim.account.login_failed").count() == 5


def test_it_doubles_the_wait_and_caps_it():
    free, base, cap = (throttle.limits()[k] for k in ("FREE_FAILURES", "BASE_DELAY", "MAX_DELAY"))
    assert throttle.delay_after(free - 1) == 0
    assert throttle.delay_after(free) == base
    assert throttle.delay_after(free + 1) == 2 * base
    assert throttle.delay_after(free + 50) == cap


def test_it_allows_a_try_again_after_the_wait(client, demo, monkeypatch):
    for _ in range(5):
        attempt(client)
    assert attempt(client, password=DEMO_PASSWORD).status_code == 429
    now = throttle.time.time()
    monkeypatch.setattr(throttle.time, "time", lambda: now + 31)
    assert attempt(client, password=DEMO_PASSWORD).status_code == 302


def test_it_keeps_guessing_to_a_trickle(client, demo, monkeypatch):
    """An attacker who always waits exactly as long as asked gets few tries a day."""
    clock = [throttle.time.time()]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    tries, day = 0, 24 * 3600
    start = clock[0]
    while clock[0] - start < day:
        response = attempt(client)
        if response.status_code == 429:
            clock[0] += throttle.LoginGuard(response.wsgi_request, "director").wait_seconds()
            continue
        tries += 1
    assert tries < 40, tries


def test_it_does_not_lock_the_real_user_out_of_their_usual_browser(demo):
    teacher_browser, attacker = Client(), Client()
    assert attempt(teacher_browser, password=DEMO_PASSWORD).status_code == 302
    teacher_browser.post("/accounts/logout/")
    assert throttle.DEVICE_COOKIE in teacher_browser.cookies

    for _ in range(30):
        attempt(attacker)
    assert attempt(attacker, password=DEMO_PASSWORD).status_code == 429

    assert attempt(teacher_browser, password=DEMO_PASSWORD).status_code == 302


def test_it_does_not_lock_out_the_other_accounts_of_the_school(demo):
    attacker = Client()
    for username in ("director", "responsible", "psychologist"):
        for _ in range(10):
            attempt(attacker, username=username)
    for username in ("socped", "deputy", "parent", "teacher"):
        assert attempt(Client(), password=DEMO_PASSWORD, username=username).status_code == 302, username


def test_it_takes_trust_away_from_a_known_browser_that_keeps_failing(demo):
    browser = Client()
    attempt(browser, password=DEMO_PASSWORD)
    browser.post("/accounts/logout/")
    for _ in range(throttle.limits()["DEVICE_FAILURES"]):
        assert attempt(browser).status_code == 200
    # now it counts with the strangers: five more free tries, then a wait
    for _ in range(5):
        attempt(browser)
    assert attempt(browser, password=DEMO_PASSWORD).status_code == 429


def test_it_throttles_unknown_usernames_too(client, demo):
    for _ in range(5):
        attempt(client, username="no-such-user")
    assert attempt(client, username="no-such-user").status_code == 429


def test_it_keeps_no_address_of_anyone(client, demo):
    for _ in range(7):
        attempt(client, password="x", username="director")
    attempt(Client(), password=DEMO_PASSWORD)
    rows = list(Counter.objects.values_list("bucket", "count"))
    assert rows, "the throttle counts in its own table"
    for bucket, _count in rows:
        assert "127.0.0.1" not in bucket and "director" not in bucket
    for record in AuditRecord.objects.all():
        assert "127.0.0.1" not in str(record.detail)


def test_it_counts_look_alike_names_against_the_account_they_mean(demo):
    """`𝐝irector` and `directoｒ` log in as `director` (Django normalises NFKC): they share its bucket."""
    for name in ("director", "\U0001d41director", "directo\uff52", "Director", "DIRECTOR "):
        assert attempt(Client(), username=name).status_code == 200
    assert attempt(Client(), password=DEMO_PASSWORD).status_code == 429
    assert throttle.username_normalise("\U0001d41directo\uff52") == "director"
