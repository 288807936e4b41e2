"""Benchmark 5: documents — the printed journal volume (2,000 and 10,000 entries) and the quarterly report.

The bound journal is made the way the download view makes it: the web worker
opens the sealed rows and turns them into the printed words
(`journal.volume_pdf.volume_sheet`), then a child process
(`python -m journal.volume_pdf`, reportlab, no Django) lays out and writes the
PDF. Each volume is measured in a process of its own; the child's CPU time and
peak resident memory come from the kernel (getrusage of the waited child).

Anchor, measured in the same process just before: opening the same rows alone
(`journal_rows`, an X25519 exchange per sealed row), which every print must do.
The web worker's memory is compared before and after the print (resident, after
a garbage collection): the layout must not stay behind in it.

The opening book (box openings and meeting protocols of one school year, WeasyPrint in
the web worker) is measured at a busy year's size and at five times it, in a process of
its own: CPU time and that process's peak memory. It is the other document that grows
with data; the quarterly report's figures come from `bench/reports_bench.py` (the
reports' own benchmark), whose `main()` this calls in its own process.
"""

from __future__ import annotations

import json
import subprocess
import time

from bench import harness
from bench.harness import Figure, log

SIZES = {2000: 3.0, 10000: 15.0}  # entries: seconds allowed
# A busy year: the box opened twice a week and a weekly meeting, 40 school weeks (120 entries).
# Five times that (600) is more than a school can write in a year: given the journal's larger target.
BOOK_SIZES = {120: 3.0, 600: 15.0}
PEAK_MIB = 300
FAST_KEYS = {"VAULT_ARGON2_TIME": "1", "VAULT_ARGON2_MEMORY_KIB": "64"}


def _journal_volume(entries: int) -> None:
    """A school whose volume of this year holds `entries` entries (and the amendments of closed ones)."""
    from django.db import connection, transaction

    from bench.dataset import BIG, _appeals, _bench_director
    from schools.models import District, Membership, Role
    from schools.services import school_create

    director = _bench_director()
    district = District.objects.create(slug="docs", name_ky="Ош шаары")
    school, _code = school_create(
        district=district, slug=BIG, name_ky="Н. Рахманов атындагы орто мектеби", grantees=[director]
    )
    Membership.objects.create(user=director, school=school, role=Role.DIRECTOR, position=Membership.Position.DIRECTOR)
    with transaction.atomic(), connection.cursor() as cursor:
        _appeals(cursor, [school], entries, entries)


def _resident_mib() -> float:
    import gc
    import os

    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def journal_pdf_measured(language: str = "ky") -> dict:
    """In this process (the web worker's part) and a child (the layout): the bound journal of the volume."""
    import resource
    import sys
    from pathlib import Path

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from bench.dataset import BENCH_PASSWORD, BIG
    from journal.documents import journal_context
    from journal.models import Volume
    from journal.selectors import journal_rows
    from journal.volume_pdf import cached_path, file_key, volume_pdf_read, volume_sheet
    from schools.offices import Office
    from vault.services import Keyring, user_key_unlock

    user = get_user_model().objects.get(username="bench-director")
    ring = Keyring(user, user_key_unlock(user, BENCH_PASSWORD))
    volume = Volume.objects.filter(school__slug=BIG).latest("year")
    office = Office(school=volume.school)

    # The anchor: opening the rows alone.
    journal_rows(volume, ring)  # warm: the first call pays imports and the key cache
    started, cpu_started = time.perf_counter(), time.process_time()
    rows = journal_rows(volume, ring)
    anchor, anchor_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    del rows

    before = _resident_mib()
    cpu_before = time.process_time()
    started = time.perf_counter()
    rows = journal_rows(volume, ring)
    sheet = volume_sheet(journal_context(office, volume, rows, language=language, printed_by=user), language=language)
    out = cached_path(volume, language)
    out.parent.mkdir(parents=True, exist_ok=True)
    key = file_key(ring.user_private, out)
    payload = json.dumps({"key": key.hex(), "sheet": sheet}, ensure_ascii=False).encode()
    entries = len(rows)
    del rows, sheet
    web_cpu = time.process_time() - cpu_before
    subprocess.run(  # noqa: S603 - the command the download view starts
        [sys.executable, "-m", "journal.volume_pdf", str(out)],
        cwd=str(Path(settings.BASE_DIR)),
        input=payload,
        check=True,
    )
    seconds = time.perf_counter() - started
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = _resident_mib()
    pdf = volume_pdf_read(out, key)
    return {
        "seconds": seconds,
        "anchor": anchor,
        "anchor_cpu": anchor_cpu,
        "cpu": web_cpu + child.ru_utime + child.ru_stime,
        "child_cpu": child.ru_utime + child.ru_stime,
        "child_peak_mib": child.ru_maxrss / 1024,
        "web_peak_mib": harness.peak_rss_mib(),
        "web_before_mib": before,
        "web_after_mib": after,
        "bytes": len(pdf),
        "entries": entries,
        "pages": _pages(pdf),
    }


def opening_book_measured(entries: int) -> dict:
    """In this process, as the download view does it: a year's opening book of `entries` entries, as a PDF."""
    import datetime as dt
    import resource

    from ishenim.document_registry import DOCUMENTS
    from openings.models import Book, Entry
    from openings.services import entry_append
    from schools.models import District
    from schools.services import school_create

    school, _code = school_create(
        district=District.objects.create(slug="book", name_ky="Ош шаары"), slug="book", name_ky="№1 орто мектеби"
    )
    start = dt.datetime(2025, 9, 2, 8, 30, tzinfo=dt.UTC)
    present = [{"name": f"Мүчө {n} Асанова", "position": "мугалим"} for n in range(5)]
    for n in range(entries):
        opened = start + dt.timedelta(days=n * 200 // entries, hours=n % 5)
        meeting = n % 3 == 2
        fields = (
            {"held_on": opened.date().isoformat(), "number": n // 3 + 1, "present": present}
            if meeting
            else {
                "opened_at": opened.isoformat(timespec="minutes"),
                "planned_for": opened.isoformat(timespec="minutes"),
                "place": "мектептин кире беришиндеги фойе",
                "present": present,
                "seal_found": {"number": f"00{n}", "state": "intact", "expected": f"00{n}"},
                "incident": "",
                "letters_found": n % 4,
                "journal_numbers": list(range(n, n + n % 4)),
                "act_number": n // 3 + 1,
                "new_seal": f"00{n + 1}",
                "sealed_at": (opened + dt.timedelta(minutes=40)).isoformat(timespec="minutes"),
            }
        )
        kind = Entry.Kind.PROTOCOL if meeting else Entry.Kind.OPENING
        entry_append(school=school, on=opened.date(), kind=kind, fields=fields, actor=None)
    book = Book.objects.get(school=school)
    document = DOCUMENTS["opening_book"]
    document.render(book, language="ky", fmt="pdf")  # warm: fonts, templates, imports
    before = _resident_mib()
    cpu, started = time.process_time(), time.perf_counter()
    pdf = document.render(book, language="ky", fmt="pdf")
    return {
        "cpu": time.process_time() - cpu,
        "seconds": time.perf_counter() - started,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "before_mib": before,
        "after_mib": _resident_mib(),
        "pages": _pages(pdf),
        "bytes": len(pdf),
    }


def _book_figures() -> list[Figure]:
    figures = []
    for entries, limit in BOOK_SIZES.items():
        log(f"the opening book of {entries} entries …")
        database = harness.fresh_database(harness.Settings(), f"book{entries}")
        out = _child(
            "import json, django; django.setup(); from bench.documents import opening_book_measured; "
            f"print(json.dumps(opening_book_measured({entries})))",
            database,
            **FAST_KEYS,
        )
        harness.database_drop(database)
        b = json.loads(out.strip().splitlines()[-1])
        name = f"opening book PDF, {entries} entries"
        figures += [
            Figure("documents", f"{name}: CPU time", b["cpu"], "s", f"< {limit:.0f} s", b["cpu"] < limit,
                   note=f"{b['pages']} pages, {b['bytes'] / 1e3:.0f} kB; wall {b['seconds']:.1f} s"),
            Figure("documents", f"{name}: peak memory of the process", b["peak_mib"], "MiB", f"< {PEAK_MIB} MiB",
                   b["peak_mib"] < PEAK_MIB,
                   note=f"resident {b['before_mib']:.0f} MiB before the print, {b['after_mib']:.0f} MiB after"),
        ]  # fmt: skip
    return figures


def _pages(pdf: bytes) -> int:
    """The page count, from poppler's pdfinfo (0 when it is not installed)."""
    try:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), 0)


def _child(code: str, url: str, **extra: str) -> str:
    result = subprocess.run(
        [harness.PYTHON, "-c", code],
        env=harness.env_for(url, **extra),
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return result.stdout


def _reports(url: str, scale: float) -> list[Figure]:
    """The quarterly report's figures, from the reports' own benchmark."""
    try:
        import bench.reports_bench  # noqa: F401
    except ImportError:
        return [Figure("documents", "quarterly report PDF", "not measured", note="bench/reports_bench.py is missing")]
    code = (
        "import json, sys; from bench.reports_bench import main; "
        f"figures = main(['--scale', '{scale}']); "
        "print('\\n@@' + json.dumps([f.__dict__ if hasattr(f, '__dict__') else f for f in figures or []], "
        "default=str, ensure_ascii=False))"
    )
    try:
        out = _child(code, url)
    except RuntimeError as exc:
        return [Figure("documents", "quarterly report PDF", "failed", note=str(exc).strip().splitlines()[-1])]
    printed, _, payload = out.rpartition("\n@@")
    figures = []
    for item in json.loads(payload or "[]"):
        if isinstance(item, dict) and "name" in item:
            item.setdefault("benchmark", "documents")
            known = {k: item[k] for k in Figure.__dataclass_fields__ if k in item}
            figures.append(Figure(**known))
    if not figures and printed.strip():
        figures.append(
            Figure("documents", "quarterly report", "see note", note=" | ".join(printed.strip().splitlines()))
        )
    return figures


def _journal_figures(entries: int, limit: float) -> list[Figure]:
    settings = harness.Settings()
    url = harness.fresh_database(settings, f"docs{entries}")
    log(f"a journal volume of {entries:,} entries …")
    _child(
        f"import django; django.setup(); from bench.documents import _journal_volume; _journal_volume({entries})", url
    )
    log(f"the printed journal of {entries:,} entries …")
    out = _child(
        "import json, django; django.setup(); from bench.documents import journal_pdf_measured; "
        "print(json.dumps(journal_pdf_measured()))",
        url,
        **FAST_KEYS,
    )
    j = json.loads(out.strip().splitlines()[-1])
    harness.database_drop(url)
    name = f"journal volume PDF, {j['entries']:,} entries"
    growth = (j["web_after_mib"] - j["web_before_mib"]) / j["web_before_mib"] * 100
    load = _load()
    return [
        Figure("documents", f"{name}: CPU time", j["cpu"], "s", f"< {limit:.0f} s", j["cpu"] < limit,
               note=f"{j['pages']} pages, {j['bytes'] / 1e6:.1f} MB; the web worker {j['cpu'] - j['child_cpu']:.1f} s "
                    f"(opening the rows, the words), the layout child {j['child_cpu']:.1f} s"),
        Figure("documents", f"{name}: wall time", j["seconds"], "s",
               note=f"at load {load:.1f} on 2 cores: the processes waited for the CPU"),
        Figure("documents", f"{name}: CPU / opening the rows alone", j["cpu"] / j["anchor_cpu"], "×",
               note=f"anchor: journal_rows {j['anchor_cpu']:.2f} s CPU ({j['anchor']:.2f} s wall) in the same process"),
        Figure("documents", f"{name}: peak memory of the layout", j["child_peak_mib"], "MiB", f"< {PEAK_MIB} MiB",
               j["child_peak_mib"] < PEAK_MIB, note="the child process (reportlab), from getrusage"),
        Figure("documents", f"{name}: web worker's memory after / before", j["web_after_mib"] / j["web_before_mib"],
               "×", "≤ 1.10", growth <= 10,
               note=f"{j['web_before_mib']:.0f} → {j['web_after_mib']:.0f} MiB resident; "
                    f"peak {j['web_peak_mib']:.0f} MiB while it opened the rows"),
    ]  # fmt: skip


def run(scale: float) -> list[Figure]:
    settings = harness.Settings()
    url = harness.fresh_database(settings, "docs")
    harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    import django.db

    django.db.connections.close_all()
    figures = []
    for entries, limit in SIZES.items():
        figures += _journal_figures(entries, limit)
    load = _load()
    log("the quarterly report …")
    figures.append(
        Figure("documents", "machine load while the journal was printed", load, note="1-minute average, 2 cores")
    )
    return figures + _book_figures() + _reports(url, scale)


def _load() -> float:
    import os

    return os.getloadavg()[0]


if __name__ == "__main__":
    harness.child_main(run)
