"""Retention: closed appeals lose identity and content after RETENTION_YEARS; the journal still verifies."""

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from appeals.models import Answer, Appeal, Attachment, FollowUp, Message
from appeals.retention import purge_run
from appeals.services.cases import case_answer, case_consider, case_measures
from audit.models import AuditRecord
from journal.models import Record, Volume
from journal.services import journal_verify
from vault.models import VaultKey
from vault.services import active_key, key_rotate
from vault.tests.helpers import full_appeal
from vault.tests.test_keys import ring


def closed_appeal(school, marker):
    appeal, plain = full_appeal(school, marker=marker)
    director = get_user_model().objects.get(username="director")
    case_consider(appeal=appeal, actor=director)
    case_measures(
        appeal=appeal,
        kinds=["talk_student"],
        text="Talked with the class.",
        taken_on=timezone.localdate(),
        actor=director,
    )
    case_answer(
        appeal=appeal,
        mode=Answer.Mode.RECEIPT,
        text=f"{marker} answer: we met the teacher",
        given_on=timezone.localdate(),
        actor=director,
    )
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED and appeal.closed_at
    return appeal, plain


def later(years=3, days=1):
    return timezone.now() + dt.timedelta(days=365 * years + days)


def test_it_erases_identity_and_content_after_the_retention_period(demo):
    old, _ = closed_appeal(demo, "OLD")
    open_appeal, _ = full_appeal(demo, marker="OPEN")

    assert purge_run(now=later(years=2)).appeals == 0  # not yet
    result = purge_run(now=later())

    assert result.appeals == 1
    old.refresh_from_db()
    assert bytes(old.text_sealed) == b"" and old.author_sealed is None
    assert not Message.objects.filter(appeal=old).exclude(body_sealed=b"").exists()
    assert not Attachment.objects.filter(appeal=old).exclude(content_sealed=b"").exists()
    assert FollowUp.objects.get(appeal=old).text_for_writer is None
    assert not Record.objects.filter(appeal=old).exclude(sealed=None).exists()
    # statistics survive
    assert (old.category, old.grade, old.status, old.channel) == ("corruption", 7, "closed", "online")
    # the journal keeps its numbered entry, says why, and still verifies
    erased = Record.objects.filter(appeal=old, kind=Record.Kind.AMENDMENT, fields__erased="retention")
    assert erased.count() == 1
    assert all(journal_verify(volume).ok for volume in Volume.objects.all())
    assert AuditRecord.objects.filter(action="ishenim.appeal.erased", object_id=str(old.pk)).exists()
    # an open appeal is untouched
    open_appeal.refresh_from_db()
    assert bytes(open_appeal.text_sealed)


def test_it_is_idempotent(demo):
    closed_appeal(demo, "TWICE")
    assert purge_run(now=later()).appeals == 1
    records = Record.objects.count()
    assert purge_run(now=later()).appeals == 0
    assert Record.objects.count() == records


def test_it_follows_the_retention_setting(demo, settings):
    settings.ISHENIM = {**settings.ISHENIM, "RETENTION_YEARS": 1}
    closed_appeal(demo, "ONE")
    assert purge_run(now=later(years=1)).appeals == 1


def test_it_destroys_a_retired_key_once_no_journal_column_needs_it(demo):
    appeal, _ = closed_appeal(demo, "PRUNE")
    first = active_key(demo.vault_scope)
    key_rotate(ring=ring("director"), scope=demo.vault_scope)
    assert VaultKey.objects.filter(pk=first.pk).exists()  # journal columns still sealed to it
    result = purge_run(now=later())
    assert result.keys == 1
    assert not VaultKey.objects.filter(pk=first.pk).exists()
    assert all(journal_verify(volume).ok for volume in Volume.objects.all())


def test_it_runs_from_the_command(demo):
    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "retention 3 years: 0 appeals erased" in out.getvalue()


def test_it_runs_once_a_day_from_the_tick(demo):
    from ishenim.scheduler import tick

    old, _ = closed_appeal(demo, "TICK")
    done = [duty.name for duty in tick(now=later())]
    assert "retention_purge" in done
    old.refresh_from_db()
    assert bytes(old.text_sealed) == b""
    # the same day's tick does not run it again
    assert "retention_purge" not in [duty.name for duty in tick(now=later())]
