"""Benchmark 7: an urgent appeal's alert, from the child's POST to a phone, and its escalation.

The production server (`ishenim serve`'s gunicorn) and one task worker
(`ishenim db_worker`, the database queue) run against PostgreSQL; the Telegram
Bot API is the fake server of `notify.testing` on loopback (real HTTP). For
each urgent appeal — posted through the public form with "someone is in danger
right now" — the figure is the time from the start of the POST to the moment
the fake Telegram accepted the responsible person's alert.

Then escalation under a fake clock: `every_minute(now + 15 min)` (what the
per-minute `ishenim tick` runs) moves each unacknowledged alert one level up;
the figure is the time from that tick to the director's alert accepted, and
the cost of an idle tick (nothing due), which is what runs 1,440 times a day.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import time

from bench import harness
from bench.harness import Figure, log
from bench.loadgen import Visitor, fill, form_of

TEXT = "Мен коркуп жатам, үйдө мени уруп жатышат. Жардам бериңиздерчи."
TOKEN = "4242:BENCH"


@contextlib.contextmanager
def worker(database_url: str, **extra: str):
    """`ishenim db_worker` polling the queue every 0.1 s, like a production worker with a short interval."""
    argv = [harness.PYTHON, "-m", "ishenim.cli", "db_worker", "--interval", "0.1", "--no-startup-delay"]
    log_file = open(harness.OUT / "worker.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603
        argv, env=harness.env_for(database_url, **extra), cwd=harness.ROOT, stdout=log_file, stderr=log_file,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log_file.close()


def _staff(chats: dict[str, str]) -> str:
    """A school whose responsible person, director and district officer read Telegram only."""
    from django.contrib.auth import get_user_model

    from notify.models import ChannelSettings
    from schools.models import District, Membership, Role
    from schools.services import school_create

    district = District.objects.create(slug="alerts", name_ky="Кабар району")
    school, _code = school_create(district=district, slug="alerts", name_ky="Кабар мектеби")
    users = get_user_model().objects
    for username, chat in chats.items():
        user = users.create_user(username, f"{username}@bench.example", "x" * 12)
        role = {"responsible": Role.RESPONSIBLE, "director": Role.DIRECTOR, "officer": Role.DISTRICT_OFFICER}[username]
        where = {"district": district} if role == Role.DISTRICT_OFFICER else {"school": school}
        Membership.objects.create(user=user, role=role, **where)
        ChannelSettings.objects.create(user=user, telegram_chat_id=chat, email_on=False)
    return school.slug


async def _post_urgent(base: str, slug: str) -> tuple[float, int]:
    visitor = Visitor(base)
    try:
        page = await visitor.get(f"/s/{slug}/write/")
        form = form_of(page.text, containing="text")
        values = {"text": TEXT, "category": "bullying", "author_kind": "student", "danger": "on"}
        if "signed" in form["choices"]:
            values["signed"] = form["choices"]["signed"][0]
        started = time.monotonic()
        response = await visitor.post(f"/s/{slug}/write/", fill(form, values), follow=False)
        if response.status != 302:
            raise RuntimeError(f"the form answered {response.status}: {response.text[:300]!r}")
        return started, response.status
    finally:
        await visitor.close()


def run(scale: float) -> list[Figure]:
    from notify.testing import FakeTelegram

    count = 10 if scale < 0.5 else 40
    settings = harness.Settings()
    url = harness.fresh_database(settings, "alerts")
    telegram = FakeTelegram(TOKEN).start()
    extra = {
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TELEGRAM_API_URL": telegram.url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64", **extra)
    slug = _staff({"responsible": "11", "director": "22", "officer": "33"})
    harness.collect_static(url)
    latencies = []
    with harness.server(url, **extra) as base, worker(url, **extra):
        for n in range(count):
            started, _status = asyncio.run(_post_urgent(base, slug))
            arrived = telegram.wait(n + 1, timeout=120)
            if len(arrived) <= n:
                raise RuntimeError(f"alert {n + 1} did not reach the fake Telegram within 120 s")
            latencies.append(arrived[n].at - started)
            time.sleep(0.2)
        log(f"{count} urgent appeals posted; alert p50 {harness.percentile(latencies, 50):.2f} s")

        from appeals.services.urgent import ack_window, urgent_escalate_due
        from ishenim.scheduler import every_minute

        idle = []
        for _ in range(20):
            t0 = time.perf_counter()
            every_minute(dt.datetime.now(dt.UTC))
            idle.append((time.perf_counter() - t0) * 1000)
        director_before = len(telegram.texts("22"))
        fake_now = dt.datetime.now(dt.UTC) + ack_window() + dt.timedelta(seconds=1)
        t0 = time.monotonic()
        urgent_escalate_due(fake_now)  # the tick's escalation step; its retry step would see the new rows as due
        tick_s = time.monotonic() - t0
        arrived = telegram.wait(count * 2, timeout=120)
        to_director = [r for r in arrived if str(r.body["chat_id"]) == "22"]
        escalated = len(to_director) - director_before
        last = max((r.at for r in to_director), default=t0)
    telegram.stop()
    p50, p99 = harness.percentile(latencies, 50), harness.percentile(latencies, 99)
    minutes = ack_window().total_seconds() / 60
    return [
        Figure("alerts", f"POST to alert accepted by Telegram, p50 ({count} urgent appeals)", p50, "s"),
        Figure("alerts", "POST to alert accepted by Telegram, p99", p99, "s", "< 60 s", p99 < 60),
        Figure(
            "alerts",
            f"escalation to the director after {minutes:.0f} min without 'I am on it' (fake clock)",
            last - t0,
            "s",
            "all escalated, < 60 s after the tick",
            escalated == count and last - t0 < 60,
            note=f"{escalated}/{count} escalated; the tick itself took {tick_s:.2f} s",
        ),
        Figure(
            "alerts",
            "idle per-minute tick (escalations and retries, nothing due), p50",
            harness.percentile(idle, 50),
            "ms",
            "< 50 ms",
            harness.percentile(idle, 50) < 50,
        ),  # fmt: skip
    ]


if __name__ == "__main__":
    harness.child_main(run)
