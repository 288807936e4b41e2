"""Fixtures shared by every test: fast key derivation, the demo school, logins, a browser."""

import base64
import os

import pytest

from notify.testing import edge_fixtures

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SERVER_KEY = base64.b64encode(b"k" * 32).decode()
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Cheap Argon2 for the keys derived from passwords: the cost is a setting,
    # stored with each wrapped key, and production keeps the default.
    settings.VAULT_ARGON2 = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}
    settings.VAULT_SERVER_KEY = SERVER_KEY
    # Served by the finders: tests need no `collectstatic` manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Printed journal volumes are kept as files: each test keeps its own.
    settings.JOURNAL_PDF_DIR = tmp_path / "journal-pdf"


@pytest.fixture
def demo(db):
    """The demo district: schools `rakhmanov` and `gymnasium5`, and their staff."""
    from schools.demo import demo_create
    from schools.models import School

    demo_create()
    return School.objects.get(slug="rakhmanov")


@pytest.fixture
def login(client):
    """Log a demo user in through the login form, so their keyring is unlocked."""
    from schools.demo import DEMO_PASSWORD

    def do_login(username: str, client=client):
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.content[:500]
        return client

    return do_login


@pytest.fixture
def user():
    """A demo account by its username."""
    from django.contrib.auth import get_user_model

    return lambda username: get_user_model().objects.get(username=username)


@pytest.fixture
def commission(demo):
    """The demo school's commission, appointed by order, seated from the five commission accounts."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from commission.services import commission_from_accounts, commission_of, order_record

    director = get_user_model().objects.get(username="director")
    commission = commission_of(demo)
    order = order_record(
        commission=commission, number="45-к", issued_on=dt.date(2026, 9, 1), scan=None, scan_type="", actor=director
    )
    commission_from_accounts(commission=commission, on=dt.date(2026, 9, 1), order=order, actor=director)
    return commission


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (360 px wide, like a cheap phone) on the live server."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests use a WAL file like production, not Django's shared-cache memory database:
    there concurrent writers fail at once with "table is locked" instead of waiting their turn,
    so tests with threads (journal numbering, chains) could not run."""
    import tempfile
    from pathlib import Path

    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        name = Path(tempfile.gettempdir()) / f"ishenim-test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True)
def _two_factor_optional(settings):
    """Tests log staff in with a password only (the `login` fixture); the
    two-factor requirement for directors, responsible persons and district
    officers is tested in accounts/tests with `settings.ISHENIM_TWO_FACTOR_ROLES`."""
    settings.ISHENIM_TWO_FACTOR_ROLES = ()


@pytest.fixture(autouse=True)
def _cache_table(request):
    """Tests that touch the database get the database cache's table, empty, as in production."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "demo", "live_server", "page"} & names:
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server", "page"} & names
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    cache.clear()


# Real servers on loopback at the edge of the world: a fake Telegram Bot API, a fake SMS
# gateway, a fake WhatsApp Cloud API and an SMTP server (aiosmtpd), each wired into the settings.
telegram, sms_gateway, whatsapp, smtp_server = edge_fixtures()
