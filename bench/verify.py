"""Benchmark 3: `journal verify` of a 1,000,000-entry chain, against hashlib alone.

The baseline is Python's hashlib hashing exactly the bytes verify must hash:
for every record the previous hash and the canonical form of its chained
fields, and its sealed blob. Those bytes are read and built beforehand (not
timed); only `sha256(...).hexdigest()` is timed. Target: verify within 2× of
that. Reading the same rows from PostgreSQL without checking anything is
shown too: no verify that reads the database can be faster than that.
"""

from __future__ import annotations

import time
from hashlib import sha256

from bench import harness
from bench.dataset import VERIFY, data_database, dataset_build
from bench.harness import Figure, log

COLUMNS = ("seq", "kind", "number", "entry_id", "appeal_id", "at", "taken_on", "fields", "sealed", "sealed_digest")
COLUMNS += ("actor_id", "prev_hash", "hash")


def _hashlib_alone(volume, chunk: int = 50_000) -> tuple[float, int]:
    """Seconds hashlib takes over the bytes verify hashes, and how many bytes that is."""
    from ishenim.chain import canonical

    seconds, size, last = 0.0, 0, 0
    while True:
        rows = list(
            volume.records.filter(seq__gt=last).order_by("seq").values_list(*COLUMNS)[:chunk]
        )  # fmt: skip
        if not rows:
            return seconds, size
        last = rows[-1][0]
        blobs = []
        for seq, kind, number, entry, appeal, at, taken_on, fields, sealed, digest, actor, prev, _hash in rows:
            chained = {"seq": seq, "kind": kind, "number": number, "entry": entry, "appeal": appeal,
                       "at": at.isoformat(), "taken_on": taken_on.isoformat() if taken_on else None,
                       "fields": fields, "sealed_digest": digest, "actor": actor}  # fmt: skip
            blobs.append(prev.encode() + canonical(chained))
            if sealed is not None:
                blobs.append(bytes(sealed))
        size += sum(map(len, blobs))
        started = time.perf_counter()
        for blob in blobs:
            sha256(blob).hexdigest()
        seconds += time.perf_counter() - started


def _read_alone(volume) -> float:
    started = time.perf_counter()
    for _row in volume.records.order_by("seq").values_list(*COLUMNS).iterator(chunk_size=5000):
        pass
    return time.perf_counter() - started


def run(scale: float) -> list[Figure]:
    settings = harness.Settings()
    url = data_database(settings, scale)
    harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    from journal.models import Volume
    from journal.services import journal_verify

    dataset_build(scale)
    volume = Volume.objects.get(district__slug=VERIFY)
    log(f"journal verify of {volume.last_seq:,} records …")
    started = time.perf_counter()
    check = journal_verify(volume)
    verify = time.perf_counter() - started
    log("hashlib alone over the same bytes …")
    alone, size = _hashlib_alone(volume)
    log("reading the same rows without checking …")
    read = _read_alone(volume)
    ratio = verify / alone
    return [
        Figure("verify", "records in the chain", float(check.records), "", note=f"verify says ok={check.ok}"),
        Figure("verify", "journal_verify", verify, "s", note=f"{verify / max(check.records, 1) * 1e6:.1f} µs a record"),
        Figure("verify", "hashlib alone, same bytes", alone, "s", note=f"{size / 1e6:.0f} MB in {2 * check.records:,} hashes"),
        Figure("verify", "reading the rows alone (ORM values_list)", read, "s"),
        Figure("verify", "verify / hashlib", ratio, "×", "≤ 2×", ratio <= 2 and check.ok),
    ]  # fmt: skip


if __name__ == "__main__":
    harness.child_main(run)
