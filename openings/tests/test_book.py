import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from openings.models import Book, Entry
from openings.services import entry_append, openings_verify


@pytest.fixture
def book(demo, user):
    for n in range(1, 5):
        entry_append(
            school=demo, on=dt.date(2026, 10, n), kind=Entry.Kind.OPENING, fields={"new_seal": f"S-{n}"}, actor=None
        )
    return Book.objects.get(school=demo)


def test_it_chains_the_entries_and_verifies(book):
    check = openings_verify(book)
    assert check.ok and check.records == 4
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
    assert "OK      openings rakhmanov 2026-2027: 4 records" in capsys.readouterr().out
    Entry.objects.filter(book=book, seq=1).update(fields={})
    with pytest.raises(CommandError):
        call_command("openings", "verify", "--school", "rakhmanov")
    assert "BROKEN" in capsys.readouterr().out


def test_it_shows_and_prints_the_opening_book(book, login):
    client = login("teacher")
    page = client.get("/staff/rakhmanov/commission/journal/")
    assert page.status_code == 200 and b'id="verify"' in page.content and b"status ok" in page.content
    pdf = client.get("/staff/rakhmanov/commission/journal/2026/print.pdf")
    assert pdf.content.startswith(b"%PDF")


def test_it_shows_the_busy_pages_in_a_fixed_number_of_queries(commission, login, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commission.services import meeting_create
    from openings.services import opening_close, opening_set_count, opening_set_present, opening_set_seal, opening_start

    def add(n):
        opening = opening_start(school=commission.school, actor=user("responsible"))
        opening_set_present(
            opening=opening, opened_at=timezone.now(), place="фойе", present=commission.members.all(), actor=None
        )
        opening_set_seal(opening=opening, number=str(n), state="intact", note="", actor=None, expected=str(n))
        opening_set_count(opening=opening, letters_found=0, actor=None)
        opening_close(opening=opening, new_seal_number=str(n + 1), sealed_at=timezone.now(), actor=None)
        meeting_create(commission=commission, actor=user("deputy"), held_on=dt.date(2026, 10, n + 1))

    client = login("teacher")
    urls = [f"/staff/rakhmanov/commission/{url}" for url in ("journal/", "openings/", "", "meetings/")]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    add(0)
    few = counts()
    for n in range(1, 7):
        add(n)
    assert counts() == few
