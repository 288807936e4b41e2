"""Change the database behind the journal's back; verify finds the first record that does not fit."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError, connection, transaction

from appeals.models import Appeal
from appeals.services import appeal_submit
from ishenim.chain import canonical, link
from journal.models import Record, Volume
from journal.services import journal_amend, journal_entry, journal_verify

TABLE = Record._meta.db_table


@pytest.fixture
def volume(demo) -> Volume:
    """Six records: entries 1–4, and amendments to entries 1 and 2 as records 3 and 5."""
    appeals = []
    for n in range(4):
        appeals.append(
            appeal_submit(
                school=demo,
                text=f"Appeal number {n + 1} about the school canteen.",
                category=Appeal.Category.SUGGESTION,
                author_kind=Appeal.AuthorKind.PARENT,
            )
        )
        if n in (1, 2):
            # A status change as the case services make it: the row, then the journal in the same breath.
            Appeal.objects.filter(pk=appeals[n - 1].pk).update(status="considering")
            journal_amend(entry=journal_entry(appeals[n - 1]), fields={"event": "status", "status": "considering"})
    volume = Volume.objects.get(school=demo)
    assert list(volume.records.order_by("seq").values_list("kind", flat=True)) == [
        "entry",
        "entry",
        "amendment",
        "entry",
        "amendment",
        "entry",
    ]
    assert journal_verify(volume).ok
    return volume


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(t=TABLE), params)


def seq_pk(volume: Volume, seq: int) -> int:
    return volume.records.get(seq=seq).pk


def verify_command(*args) -> str:
    from io import StringIO

    out = StringIO()
    try:
        call_command("journal", "verify", *args, stdout=out)
    except CommandError as error:
        return out.getvalue() + f"ERROR {error}"
    return out.getvalue()


def test_it_verifies_an_untouched_journal_and_says_so(volume):
    output = verify_command("--school", "rakhmanov")
    assert output.startswith("OK      journal rakhmanov ")
    assert "6 records, 4 entries" in output
    assert volume.head_hash in output


def test_it_catches_an_edited_row(volume):
    sql("UPDATE {t} SET fields = %s WHERE id = %s", json.dumps({"category": "other"}), seq_pk(volume, 4))
    check = journal_verify(volume)
    assert (check.ok, check.problem, check.bad_seq, check.records) == (False, "record was edited", 4, 3)
    output = verify_command("--school", "rakhmanov")
    assert "BROKEN" in output and "record 4 (entry No. 3" in output and "ERROR" in output


def test_it_catches_a_renumbered_entry(volume):
    sql("UPDATE {t} SET number = 7 WHERE id = %s", seq_pk(volume, 6))
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record was edited", 6)


def test_it_catches_a_replaced_sealed_summary(volume):
    other = bytes(volume.records.get(seq=1).sealed)
    sql("UPDATE {t} SET sealed = %s WHERE id = %s", other, seq_pk(volume, 2))
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("sealed columns were replaced", 2)


def test_it_catches_a_replaced_sealed_summary_even_with_its_digest(volume):
    first = volume.records.get(seq=1)
    sql(
        "UPDATE {t} SET sealed = %s, sealed_digest = %s WHERE id = %s",
        bytes(first.sealed),
        first.sealed_digest,
        seq_pk(volume, 2),
    )
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record was edited", 2)


def test_it_catches_a_deleted_row(volume):
    sql("DELETE FROM {t} WHERE id = %s", seq_pk(volume, 5))
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq, check.records) == ("missing or inserted record", 5, 4)
    assert "record 5 (not in the database)" in verify_command("--school", "rakhmanov")


def test_it_catches_a_deleted_row_with_the_rest_renumbered(volume):
    sql("DELETE FROM {t} WHERE id = %s", seq_pk(volume, 5))
    sql("UPDATE {t} SET seq = 5 WHERE id = %s", seq_pk(volume, 6))
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record does not follow the previous one", 5)


def test_it_catches_a_copied_row_inserted_in_the_middle(volume):
    sql("UPDATE {t} SET seq = seq + 100 WHERE volume_id = %s AND seq >= 3", volume.pk)
    sql("UPDATE {t} SET seq = seq - 99 WHERE volume_id = %s AND seq >= 100", volume.pk)
    copy = volume.records.get(seq=7)  # the last entry, copied as a forged record 3
    sql(
        "INSERT INTO {t} (volume_id, seq, kind, number, entry_id, appeal_id, at, taken_on, fields, sealed,"
        " sealed_digest, actor_id, prev_hash, hash) SELECT volume_id, 3, kind, NULL, entry_id, appeal_id, at,"
        " taken_on, fields, sealed, sealed_digest, actor_id, prev_hash, hash FROM {t} WHERE id = %s",
        copy.pk,
    )
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record does not follow the previous one", 3)


def test_it_catches_a_forged_row_with_a_valid_hash_at_the_next_row(volume):
    """A forger who can compute SHA-256 fits the inserted row to its predecessor; the row after it breaks."""
    sql("UPDATE {t} SET seq = seq + 100 WHERE volume_id = %s AND seq >= 3", volume.pk)
    sql("UPDATE {t} SET seq = seq - 99 WHERE volume_id = %s AND seq >= 100", volume.pk)
    before = volume.records.get(seq=2)
    forged = Record(
        volume=volume,
        seq=3,
        kind="amendment",
        entry_id=before.pk,
        appeal_id=before.appeal_id,
        at=before.at,
        fields={"event": "measures"},
        prev_hash=before.hash,
    )
    forged.body, forged.hash = canonical(forged.chained_fields()), link(before.hash, forged.chained_fields())
    Record.objects.bulk_create([forged])
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record does not follow the previous one", 4)


def test_it_catches_reordered_rows(volume):
    two, three = seq_pk(volume, 2), seq_pk(volume, 3)
    sql("UPDATE {t} SET seq = 1000 WHERE id = %s", two)
    sql("UPDATE {t} SET seq = 2 WHERE id = %s", three)
    sql("UPDATE {t} SET seq = 3 WHERE id = %s", two)
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record does not follow the previous one", 2)


def test_it_catches_a_removed_tail(volume):
    sql("DELETE FROM {t} WHERE volume_id = %s AND seq >= 5", volume.pk)
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq, check.records) == ("records after the last one found were removed", 5, 4)


def test_it_catches_the_last_row_rewritten_with_a_valid_hash_but_the_head_left(volume):
    last = volume.records.get(seq=6)
    last.taken_on = last.taken_on.replace(year=2020)
    sql(
        "UPDATE {t} SET taken_on = %s, body = %s, hash = %s WHERE id = %s",
        last.taken_on,
        canonical(last.chained_fields()),
        link(last.prev_hash, last.chained_fields()),
        last.pk,
    )
    check = journal_verify(volume)
    assert (check.ok, check.problem, check.bad_seq) == (False, "record was edited", 6)


def test_it_catches_a_row_appended_without_the_journal(volume):
    last = volume.records.get(seq=6)
    forged = Record(
        volume=volume,
        seq=7,
        kind="amendment",
        entry_id=last.pk,
        appeal_id=last.appeal_id,
        at=last.at,
        fields={"event": "measures"},
        prev_hash=last.hash,
    )
    forged.body, forged.hash = canonical(forged.chained_fields()), link(last.hash, forged.chained_fields())
    Record.objects.bulk_create([forged])
    check = journal_verify(volume)
    assert (check.problem, check.bad_seq) == ("record added after the head", 7)


def test_it_catches_a_rewritten_tail_against_the_head_written_on_paper(volume):
    written_down = volume.head_hash
    # Rewrite records 4–6 with valid hashes and move the head: only the paper copy can tell.
    prev = volume.records.get(seq=3).hash
    for record in volume.records.filter(seq__gte=4).order_by("seq"):
        if record.kind == "entry":  # a thorough forger: the row, the record and what it vouches for
            record.fields = {**record.fields, "category": "other"}
            record.fields["stored"] = {**record.fields["stored"], "category": "other"}
            Appeal.objects.filter(pk=record.appeal_id).update(category="other")
        record.prev_hash = prev
        record.hash = prev = link(prev, record.chained_fields())
        sql(
            "UPDATE {t} SET fields = %s, body = %s, prev_hash = %s, hash = %s WHERE id = %s",
            json.dumps(record.fields),
            canonical(record.chained_fields()),
            record.prev_hash,
            record.hash,
            record.pk,
        )
    Volume.objects.filter(pk=volume.pk).update(head_hash=prev)
    assert journal_verify(volume).ok  # the chain alone is consistent again …
    check = journal_verify(volume, head=written_down)
    assert (check.ok, check.problem) == (False, "the written-down head is not in this chain")
    output = verify_command("--school", "rakhmanov", "--year", str(volume.year), "--head", written_down)
    assert "BROKEN" in output and "ERROR" in output


def test_it_accepts_a_head_written_down_before_later_entries(volume, demo):
    written_down = volume.head_hash
    appeal_submit(
        school=demo, text="A later appeal, after the head was written.", category="request", author_kind="student"
    )
    assert journal_verify(volume, head=written_down).ok


def test_it_exits_non_zero_from_the_command_line_on_a_broken_chain(volume):
    sql("UPDATE {t} SET taken_on = %s WHERE id = %s", "2020-01-01", seq_pk(volume, 1))
    with pytest.raises(CommandError, match="1 of 1 chains do not verify"):
        call_command("journal", "verify")


def test_it_refuses_an_unknown_school(db):
    with pytest.raises(CommandError, match="no school"):
        call_command("journal", "verify", "--school", "nowhere")


def test_it_takes_a_head_as_printed_in_groups_on_the_command_line(volume):
    grouped = " ".join(volume.head_hash[i : i + 8] for i in range(0, 32, 8)).upper()
    output = verify_command("--school", "rakhmanov", "--year", str(volume.year), "--head", grouped)
    assert output.startswith("OK ")
    assert "at least the first 16" in verify_command(
        "--school", "rakhmanov", "--year", str(volume.year), "--head", "abc"
    )


def test_it_verifies_every_chain_with_one_command(volume, demo):
    from io import StringIO

    from audit.services import audit_record

    audit_record(action="ishenim.journal.viewed", scope=demo.vault_scope)  # a writer's appeal is not audited
    out = StringIO()
    call_command("verify", stdout=out)
    assert "OK      journal rakhmanov" in out.getvalue()
    assert f"OK      audit {demo.vault_scope}" in out.getvalue()
    sql("UPDATE {t} SET fields = %s WHERE id = %s", json.dumps({"category": "other"}), seq_pk(volume, 4))
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 chains do not verify"):
        call_command("verify", "journal", stdout=out)
    assert "BROKEN  journal rakhmanov" in out.getvalue()
    with pytest.raises(CommandError, match="--head is a journal head"):
        call_command("verify", "--head", volume.head_hash, stdout=StringIO())


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE {t} SET body = %s WHERE id = %s",
        "DELETE FROM {t} WHERE id = %s",
        "UPDATE {t} SET seq = 1000 WHERE id = %s",
    ],
)
def test_it_checks_the_stored_bytes_alone_in_one_pass_and_still_names_the_record(volume, tamper):
    """`columns=False`: only the bytes (the fast pass); a failure is walked again to find the record."""
    from ishenim.chain import chain_verify

    assert chain_verify(volume, columns=False).ok
    params = (b'{"forged":1}', seq_pk(volume, 4)) if "body" in tamper else (seq_pk(volume, 4),)
    sql(tamper, *params)

    check = chain_verify(volume, columns=False)

    assert not check.ok and check.bad_seq == 4


@pytest.mark.parametrize(
    ("seq", "column", "value"),
    [
        (4, "kind", "amendment"),
        (4, "taken_on", "2020-01-01"),
        (4, "appeal_id", "appeal of record 2"),
        (3, "entry_id", "record 2"),
        (4, "at", "a second later"),
        (4, "at", "a microsecond later"),
        (4, "sealed_digest", "0" * 64),
    ],
)
def test_it_catches_each_chained_column_edited_alone(volume, seq, column, value):
    """Each column the bytes cover, changed in the database with the bytes left alone: the bulk
    check (which reads the values back out of the bytes) must not let any of them through."""
    import datetime as dt

    record, second = volume.records.get(seq=seq), volume.records.get(seq=2)
    value = {
        "appeal of record 2": second.appeal_id,
        "record 2": second.pk,
        "a second later": record.at + dt.timedelta(seconds=1),
        "a microsecond later": record.at + dt.timedelta(microseconds=1),
    }.get(value, value)
    Record.objects.filter(pk=record.pk).update(**{column: value})

    check = journal_verify(volume)

    assert (check.ok, check.problem, check.bad_seq) == (False, "record was edited", seq)


def stored_text(volume: Volume, seq: int) -> str:
    """The `fields` column of a record as the database holds it (text on SQLite, jsonb on PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT fields FROM {TABLE} WHERE id = %s", [seq_pk(volume, seq)])  # noqa: S608
        return cursor.fetchone()[0]


def test_it_checks_every_column_in_bulk_when_nothing_was_edited(volume):
    """The bulk check holds for an untouched journal (else every verify would walk), and on SQLite
    each record's JSON column is stored as the very text its bytes hold."""
    from ishenim.chain import columns_hold

    assert columns_hold(volume.records.all(), volume.last_seq)
    if connection.vendor == "sqlite":
        for record in volume.records.all():
            assert stored_text(volume, record.seq).encode() in bytes(record.body)
            assert stored_text(volume, record.seq) == canonical(record.fields).decode()


def test_it_catches_a_json_column_changed_in_canonical_text(volume):
    """One value changed, written exactly as the chain writes JSON: only the comparison with the
    bytes can tell, and the bulk check must not let it through."""
    from ishenim.chain import columns_hold

    record = volume.records.get(seq=4)
    changed = canonical({**record.fields, "category": "other"}).decode()
    sql("UPDATE {t} SET fields = %s WHERE id = %s", changed, record.pk)

    assert not columns_hold(volume.records.all(), volume.last_seq)
    check = journal_verify(volume)
    assert (check.ok, check.problem, check.bad_seq) == (False, "record was edited", 4)


def test_it_takes_a_json_column_reordered_but_equal_as_unchanged(volume):
    """Keys in another order, with spaces: the same values, so not an edit (as on PostgreSQL, whose
    jsonb keeps no order). On SQLite the text no longer matches, so the bulk check hands over to
    the walk, which compares values and finds the journal whole."""
    from ishenim.chain import columns_hold

    record = volume.records.get(seq=4)
    reordered = json.dumps(dict(reversed(list(record.fields.items()))), ensure_ascii=True, indent=1)
    assert reordered != canonical(record.fields).decode()
    sql("UPDATE {t} SET fields = %s WHERE id = %s", reordered, record.pk)

    assert columns_hold(volume.records.all(), volume.last_seq) is (connection.vendor == "postgresql")
    assert journal_verify(volume).ok


def test_it_catches_a_number_stored_as_text_on_sqlite(volume):
    """SQLite keeps any type in any column: an amendment's empty number set to the text 'null'
    reads as a string, not as no number. The bulk check must not write it as JSON null."""
    if connection.vendor != "sqlite":  # PostgreSQL's integer column refuses the text: no such edit to catch
        with pytest.raises(DataError), transaction.atomic():
            sql("UPDATE {t} SET number = 'null' WHERE id = %s", seq_pk(volume, 3))
        assert journal_verify(volume).ok
        return
    sql("UPDATE {t} SET number = 'null' WHERE id = %s", seq_pk(volume, 3))
    assert volume.records.filter(seq=3).values_list("number", flat=True).get() == "null"

    check = journal_verify(volume)

    assert (check.ok, check.problem, check.bad_seq) == (False, "record was edited", 3)


def test_the_migration_writes_old_json_columns_canonically_and_keeps_an_edit(volume):
    """Rows written before `CanonicalEncoder` (`json.dumps`' spacing, keys unsorted) are rewritten
    from their own values: the bulk check holds again, and a column edited before stays edited."""
    from types import SimpleNamespace

    from django.apps import apps

    from ishenim.chain import canonical_json_columns, columns_hold

    for record in volume.records.all():
        sql("UPDATE {t} SET fields = %s WHERE id = %s", json.dumps(dict(reversed(record.fields.items()))), record.pk)
    rewrite = canonical_json_columns("journal", "record", "fields")

    rewrite(apps, SimpleNamespace(connection=connection))

    assert journal_verify(volume).ok and columns_hold(volume.records.all(), volume.last_seq)
    edited = volume.records.get(seq=4)
    sql("UPDATE {t} SET fields = %s WHERE id = %s", json.dumps({**edited.fields, "category": "other"}), edited.pk)
    rewrite(apps, SimpleNamespace(connection=connection))
    check = journal_verify(volume)
    assert (check.ok, check.problem, check.bad_seq) == (False, "record was edited", 4)
    if connection.vendor == "sqlite":
        assert stored_text(volume, 4) == canonical({**edited.fields, "category": "other"}).decode()
