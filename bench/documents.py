"""Benchmark 5: documents — the printed journal volume of 2,000 entries and the quarterly report.

Each document is made in a process of its own, so the peak resident memory the
kernel reports (getrusage) is that document's. Time covers everything the
server does for the download: reading and opening the sealed columns, the
layout (the journal is laid out twice, to print its page count) and the PDF.

The quarterly report's figures come from `bench/reports_bench.py` (the
reports' own benchmark), whose `main()` this calls in its own process.
"""

from __future__ import annotations

import json
import subprocess
import time

from bench import harness
from bench.harness import Figure, log

ENTRIES = 2000


def _journal_volume() -> None:
    """A school whose volume of this year holds ENTRIES entries (and the amendments of closed ones)."""
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
        _appeals(cursor, [school], ENTRIES, ENTRIES)


def journal_pdf_measured() -> dict:
    """In this process: the bound journal of the volume, as the download view makes it."""
    import weasyprint  # noqa: F401 - loaded before the baseline, as in a running server
    from django.contrib.auth import get_user_model

    from bench.dataset import BENCH_PASSWORD, BIG
    from journal.documents import journal_context, journal_pdf
    from journal.models import Volume
    from journal.selectors import Office, journal_rows
    from vault.services import Keyring, user_key_unlock

    user = get_user_model().objects.get(username="bench-director")
    ring = Keyring(user, user_key_unlock(user, BENCH_PASSWORD))
    volume = Volume.objects.filter(school__slug=BIG).latest("year")
    office = Office(school=volume.school)
    baseline = harness.peak_rss_mib()
    started = time.perf_counter()
    rows = journal_rows(volume, ring)
    context = journal_context(office, volume, rows, language="ky", printed_by=user)
    pdf = journal_pdf(context, language="ky")
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "baseline_mib": baseline,
        "peak_mib": harness.peak_rss_mib(),
        "bytes": len(pdf),
        "entries": len(rows),
        "pages": _pages(pdf),
    }


def _pages(pdf: bytes) -> int:
    """The page count, from poppler's pdfinfo (0 when it is not installed)."""
    try:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), 0)


def _child(code: str, url: str) -> str:
    result = subprocess.run(
        [harness.PYTHON, "-c", code],
        env=harness.env_for(url),
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


def run(scale: float) -> list[Figure]:
    settings = harness.Settings()
    url = harness.fresh_database(settings, "docs")
    harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    import django.db

    _journal_volume()
    django.db.connections.close_all()
    log(f"the printed journal of {ENTRIES:,} entries …")
    out = _child(
        "import json, django; django.setup(); from bench.documents import journal_pdf_measured; "
        "print(json.dumps(journal_pdf_measured()))",
        url,
    )
    journal = json.loads(out.strip().splitlines()[-1])
    log("the quarterly report …")
    growth = journal["peak_mib"] - journal["baseline_mib"]
    return [
        Figure("documents", f"journal volume PDF, {journal['entries']:,} entries: time", journal["seconds"], "s",
               note=f"{journal['pages']} pages, {journal['bytes'] / 1e6:.1f} MB"),
        Figure("documents", "journal volume PDF: peak memory", journal["peak_mib"], "MiB",
               note=f"{growth:.0f} MiB above the process before (Django and WeasyPrint loaded)"),
        *_reports(url, scale),
    ]  # fmt: skip


if __name__ == "__main__":
    harness.child_main(run)
