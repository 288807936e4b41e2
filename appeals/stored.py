"""Every stored byte of an appeal in a chain: the rows beside the appeal row.

The registration journal vouches for the appeal row itself (its text, author, status and
category: `journal.services.appeal_stored`). The rows around it — the conversation with the
writer, internal notes, answers, forwardings, attachments and the writer's follow-up — are
chained here, with the one chain module (`ishenim.chain`): every write through the ORM
(`appeals.models.StoredRow`) appends a link to its office's `StoredChain` holding the row's
columns as stored (each blob as its SHA-256; a message's read time is left out, it changes
when someone reads it) and, for a change, the columns the writer changed. A follow-up (the
writer's key) is stored with its appeal, and its appeal's journal entry holds it as its added
link (`stored_in_entry`): a submission pays no lock, link and head of this chain.

`stored_verify` walks the chain, then checks that the database holds exactly the rows the chain
names, each with the columns its last link names: a changed sealed blob, two rows swapped, a
row deleted and a row inserted without a link are each found; a link written after a quiet
edit does not vouch for it, since it may change only the columns it names.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from hashlib import sha256
from typing import Any, cast

from django.db import connection, models, transaction

from appeals.models import (
    Answer,
    Appeal,
    Attachment,
    FollowUp,
    Forwarding,
    Message,
    Note,
    StoredChain,
    StoredLink,
    stored_link_problem,
)
from ishenim.chain import ChainCheck, chain_append, chain_verify, columns_hold, head_locked
from schools.models import District, School

COVERED: tuple[type[models.Model], ...] = (Message, Note, Answer, Forwarding, Attachment, FollowUp)
# Columns that change without anyone editing the content.
LEFT_OUT = {"message": {"read_at"}}
BATCH = 500
# The chained fields of a link that are also columns of it (besides `at`, shown only).
LINK_COLUMNS = ("seq", "kind", "row", "event", "changed", "columns")


@dataclass
class StoredCheck(ChainCheck):
    """What `stored_verify` found; `detail` names the row ("message 17") when one does not fit."""

    detail: str = ""


def _names(model: type[models.Model]) -> tuple[list[str], set[str]]:
    """The chained columns of `model` (attribute names) and which of them hold blobs."""
    assert model._meta.model_name is not None  # set on every concrete model
    left_out = LEFT_OUT.get(model._meta.model_name, ())
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in left_out]
    return [f.attname for f in fields], {f.attname for f in fields if isinstance(f, models.BinaryField)}


def stored_columns(model: type[models.Model], names) -> list[str]:
    """Of the fields `names` (names or attribute names), the chained columns."""
    chained, _blobs = _names(model)
    attnames = {cast(models.Field, model._meta.get_field(name)).attname for name in names}
    return [name for name in chained if name in attnames]


def _columns(values: tuple, names: list[str], blobs: set[str], *, hashed: bool = False) -> dict:
    """A row's chained columns as the chain holds them: a blob as its SHA-256 (`hashed`: the
    database gave the digest already), a time in ISO form, an empty column left out (so a
    column added later does not change older rows)."""
    found = {}
    for name, value in zip(names, values, strict=True):
        if value is None:
            continue
        if name in blobs and not hashed:
            value = sha256(value).hexdigest()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        found[name] = value
    return found


class _Sha256(models.Func):
    """The hex SHA-256 of a blob, computed by PostgreSQL."""

    template = "encode(sha256(%(expressions)s), 'hex')"
    output_field = models.CharField()


def _digested(rows: models.QuerySet, names: list[str], blobs: set[str]) -> tuple[models.QuerySet, list[str], bool]:
    """`rows` ready to be read with the columns returned, and whether blobs come as digests:
    PostgreSQL hashes them itself, so only digests travel; SQLite hands over the blobs."""
    hashed = connection.vendor == "postgresql"
    if hashed:
        rows = rows.annotate(**{f"{name}_sha256": _Sha256(name) for name in blobs})
    return rows, [f"{name}_sha256" if hashed and name in blobs else name for name in names], hashed


@transaction.atomic(savepoint=False)
def stored_chain(model: type[models.Model], pks: list, *, changed: list[str] | None = None) -> None:
    """Append a link for each row `pks` of `model` as stored now: added (`changed` None), or
    changed in the columns `changed`. A change of unchained columns only appends nothing."""
    if changed is not None:
        changed = stored_columns(model, changed)
        if not changed:
            return
    if not pks:
        return
    names, blobs = _names(model)
    # The rows as stored, each with its office (one read: the appeal's school and district joined),
    # each blob as its digest. SQLite's rows are read one at a time, so no more than one blob (an
    # attachment's 8 MB) is in memory at once.
    stored, columns, hashed = _digested(model._default_manager.filter(pk__in=pks).order_by("pk"), names, blobs)
    read = stored.values_list("pk", "appeal__school_id", "appeal__district_id", *columns)
    rows = {
        pk: (f"district:{district}" if district else f"school:{school}", _columns(values, names, blobs, hashed=hashed))
        for pk, school, district, *values in (read if hashed or not blobs else read.iterator(chunk_size=1))
    }
    kind = model._meta.model_name
    assert kind is not None  # set on every concrete model
    for scope in sorted({scope for scope, _values in rows.values()}):
        head = head_locked(StoredChain, scope=scope)
        for pk, (row_scope, chained) in rows.items():
            if row_scope != scope:
                continue
            link = StoredLink(
                chain=head,
                kind=kind,
                row=pk,
                event=StoredLink.Event.ADDED if changed is None else StoredLink.Event.CHANGED,
                changed=changed or [],
                columns=chained,
            )
            chain_append(head, link)


def stored_in_entry(row: models.Model) -> dict:
    """What a journal entry holds of a row stored with its appeal (the writer's follow-up): the
    row and its chained columns as an `added` link would hold them. `stored_verify` takes it as
    that row's added link, so the row costs no link of its own."""
    names, blobs = _names(type(row))
    return {"row": row.pk, "columns": _columns(tuple(getattr(row, name) for name in names), names, blobs)}


def _in_entries(scope: str) -> dict:
    """The follow-ups the office's journal entries vouch for (`stored_in_entry`), as added links."""
    from journal.models import Record

    entries = Record.objects.filter(kind=Record.Kind.ENTRY, fields__has_key="followup", **_rows_of(scope))
    kind = FollowUp._meta.model_name
    return {(kind, held["row"]): (0, held["columns"]) for held in entries.values_list("fields__followup", flat=True)}


def _rows_of(scope: str) -> dict:
    """The lookup of the rows whose appeal belongs to the office `scope`."""
    office, _colon, pk = scope.partition(":")
    if office == "district":
        return {"appeal__district_id": int(pk)}
    return {"appeal__school_id": int(pk), "appeal__district__isnull": True}


def stored_verify(scope: str) -> ChainCheck:
    """Check the office's chain, then every row of the office against the last link naming it.

    The chain's bytes are hashed in one pass (`ishenim.chain.chain_verify` without columns) and
    its links' columns compared with their bytes in SQL (`ishenim.chain.columns_hold`; only if
    that fails are the bytes parsed here, link by link); the links are then read once and held to
    `stored_link_problem` — the same rules `chain_verify` with columns applies, without making
    an object of each link."""
    chain = StoredChain.objects.filter(scope=scope).first()
    if chain is None:
        chain = StoredChain(scope=scope)
        check = ChainCheck(chain, 0, True)
    else:
        check = chain_verify(chain, columns=False)
        if not check.ok:
            return check
    vouched: dict[tuple[str, int], tuple[int, dict]] = _in_entries(scope)
    if chain.pk is not None:
        # The links' columns against their bytes in SQL; only if that fails, link by link here.
        held = columns_hold(chain.links.all(), check.records)
        links = chain.links.filter(seq__lte=check.records).order_by("seq")
        read = links.values_list(*LINK_COLUMNS, *(() if held else ("body",)))
        for seq, *stored in read.iterator(chunk_size=BATCH):
            chained = {} if held else json.loads(bytes(stored.pop()))
            if not held and [chained.get(name) for name in LINK_COLUMNS] != [seq, *stored]:
                return ChainCheck(chain, seq - 1, False, "record was edited", seq)
            problem = stored_link_problem(vouched, seq, *stored)
            if problem:
                return StoredCheck(chain, seq - 1, False, problem, seq, detail=f"{stored[0]} {stored[1]}")
    lookup = _rows_of(scope)
    for model in COVERED:
        names, blobs = _names(model)
        kind = str(model._meta.model_name)
        rows, columns, hashed = _digested(model._default_manager.filter(**lookup).order_by("pk"), names, blobs)
        for pk, *values in rows.values_list("pk", *columns).iterator(chunk_size=BATCH):
            found = vouched.pop((kind, pk), None)
            if found is None:
                return StoredCheck(chain, check.records, False, "stored row is not in the chain", detail=f"{kind} {pk}")
            if _columns(values, names, blobs, hashed=hashed) != found[1]:
                problem = "stored row does not match the chain"
                return StoredCheck(chain, check.records, False, problem, found[0], detail=f"{kind} {pk}")
    if vouched:
        (kind, pk), (seq, _columns_) = min(vouched.items(), key=lambda item: item[1][0])
        return StoredCheck(chain, check.records, False, "stored row was deleted", seq, detail=f"{kind} {pk}")
    return check


def stored_scopes(*, school: School | None = None, district: District | None = None) -> list[str]:
    """The offices to check: every one with a chain or with appeals (of one school or district)."""
    if school is not None:
        return [school.vault_scope]
    if district is not None:
        return [district.vault_scope]
    scopes = set(StoredChain.objects.values_list("scope", flat=True))
    for school_id, district_id in Appeal.objects.order_by().values_list("school_id", "district_id").distinct():
        scopes.add(f"district:{district_id}" if district_id else f"school:{school_id}")
    return sorted(scopes)


def stored_backfill(apps) -> None:
    """Link every row written before the chain existed, as it is stored now (a data
    migration's step, with the migration's models): from then on, verify vouches for them."""
    from django.utils import timezone

    from ishenim.chain import GENESIS, canonical

    Chain, Link = apps.get_model("appeals", "StoredChain"), apps.get_model("appeals", "StoredLink")
    heads: dict[str, Any] = {}
    at = timezone.now()
    for model in (apps.get_model("appeals", m._meta.object_name) for m in COVERED):
        names, blobs = _names(model)
        kind = model._meta.model_name
        rows = model._default_manager.order_by("pk").values_list(
            "pk", "appeal__school_id", "appeal__district_id", *names
        )
        for pk, school, district, *values in rows.iterator(chunk_size=BATCH):
            scope = f"district:{district}" if district else f"school:{school}"
            head = heads.get(scope) or heads.setdefault(scope, Chain.objects.get_or_create(scope=scope)[0])
            link = Link(chain=head, seq=head.last_seq + 1, at=at, kind=kind, row=pk, event="added", changed=[])
            link.columns = _columns(tuple(values), names, blobs)
            fields = {"seq": link.seq, "at": at.isoformat(), "kind": kind, "row": pk, "event": "added"}
            link.body = canonical({**fields, "changed": [], "columns": link.columns})
            link.prev_hash = head.head_hash or GENESIS
            link.hash = sha256(link.prev_hash.encode() + link.body).hexdigest()
            link.save()
            head.last_seq, head.head_hash = link.seq, link.hash
    for head in heads.values():
        head.save(update_fields=["last_seq", "head_hash"])
