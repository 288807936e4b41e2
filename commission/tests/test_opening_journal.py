import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from commission.models import Book, Entry
from commission.services import entry_append, openings_verify


@pytest.fixture
def book(demo, user):
    for n in range(1, 5):
        entry_append(
            school=demo, on=dt.date(2026, 10, n), kind=Entry.Kind.OPENING, fields={"new_seal": f"S-{n}"}, actor=None
        )
    return Book.objects.get(school=demo)


def test_it_chains_the_entries_and_verifies(book):
    check = openings_verify(book)
    assert check.ok and check.entries == 4
    assert list(book.entries.values_list("seq", flat=True)) == [1, 2, 3, 4]


def test_it_finds_an_edited_entry(book):
    Entry.objects.filter(book=book, seq=2).update(fields={"new_seal": "FORGED"})
    check = openings_verify(book)
    assert not check.ok and check.bad_seq == 2


def test_it_finds_a_deleted_entry(book):
    Entry.objects.filter(book=book, seq=3).delete()
    assert openings_verify(book).bad_seq == 3


def test_it_finds_a_removed_tail_and_a_reordering(book):
    Entry.objects.filter(book=book, seq=4).delete()
    assert not openings_verify(book).ok
    Book.objects.filter(pk=book.pk).update(last_seq=3, head_hash=Entry.objects.get(book=book, seq=3).hash)
    book.refresh_from_db()
    assert openings_verify(book).ok
    Entry.objects.filter(book=book, seq=1).update(at=timezone.now() + dt.timedelta(days=1))
    assert not openings_verify(book).ok


def test_it_verifies_from_the_command_line(book, capsys):
    call_command("openings", "verify")
    assert "ok      rakhmanov 2026-2027: 4 entries" in capsys.readouterr().out
    Entry.objects.filter(book=book, seq=1).update(fields={})
    with pytest.raises(CommandError):
        call_command("openings", "verify", "--school", "rakhmanov")
    assert "BROKEN" in capsys.readouterr().out


def test_it_shows_and_prints_the_journal(book, login):
    client = login("teacher")
    page = client.get("/staff/rakhmanov/commission/journal/")
    assert page.status_code == 200 and b'id="verify"' in page.content and b"status ok" in page.content
    pdf = client.get("/staff/rakhmanov/commission/journal/2026/print.pdf")
    assert pdf.content.startswith(b"%PDF")
