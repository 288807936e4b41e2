"""Benchmark 3: `ishenim journal verify` of a 1,000,000-record chain against hashlib over the same
bytes, on SQLite and on PostgreSQL.

Each record stores the exact bytes that were hashed (`body`), so the anchor is Python's hashlib
hashing exactly what verify hashes: `prev_hash + body` of every record and its sealed blob. They
are read beforehand (not timed); only `sha256(...).hexdigest()` is timed. Target: the full verify
(the bytes, every column against its bytes, sealed blobs against their digests, gapless numbers)
within 2× of that. Printed beside it, per pass: the bytes pass alone (`chain_verify(columns=False)`:
the chained bytes and the sealed blobs hashed), the rest (every column against its bytes, the
journal's rules, the appeals' stored columns), and two floors: the time a raw cursor takes merely
to bring the same rows into Python, and on PostgreSQL the time the database takes merely to hash
the same bytes itself, nothing compared.

Each database runs in a child process of its own (Django is configured once per process): a
SQLite file under var/bench/, and the PostgreSQL database `<bench>_verify`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from hashlib import sha256
from pathlib import Path

from bench import harness
from bench.harness import Figure, log

ROOT = Path(__file__).resolve().parent.parent
SUMMARY_BYTES = 300  # a sealed journal summary is about this long
BATCH = 20_000


def _build(count: int):
    """A district office's volume of `count` records, written as `chain_append` would write them
    (reused if it is there already with this many records)."""
    from django.db import transaction
    from django.utils import timezone

    from ishenim.chain import GENESIS, canonical
    from journal.models import Record, Volume
    from schools.models import District

    district, _ = District.objects.get_or_create(slug="bench-verify", defaults={"name_ky": "Текшерүү району"})
    volume = Volume.objects.filter(district=district).first()
    if volume is not None and volume.last_seq == count and volume.records.filter(fields__has_key="stored").exists():
        return volume
    if volume is not None:
        Record.objects.filter(volume=volume).delete()
        volume.delete()
    volume = Volume.objects.create(district=district, year=2025)
    pool = [os.urandom(SUMMARY_BYTES + n) for n in range(16)]
    digests = [sha256(blob).hexdigest() for blob in pool]
    start, prev = timezone.now() - dt.timedelta(days=300), GENESIS

    def stored(n: int) -> dict:
        # As `journal.services.appeal_stored` writes it: each appeal's own digest, so no two
        # records' JSON columns are alike (verify compares each one with its bytes).
        return {"status": "closed", "category": "bullying", "content": sha256(n.to_bytes(4, "big")).hexdigest()}

    for low in range(0, count, BATCH):
        records = []
        for n in range(low + 1, min(low + BATCH, count) + 1):
            record = Record(
                volume=volume, seq=n, kind="entry", number=n, at=start + dt.timedelta(seconds=20 * n),
                taken_on=(start + dt.timedelta(seconds=20 * n)).date(), sealed=pool[n % 16],
                sealed_digest=digests[n % 16], prev_hash=prev,
                fields={"channel": "paper", "category": "bullying", "anonymous": True, "status": "closed", "stored": stored(n)},
            )  # fmt: skip
            record.body = canonical(record.chained_fields())
            record.hash = prev = sha256(prev.encode() + record.body).hexdigest()
            records.append(record)
        with transaction.atomic():
            Record.objects.bulk_create(records, batch_size=2000)
        log(f"  {min(low + BATCH, count):,} of {count:,} records …")
    Volume.objects.filter(pk=volume.pk).update(last_number=count, last_seq=count, head_hash=prev)
    return Volume.objects.get(pk=volume.pk)


def _hashlib_alone(volume, *, sealed: bool) -> tuple[float, int]:
    """Seconds hashlib takes over the bytes verify hashes (`prev_hash + body` of every record, and
    with `sealed` every sealed blob too), and how many bytes that is."""
    seconds, size, last = 0.0, 0, 0
    while True:
        rows = list(
            volume.records.filter(seq__gt=last).order_by("seq").values_list("seq", "prev_hash", "body", "sealed")[:BATCH]
        )  # fmt: skip
        if not rows:
            return seconds, size
        last = rows[-1][0]
        blobs = [prev.encode() + bytes(body) for _seq, prev, body, _sealed in rows]
        if sealed:
            blobs += [bytes(blob) for *_, blob in rows if blob is not None]
        size += sum(map(len, blobs))
        started = time.perf_counter()
        for blob in blobs:
            sha256(blob).hexdigest()
        seconds += time.perf_counter() - started


def _read_alone(volume) -> float:
    """Seconds a raw cursor takes to bring every column verify looks at into Python, range by range."""
    from django.db import connection

    columns = [
        "seq",
        "prev_hash",
        "hash",
        "body",
        "sealed",
        *(f.attname for f in map(volume.records.model._meta.get_field, volume.records.model.chained)),
    ]
    started, last = time.perf_counter(), 0
    with connection.cursor() as cursor:
        while last < volume.last_seq:
            query, params = (
                volume.records.filter(seq__gt=last, seq__lte=last + BATCH)
                .order_by("seq")
                .values(*columns)
                .query.sql_with_params()
            )
            cursor.execute(query, params)
            cursor.fetchall()
            last += BATCH
    return time.perf_counter() - started


def _hashed_in_database(volume) -> float:
    """Seconds PostgreSQL takes to hash the bytes verify hashes (`prev_hash + body` and the sealed
    blob of every record), range by range, comparing nothing: what hashing there costs at least."""
    from django.db import connection

    started, last = time.perf_counter(), 0
    with connection.cursor() as cursor:
        while last < volume.last_seq:
            cursor.execute(
                "SELECT count(encode(sha256(convert_to(prev_hash, 'UTF8') || body), 'hex')), "
                "count(encode(sha256(sealed), 'hex')) FROM journal_record "
                "WHERE volume_id = %s AND seq > %s AND seq <= %s",
                [volume.pk, last, last + BATCH],
            )
            cursor.fetchall()
            last += BATCH
    return time.perf_counter() - started


def child(database_url: str, count: int) -> dict:
    """Runs in its own process: build (or reuse) the chain, then time verify and hashlib."""
    harness.django_setup(database_url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    from django.core.management import call_command

    from ishenim.chain import chain_verify
    from journal.services import journal_verify

    call_command("migrate", verbosity=0)
    volume = _build(count)
    # The machine is shared: each figure is the best of the rounds, verify and hashlib interleaved.
    from django.db import connection

    best: dict[str, list[float]] = {"full": [], "bytes": [], "hashlib": [], "read": [], "hashed": []}
    for _round in range(2 if count > 100_000 else 3):
        started = time.perf_counter()
        full = journal_verify(volume)
        best["full"].append(time.perf_counter() - started)
        started = time.perf_counter()
        chain = chain_verify(volume, columns=False)
        best["bytes"].append(time.perf_counter() - started)
        alone, size = _hashlib_alone(volume, sealed=True)
        best["hashlib"].append(alone)
        best["read"].append(_read_alone(volume))
        best["hashed"].append(_hashed_in_database(volume) if connection.vendor == "postgresql" else 0.0)
    return {"records": full.records, "ok": chain.ok and full.ok, "size": size, **{k: min(v) for k, v in best.items()}}


def run(scale: float) -> list[Figure]:
    count = max(1000, int(1_000_000 * scale))
    settings = harness.Settings()
    sqlite = ROOT / "var" / "bench" / f"verify-{count}.sqlite3"
    sqlite.parent.mkdir(parents=True, exist_ok=True)
    postgres = settings.database("verify")
    harness.postgres_ready(postgres)
    if not harness.database_exists(postgres):
        harness.database_create(postgres)
    figures = []
    for name, url in (("SQLite", f"sqlite:///{sqlite}"), ("PostgreSQL", postgres)):
        log(f"verify on {name}: {count:,} records …")
        code = f"import json, sys; from bench.verify import child; print(json.dumps(child({url!r}, {count})))"
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
        found = json.loads(out.stdout.strip().splitlines()[-1])
        ratio = found["full"] / found["hashlib"]
        rest = max(found["full"] - found["bytes"], 0.0)
        per = 1e6 / max(found["records"], 1)
        figures += [
            Figure("verify", f"{name}: records", float(found["records"]), "", note=f"verify says ok={found['ok']}"),
            Figure("verify", f"{name}: verify (total: bytes, columns, sealed blobs, numbers)", found["full"], "s", note=f"{found['full'] * per:.1f} µs a record"),
            Figure("verify", f"{name}: hashlib over the same bytes", found["hashlib"], "s", note=f"{found['size'] / 1e6:.0f} MB: prev_hash + body and the sealed blob of each record"),
            Figure("verify", f"{name}: verify / hashlib", ratio, "×", "≤ 2×", ratio <= 2 and found["ok"]),
            Figure("verify", f"{name}: of which the bytes pass: chained bytes and sealed blobs hashed (chain_verify columns=False)", found["bytes"], "s", note=f"{found['bytes'] / found['hashlib']:.2f} × hashlib"),
            Figure("verify", f"{name}: of which the rest: each column against its bytes, numbers, erasures, appeals' stored columns", rest, "s", note=f"{rest / found['hashlib']:.2f} × hashlib"),
            Figure("verify", f"{name}: floor: reading the rows alone (raw cursor, no hashing)", found["read"], "s", note=f"{found['read'] / found['hashlib']:.2f} × hashlib"),
        ]  # fmt: skip
        if found["hashed"]:
            note = f"{found['hashed'] / found['hashlib']:.2f} × hashlib"
            figures.append(Figure("verify", f"{name}: floor: the database hashing the same bytes, nothing compared", found["hashed"], "s", note=note))  # fmt: skip
    return figures


if __name__ == "__main__":
    harness.child_main(run)
