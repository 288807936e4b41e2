"""Gapless numbering under concurrency: many submitters at once, each on its own connection."""

import os
import threading

import pytest
from django.db import connections

from appeals.models import Appeal
from appeals.services import appeal_submit
from journal.models import Record, Volume
from journal.services import journal_amend, journal_verify
from schools.models import School

# Heavier runs: JOURNAL_THREADS=16 JOURNAL_EACH=25 pytest journal/tests/test_journal_numbering.py
THREADS = int(os.environ.get("JOURNAL_THREADS", "8"))
EACH = int(os.environ.get("JOURNAL_EACH", "6"))


def _run_in_threads(work, count: int) -> list[BaseException]:
    """Start `count` threads at the same instant; every thread gets its own database connection."""
    barrier, errors = threading.Barrier(count), []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def _submit(school: School, i: int, k: int) -> Appeal:
    return appeal_submit(
        school=school,
        text=f"Submitter {i}, appeal {k}: a letter about the canteen.",
        category=Appeal.Category.SUGGESTION,
        author_kind=Appeal.AuthorKind.STUDENT,
    )


@pytest.mark.django_db(transaction=True)
def test_it_numbers_concurrent_submissions_1_to_n_without_gap_or_duplicate(demo):
    other = School.objects.get(slug="gymnasium5")

    def work(i: int) -> None:
        for k in range(EACH):
            # Two schools at once: each volume numbers on its own.
            _submit(demo if i % 4 else other, i, k)

    assert _run_in_threads(work, THREADS) == []

    for school in (demo, other):
        volume = Volume.objects.get(school=school)
        numbers = sorted(Record.objects.filter(volume=volume, kind="entry").values_list("number", flat=True))
        count = Appeal.objects.filter(school=school).count()
        assert numbers == list(range(1, count + 1))
        assert sorted(Appeal.objects.filter(school=school).values_list("journal_number", flat=True)) == numbers
        assert volume.last_number == count
        seqs = list(Record.objects.filter(volume=volume).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
        assert journal_verify(volume).ok
    assert Appeal.objects.count() == THREADS * EACH


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_whole_when_amendments_and_entries_interleave(demo):
    first = [_submit(demo, 0, k) for k in range(3)]
    entries = {r.appeal_id: r for r in Record.objects.filter(kind="entry")}

    def work(i: int) -> None:
        for k in range(EACH):
            if i % 2:
                _submit(demo, i, k)
            else:
                entry = entries[first[k % 3].pk]
                journal_amend(entry=entry, fields={"event": "correction", "note": f"{i}-{k}"})

    assert _run_in_threads(work, THREADS) == []

    volume = Volume.objects.get(school=demo)
    check = journal_verify(volume)
    assert check.ok, check
    assert check.records == 3 + THREADS * EACH
    numbers = list(Record.objects.filter(volume=volume, kind="entry").order_by("seq").values_list("number", flat=True))
    assert numbers == list(range(1, 3 + THREADS // 2 * EACH + 1))
