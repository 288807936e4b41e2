"""Quiet edits: change an appeal's stored bytes, or erase a record's sealed columns, by raw SQL.

The journal vouches for every appeal it registered: each record carries the digest of the
appeal row as stored then (status, category, text, author and any other sealed column), and a
record's sealed columns may only be empty when a retention amendment says why.
"""

import pytest
from django.db import connection

from appeals.models import Appeal
from appeals.retention import appeal_erase
from appeals.services import appeal_submit
from ishenim.chain import canonical, link
from journal.models import Record, Volume
from journal.services import journal_entry, journal_verify

APPEALS = Appeal._meta.db_table
RECORDS = Record._meta.db_table


@pytest.fixture
def appeals(demo) -> list[Appeal]:
    found = [
        appeal_submit(
            school=demo,
            text=text,
            category=Appeal.Category.BULLYING,
            author_kind=Appeal.AuthorKind.PARENT,
            author={"full_name": "Айгүл Осмонова", "phone": "0555 000000"} if n == 0 else None,
        )
        for n, text in enumerate(["Биринчи кат: ашканада кордошот.", "Экинчи кат: мугалим кечигет."])
    ]
    assert journal_verify(volume_of(demo)).ok
    return found


def volume_of(school) -> Volume:
    return Volume.objects.get(school=school)


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(appeals=APPEALS, records=RECORDS), params)


def stored(appeal: Appeal, column: str) -> bytes:
    return bytes(Appeal.objects.filter(pk=appeal.pk).values_list(column, flat=True).get())


def test_it_catches_an_erased_sealed_column_without_a_retention_amendment(demo, appeals):
    entry = journal_entry(appeals[1])
    sql("UPDATE {records} SET sealed = NULL WHERE id = %s", entry.pk)

    check = journal_verify(volume_of(demo))

    assert (check.ok, check.problem, check.bad_seq) == (False, "sealed columns were erased", entry.seq)


def test_it_accepts_sealed_columns_erased_by_retention(demo, appeals):
    assert appeal_erase(Appeal.objects.get(pk=appeals[0].pk)) > 0

    volume = volume_of(demo)
    assert Record.objects.filter(volume=volume, appeal=appeals[0], sealed__isnull=True).exists()
    assert stored(appeals[0], "text_sealed") == b""
    check = journal_verify(volume)
    assert check.ok, check.problem


def test_it_catches_two_appeals_with_their_texts_swapped(demo, appeals):
    first, second = stored(appeals[0], "text_sealed"), stored(appeals[1], "text_sealed")
    sql("UPDATE {appeals} SET text_sealed = %s WHERE id = %s", second, appeals[0].pk)
    sql("UPDATE {appeals} SET text_sealed = %s WHERE id = %s", first, appeals[1].pk)

    check = journal_verify(volume_of(demo))

    assert (check.ok, check.problem) == (False, "stored appeal does not match the chain")
    assert check.bad_seq == journal_entry(appeals[0]).seq


@pytest.mark.parametrize(
    ("statement", "value"),
    [
        ("UPDATE {appeals} SET status = %s WHERE id = %s", "closed"),
        ("UPDATE {appeals} SET category = %s WHERE id = %s", "other"),
        ("UPDATE {appeals} SET author_sealed = %s WHERE id = %s", None),
        ("UPDATE {appeals} SET extension_reason_sealed = %s WHERE id = %s", b"\x01x"),
    ],
)
def test_it_catches_a_direct_change_of_the_appeal_row(demo, appeals, statement, value):
    sql(statement, value, appeals[0].pk)

    check = journal_verify(volume_of(demo))

    assert (check.ok, check.problem, check.bad_seq) == (
        False,
        "stored appeal does not match the chain",
        journal_entry(appeals[0]).seq,
    )


def test_it_follows_changes_made_through_the_case_services(demo, appeals):
    from django.contrib.auth import get_user_model

    from appeals.services import case_consider, case_correct

    director = get_user_model().objects.get(username="director")
    case_consider(appeal=appeals[1], actor=director)
    case_correct(appeal=appeals[1], summary="", category=Appeal.Category.REQUEST, actor=director)

    assert journal_verify(volume_of(demo)).ok
    last = Record.objects.filter(appeal=appeals[1]).order_by("-seq").first()
    assert last.fields["stored"]["category"] == "request" and last.fields["stored"]["status"] == "considering"
    assert journal_entry(appeals[1]).fields["stored"]["category"] == "bullying"


def test_it_does_not_let_a_later_record_vouch_for_a_quiet_edit(demo, appeals):
    """The texts are swapped, then staff change the status as usual: the new record sees the
    swapped bytes, but nothing in it explains them, so verify still names it."""
    from django.contrib.auth import get_user_model

    from appeals.services import case_consider

    first, second = stored(appeals[0], "text_sealed"), stored(appeals[1], "text_sealed")
    sql("UPDATE {appeals} SET text_sealed = %s WHERE id = %s", second, appeals[0].pk)
    sql("UPDATE {appeals} SET text_sealed = %s WHERE id = %s", first, appeals[1].pk)
    sql("UPDATE {appeals} SET category = %s WHERE id = %s", "other", appeals[1].pk)
    case_consider(appeal=appeals[0], actor=get_user_model().objects.get(username="director"))

    check = journal_verify(volume_of(demo))

    laundering = Record.objects.filter(appeal=appeals[0]).order_by("-seq").first()
    assert (check.ok, check.problem, check.bad_seq) == (False, "stored appeal does not match the chain", laundering.seq)


def test_it_accepts_the_bytes_a_deadline_extension_or_a_reseal_writes(demo, appeals):
    from journal.services import journal_restate

    sql("UPDATE {appeals} SET text_sealed = %s WHERE id = %s", b"\x01resealed", appeals[1].pk)
    assert not journal_verify(volume_of(demo)).ok
    journal_restate(appeal=appeals[1])  # in the transaction that resealed it
    assert journal_verify(volume_of(demo)).ok


def test_it_catches_a_gap_in_the_serial_numbers_even_in_a_rebuilt_chain(demo, appeals):
    """A forger renumbers entry 2 as 3 and rebuilds every hash and the head: only the numbering shows it."""
    volume = volume_of(demo)
    prev = "0" * 64
    for record in volume.records.order_by("seq"):
        if record.number == 2:
            record.number = 3
        record.prev_hash, record.hash = prev, link(prev, record.chained_fields())
        sql(
            "UPDATE {records} SET number = %s, body = %s, prev_hash = %s, hash = %s WHERE id = %s",
            record.number,
            canonical(record.chained_fields()),
            record.prev_hash,
            record.hash,
            record.pk,
        )
        prev = record.hash
    Volume.objects.filter(pk=volume.pk).update(head_hash=prev)

    check = journal_verify(volume)

    assert (check.ok, check.problem, check.bad_seq) == (
        False,
        "serial numbers are not consecutive",
        journal_entry(appeals[1]).seq,
    )
