"""Writing and checking the registration journal.

Numbering is gapless per volume because every write takes the volume row's
lock first (SELECT … FOR UPDATE on PostgreSQL; on SQLite every write
transaction is IMMEDIATE and so already serialised), then appends one record
and moves the head, in one transaction.
"""

import datetime as dt
from hashlib import sha256
from types import SimpleNamespace

from django.db import models, transaction
from django.db.models import Max, Subquery

from appeals.models import Appeal
from ishenim.chain import ChainCheck, canonical, chain_append, chain_verify, head_locked
from journal.models import Record, Volume
from vault.crypto import Blob

APPEAL_BLOBS = tuple(f.name for f in Appeal._meta.concrete_fields if isinstance(f, models.BinaryField))


def volume_locked(appeal, *, on: dt.date) -> Volume:
    """The volume the appeal is registered in (the school year containing `on`), created on
    first use, locked for this transaction: one SELECT … FOR UPDATE once it exists."""
    school, district = (None, appeal.district) if appeal.district_id else (appeal.school, None)
    year = school.school_year(on) if school else (on.year if on.month >= 9 else on.year - 1)
    return head_locked(Volume, school=school, district=district, year=year)


def appeal_stored(appeal) -> dict:
    """What the appeal row stores, as the journal vouches for it: status and category in the
    clear, and one digest of every binary column (text, author, extension reason, and any sealed
    column added later: one left empty does not change the digest of older appeals)."""
    blobs = {field: getattr(appeal, field) for field in APPEAL_BLOBS}
    blobs = {field: sha256(bytes(blob)).hexdigest() for field, blob in blobs.items() if blob is not None}
    return {"status": appeal.status, "category": appeal.category, "content": sha256(canonical(blobs)).hexdigest()}


def journal_restate(*, appeal, event: str = "resealed", actor=None) -> Record:
    """An amendment saying the appeal's sealed columns were rewritten (e.g. sealed to new keys),
    so that the journal vouches for the new bytes. Call it in the transaction that rewrote them."""
    return journal_amend(entry=journal_entry(appeal), fields={"event": event}, actor=actor)


def _append(volume: Volume, record: Record) -> Record:
    """Append to a volume already locked by the caller's transaction.

    Every record of an appeal carries the appeal row as stored now (`appeal_stored`), so a direct
    change of its text, author, status or category no longer matches its last record, and a
    later record cannot vouch for it either (`Record.link_problem`).
    """
    record.volume = volume
    if record.appeal_id is not None:
        # An entry's appeal was saved just now; an amendment reads the row as stored.
        appeal = record.appeal if record.kind == Record.Kind.ENTRY else Appeal.objects.get(pk=record.appeal_id)
        record.fields = {**record.fields, "stored": appeal_stored(appeal)}
    if record.sealed is not None:
        record.sealed_digest = sha256(bytes(record.sealed)).hexdigest()
    if record.number:
        volume.last_number = record.number
    return chain_append(volume, record, head_fields=("last_number",) if record.number else ())


def _locked(volume: Volume) -> Volume:
    return Volume.objects.select_for_update().get(pk=volume.pk)


@transaction.atomic(savepoint=False)  # a failure aborts the caller's transaction: no savepoint to pay
def journal_register(
    *, appeal, taken_on: dt.date, fields: dict, sealed: Blob | None, actor=None, volume: Volume | None = None
) -> Record:
    """Give the appeal the next serial number of its volume.

    `volume`: the caller already holds it (`volume_locked`), e.g. to store the appeal with its
    number in one INSERT."""
    volume = volume or volume_locked(appeal, on=taken_on)
    return _append(
        volume,
        Record(
            kind=Record.Kind.ENTRY,
            number=volume.last_number + 1,
            appeal=appeal,
            taken_on=taken_on,
            fields=fields,
            sealed=sealed,
            actor=actor,
        ),
    )


@transaction.atomic
def journal_amend(*, entry: Record, fields: dict, sealed: Blob | None = None, actor=None) -> Record:
    """Append an amendment (measures, a status change, a correction) to an entry."""
    volume = _locked(entry.volume)
    return _append(
        volume,
        Record(kind=Record.Kind.AMENDMENT, entry=entry, appeal=entry.appeal, fields=fields, sealed=sealed, actor=actor),
    )


def journal_entry(appeal) -> Record:
    """The appeal's entry (the line with its serial number)."""
    return Record.objects.select_related("volume").get(appeal=appeal, kind=Record.Kind.ENTRY)


def journal_verify(volume: Volume, head: str | None = None) -> ChainCheck:
    """Walk the chain of one volume (`ishenim.chain.chain_verify`), then check that every appeal
    in it still stores what its last record says (`appeal_stored`).

    On top of the chain's own checks: a sealed blob must match its digest, or be erased with a
    retention amendment to its entry; entries are numbered 1, 2, 3 … without a gap.
    """
    check = chain_verify(volume, written_head=head)
    if not check.ok:
        return check
    latest = volume.records.filter(appeal__isnull=False).values("appeal_id").annotate(last=Max("seq")).values("last")
    records = volume.records.filter(seq__in=Subquery(latest)).values_list("appeal_id", "seq", "fields__stored")
    vouched = {appeal: (seq, stored) for appeal, seq, stored in records if stored}
    columns = ("pk", "status", "category", *APPEAL_BLOBS)
    ids = sorted(vouched)
    for low in range(0, len(ids), 2000):
        appeals = Appeal.objects.filter(pk__in=ids[low : low + 2000]).values_list(*columns)
        found = {row[0]: appeal_stored(SimpleNamespace(**dict(zip(columns, row, strict=True)))) for row in appeals}
        bad = [vouched[pk][0] for pk in ids[low : low + 2000] if found.get(pk) != vouched[pk][1]]
        if bad:
            return ChainCheck(check.head, check.records, False, "stored appeal does not match the chain", min(bad))
    return check
