"""Attack 8 of issue 12, the rows beside the appeal: quiet edits by raw SQL of an appeal's
messages, internal notes, answers, forwardings, attachments and follow-up.

Each write through the ORM chains the row as stored (`appeals.stored`); `ishenim verify`
finds a changed sealed blob, two rows swapped, a deleted row and an inserted row, on SQLite
and on PostgreSQL, and a later legitimate write does not vouch for an earlier quiet edit.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DataError, connection, transaction
from django.utils import timezone

from appeals.models import Answer, Appeal, Attachment, FollowUp, Message, Note, StoredLink
from appeals.retention import appeal_erase
from appeals.services.cases import case_answer, case_forward, case_measures, case_note_add
from appeals.services.intake import message_post, messages_mark_read
from appeals.stored import stored_verify
from journal.models import Record
from vault.tests.helpers import full_appeal


@pytest.fixture
def case(demo) -> list[Appeal]:
    """Two online appeals of one school, each with a message and a file; the first with a staff
    reply, an internal note, measures and an answer, the second forwarded to the police."""
    director = get_user_model().objects.get(username="director")
    first, _plain = full_appeal(demo, marker="FIRST")
    second, _plain = full_appeal(demo, marker="SECOND")
    message_post(appeal=first, side=Message.Side.STAFF, body="We will talk to the teacher.", sender=director)
    case_note_add(appeal=first, text="Called the class teacher on Monday.", actor=director)
    today = timezone.localdate()
    case_measures(appeal=first, kinds=["talk_student"], text="Talked with the class.", taken_on=today, actor=director)
    case_answer(appeal=first, mode=Answer.Mode.RECEIPT, text="We met the teacher and the class.", given_on=today,
                actor=director)  # fmt: skip
    case_forward(appeal=second, body="police", addressee="Inspector", forwarded_on=today, cover="Cover letter",
                 actor=director)  # fmt: skip
    assert stored_verify(demo.vault_scope).ok
    return [first, second]


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def blob(model, pk: int, column: str) -> bytes:
    return bytes(model.objects.filter(pk=pk).values_list(column, flat=True).get())


def verify(school) -> tuple[bool, str, str]:
    check = stored_verify(school.vault_scope)
    return check.ok, check.problem, getattr(check, "detail", "")


def test_every_row_beside_the_appeal_is_chained(demo, case):
    kinds = set(StoredLink.objects.values_list("kind", flat=True))
    assert kinds == {"message", "note", "answer", "forwarding", "attachment"}
    # A follow-up is stored with its appeal: its added link is the appeal's journal entry.
    entries = Record.objects.filter(kind=Record.Kind.ENTRY, appeal__in=case).values_list("fields__followup", flat=True)
    assert {held["row"] for held in entries if held} == set(FollowUp.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("model", "column"),
    [
        (Message, "body_sealed"),
        (Message, "body_for_writer"),
        (Note, "text_sealed"),
        (Answer, "text_sealed"),
        (Attachment, "content_sealed"),
        (Attachment, "name_sealed"),
        (FollowUp, "writer_public_key"),
    ],
)
def test_it_catches_a_changed_sealed_column(demo, case, model, column):
    row = model.objects.filter(appeal=case[0]).order_by("pk").first()
    stored = blob(model, row.pk, column)
    sql(f"UPDATE {table(model)} SET {column} = %s WHERE id = %s", stored[:-1] + bytes([stored[-1] ^ 1]), row.pk)  # noqa: S608

    assert verify(demo) == (False, "stored row does not match the chain", f"{model._meta.model_name} {row.pk}")


def test_it_catches_two_attachments_swapped(demo, case):
    first, second = (Attachment.objects.get(appeal=appeal) for appeal in case)
    sql(f"UPDATE {table(Attachment)} SET appeal_id = %s WHERE id = %s", case[1].pk, first.pk)  # noqa: S608
    sql(f"UPDATE {table(Attachment)} SET appeal_id = %s WHERE id = %s", case[0].pk, second.pk)  # noqa: S608

    assert verify(demo) == (False, "stored row does not match the chain", f"attachment {first.pk}")


def test_it_catches_two_messages_with_their_texts_swapped(demo, case):
    first, second = (Message.objects.filter(appeal=appeal, side="writer").get() for appeal in case)
    one, other = blob(Message, first.pk, "body_sealed"), blob(Message, second.pk, "body_sealed")
    sql(f"UPDATE {table(Message)} SET body_sealed = %s WHERE id = %s", other, first.pk)  # noqa: S608
    sql(f"UPDATE {table(Message)} SET body_sealed = %s WHERE id = %s", one, second.pk)  # noqa: S608

    assert verify(demo) == (False, "stored row does not match the chain", f"message {first.pk}")


def test_it_catches_a_backdated_answer(demo, case):
    answer = Answer.objects.get(appeal=case[0])
    sql(f"UPDATE {table(Answer)} SET given_on = %s WHERE id = %s", "2020-01-01", answer.pk)  # noqa: S608

    assert verify(demo) == (False, "stored row does not match the chain", f"answer {answer.pk}")


def test_it_catches_a_deleted_message(demo, case):
    reply = Message.objects.get(appeal=case[0], side=Message.Side.STAFF)
    sql(f"DELETE FROM {table(Message)} WHERE id = %s", reply.pk)  # noqa: S608

    ok, problem, detail = verify(demo)
    assert (ok, problem, detail) == (False, "stored row was deleted", f"message {reply.pk}")


def test_it_catches_a_deleted_note(demo, case):
    note = Note.objects.get(appeal=case[0])
    sql(f"DELETE FROM {table(Note)} WHERE id = %s", note.pk)  # noqa: S608

    assert verify(demo) == (False, "stored row was deleted", f"note {note.pk}")


def test_it_catches_an_inserted_message(demo, case):
    """A copy of the staff reply slipped into the other appeal's conversation."""
    reply = Message.objects.get(appeal=case[0], side=Message.Side.STAFF)
    sql(
        f"INSERT INTO {table(Message)} (appeal_id, side, body_sealed, body_for_writer, sender_id, created_at) "  # noqa: S608
        f"SELECT %s, side, body_sealed, body_for_writer, sender_id, created_at FROM {table(Message)} WHERE id = %s",
        case[1].pk,
        reply.pk,
    )
    inserted = Message.objects.filter(appeal=case[1], side=Message.Side.STAFF).get()

    assert verify(demo) == (False, "stored row is not in the chain", f"message {inserted.pk}")


def test_it_catches_a_follow_up_planted_or_deleted(demo, case):
    """A follow-up has no link of its own (its appeal's journal entry vouches for it): one
    deleted, and a thief's writer key slipped in under its id, are each found."""
    followup = FollowUp.objects.get(appeal=case[1])
    sql(f"DELETE FROM {table(FollowUp)} WHERE id = %s", followup.pk)  # noqa: S608
    assert verify(demo) == (False, "stored row was deleted", f"followup {followup.pk}")

    sql(
        f"INSERT INTO {table(FollowUp)} (id, appeal_id, writer_key_id, writer_public_key, solved) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, '')",
        followup.pk,
        case[1].pk,
        followup.writer_key_id.hex,
        b"\x00" * 32,
    )
    assert verify(demo) == (False, "stored row does not match the chain", f"followup {followup.pk}")


def test_a_later_write_does_not_vouch_for_a_quiet_edit(demo, case):
    """The writer's key is swapped for the thief's, then the writer answers "solved" as usual:
    the link of that answer may change only the columns it names."""
    followup = FollowUp.objects.get(appeal=case[0])
    sql(f"UPDATE {table(FollowUp)} SET writer_public_key = %s WHERE id = %s", b"\x00" * 32, followup.pk)  # noqa: S608
    FollowUp.objects.filter(pk=followup.pk).update(solved=FollowUp.Solved.YES)

    check = stored_verify(demo.vault_scope)
    laundering = StoredLink.objects.filter(kind="followup", row=followup.pk).latest("seq")
    assert (check.ok, check.problem, check.bad_seq) == (False, "stored row does not match the chain", laundering.seq)


def test_it_follows_what_the_services_change(demo, case):
    """Reading messages, a reply, the writer's answer, a retention erasure: all verify."""
    messages_mark_read(appeal=case[0], sides=[Message.Side.WRITER])
    message_post(appeal=case[1], side=Message.Side.WRITER, body="Thank you, it stopped.")
    FollowUp.objects.filter(appeal=case[0]).update(solved=FollowUp.Solved.YES, solved_at=timezone.now())
    assert appeal_erase(Appeal.objects.get(pk=case[1].pk)) > 0
    assert not Message.objects.filter(appeal=case[1]).exclude(body_sealed=b"").exists()

    assert verify(demo) == (True, "", "")


def test_ishenim_verify_names_the_row(demo, case):
    out = io.StringIO()
    call_command("verify", "appeals", stdout=out)
    assert "appeals school:" in out.getvalue() and "all " in out.getvalue()
    note = Note.objects.get(appeal=case[0])
    sql(f"UPDATE {table(Note)} SET text_sealed = %s WHERE id = %s", b"\x01forged", note.pk)  # noqa: S608
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify", stdout=out)
    assert f"BROKEN  appeals {demo.vault_scope}" in out.getvalue()
    assert f"the row: note {note.pk}" in out.getvalue()


def test_it_catches_an_edited_link_and_agrees_with_the_generic_walk(demo, case):
    """The chain's own columns say what its bytes say; `chain_verify` with columns applies the same rules."""
    from appeals.models import StoredChain
    from ishenim.chain import chain_verify

    chain = StoredChain.objects.get(scope=demo.vault_scope)
    assert chain_verify(chain).ok
    link = StoredLink.objects.filter(chain=chain, kind="note").get()
    sql(f'UPDATE {table(StoredLink)} SET "row" = %s WHERE id = %s', link.row + 1000, link.pk)  # noqa: S608

    check = stored_verify(demo.vault_scope)
    assert (check.ok, check.problem, check.bad_seq) == (False, "record was edited", link.seq)
    assert (chain_verify(chain).problem, chain_verify(chain).bad_seq) == ("record was edited", link.seq)


def test_it_checks_the_links_in_bulk_when_nothing_was_edited(demo, case):
    """The links' columns are compared with their bytes in SQL; for an untouched chain that holds,
    so `stored_verify` parses no link's bytes."""
    from appeals.models import StoredChain
    from ishenim.chain import columns_hold

    chain = StoredChain.objects.get(scope=demo.vault_scope)
    assert columns_hold(chain.links.all(), chain.last_seq)


def test_it_catches_two_json_columns_trading_text_on_sqlite(demo, case):
    """`changed` and `columns` stand side by side in the bytes: text moved from one to the other
    leaves the bytes as they were. SQLite's CHECK constraint refuses such text unless it is turned
    off, and the bulk check refuses it too (each JSON column but the last must be valid JSON)."""
    from appeals.models import StoredChain
    from ishenim.chain import chain_append, columns_hold, head_locked

    chain = head_locked(StoredChain, scope=demo.vault_scope)
    link = chain_append(chain, StoredLink(chain=chain, kind="note", row=1, event="changed", changed=[],
                                          columns={"a": 1, "columns": {"b": 2}}))  # fmt: skip
    if connection.vendor != "sqlite":  # PostgreSQL's jsonb refuses text that is not JSON: no such edit to catch
        with pytest.raises(DataError), transaction.atomic():
            sql(f"UPDATE {table(StoredLink)} SET changed = %s WHERE id = %s", '[],"columns":{"a":1', link.pk)  # noqa: S608
        assert columns_hold(chain.links.all(), chain.last_seq)
        return
    assert columns_hold(chain.links.all(), chain.last_seq)
    assert b'"changed":[],"columns":{"a":1,"columns":{"b":2}}' in bytes(link.body)
    sql("PRAGMA ignore_check_constraints = ON")
    try:
        sql(f"UPDATE {table(StoredLink)} SET changed = %s, columns = %s WHERE id = %s",  # noqa: S608
            '[],"columns":{"a":1', '{"b":2}}', link.pk)  # fmt: skip
    finally:
        sql("PRAGMA ignore_check_constraints = OFF")

    assert not columns_hold(chain.links.all(), chain.last_seq)
