"""Benchmark 1: submitting an appeal through the public form under load.

The production server (`ishenim serve`'s gunicorn, DEBUG=0, PostgreSQL, shared
Redis cache) answers closed-loop clients at 1, 8, 32 and 64 concurrent
connections. Each client is a phone: it loads a school's form once (CSRF
cookie and token), then posts real appeals again and again, to the 64 schools
in turn — the full
path: validation, vault encryption, journal number and hash chain, triage,
audit, the redirect to the receipt. Two floors are measured by the same server in the same run:
`/healthz` (a trivial view with one query) and the write floor `POST /healthz/write` (one row
committed through the same middleware, CSRF included: `bench.urls`, served only here). The
target compares a submission with the write floor.

Rate limits stay on and unchanged: every submission comes from a fresh browser
(its counter cookie and session dropped, as a new visitor would have), and the
appeals are spread over the schools, so neither the per-browser nor the
per-school ceiling trips — as with real traffic from a country's schools.

Afterwards every volume is checked: serial numbers exactly 1..N, one appeal
per successful submission, and `journal_verify` clean.
"""

from __future__ import annotations

import asyncio
import random
import time

from bench import harness
from bench.harness import Figure, log
from bench.loadgen import Load, Visitor, closed_loop, csrf_token, fill, form_of, open_loop

LEVELS = (1, 8, 32, 64)
SCHOOLS = 64
TEXT = (
    "Саламатсызбы! Биздин класста бир окуучу башка балдарды тыныгууда кордоп, телефондорун тартып алат. "
    "Мугалимге айттык, бирок эч нерсе өзгөргөн жок. Жардам бериңиздерчи."
)


def _schools(count: int) -> list[str]:
    from schools.models import District
    from schools.services import school_create

    district = District.objects.create(slug="load", name_ky="Жүктөм району")
    slugs = []
    for n in range(count):
        school, _code = school_create(district=district, slug=f"load-{n:02d}", name_ky=f"Жүктөм мектеби №{n}")
        slugs.append(school.slug)
    return slugs


def _submitter(slugs: list[str], counts: dict):
    async def prepare(visitor: Visitor, index: int) -> dict:
        slug = slugs[index % len(slugs)]
        page = await visitor.get(f"/s/{slug}/write/")
        if page.status != 200:
            raise RuntimeError(f"the form of {slug} answered {page.status}")
        form = form_of(page.text, containing="text")
        return {"form": form, "rng": random.Random(index), "turn": index}

    async def step(visitor: Visitor, state: dict) -> bool | str:
        form, rng = state["form"], state["rng"]
        # Each appeal to the next school in turn (the CSRF token is the site's, not the school's):
        # traffic spread as a country's is, and no school's hourly ceiling is reached.
        state["turn"] += 1
        action = f"/s/{slugs[state['turn'] % len(slugs)]}/write/"
        values = {"text": TEXT, "category": rng.choice(["bullying", "discipline", "suggestion", "smoking"])}
        for name, choices in form["choices"].items():
            if name in ("author_kind",):
                values[name] = rng.choice(choices)
            elif name == "signed":
                values[name] = choices[0]  # anonymous: the common case, and no identity to type
        response = await visitor.post(action, fill(form, values), follow=False)
        # A new visitor next time: no counter cookie, no kept code, no session; the CSRF cookie stays valid.
        for name in ("ishenim_b", "ishenim_wk", "sessionid"):
            visitor.cookies.pop(name, None)
        if response.status == 302 and response.headers.get("location", "").endswith("/receipt/"):
            counts["ok"] += 1
            return True
        return f"HTTP {response.status} {response.headers.get('location', '')}: {response.text[:200]!r}"

    return prepare, step


async def _healthz(visitor: Visitor, state: object) -> bool | str:
    response = await visitor.get("/healthz", follow=False)
    return True if response.status == 200 and response.body == b"ok" else f"HTTP {response.status}"


async def _nothing(visitor: Visitor, index: int) -> None:
    return None


def _floor_writer(slugs: list[str]):
    async def prepare(visitor: Visitor, index: int) -> list[tuple[str, str]]:
        page = await visitor.get(f"/s/{slugs[index % len(slugs)]}/write/")  # the CSRF cookie and token
        return [("csrfmiddlewaretoken", csrf_token(page.text))]

    async def step(visitor: Visitor, fields: list[tuple[str, str]]) -> bool | str:
        response = await visitor.post("/healthz/write", fields, follow=False)
        return True if response.status == 200 and response.body == b"ok" else f"HTTP {response.status}"

    return prepare, step


def _check(submitted: int) -> tuple[bool, str]:
    """Serial numbers exactly 1..N in every volume, one appeal per submission, every chain clean."""
    from django.db.models import Count, Max, Min

    from appeals.models import Appeal
    from journal.models import Record, Volume
    from journal.services import journal_verify

    problems = []
    appeals = Appeal.objects.count()
    if appeals != submitted:
        problems.append(f"{appeals} appeals stored for {submitted} successful submissions")
    for volume in Volume.objects.all():
        numbers = volume.records.filter(kind=Record.Kind.ENTRY).aggregate(
            n=Count("id"), distinct=Count("number", distinct=True), low=Min("number"), high=Max("number")
        )
        if numbers["n"] and not (numbers["n"] == numbers["distinct"] == numbers["high"] and numbers["low"] == 1):
            problems.append(f"{volume}: numbers are not exactly 1..N ({numbers})")
        check = journal_verify(volume)
        if not check.ok:
            problems.append(f"{volume}: journal verify: {check.problem} at record {check.bad_seq}")
    unnumbered = Appeal.objects.filter(journal_number__isnull=True).count()
    if unnumbered:
        problems.append(f"{unnumbered} appeals without a journal number")
    return not problems, "; ".join(
        problems[:3]
    ) or f"{appeals} appeals in {Volume.objects.count()} volumes, 1..N, verify OK"


def _service_alone(slug: str, repeat: int) -> float:
    """Milliseconds per `appeal_submit` called in-process: the floor the view cannot go below."""
    from appeals.models import Appeal
    from appeals.services import appeal_submit
    from schools.models import School

    school = School.objects.get(slug=slug)
    appeal_submit(school=school, text=TEXT, category="bullying", author_kind=Appeal.AuthorKind.STUDENT)  # warm: triage
    started = time.perf_counter()
    for _ in range(repeat):
        appeal_submit(
            school=school, text=TEXT, category="bullying", author_kind=Appeal.AuthorKind.STUDENT, receipt_code=None
        )
    return (time.perf_counter() - started) / repeat * 1000


def run(scale: float) -> list[Figure]:
    settings = harness.Settings()
    url = harness.fresh_database(settings, "load")
    harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    import django.db

    from bench.urls import floor_table

    slugs = _schools(SCHOOLS)
    floor_table()
    django.db.connections.close_all()
    harness.collect_static(url)
    seconds = 10.0 if scale >= 0.5 else 3.0
    warmup = 1.0
    prefix = f"bench-{int(time.time())}-{random.randrange(10**6)}"
    figures: list[Figure] = []
    counts = {"ok": 0}
    loads: dict[tuple[str, int], Load] = {}
    server = {"REDIS_URL": settings.redis_url, "CACHE_PREFIX": prefix, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with harness.server(url, **server) as base:
        prepare, step = _submitter(slugs, counts)
        write_prepare, write_step = _floor_writer(slugs)
        for clients in LEVELS:
            log(f"{clients} clients: floors (/healthz, /healthz/write) and submission, {seconds:.0f} s each …")
            loads["floor", clients] = asyncio.run(
                closed_loop(
                    base,
                    label="floor",
                    clients=clients,
                    seconds=seconds,
                    warmup=warmup,
                    prepare=_nothing,
                    step=_healthz,
                )
            )
            loads["write", clients] = asyncio.run(
                closed_loop(
                    base,
                    label="write floor",
                    clients=clients,
                    seconds=seconds,
                    warmup=warmup,
                    prepare=write_prepare,
                    step=write_step,
                )
            )
            loads["submit", clients] = asyncio.run(
                closed_loop(
                    base, label="submit", clients=clients, seconds=seconds, warmup=warmup, prepare=prepare, step=step
                )
            )
        best = max(loads["submit", c].throughput for c in LEVELS)
        rate = max(1.0, round(best * 0.5, 1))
        log(f"paced: {rate}/s arriving at a steady rate (half the best throughput) …")
        paced = asyncio.run(
            open_loop(base, label="paced", rate=rate, seconds=seconds, pool=64, prepare=prepare, step=step)
        )
        memory, processes = harness.server_memory_mib(base)
    _redis_forget(settings.redis_url, prefix)
    figures += _figures(loads, LEVELS, paced, rate)
    figures.append(
        Figure("submission", "server memory after the run", memory, "MiB",
               note=f"gunicorn master and {processes - 1} workers together (resident)")
    )  # fmt: skip
    ok, detail = _check(counts["ok"])
    figures.append(
        Figure("submission", "afterwards: numbers 1..N, verify clean", "yes" if ok else "NO", "", "yes", ok, detail)
    )
    figures.append(
        Figure(
            "submission",
            "appeal_submit alone, in-process",
            _service_alone(slugs[0], 50 if scale >= 0.5 else 20),
            "ms",
            note="the service without HTTP: what a submission costs at least",
        )
    )
    return figures


def _figures(loads: dict, levels, paced: Load, rate: float) -> list[Figure]:
    figures = []
    for clients in levels:
        floor, write, submit = loads["floor", clients], loads["write", clients], loads["submit", clients]
        ratio = submit.throughput / write.throughput if write.throughput else 0.0
        figures += [
            Figure("submission", f"floor /healthz, {clients} clients", floor.throughput, "req/s",
                   note=f"p50 {floor.ms(50):.1f} ms, p99 {floor.ms(99):.1f} ms"),
            Figure("submission", f"write floor POST /healthz/write, {clients} clients", write.throughput, "req/s",
                   note=f"p50 {write.ms(50):.1f} ms, p99 {write.ms(99):.1f} ms"),
            Figure("submission", f"submit, {clients} clients: throughput", submit.throughput, "req/s"),
            Figure("submission", f"submit, {clients} clients: p50 / p95 / p99",
                   f"{submit.ms(50):.0f} / {submit.ms(95):.0f} / {submit.ms(99):.0f}", "ms",
                   target="p99 < 150 ms" if clients == 32 else "",
                   met=submit.ms(99) < 150 if clients == 32 else None),
            Figure("submission", f"submit / write floor throughput, {clients} clients", ratio, "×", "≥ 0.5",
                   ratio >= 0.5),
            Figure("submission", f"errors, {clients} clients", float(submit.errors + floor.errors + write.errors), "",
                   "0", submit.errors + floor.errors + write.errors == 0,
                   submit.first_error or floor.first_error or write.first_error),
        ]  # fmt: skip
    figures.append(
        Figure("submission", f"paced {rate}/s (open loop): p50 / p95 / p99",
               f"{paced.ms(50):.0f} / {paced.ms(95):.0f} / {paced.ms(99):.0f}", "ms",
               note=f"{paced.requests} submissions, {paced.errors} errors; latency counted from the planned start")
    )  # fmt: skip
    return figures


def _redis_forget(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


if __name__ == "__main__":
    harness.child_main(run)
