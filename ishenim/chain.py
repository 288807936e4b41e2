"""The one hash chain: the registration journal, the box-opening journal, the audit log and the
chain of appeals' stored bytes are all built from these pieces.

A chain is a head row (`ChainHead`: the last sequence number and the last hash) and its links
(`ChainLink`). Each link stores `body`, the exact bytes that were hashed (the canonical JSON of
its chained columns), and `hash = sha256(prev_hash + body)`. Verifying therefore has two parts:

1. the bytes: sequence numbers 1, 2, 3 …, each link follows the previous one, each hash is the
   hash of its stored bytes, and the last one is the head — hashing only, nothing re-serialised;
2. the columns: what the database's columns say is what the bytes say (so an UPDATE of a column
   is found even though the bytes were left alone), plus each chain's own rules
   (`ChainLink.link_problem`: sealed blobs, gapless serial numbers …).

Both are first asked in bulk (`_holds`). The bytes: SQLite hands over a range's bodies (and
`ChainLink.digested` blobs) joined into one value, hashed here; PostgreSQL hashes them itself.
The columns: PostgreSQL writes each link's scalar columns as canonical text, compares it with
the start and end of `body` and the JSON columns with what stands between, read as jsonb;
SQLite writes all of a link's columns as canonical text and compares it with `body`, byte for
byte, which works because the chained JSON columns are stored as canonical text themselves
(`CanonicalEncoder`). `ChainLink.rules_hold` asks the rules in SQL. None of this is free: each
link's columns are read and compared, which costs about as much again as hashing its bytes
(bench/verify.py prints both). Only if something does not hold does verify walk link by
link (`_chunks`, `_bytes_problem`, `_columns_problem`) to name the first link that does not fit,
so the bulk check decides nothing alone: a false alarm costs time, a missed edit fails the
tamper tests.

Writers lock the head (SELECT … FOR UPDATE; SQLite write transactions are IMMEDIATE), call
`chain_append`, and commit: numbering is gapless and the head moves with the link.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from itertools import accumulate, islice
from operator import attrgetter, methodcaller
from typing import TypeVar, cast

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64
CHUNK = 20_000


class CanonicalEncoder(json.JSONEncoder):
    """The one canonical JSON: keys sorted, no spaces, text as it is (not as \\u escapes), any other
    value as its `str`. The options are fixed, whatever a caller passes. The chained JSON columns
    are stored with it too (`JSONField(encoder=CanonicalEncoder)`), so on SQLite, where a JSON
    column is text, the column holds the very text `body` holds for it (see `_written_sqlite`)."""

    def __init__(self, **_options: object) -> None:
        super().__init__(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def default(self, o: object) -> str:
        return str(o)


_CANONICAL = CanonicalEncoder()


def canonical(fields: object) -> bytes:
    """One byte string per record, the same on every database and Python version (one encoder,
    made once: `json.dumps` with these options would make one per call)."""
    return _CANONICAL.encode(fields).encode()


def canonical_json_columns(app_label: str, model_name: str, *field_names: str) -> Callable:
    """A data migration's step: rewrite the text of the JSON columns `field_names` of a model as
    `CanonicalEncoder` writes it, on SQLite (on PostgreSQL a JSON column is jsonb, which keeps no
    text). Each column is rewritten from its own value, never from `body`: an edited column stays
    edited. A column that is not JSON text is left as it is."""

    def rewrite(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        Model = apps.get_model(app_label, model_name)
        quote = schema_editor.connection.ops.quote_name
        table, pk = quote(Model._meta.db_table), quote(Model._meta.pk.column)
        for name in field_names:
            column = quote(Model._meta.get_field(name).column)
            last = 0
            with schema_editor.connection.cursor() as cursor:
                while True:
                    cursor.execute(
                        f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s",  # noqa: S608
                        [last, CHUNK],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    last = rows[-1][0]
                    changed = [
                        (written, pk) for pk, text in rows if (written := _canonical_text(text)) not in (None, text)
                    ]
                    cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", changed)  # noqa: S608

    return rewrite


def _canonical_text(text: str | None) -> str | None:
    """A JSON column's text written canonically; None if it is not JSON text (or holds a lone
    surrogate, which UTF-8 cannot store)."""
    if not isinstance(text, str):
        return None
    try:
        written = _CANONICAL.encode(json.loads(text))
        written.encode()
    except ValueError:
        return None
    return written


def link(prev_hash: str, fields: dict) -> str:
    """The hash a link with these chained columns gets after `prev_hash`."""
    return sha256(prev_hash.encode() + canonical(fields)).hexdigest()


# Every problem verify can report, by code; the pages show the translation, the command the code.
PROBLEMS = {
    "missing or inserted record": _("a record is missing or was inserted"),
    "record does not follow the previous one": _("a record does not follow the previous one (moved or replaced)"),
    "record was edited": _("a record was edited"),
    "records after the last one found were removed": _("records after the last one found were removed"),
    "record added after the head": _("a record was added after the head without the journal"),
    "the written-down head is not in this chain": _("the written-down head is not in this chain"),
    "sealed columns were replaced": _("the sealed columns of a record were replaced"),
    "sealed columns were erased": _("the sealed columns of a record were erased without a retention amendment"),
    "serial numbers are not consecutive": _("serial numbers are not consecutive"),
    "stored appeal does not match the chain": _("an appeal's stored text, author, status or category was changed"),
    "stored row does not match the chain": _("a message, note, answer, forwarding or file of an appeal was changed"),
    "stored row was deleted": _("a message, note, answer, forwarding or file of an appeal was deleted"),
    "stored row is not in the chain": _("a message, note, answer, forwarding or file was added without the chain"),
}


class ChainHead(models.Model):
    """The head of one chain: the last link's sequence number and hash."""

    last_seq = models.PositiveIntegerField(_("last record"), default=0)
    head_hash = models.CharField(_("head hash"), max_length=64, default=GENESIS)

    class Meta:
        abstract = True

    def chain_links(self) -> models.QuerySet:
        """This chain's links (a queryset of a `ChainLink` model)."""
        raise NotImplementedError

    def verify_context(self) -> dict:
        """What `ChainLink.link_problem` needs to know about the whole chain, read before the walk."""
        return {}


class ChainLink(models.Model):
    """One link: `body` holds the bytes that were hashed, `hash = sha256(prev_hash + body)`."""

    seq = models.PositiveIntegerField(_("record"))
    at = models.DateTimeField(_("recorded"))
    body = models.BinaryField(_("chained bytes"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        abstract = True

    chained: tuple[str, ...] = ()  # the fields `body` covers, by name: the keys of its JSON
    # (blob, digest) fields: the blob is kept outside the chain, which covers its SHA-256 (so it can
    # be erased); the bytes pass hashes each blob that is there and compares it with its digest.
    digested: tuple[tuple[str, str], ...] = ()

    def chained_fields(self) -> dict:
        """What `body` holds: each chained field's value (a foreign key as its id, a date or a
        time in ISO 8601)."""
        values = {}
        for name in self.chained:
            value = getattr(self, cast(models.Field, self._meta.get_field(name)).attname)
            values[name] = value.isoformat() if isinstance(value, date) else value
        return values

    def link_problem(self, context: dict) -> str | None:
        """A chain's own rule about this link (in sequence order), as a code of PROBLEMS."""
        return None

    @classmethod
    def rules_hold(cls, links: models.QuerySet) -> bool:
        """Whether no link breaks `link_problem`, asked of all the links at once (in SQL). False
        sends verify to the walk, which names the first link that breaks it: a false alarm costs
        time, never a verdict. A chain with rules and no such check always walks."""
        return cls.link_problem is ChainLink.link_problem


Head = TypeVar("Head", bound=ChainHead)
Link = TypeVar("Link", bound=ChainLink)


def head_locked(model: type[Head], **key) -> Head:
    """The head with this key, created on first use, locked for this transaction.

    One statement once the head exists (the lock is the read); the savepoint a concurrent
    first use needs is paid only then."""
    head = model._default_manager.select_for_update().filter(**key).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            model._default_manager.create(**key)
    except IntegrityError:
        pass  # created by a concurrent writer
    return model._default_manager.select_for_update().get(**key)


def chain_append(head: ChainHead, new: Link, *, head_fields: tuple[str, ...] = ()) -> Link:
    """Append the link `new` to a head locked by the caller's transaction and move the head."""
    new.seq = head.last_seq + 1
    new.at = new.at or timezone.now()
    new.prev_hash = head.head_hash
    new.body = canonical(new.chained_fields())
    new.hash = sha256(new.prev_hash.encode() + new.body).hexdigest()
    new.save()
    head.last_seq, head.head_hash = new.seq, new.hash
    head.save(update_fields=["last_seq", "head_hash", *head_fields])
    return new


@dataclass
class ChainCheck:
    """What verify found: `records` links check out before the first problem, if any."""

    head: ChainHead
    records: int
    ok: bool
    problem: str = ""
    bad_seq: int | None = None

    @property
    def problem_display(self) -> str:
        return str(PROBLEMS.get(self.problem, self.problem))

    @property
    def bad_link(self) -> ChainLink | None:
        """The first link that does not fit, if it is still there (a deleted one is not)."""
        if self.bad_seq is None:
            return None
        return self.head.chain_links().filter(seq=self.bad_seq).first()


def _first_difference(left: list, right: list) -> int:
    return next(i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b)


def _bytes_problem(rows: list[tuple], first: int, prev: str) -> tuple[int, str] | None:
    """The first (index, problem) of a run of (seq, prev_hash, hash, body) rows, or None.

    Whole lists are compared and hashed with C-level map/zip: no Python frame per link.
    """
    seqs, prevs, hashes, bodies = (list(column) for column in zip(*rows, strict=True))
    if seqs != list(range(first, first + len(seqs))):
        index = next(i for i, seq in enumerate(seqs) if seq != first + i)
        return index, "missing or inserted record"
    expected_prevs = [prev, *hashes[:-1]]
    if prevs != expected_prevs:
        return _first_difference(prevs, expected_prevs), "record does not follow the previous one"
    if None in bodies:
        return bodies.index(None), "record was edited"  # the bytes that were hashed are gone
    recomputed = list(map(methodcaller("hexdigest"), map(sha256, map(bytes.__add__, map(str.encode, prevs), bodies))))
    if recomputed != hashes:
        return _first_difference(recomputed, hashes), "record was edited"
    return None


def _columns_problem(links: list[ChainLink], bodies: list[bytes], context: dict) -> tuple[int, str] | None:
    for index, (chain_link, body) in enumerate(zip(links, bodies, strict=True)):
        if canonical(chain_link.chained_fields()) != body:
            return index, "record was edited"
        problem = chain_link.link_problem(context)
        if problem:
            return index, problem
    return None


def _light(model: type[ChainLink], attnames: list[str], values: tuple, db: str) -> ChainLink:
    """A link made from its columns without the model's __init__ (no signals, no per-field
    setattr): what `chained_fields` and `link_problem` read, at a third of the cost."""
    made = model.__new__(model)
    made.__dict__.update(zip(attnames, values, strict=True))
    made._state = models.base.ModelState()
    made._state.adding, made._state.db = False, db
    return made


def _chunks(links: models.QuerySet, last_seq: int, columns: bool) -> Iterator[tuple[list[tuple], list[ChainLink]]]:
    attnames = [field.attname for field in links.model._meta.concrete_fields]
    for low in range(0, last_seq, CHUNK):
        ranged = links.filter(seq__gt=low, seq__lte=min(low + CHUNK, last_seq)).order_by("seq")
        if columns:
            objects = [_light(links.model, attnames, values, links.db) for values in ranged.values_list(*attnames)]
            rows = [(o.seq, o.prev_hash, o.hash, bytes(o.body) if o.body is not None else None) for o in objects]
        else:
            objects, rows = [], list(ranged.values_list("seq", "prev_hash", "hash", "body"))
            rows = [(seq, prev, hash_, bytes(body) if body is not None else None) for seq, prev, hash_, body in rows]
        yield rows, objects


# A run of links, as the ORM selects it, is the subquery `run` (its own SQL and parameters).
_SQLITE_RUN = (
    "SELECT count(*), count(body), min(seq), max(seq), CAST(group_concat(body, char(10)) AS BLOB){digested} "
    "FROM ({run}) AS run"
)
# Each blob of a run joined into one value, with their lengths and their digests.
_SQLITE_BLOBS = (
    ", CAST(group_concat({blob}, '') AS BLOB), group_concat(length({blob})), "
    "group_concat(CASE WHEN {blob} IS NOT NULL THEN {digest} END)"
)
_POSTGRESQL_RUN = (
    "SELECT count(*), min(seq), max(seq), bool_and(coalesce(body IS NOT NULL AND prev_hash = before AND "
    "encode(sha256(convert_to(prev_hash, 'UTF8') || body), 'hex') = hash{digested}, false)), "
    "(array_agg(hash ORDER BY seq DESC))[1] "
    "FROM (SELECT *, coalesce(lag(hash) OVER (ORDER BY seq), %s) AS before FROM ({run}) AS run) AS linked"
)
_POSTGRESQL_BLOB = " AND ({blob} IS NULL OR encode(sha256({blob}), 'hex') = {digest})"


def _digested_columns(links: models.QuerySet) -> list[tuple[str, str]]:
    """The (blob, digest) column pairs of `ChainLink.digested`, quoted for SQL."""
    quote = connection.ops.quote_name
    return [
        (
            quote(cast(str, links.model._meta.get_field(blob).column)),
            quote(cast(str, links.model._meta.get_field(digest).column)),
        )
        for blob, digest in links.model.digested
    ]


def _blobs_match(joined: bytes | None, lengths: str | None, digests: str | None) -> bool:
    """Do the blobs SQLite joined into one value (split by their lengths) hash to their digests?"""
    if joined is None:
        return digests is None
    ends = list(accumulate(map(int, (lengths or "").split(","))))
    blobs = map(bytes(joined).__getitem__, map(slice, [0, *ends[:-1]], ends))
    return ends[-1] == len(joined) and ",".join(map(methodcaller("hexdigest"), map(sha256, blobs))) == digests


def _run_sqlite(links: models.QuerySet, prev: bytes) -> tuple[int, int, int, bytes] | None:
    """(links, first seq, last seq, last hash) of a run, hashed here from the stored bytes; None if
    a hash does not follow or a blob does not match its digest. SQLite joins the run's bytes into
    one value, Python splits them (canonical JSON has no raw newline) and hashes each after the
    previous hash; each `ChainLink.digested` blob likewise (split by the lengths SQLite gives)."""
    digested = _digested_columns(links)
    names = [name for pair in links.model.digested for name in pair]
    inner, params = links.order_by("seq").values("seq", "body", *names).query.sql_with_params()
    blobs = "".join(_SQLITE_BLOBS.format(blob=blob, digest=digest) for blob, digest in digested)
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_RUN.format(run=inner, digested=blobs), params)
        count, bodies, first, last, joined, *found = cursor.fetchone()
    parts = bytes(joined or b"").split(b"\n")
    if bodies != count or len(parts) != count:
        return None
    if not all(_blobs_match(*found[n : n + 3]) for n in range(0, len(found), 3)):
        return None
    for body in parts:
        prev = sha256(prev + body).hexdigest().encode()
    return count, first, last, prev


def _run_postgresql(links: models.QuerySet, prev: bytes) -> tuple[int, int, int, bytes] | None:
    """The same, with PostgreSQL hashing every link and every `ChainLink.digested` blob (in C, on
    its own core) and checking that each link names the previous hash; only the run's last hash
    comes back."""
    names = [column for pair in links.model.digested for column in pair]
    inner, params = links.order_by("seq").values("seq", "prev_hash", "hash", "body", *names).query.sql_with_params()
    blobs = "".join(_POSTGRESQL_BLOB.format(blob=blob, digest=digest) for blob, digest in _digested_columns(links))
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRESQL_RUN.format(run=inner, digested=blobs), [prev.decode(), *params])
        count, first, last, linked, last_hash = cursor.fetchone()
    return (count, first, last, last_hash.encode()) if linked else None


def _rendered(field: models.Field) -> str:
    """PostgreSQL's SQL for a scalar column as `canonical` writes its value (text as JSON, a time
    in UTC)."""
    column = connection.ops.quote_name(cast(str, field.column))
    if isinstance(field, models.DateTimeField):
        utc = f"{column} AT TIME ZONE 'UTC'"
        micro = f"mod(extract(microseconds FROM {column})::bigint, 1000000)"
        return (
            f"""coalesce('"' || to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') || """
            f"""CASE WHEN {micro} = 0 THEN '' ELSE to_char({utc}, '.US') END || '+00:00"', 'null')"""
        )
    if isinstance(field, models.DateField):
        return f"""coalesce('"' || to_char({column}, 'YYYY-MM-DD') || '"', 'null')"""
    return f"coalesce(to_json({column})::text, 'null')"


def _checked_select(links: models.QuerySet) -> tuple[str, list]:
    """PostgreSQL's SQL selecting, for each link, whether its columns say what its body says:
    the canonical text of its scalar columns (keys sorted: the text before and after the JSON
    columns) is how its body starts and ends, and what stands between, read as JSON, equals its
    JSON columns (jsonb: the same keys, strings, numbers and nesting; spacing, key order and
    escapes, which no page shows, are not compared); with its parameters. The JSON columns must
    be adjacent in key order (they are in every chain; a chain where they are not raises)."""
    fields = sorted((links.model._meta.get_field(name) for name in links.model.chained), key=attrgetter("name"))
    json_at = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    if json_at and json_at != list(range(json_at[0], json_at[-1] + 1)):
        raise ValueError("a chain's JSON columns must be adjacent in key order")
    split = json_at[0] if json_at else len(fields)
    before, after = fields[:split], fields[split + len(json_at) :]
    keyed = [f"""'"{field.name}":' || {_rendered(field)}""" for field in before]
    keyed += [f"""'"{fields[split].name}":'"""] if json_at else []
    head = " || ".join(["'{'", " || ',' || ".join(keyed) or "''", *([] if json_at else ["'}'"])])
    trailing = [f"""',"{field.name}":' || {_rendered(field)}""" for field in after]
    tail = " || ".join([*trailing, "'}'"]) if json_at else "''"
    quote = connection.ops.quote_name
    ok = (
        "length(body) >= length(p) + length(s) AND substr(body, 1, length(p)) = p"
        " AND substr(body, length(body) - length(s) + 1, length(s)) = s"
    )
    if json_at:  # `"first":` is the end of p: the middle is `{value},"second":{value}…`
        middle = "convert_from(substr(body, length(p) + 1, length(body) - length(p) - length(s)), 'UTF8')"
        pairs = ", ".join(f"'{fields[i].name}', {quote(cast(str, fields[i].column))}" for i in json_at)
        same = f"""('{{"{fields[split].name}":' || {middle} || '}}')::jsonb = jsonb_build_object({pairs})"""
        held = f"CASE WHEN {ok} THEN {same} END"
    else:
        held = f"{ok} AND length(body) = length(p)"
    attnames = ["body", *(field.attname for field in fields)]
    inner, params = links.order_by().values(*attnames).query.sql_with_params()
    select = (
        f"SELECT {held} AS held FROM ("  # noqa: S608 - names from the model
        f"SELECT *, convert_to({head}, 'UTF8') AS p, convert_to({tail}, 'UTF8') AS s FROM ({inner}) AS run"
        " OFFSET 0) AS built"  # computed once a link, not inlined
    )
    return select, list(params)


def _columns_hold_postgresql(links: models.QuerySet, last_seq: int) -> bool:
    """Do the columns of every link up to `last_seq` say what its bytes say? PostgreSQL answers
    for each range of links (`_checked_select`); nothing but the answer comes back."""
    for low in range(0, last_seq, CHUNK):
        select, params = _checked_select(links.filter(seq__gt=low, seq__lte=min(low + CHUNK, last_seq)))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT bool_and(coalesce(held, false)) FROM ({select}) AS checked", params)  # noqa: S608
            if cursor.fetchone()[0] is False:
                return False
    return True


def _columns_hold_sqlite(links: models.QuerySet, last_seq: int) -> bool:
    """Do the columns of every link up to `last_seq` say what its bytes say? SQLite writes each
    link's columns as canonical text (`_written_sqlite`) and compares it with `body`, byte for byte:
    no JSON is parsed. A JSON column stored as other text than `CanonicalEncoder` writes (an edit,
    even one that only reorders keys) does not hold, and sends verify to the walk, which compares
    values. Comparing is enough: the bytes pass has already proven that `body` is what was hashed."""
    written, valid = _written_sqlite(links.model)
    for low in range(0, last_seq, CHUNK):
        ranged = links.filter(seq__gt=low, seq__lte=min(low + CHUNK, last_seq)).order_by()
        inner, params = ranged.values(
            "body", *(field.attname for field in _chained(links.model))
        ).query.sql_with_params()
        held = " AND ".join([f"CAST({written} AS BLOB) = body", *valid])
        select = f"SELECT EXISTS (SELECT 1 FROM ({inner}) AS run WHERE NOT coalesce({held}, 0))"  # noqa: S608
        try:
            with connection.cursor() as cursor:
                cursor.execute(select, params)
                if cursor.fetchone()[0]:
                    return False
        except DatabaseError:  # a value SQLite cannot write as JSON (a blob): the walk decides
            return False
    return True


def _chained(model: type[ChainLink]) -> list[models.Field]:
    """The chained fields, in the order `body` holds them (its keys sorted)."""
    return sorted((cast(models.Field, model._meta.get_field(name)) for name in model.chained), key=attrgetter("name"))


def _written_sqlite(model: type[ChainLink]) -> tuple[str, list[str]]:
    """SQLite's SQL writing a link's columns as `canonical` writes them, and the conditions under
    which equal text means equal columns.

    Each scalar column becomes one JSON token (`_token_sqlite`: text quoted and escaped as Python
    escapes it, an integer as digits, NULL as null, a time in UTC as ISO 8601; a value of another
    type than its column's gives NULL, which does not hold); a JSON column is taken as it is
    stored, canonical text since `CanonicalEncoder`. Equal text cannot come from other columns:
    read from the start, each token ends where the next key begins; read from the end, a key with
    its quotes cannot stand inside a token, so the last JSON column ends where the scalar keys
    after it begin. Only the split between two adjacent JSON columns (appeals'
    `changed` and `columns`) could move, and a JSON value that is valid JSON pins it, so every
    JSON column but the last must be valid JSON (which SQLite's CHECK constraint asks anyway)."""
    quote = connection.ops.quote_name
    fields = _chained(model)
    parts = list(map(_token_sqlite, fields))
    keyed = [
        f"""'{opening}"{field.name}":' || {part}"""
        for opening, field, part in zip(["{", *[","] * (len(fields) - 1)], fields, parts, strict=True)
    ]
    json_fields = [field for field in fields if isinstance(field, models.JSONField)]
    valid = [f"json_valid({quote(cast(str, field.column))})" for field in json_fields[:-1]]
    return "(" + " || ".join([*keyed, "'}'"]) + ")", valid


def _token_sqlite(field: models.Field) -> str:
    """SQLite's SQL for a column as one JSON token of `body`: an integer as its digits (checked to
    be an integer: `json_quote` would do, at half the speed), a time in UTC as ISO 8601, anything
    else through `json_quote`; a JSON column as it is stored."""
    column = connection.ops.quote_name(cast(str, field.column))
    if isinstance(field, models.JSONField):
        return column
    if isinstance(field.target_field if isinstance(field, models.ForeignKey) else field, models.IntegerField):
        return f"CASE typeof({column}) WHEN 'integer' THEN {column} WHEN 'null' THEN 'null' END"
    if isinstance(field, models.DateTimeField):  # stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        return f"json_quote(replace({column}, ' ', 'T') || '+00:00')"
    return f"json_quote({column})"


def columns_hold(links: models.QuerySet, last_seq: int) -> bool:
    """Do the columns of every link up to `last_seq` say what its bytes say, asked in bulk in SQL?
    False says only that something must look link by link."""
    hold = _columns_hold_postgresql if connection.vendor == "postgresql" else _columns_hold_sqlite
    return hold(links, last_seq)


def _holds(head: ChainHead, links: models.QuerySet, columns: bool) -> bool:
    """Every link up to the head checks out, asked in bulk: the bytes, and with `columns` the
    columns and the chain's rules (`ChainLink.rules_hold`). False only sends verify to the walk."""
    if not columns:
        return _reaches_head(head, links)
    held = _reaches_head(head, links) and columns_hold(links, head.last_seq)
    return held and links.model.rules_hold(links.filter(seq__lte=head.last_seq))


def _reaches_head(head: ChainHead, links: models.QuerySet) -> bool:
    """Hash the stored bytes in order, run by run: do they lead, link by link, to the head?"""
    run = _run_postgresql if connection.vendor == "postgresql" else _run_sqlite
    running = GENESIS.encode()
    for low in range(0, head.last_seq, CHUNK):
        high = min(low + CHUNK, head.last_seq)
        found = run(links.filter(seq__gt=low, seq__lte=high), running)
        if found is None or found[:3] != (high - low, low + 1, high):
            return False
        running = found[3]
    return running.decode() == head.head_hash


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The walk makes and drops a dozen objects a link; each burst of allocations would start the
    cycle collector, which scans every live object (a quarter of the walk's time). Reference
    counting still frees them; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def chain_verify(head: ChainHead, *, written_head: str | None = None, columns: bool = True) -> ChainCheck:
    """Walk one chain and report the first link that does not fit.

    An edited link breaks its hash (or its columns no longer say what its bytes say); a deleted
    or inserted one breaks the sequence or the next link; a removed tail no longer reaches the
    head; `written_head` (a hash written on paper earlier, 16 characters or more) proves
    nothing before it was rewritten. `columns=False` checks the bytes only.

    Everything is first checked in bulk (`_holds`); only if that fails does the walk look at
    every link to find the first bad one.
    """
    written_head = written_head.lower() if written_head else None
    if written_head is not None and len(written_head) < 16:
        raise ValueError("a written-down head has at least 16 characters")
    head = type(head)._default_manager.get(pk=head.pk)  # the head as it is now, read before the links
    links = head.chain_links()
    prev, count, seen_head = GENESIS, 0, written_head is None
    if _holds(head, links, columns):
        prev, count = head.head_hash, head.last_seq  # every byte and column checked; nothing to localise
        seen_head = seen_head or links.filter(seq__lte=count, hash__startswith=written_head).exists()
    context = head.verify_context() if columns and count == 0 else {}
    with _no_cycle_collection():
        for rows, objects in _chunks(links, head.last_seq, columns) if count == 0 else ():
            if not rows:
                break
            found = _bytes_problem(rows, count + 1, prev)
            if columns:
                stop = found[0] if found else len(rows)
                column_found = _columns_problem(objects[:stop], [body for *_, body in rows[:stop]], context)
                found = column_found or found
            if found:
                index, problem = found
                return ChainCheck(head, count + index, False, problem, count + 1 + index)
            hashes = [hash_ for _seq, _prev, hash_, _body in rows]
            if not seen_head:
                seen_head = any(map(methodcaller("startswith", written_head), hashes))
            prev, count = hashes[-1], count + len(rows)
    if count != head.last_seq:
        return ChainCheck(head, count, False, "records after the last one found were removed", count + 1)
    if prev != head.head_hash:  # the last link (or the head) was rewritten since the head was written
        return ChainCheck(head, count - 1, False, "record was edited", count)
    beyond = next(islice(links.filter(seq__gt=head.last_seq).order_by("seq").values_list("seq", flat=True), 1), None)
    if beyond is not None and type(head)._default_manager.get(pk=head.pk).last_seq < beyond:
        # Not written by chain_append (which moves the head in the same transaction), so slipped in.
        return ChainCheck(head, count, False, "record added after the head", beyond)
    if not seen_head:
        return ChainCheck(head, count, False, "the written-down head is not in this chain", None)
    return ChainCheck(head, count, True)


def backfill_bodies(links: models.QuerySet, chained: Callable[[models.Model], dict]) -> None:
    """Store the bytes of links written before `body` existed (a data migration's step).

    Only a link whose hash still matches its columns gets its bytes; any other stays empty,
    and verify reports it as edited.
    """
    last = 0
    while batch := list(links.filter(body__isnull=True, pk__gt=last).order_by("pk")[:CHUNK]):
        done = []
        for row in batch:
            body = canonical(chained(row))
            if sha256(row.prev_hash.encode() + body).hexdigest() == row.hash:
                row.body = body
                done.append(row)
        links.model.objects.bulk_update(done, ["body"], batch_size=1000)
        last = batch[-1].pk
