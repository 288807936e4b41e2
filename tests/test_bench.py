"""The pieces the benchmarks rest on: the fast journal check agrees with the chain, the
generated data set verifies, and the load generator reads forms as a browser sends them."""

import datetime as dt

import pytest
from django.db import connection

from appeals.models import Appeal
from appeals.services import appeal_submit
from bench.harness import percentile
from bench.loadgen import fill, form_of
from ishenim.chain import canonical, link
from journal.models import Record, Volume
from journal.services import journal_amend, journal_entry, journal_verify


@pytest.fixture
def volume(demo) -> Volume:
    for n, text in enumerate(["Биринчи кайрылуу", "Второе обращение «в кавычках»", 'A "quoted" one\\ with a tab\t']):
        appeal = appeal_submit(
            school=demo, text=text, category=Appeal.Category.BULLYING, author_kind=Appeal.AuthorKind.STUDENT
        )
        journal_amend(entry=journal_entry(appeal), fields={"event": "note", "text": f'ө ң ү «{n}» "x" \\ \n'})
    volume = Volume.objects.get(school=demo)
    # A record stamped on a whole second: its ISO form has no fraction, in Python as in SQL.
    record = volume.records.get(seq=2)
    Record.objects.filter(pk=record.pk).update(at=record.at.replace(microsecond=0))
    _rehash_from(volume, 2, move_head=True)
    return Volume.objects.get(pk=volume.pk)


def _rehash_from(volume: Volume, seq: int, *, move_head: bool = False) -> None:
    """Rewrite the chain from `seq` on, as a forger with database access would."""
    prev = volume.records.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for record in volume.records.filter(seq__gte=seq).order_by("seq"):
        record.prev_hash, record.hash = prev, link(prev, record.chained_fields())
        body = canonical(record.chained_fields())
        Record.objects.filter(pk=record.pk).update(prev_hash=record.prev_hash, hash=record.hash, body=body)
        prev = record.hash
    if move_head:
        Volume.objects.filter(pk=volume.pk).update(head_hash=prev)


def test_it_stores_byte_for_byte_what_the_columns_say(volume):
    """Non-ASCII, quotes, backslashes, tabs, a whole second: the stored bytes are the columns' canonical form."""
    for record in volume.records.all():
        assert bytes(record.body) == canonical(record.chained_fields())
        assert record.hash == link(record.prev_hash, record.chained_fields())
    assert journal_verify(volume).ok


def test_it_finds_an_edited_kind_even_where_the_quick_path_does_not_apply(volume):
    Record.objects.filter(volume=volume, seq=3).update(kind='ent"ry')

    check = journal_verify(volume)

    assert not check.ok and check.bad_seq == 3


def test_it_finds_a_changed_sealed_blob(volume):
    record = volume.records.filter(sealed__isnull=False).order_by("seq").last()
    Record.objects.filter(pk=record.pk).update(sealed=b"\x01" + bytes(record.sealed)[1:-1] + b"\x00")

    check = journal_verify(volume)

    assert not check.ok and check.problem == "sealed columns were replaced" and check.bad_seq == record.seq


def test_it_finds_edited_fields_when_the_forger_rewrote_the_hashes_after_it(volume):
    Record.objects.filter(volume=volume, seq=4).update(fields={"event": "note", "text": "something else"})

    check = journal_verify(volume)

    assert not check.ok and check.problem == "record was edited" and check.bad_seq == 4
    _rehash_from(volume, 4)
    # The chain is whole again; only the head kept elsewhere (the volume, or paper) shows it.
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record was edited", volume.last_seq)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the data set is written with PostgreSQL's COPY")
def test_it_generates_a_data_set_whose_every_volume_verifies(db, settings):
    from bench.dataset import BIG, VERIFY, _appeals, _schools, _verify_volume

    with connection.cursor() as cursor:
        schools = _schools(3)
        _appeals(cursor, schools, 600, 300)
        _verify_volume(cursor, 500)

    volumes = Volume.objects.all()
    assert Appeal.objects.count() == 600
    assert Volume.objects.get(district__slug=VERIFY).last_seq == 500
    assert Volume.objects.filter(school__slug=BIG).count() == 1  # the big school's year, for page 500
    assert all(journal_verify(v).ok for v in volumes), [journal_verify(v).problem for v in volumes]
    assert set(Appeal.objects.values_list("journal_number", flat=True)) >= {1}


def test_it_fills_a_form_as_a_browser_would():
    html = """
    <form method="post" action="/i18n/setlang/"><input type="hidden" name="csrfmiddlewaretoken" value="t1"></form>
    <form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t2">
      <input type="radio" name="kind" value="student" checked><input type="radio" name="kind" value="parent">
      <input type="checkbox" name="to_district"><select name="category"><option value="a">A</option>
      <option value="b" selected>B</option></select><textarea name="text">draft</textarea>
      <input type="text" name="website" value=""><button type="submit">Send</button></form>"""

    form = form_of(html, containing="text")

    assert form["action"] == ""
    assert form["choices"] == {"kind": ["student", "parent"], "to_district": ["on"]}
    assert fill(form, {"text": "Салам", "kind": "parent"}) == [
        ("csrfmiddlewaretoken", "t2"),
        ("category", "b"),
        ("website", ""),
        ("text", "Салам"),
        ("kind", "parent"),
    ]


def test_it_takes_nearest_rank_percentiles():
    values = [float(n) for n in range(1, 101)]

    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)
    assert percentile([dt.timedelta(seconds=1).total_seconds()], 99) == 1.0


@pytest.mark.django_db(transaction=True)
def test_the_write_floor_commits_one_row_through_the_middleware(client, settings):
    from bench.urls import TABLE, floor_table

    settings.ROOT_URLCONF = "bench.urls"
    floor_table()
    try:
        assert client.get("/healthz/write").status_code == 405  # a write, as a submission is
        response = client.post("/healthz/write")
        assert (response.status_code, response.content) == (200, b"ok")
        assert response.headers["Content-Security-Policy"]  # the site's middleware answered
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            assert cursor.fetchone()[0] == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")
