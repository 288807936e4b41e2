"""Writing and checking the registration journal.

Numbering is gapless per volume because every write takes the volume row's
lock first (SELECT … FOR UPDATE on PostgreSQL; on SQLite every write
transaction is IMMEDIATE and so already serialised), then appends one record
and moves the head, in one transaction.
"""

import datetime as dt
import json
from dataclasses import dataclass
from hashlib import sha256

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ishenim.chain import GENESIS, canonical, link
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


# Verifying a volume of a million records must not build a million model
# instances: rows come as plain tuples, a chunk at a time by seq, and each
# record's canonical bytes are written directly (the few distinct `fields`
# values are serialised once each). On PostgreSQL the database also formats
# the dates and hashes the sealed blobs, in C and on its own core.
_CHUNK = 10_000
_SAFE_KINDS = frozenset(Record.Kind.values)
_PG_AT = (
    "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM at)::int "
    "%% 1000000 <> 0 THEN to_char(at AT TIME ZONE 'UTC', '.US') ELSE '' END || '+00:00'"
)
_PG_ROWS = (
    "SELECT seq, kind, number, entry_id, appeal_id, {at}, to_char(taken_on, 'YYYY-MM-DD'), fields::text, "
    "sealed_digest, actor_id, prev_hash, hash, sealed IS NULL OR encode(sha256(sealed), 'hex') = sealed_digest "
    # A row comparison, so that PostgreSQL walks the (volume, seq) index instead of sorting the volume.
    "FROM {table} WHERE (volume_id, seq) > (%s, %s) AND (volume_id, seq) <= (%s, %s) ORDER BY volume_id, seq"
)
_COLUMNS = ("seq", "kind", "number", "entry_id", "appeal_id", "at", "taken_on", "fields", "sealed_digest", "actor_id")
_COLUMNS += ("prev_hash", "hash", "sealed")


def _chain_rows(volume: Volume):
    """(seq, kind, number, prev_hash, hash, sealed_ok, recomputed hash) of each record up to the head, by seq."""
    canonical_fields: dict = {}
    for low in range(0, volume.last_seq, _CHUNK):
        rows = _chain_chunk(volume, low, min(low + _CHUNK, volume.last_seq))
        for seq, kind, number, entry, appeal, at, taken_on, fields, digest, actor, prev_hash, hash_, ok in rows:
            if isinstance(fields, str):
                text = canonical_fields.get(fields)
                if text is None:
                    if len(canonical_fields) > 4096:
                        canonical_fields.clear()
                    text = canonical_fields[fields] = canonical(json.loads(fields)).decode()
            else:
                text = canonical(fields).decode()
            recomputed = _record_hash(prev_hash, seq, kind, number, entry, appeal, at, taken_on, text, digest, actor)
            yield seq, kind, number, prev_hash, hash_, ok, recomputed


def _chain_chunk(volume: Volume, after: int, upto: int) -> list[tuple]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_ROWS.format(at=_PG_AT, table=connection.ops.quote_name(Record._meta.db_table)),
                [volume.pk, after, volume.pk, upto],
            )
            return cursor.fetchall()
    chunk = volume.records.filter(seq__gt=after, seq__lte=upto).order_by("seq").values_list(*_COLUMNS)
    return [
        (*row[:5], row[5].isoformat(), row[6].isoformat() if row[6] else None, *row[7:12],
         row[12] is None or sha256(bytes(row[12])).hexdigest() == row[8])
        for row in chunk
    ]  # fmt: skip


def _null(value) -> object:
    return "null" if value is None else value


def _record_hash(prev_hash, seq, kind, number, entry, appeal, at, taken_on, fields_text, digest, actor) -> str:
    """`link(prev_hash, record.chained_fields())`, from the values as stored."""
    if kind in _SAFE_KINDS and (digest == "" or (len(digest) == 64 and digest.isascii() and digest.isalnum())):
        # Every string here is plain ASCII that JSON leaves as it is, so this is byte for byte
        # what `canonical` writes (keys sorted, no spaces); anything else takes the slow path.
        taken = "null" if taken_on is None else f'"{taken_on}"'
        text = (
            f'{{"actor":{_null(actor)},"appeal":{_null(appeal)},"at":"{at}","entry":{_null(entry)},'
            f'"fields":{fields_text},"kind":"{kind}","number":{_null(number)},"sealed_digest":"{digest}",'
            f'"seq":{seq},"taken_on":{taken}}}'
        )
        return sha256(prev_hash.encode() + text.encode()).hexdigest()
    chained = {"seq": seq, "kind": kind, "number": number, "entry": entry, "appeal": appeal, "at": at}
    chained |= {"taken_on": taken_on, "fields": json.loads(fields_text), "sealed_digest": digest, "actor": actor}
    return link(prev_hash, chained)


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
    for seq, kind, record_number, prev_hash, record_hash, sealed_ok, recomputed in _chain_rows(volume):
        if seq != expected:
            return VolumeCheck(volume, expected - 1, False, "missing or inserted record", expected)
        if prev_hash != prev:
            return VolumeCheck(volume, expected - 1, False, "record does not follow the previous one", seq)
        if not sealed_ok:
            return VolumeCheck(volume, expected - 1, False, "sealed columns were replaced", seq)
        if recomputed != record_hash:
            return VolumeCheck(volume, expected - 1, False, "record was edited", seq)
        if kind == Record.Kind.ENTRY:
            if record_number != number + 1:
                return VolumeCheck(volume, expected - 1, False, "serial numbers are not consecutive", seq)
            number = record_number
        prev, expected = record_hash, expected + 1
        seen_head = seen_head or record_hash.startswith(head)  # a head on paper may be shortened
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
