"""Writing and checking the registration journal.

Numbering is gapless per volume because every write takes the volume row's
lock first (SELECT … FOR UPDATE on PostgreSQL; on SQLite every write
transaction is IMMEDIATE and so already serialised), then appends one record
and moves the head, in one transaction.
"""

import datetime as dt
from dataclasses import dataclass
from hashlib import sha256

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ishenim.chain import GENESIS, link
from journal.models import Record, Volume
from schools.models import District, School


def volume_for(*, school: School | None = None, district: District | None = None, on: dt.date) -> Volume:
    """The volume for the school year containing `on`, created on first use."""
    year = school.school_year(on) if school else (on.year if on.month >= 9 else on.year - 1)
    try:
        with transaction.atomic():
            volume, _ = Volume.objects.get_or_create(school=school, district=district, year=year)
    except IntegrityError:
        volume = Volume.objects.get(school=school, district=district, year=year)
    return volume


def _append(volume: Volume, record: Record) -> Record:
    """Append to a volume already locked by the caller's transaction."""
    record.volume = volume
    record.seq = volume.last_seq + 1
    record.at = timezone.now()
    record.prev_hash = volume.head_hash
    if record.sealed is not None:
        record.sealed_digest = sha256(bytes(record.sealed)).hexdigest()
    record.hash = link(record.prev_hash, record.chained_fields())
    record.save()
    volume.last_seq, volume.head_hash = record.seq, record.hash
    if record.number:
        volume.last_number = record.number
    volume.save(update_fields=["last_seq", "last_number", "head_hash"])
    return record


def _locked(volume: Volume) -> Volume:
    return Volume.objects.select_for_update().get(pk=volume.pk)


@transaction.atomic
def journal_register(*, appeal, taken_on: dt.date, fields: dict, sealed: bytes | None, actor=None) -> Record:
    """Give the appeal the next serial number of its volume."""
    volume = _locked(
        volume_for(school=None if appeal.district_id else appeal.school, district=appeal.district, on=taken_on)
    )
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
def journal_amend(*, entry: Record, fields: dict, sealed: bytes | None = None, actor=None) -> Record:
    """Append an amendment (measures, a status change, a correction) to an entry."""
    volume = _locked(entry.volume)
    return _append(
        volume,
        Record(kind=Record.Kind.AMENDMENT, entry=entry, appeal=entry.appeal, fields=fields, sealed=sealed, actor=actor),
    )


def journal_entry(appeal) -> Record:
    """The appeal's entry (the line with its serial number)."""
    return Record.objects.select_related("volume").get(appeal=appeal, kind=Record.Kind.ENTRY)


# What verify can find, in words for the journal page (the command prints them in English).
PROBLEMS = {
    "missing or inserted record": _("a record is missing or was inserted"),
    "record does not follow the previous one": _("a record does not follow the previous one (moved or replaced)"),
    "sealed columns were replaced": _("the sealed columns of a record were replaced"),
    "record was edited": _("a record was edited"),
    "serial numbers are not consecutive": _("serial numbers are not consecutive"),
    "records after the last one found were removed": _("records after the last one found were removed"),
    "record added after the head": _("a record was added after the head without the journal"),
    "the written-down head is not in this chain": _("the written-down head is not in this chain"),
}


@dataclass
class VolumeCheck:
    volume: Volume
    records: int
    ok: bool
    problem: str = ""
    bad_seq: int | None = None

    @property
    def problem_display(self) -> str:
        return str(PROBLEMS.get(self.problem, self.problem))

    @property
    def bad_record(self) -> Record | None:
        """The first record that does not fit, if it is still there (a deleted one is not)."""
        if self.bad_seq is None:
            return None
        return self.volume.records.filter(seq=self.bad_seq).first()


def journal_verify(volume: Volume, head: str | None = None) -> VolumeCheck:
    """Walk the chain of one volume and report the first record that does not fit.

    An edited record breaks its own hash; a deleted or inserted one breaks the
    sequence or the next record's link; a removed tail no longer reaches the
    volume head; `head` (a hash written on paper earlier) proves nothing before
    it was rewritten. A written-down head may be its first 16 or more characters.
    """
    head = head.lower() if head else None
    if head is not None and len(head) < 16:
        raise ValueError("a written-down head has at least 16 characters")
    prev, expected, number, seen_head = GENESIS, 1, 0, head is None
    volume = Volume.objects.get(pk=volume.pk)  # the head as it is now, read before the records
    for record in volume.records.filter(seq__lte=volume.last_seq).order_by("seq").iterator(chunk_size=5000):
        if record.seq != expected:
            return VolumeCheck(volume, expected - 1, False, "missing or inserted record", expected)
        if record.prev_hash != prev:
            return VolumeCheck(volume, expected - 1, False, "record does not follow the previous one", record.seq)
        if record.sealed is not None and sha256(bytes(record.sealed)).hexdigest() != record.sealed_digest:
            return VolumeCheck(volume, expected - 1, False, "sealed columns were replaced", record.seq)
        if link(prev, record.chained_fields()) != record.hash:
            return VolumeCheck(volume, expected - 1, False, "record was edited", record.seq)
        if record.kind == Record.Kind.ENTRY:
            if record.number != number + 1:
                return VolumeCheck(volume, expected - 1, False, "serial numbers are not consecutive", record.seq)
            number = record.number
        prev, expected = record.hash, expected + 1
        seen_head = seen_head or record.hash.startswith(head)  # a head on paper may be shortened
    count = expected - 1
    if count != volume.last_seq or prev != volume.head_hash:
        return VolumeCheck(volume, count, False, "records after the last one found were removed", count + 1)
    beyond = volume.records.filter(seq__gt=volume.last_seq).order_by("seq").first()
    if beyond is not None and Volume.objects.get(pk=volume.pk).last_seq < beyond.seq:
        # Not written by the journal (which moves the head in the same transaction), so slipped in.
        return VolumeCheck(volume, count, False, "record added after the head", beyond.seq)
    if not seen_head:
        return VolumeCheck(volume, count, False, "the written-down head is not in this chain", None)
    return VolumeCheck(volume, count, True)


def journal_verify_all(*, school: School | None = None, district: District | None = None) -> list[VolumeCheck]:
    """Verify every volume (of one school or district office, or of the whole installation)."""
    volumes = Volume.objects.select_related("school", "district").order_by("school_id", "district_id", "year")
    if school is not None:
        volumes = volumes.filter(school=school)
    if district is not None:
        volumes = volumes.filter(district=district)
    return [journal_verify(volume) for volume in volumes]
