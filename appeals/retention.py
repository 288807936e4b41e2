"""Retention: the identity and content of closed appeals are erased after
settings.ISHENIM["RETENTION_YEARS"] years.

Every registered sealed field tied to an appeal is emptied (the appeal's text
and author, its messages and files, its journal columns). The journal keeps its
numbered records: their `sealed_digest` stays, so the chain still verifies, and
each entry gets an amendment "erased under retention". Category, dates,
channel, status and grade stay for the statistics. The appeal's own keys
(vault.casekeys) are deleted, and retired keys that no blob needs any more are
then destroyed.

`purge_run()` is idempotent: `ishenim purge` and `ishenim tick` call it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vault.registry import sealed_fields


@dataclass
class PurgeResult:
    appeals: int = 0
    blobs: int = 0
    amendments: int = 0
    keys: int = 0


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    years = settings.ISHENIM["RETENTION_YEARS"]
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def due_for_erasure(now: dt.datetime | None = None):
    from appeals.models import Appeal

    return (
        Appeal.objects.filter(closed_at__isnull=False, closed_at__lt=retention_cutoff(now))
        .exclude(status__in=Appeal.OPEN_STATUSES)
        .exclude(text_sealed=b"")  # already erased
    )


@transaction.atomic
def appeal_erase(appeal, *, reason: str = "retention") -> int:
    """Empty every sealed field of one appeal; journal it once. Returns the number of blobs erased."""
    from audit.services import audit_record
    from journal.models import Record
    from journal.services import journal_amend

    erased = 0
    for entry in sealed_fields():
        if entry.appeal is None:
            continue
        lookup = "pk" if entry.appeal == "" else entry.appeal
        rows = entry.model._default_manager.filter(**{lookup: appeal.pk})
        if entry.nullable:
            erased += rows.exclude(**{f"{entry.field}__isnull": True}).update(**{entry.field: None})
        else:
            erased += rows.exclude(**{entry.field: b""}).update(**{entry.field: b""})
    # The appeal's own keys go too: a copy of the blobs kept anywhere (an old
    # backup) no longer opens with a key from a later copy of the database.
    from vault.models import CaseKey

    CaseKey.objects.filter(appeal=appeal).delete()
    if erased:
        for journal_entry in Record.objects.filter(appeal=appeal, kind=Record.Kind.ENTRY):
            journal_amend(
                entry=journal_entry,
                fields={"erased": reason, "retention_years": settings.ISHENIM["RETENTION_YEARS"]},
            )
        audit_record(
            action="ishenim.appeal.erased",
            scope=appeal.vault_scope,
            obj=appeal,
            detail={"blobs": erased, "why": reason},
        )
    return erased


def purge_run(now: dt.datetime | None = None) -> PurgeResult:
    """Erase what retention says must go; safe to run every few minutes."""
    from journal.models import Record
    from vault.services import key_prune

    result = PurgeResult()
    for appeal in due_for_erasure(now).select_related("school", "district").iterator(chunk_size=200):
        before = Record.objects.filter(appeal=appeal, kind=Record.Kind.AMENDMENT).count()
        blobs = appeal_erase(appeal)
        if blobs:
            result.appeals += 1
            result.blobs += blobs
            result.amendments += Record.objects.filter(appeal=appeal, kind=Record.Kind.AMENDMENT).count() - before
    result.keys = key_prune()
    return result
