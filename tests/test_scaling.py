"""Scaling out: two app servers on different ports, one database, one shared Redis cache.

Each test starts two real gunicorn processes (`ishenim.wsgi`, production
settings, DEBUG=0) on the test database — PostgreSQL or the SQLite file — and
the Redis cache, then checks what a district with several app servers relies
on: appeals sent at the same time through both keep the journal gapless, a
rate limit tripped on one server holds on the other, and a staff session
opened on one is valid on the other.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from bench.loadgen import Visitor, fill, form_of
from schools.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
TEXT = "Биздин класста бир бала башка балдарды кордоп, акча талап кылат. Жардам бериңиздерчи."

pytestmark = pytest.mark.django_db(transaction=True)


SERVER_LOGS: list[Path] = []


def run_apart(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API may keep an
    event loop running in the test thread when browser tests ran before."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"scaling out needs the shared Redis cache at {REDIS_URL} (set REDIS_URL): {exc}")
    return client


def _database_url() -> str:
    """The test database, as a URL the servers can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    assert connection.vendor == "postgresql", connection.vendor
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """The collected, hashed and compressed static files that DEBUG=0 serves (once per run)."""
    var = tmp_path_factory.mktemp("scaling-var")
    env = {**os.environ, "ISHENIM_VAR_DIR": str(var), "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "ishenim.settings"}
    subprocess.run(
        [sys.executable, "-m", "ishenim.cli", "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    return var


@pytest.fixture(scope="module")
def servers(django_db_setup, static_root):
    """Two app servers sharing the test database and a Redis cache under a prefix of their own.

    Started once for the module: they keep no connection open between requests
    (DB_CONN_MAX_AGE=0), so each test's data, flushed afterwards, is all they see."""
    redis_client = _redis_or_skip()
    prefix = f"ishenim-scaling-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ishenim.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "CACHE_PREFIX": prefix,
        "DEBUG": "0",
        "SECRET_KEY": "scaling-test-" + prefix,  # one key for every server: sessions and CSRF travel
        "ISHENIM_VAR_DIR": str(static_root),
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "0",
    }
    processes, bases, logs = [], [], []
    for n in range(2):
        port = _free_port()
        logs.append(static_root / f"server-{prefix}-{n}.log")
        SERVER_LOGS.append(logs[-1])
        with logs[-1].open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "ishenim.wsgi:application", "--bind", f"127.0.0.1:{port}"]
                    + ["--workers", "1", "--threads", "4", "--log-level", "warning"],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, process, log in zip(bases, processes, logs, strict=True):
            _wait_until_up(base, process, log)
        yield bases
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        keys = list(redis_client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            redis_client.delete(*keys)


def server_logs() -> str:
    """What the servers wrote (errors with their tracebacks), for a failing assertion."""
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in SERVER_LOGS)


def _wait_until_up(base: str, process: subprocess.Popen, log: Path, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
    raise AssertionError(f"the server at {base} did not come up (exit code {process.poll()}):\n{tail}")


async def _submit(base: str, n: int) -> tuple[int, str]:
    """A new visitor loads the form of the demo school on `base` and sends one appeal."""
    visitor = Visitor(base)
    try:
        page = await visitor.get("/s/rakhmanov/write/")
        form = form_of(page.text, containing="text")
        values = {"text": f"{TEXT} ({n})", "category": "bullying", "author_kind": "student"}
        values["signed"] = form["choices"]["signed"][0] if "signed" in form["choices"] else None
        response = await visitor.post(form["action"] or page.url, fill(form, values), follow=False)
        return response.status, response.headers.get("location", "")
    finally:
        await visitor.close()


def test_it_numbers_appeals_sent_through_two_servers_at_once_without_a_gap(servers, demo):
    from appeals.models import Appeal
    from journal.models import Record, Volume
    from journal.services import journal_verify

    count = 24

    async def all_at_once():
        return await asyncio.gather(*(_submit(servers[n % 2], n) for n in range(count)))

    answers = run_apart(all_at_once())

    assert answers == [(302, "/s/rakhmanov/receipt/")] * count, server_logs()
    volume = Volume.objects.get(school=demo)
    entries = volume.records.filter(kind=Record.Kind.ENTRY)
    assert sorted(entries.values_list("number", flat=True)) == list(range(1, count + 1))
    assert sorted(Appeal.objects.filter(school=demo).values_list("journal_number", flat=True)) == list(
        range(1, count + 1)
    )
    check = journal_verify(volume)
    assert check.ok, check.problem
    assert check.records == volume.last_seq


async def _wrong_code(base: str, visitor: Visitor) -> int:
    page = await visitor.get("/s/rakhmanov/follow/")
    form = form_of(page.text, containing="code")
    response = await visitor.post(form["action"] or page.url, fill(form, {"code": "AAAAA-BBBBB-CCCCC-DDDDD"}))
    return response.status


def test_it_keeps_a_tripped_receipt_code_limit_on_the_other_server(servers, demo):
    from accounts.throttle import code_limit

    per_browser = code_limit().per_browser

    async def guess():
        guesser = Visitor(servers[0])
        statuses = [await _wrong_code(servers[0], guesser) for _ in range(per_browser + 1)]
        # The same browser (its counter cookie) turns to the other server …
        other = Visitor(servers[1])
        other.cookies = dict(guesser.cookies)
        elsewhere = await _wrong_code(servers[1], other)
        # … while someone else typing a code there is not held back.
        stranger = await _wrong_code(servers[1], Visitor(servers[1]))
        for visitor in (guesser, other):
            await visitor.close()
        return statuses, elsewhere, stranger

    statuses, elsewhere, stranger = run_apart(guess())

    assert statuses == [200] * per_browser + [429]
    assert elsewhere == 429
    assert stranger == 200


def test_it_keeps_a_staff_session_across_servers(servers, demo):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # The tests hash passwords with MD5 for speed; the servers accept only production hashers.
    hasher = PBKDF2PasswordHasher()
    get_user_model().objects.filter(username="psychologist").update(
        password=hasher.encode(DEMO_PASSWORD, hasher.salt(), iterations=1000)
    )

    async def visit():
        first = Visitor(servers[0])
        page = await first.get("/accounts/login/")
        form = form_of(page.text, containing="password")
        await first.post(
            form["action"] or page.url, fill(form, {"username": "psychologist", "password": DEMO_PASSWORD})
        )
        second = Visitor(servers[1])
        second.cookies = dict(first.cookies)
        inbox = await second.get("/staff/rakhmanov/appeals/", follow=False)
        anonymous = await Visitor(servers[1]).get("/staff/rakhmanov/appeals/", follow=False)
        for visitor in (first, second):
            await visitor.close()
        return inbox.status, anonymous.status, anonymous.headers.get("location", "")

    inbox, anonymous, where = run_apart(visit())

    assert inbox == 200
    assert anonymous == 302 and where.startswith("/accounts/login/")
