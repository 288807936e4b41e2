"""The country-sized data set: 1,000,000 appeals in 500 schools, and a 1,000,000-entry journal volume.

Rows go in with PostgreSQL's COPY, built from the models' own fields (any
column this generator does not set gets the model's default), so the data set
follows the schema as it changes. Everything an app server or `journal verify`
checks is real:

- appeal text, author and journal summaries are real vault seals, made with
  each school's own key (a pool of a few sealed texts per school, reused);
- every volume is a valid hash chain computed with `ishenim.chain.link`, with
  gapless serial numbers and the volume head, so `journal_verify` says OK;
- a staff member `bench-director` (password `BENCH_PASSWORD`) directs the big
  school and can open its appeals.

The big school `bench-big` holds 5 % of the appeals, all in this school year's
volume, so its inbox and journal have a page 500. The district office
`bench-verify` holds the 1,000,000-entry volume that `journal verify` walks.
Built once per scale and schema; later runs reuse it.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from hashlib import sha256

from bench.harness import log, schema_fingerprint

GENERATOR = 3  # bump when the data set changes shape
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway account in a throwaway database
TOTP_SEED = "BENCHBENCHBENCHBENCHBENCHBENCH23"
BIG = "bench-big"
VERIFY = "bench-verify"
CATEGORIES = [
    "bullying",
    "child_rights",
    "corruption",
    "smoking",
    "discipline",
    "suggestion",
    "request",
    "wish",
    "other",
]
CATEGORY_WEIGHTS = [18, 12, 5, 10, 15, 15, 12, 8, 5]
TEXTS = [
    "Биздин класста бир бала башка балдарды ар дайым кордоп, акча талап кылат. Мугалимге айтсак, эч нерсе өзгөргөн жок.",
    "Мектептин ажатканасында жогорку класстын окуучулары насвай чегишет, кичүү балдар коркушат.",
    "Ашканада тамак суук берилет, кээде нан жетпей калат. Ата-энелер комитети менен сүйлөшүп көрүңүздөрчү.",
    "Математика мугалими кошумча сабак үчүн акча чогултат, бербегендерге баа койбойт деп коркутат.",
    "Спорт залды сабактан кийин ачып берсеңиздер, балдар көчөдө жүрбөй спорт менен алектенишмек.",
    "Менин уулум 6-класста окуйт, аны класстагы балдар телефон менен тартып, тармакка салып шылдыңдашты.",
    "Рахмат мугалимдерге! Олимпиадага даярдоо үчүн көп күч жумшашты, балдарыбыз байгелүү орун алышты.",
    "Китепканада кыргыз тилиндеги китептер аз. Жаңы китептерди сатып алууга мүмкүнчүлүк барбы?",
    "Кышында класстар суук болот, балдар курткачан отурушат. Жылуулук системасын текшерип бериңиздер.",
    "Мектепке жакын жолдо жөө жүргүнчүлөр үчүн өтмөк жок, балдар коркунучтуу жерден өтүшөт.",
    "Кечки сменада окуган балдар караңгыда үйгө кайтышат, мектептин короосунда жарык жок.",
    "Класс жетекчи ата-энелер чогулушун эч качан өткөрбөйт, биз балдардын абалын билбей калдык.",
]
NAMES = ["Айбек", "Нургүл", "Бакыт", "Гүлнара", "Эрлан", "Жылдыз", "Тилек", "Айпери", "Кубан", "Самара"]


def _sizes(scale: float) -> tuple[int, int, int, int]:
    """appeals, schools, appeals of the big school, entries of the verify volume."""
    appeals = max(2_000, round(1_000_000 * scale))
    schools = max(4, round(500 * scale))
    return appeals, schools, appeals // 20, max(2_000, round(1_000_000 * scale))


def data_database(settings, scale: float) -> str:
    """The URL of the data set's database: kept between runs, rebuilt when the schema or scale changed."""
    import psycopg

    from bench import harness

    # One database per scale, so a quick run never throws away the full data set.
    suffix = "data" if scale == 1 else f"data_{scale:g}".replace(".", "_")
    url = settings.database(suffix)
    if harness.database_exists(url):
        with psycopg.connect(url) as conn:
            try:
                row = conn.execute("SELECT scale, generator, schema FROM bench_dataset").fetchone()
            except psycopg.Error:
                row = None
        if row == (scale, GENERATOR, harness.schema_fingerprint()):
            return url
    return harness.fresh_database(settings, suffix)


def _marker(cursor) -> tuple | None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_dataset "
        "(scale double precision, generator int, schema text, appeals int, chain int, seconds double precision, "
        "built timestamptz)"
    )
    cursor.execute("SELECT scale, generator, appeals, chain, seconds FROM bench_dataset")
    return cursor.fetchone()


def dataset_ready(scale: float) -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        row = _marker(cursor)
    if row and abs(row[0] - scale) < 1e-9 and row[1] == GENERATOR:
        return {"appeals": row[2], "chain": row[3], "seconds": row[4]}
    return None


class Copier:
    """COPY rows of one model, filling every column this generator leaves out with the model's default."""

    def __init__(self, model, values: list[str]) -> None:
        from django.db import connection

        self.model = model
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        blank = model()
        self.constants: dict[str, object] = {}
        for f in self.fields:
            if f.attname in values:
                continue
            value = f.get_db_prep_save(f.pre_save(blank, True), connection)
            self.constants[f.attname] = value
        self.names = [f.attname for f in self.fields]
        self.next_id = 1

    def reserve_ids(self, cursor, count: int) -> int:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")  # noqa: S608 - our own table name
        first = cursor.fetchone()[0] + 1
        self.next_id = first + count
        return first

    def copy(self, cursor, rows) -> int:
        """`rows` are dicts of attname → value; returns how many went in."""
        from django.db import connection

        if connection.vendor == "sqlite":
            return self._insert(cursor, rows, connection)
        names, constants, n = self.names, self.constants, 0
        with cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[a] if a in row else constants[a] for a in names])
                n += 1
        return n

    def _insert(self, cursor, rows, connection, batch: int = 20_000) -> int:
        """SQLite has no COPY: batched INSERTs, datetimes written as Django writes them."""
        names, constants, n = self.names, self.constants, 0
        adapt = connection.ops.adapt_datetimefield_value
        sql = f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608 - our own table
        pending = []
        for row in rows:
            values = [row[a] if a in row else constants[a] for a in names]
            pending.append([adapt(v) if isinstance(v, dt.datetime) else v for v in values])
            n += 1
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                pending = []
        if pending:
            cursor.executemany(sql, pending)
        return n

    def reset_sequence(self, cursor) -> None:
        from django.core.management.color import no_style
        from django.db import connection

        for statement in connection.ops.sequence_reset_sql(no_style(), [self.model]):
            cursor.execute(statement)


def _jsonb(value):
    from django.db import connection

    if connection.vendor == "sqlite":  # a JSON column is text there (bench.growth --sqlite)
        return json.dumps(value, ensure_ascii=False)
    from psycopg.types.json import Jsonb

    return Jsonb(value, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))


def _bench_director():
    """The staff member the page benchmark logs in as; directors need a second factor, so it has one."""
    from django.contrib.auth import get_user_model

    from vault.services import user_key_set

    User = get_user_model()
    user = User.objects.filter(username="bench-director").first()
    if user is None:
        user = User.objects.create_user("bench-director", "bench@school.example", BENCH_PASSWORD, first_name="Бенч")
        user_key_set(user=user, password=BENCH_PASSWORD)
        try:
            from accounts.twofactor import two_factor_enable
        except ImportError:  # an installation without the second factor
            pass
        else:
            two_factor_enable(user=user, seed=TOTP_SEED)
    return user


def _pool(scope: str, rng: random.Random, size: int = 6) -> dict[str, list[bytes]]:
    """A few real seals per school: texts, authors and journal summaries."""
    from vault.services import seal_text

    texts, authors, summaries = [], [], []
    for _ in range(size):
        text = rng.choice(TEXTS)
        author = {"name": f"{rng.choice(NAMES)} {rng.choice(NAMES)}ов", "phone": f"0555 {rng.randrange(100000):06d}"}
        texts.append(seal_text(scope, text))
        authors.append(seal_text(scope, json.dumps(author, ensure_ascii=False)))
        summaries.append(seal_text(scope, json.dumps({"author": None, "summary": text[:300]}, ensure_ascii=False)))
    return {"text": texts, "author": authors, "summary": summaries}


def dataset_build(scale: float) -> dict:
    """Build (or reuse) the data set at `scale` (1.0 = one million appeals)."""
    from django.db import connection, transaction

    found = dataset_ready(scale)
    if found:
        log(f"reusing the data set: {found['appeals']:,} appeals, a {found['chain']:,}-entry chain")
        return found
    total, n_schools, big, chain = _sizes(scale)
    log(f"building the data set: {total:,} appeals in {n_schools} schools and a {chain:,}-entry chain …")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _marker(cursor)
        cursor.execute("DELETE FROM bench_dataset")
        schools = _schools(n_schools)
        _appeals(cursor, schools, total, big)
        _verify_volume(cursor, chain)
        seconds = time.perf_counter() - started
        cursor.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s, %s, %s, %s, %s, now())",
            [scale, GENERATOR, schema_fingerprint(), total, chain, seconds],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"data set built in {time.perf_counter() - started:.0f} s")
    return {"appeals": total, "chain": chain, "seconds": seconds}


def _schools(count: int) -> list:
    from schools.models import District, Membership, Role, School
    from schools.services import school_create

    director = _bench_director()
    schools = []
    districts = [
        District.objects.get_or_create(slug=f"bench-{d:02d}", defaults={"name_ky": f"Бенчмарк району №{d}"})[0]
        for d in range(1, max(2, count // 50) + 1)
    ]
    for n in range(count):
        slug = BIG if n == 0 else f"bench-{n:03d}"
        school = School.objects.filter(slug=slug).first()
        if school is None:
            school, _code = school_create(
                district=districts[n % len(districts)],
                slug=slug,
                name_ky=f"Бенчмарк мектеби №{n}",
                grantees=[director] if n == 0 else [],
                cadence=School.Cadence.WEEKLY,
            )
        schools.append(school)
    Membership.objects.get_or_create(
        user=director, school=schools[0], role=Role.DIRECTOR, defaults={"position": Membership.Position.DIRECTOR}
    )
    return schools


def _appeals(cursor, schools: list, total: int, big: int) -> None:
    from django.utils import timezone

    from appeals.models import Appeal
    from journal.models import Record, Volume

    rng = random.Random(2026)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    year_start = dt.datetime(schools[0].school_year(timezone.localdate()), 9, 1, tzinfo=tz)
    history_start = year_start.replace(year=year_start.year - 4)
    appeal_copier = Copier(
        Appeal,
        [
            "id",
            "school_id",
            "district_id",
            "channel",
            "author_kind",
            "anonymous",
            "category",
            "grade",
            "language",
            "status",
            "urgent",
            "received_at",
            "registered_at",
            "due_on",
            "closed_at",
            "journal_number",
            "text_sealed",
            "author_sealed",
            "receipt_hash",
        ],
    )
    record_copier = Copier(
        Record,
        [
            "id",
            "volume_id",
            "seq",
            "kind",
            "number",
            "entry_id",
            "appeal_id",
            "at",
            "taken_on",
            "fields",
            "sealed",
            "sealed_digest",
            "actor_id",
            "prev_hash",
            "hash",
            "body",
        ],
    )
    volume_copier = Copier(Volume, ["id", "school_id", "district_id", "year", "last_number", "last_seq", "head_hash"])
    next_appeal = appeal_copier.reserve_ids(cursor, total)
    next_record = record_copier.reserve_ids(cursor, total * 2)
    next_volume = volume_copier.reserve_ids(cursor, len(schools) * 6)
    per_school = (total - big) // max(1, len(schools) - 1)
    counts = [big] + [per_school] * (len(schools) - 1)
    counts[-1] += total - sum(counts)
    progress = time.perf_counter()
    made = 0
    for school, count in zip(schools, counts, strict=True):
        pool = _pool(school.vault_scope, rng)
        start = year_start if school.slug == BIG else history_start
        span = (now - start).total_seconds()
        # UTC, as the database gives datetimes back: the chain hashes their ISO form.
        moments = sorted((start + dt.timedelta(seconds=rng.random() * span)).astimezone(dt.UTC) for _ in range(count))
        appeals, volumes = [], {}
        for received in moments:
            year = school.school_year(received.astimezone(tz).date())
            volumes.setdefault(year, []).append(len(appeals))
            online = rng.random() < 0.6
            anonymous = rng.random() < 0.7
            age = (now - received).days
            closed = age > 20 and rng.random() < (0.4 if school.slug == BIG else 0.9)
            status = "closed" if closed else ("considering" if age > 3 else "registered")
            appeals.append(
                {
                    "id": next_appeal + len(appeals),
                    "school_id": school.pk,
                    "district_id": None,
                    "channel": "online" if online else "paper",
                    "author_kind": rng.choice(("student", "student", "parent", "citizen")),
                    "anonymous": anonymous,
                    "category": rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],
                    "grade": rng.randrange(1, 12) if rng.random() < 0.6 else None,
                    "language": "ky" if rng.random() < 0.75 else "ru",
                    "status": status,
                    "urgent": rng.random() < 0.03,
                    "received_at": received,
                    "registered_at": received + dt.timedelta(minutes=rng.randrange(1, 600)),
                    "due_on": (received + dt.timedelta(days=20)).date(),
                    "closed_at": received + dt.timedelta(days=rng.randrange(2, 20), seconds=rng.randrange(86400))
                    if closed
                    else None,
                    "journal_number": None,
                    "text_sealed": rng.choice(pool["text"]),
                    "author_sealed": None if anonymous else rng.choice(pool["author"]),
                    "receipt_hash": rng.randbytes(32).hex() if online else None,
                }
            )
        next_appeal += len(appeals)
        records, volume_rows = [], []
        for year, members in volumes.items():
            volume_id = next_volume
            next_volume += 1
            events = []
            for index in members:
                appeal = appeals[index]
                events.append((appeal["registered_at"], 0, index))
                if appeal["closed_at"] is not None:
                    events.append((appeal["closed_at"], 1, index))
            events.sort(key=lambda e: (e[0], e[1], e[2]))
            prev, entry_ids, number = "0" * 64, {}, 0
            for seq, (at, amendment, index) in enumerate(events, start=1):
                appeal = appeals[index]
                if not amendment:
                    number += 1
                    appeal["journal_number"] = number
                sealed = None if amendment else rng.choice(pool["summary"])
                row = {
                    "id": next_record,
                    "volume_id": volume_id,
                    "seq": seq,
                    "kind": "amendment" if amendment else "entry",
                    "number": None if amendment else number,
                    "entry_id": entry_ids.get(index) if amendment else None,
                    "appeal_id": appeal["id"],
                    "at": at,
                    "taken_on": None if amendment else appeal["received_at"].astimezone(tz).date(),
                    "fields": (
                        {"status": "closed", "outcome": "answered"}
                        if amendment
                        else {
                            "channel": appeal["channel"],
                            "category": appeal["category"],
                            "author_kind": appeal["author_kind"],
                            "anonymous": appeal["anonymous"],
                            "grade": appeal["grade"],
                            "status": "registered",
                        }
                    ),
                    "sealed": sealed,
                    "sealed_digest": sha256(sealed).hexdigest() if sealed is not None else "",
                    "actor_id": None,
                    "prev_hash": prev,
                }
                prev = row["hash"] = _link(row)
                row["fields"] = _jsonb(row["fields"])
                if not amendment:
                    entry_ids[index] = next_record
                next_record += 1
                records.append(row)
            volume_rows.append(
                {
                    "id": volume_id,
                    "school_id": school.pk,
                    "district_id": None,
                    "year": year,
                    "last_number": len(members),
                    "last_seq": len(events),
                    "head_hash": prev,
                }
            )
        appeal_copier.copy(cursor, appeals)
        volume_copier.copy(cursor, volume_rows)
        record_copier.copy(cursor, records)
        made += len(appeals)
        if time.perf_counter() - progress > 15:
            progress = time.perf_counter()
            log(f"{made:,} of {total:,} appeals …")
    for copier in (appeal_copier, record_copier, volume_copier):
        copier.reset_sequence(cursor)


def _link(row: dict) -> str:
    """The record's hash exactly as `chain_append` computes it; its chained bytes go into row["body"]."""
    from hashlib import sha256

    from ishenim.chain import canonical

    row["body"] = canonical(
        {
            "seq": row["seq"],
            "kind": row["kind"],
            "number": row["number"],
            "entry": row["entry_id"],
            "appeal": row["appeal_id"],
            "at": row["at"].isoformat(),
            "taken_on": row["taken_on"].isoformat() if row["taken_on"] else None,
            "fields": row["fields"],
            "sealed_digest": row["sealed_digest"],
            "actor": row["actor_id"],
        }
    )
    return sha256(row["prev_hash"].encode() + row["body"]).hexdigest()


def _verify_volume(cursor, count: int) -> None:
    """A district office's volume of `count` entries: one long chain for `journal verify`."""
    from django.utils import timezone

    from journal.models import Record, Volume
    from schools.models import District
    from vault.services import key_create

    district, _ = District.objects.get_or_create(slug=VERIFY, defaults={"name_ky": "Текшерүү району"})
    key_create(scope=district.vault_scope, grantees=[])
    pool = _pool(district.vault_scope, random.Random(7))["summary"]
    digests = [sha256(blob).hexdigest() for blob in pool]
    volume = Volume.objects.create(district=district, year=timezone.localdate().year - 1)
    copier = Copier(
        Record,
        ["id", "volume_id", "seq", "kind", "number", "entry_id", "appeal_id", "at", "taken_on"]
        + ["fields", "sealed", "sealed_digest", "actor_id", "prev_hash", "hash", "body"],
    )
    first = copier.reserve_ids(cursor, count)
    start = timezone.now() - dt.timedelta(days=300)
    state = {"prev": "0" * 64}

    def rows():
        for n in range(1, count + 1):
            at = start + dt.timedelta(seconds=n * 20)
            row = {
                "id": first + n - 1,
                "volume_id": volume.pk,
                "seq": n,
                "kind": "entry",
                "number": n,
                "entry_id": None,
                "appeal_id": None,
                "at": at,
                "taken_on": at.date(),
                "fields": {"channel": "paper", "category": CATEGORIES[n % 9], "anonymous": True, "status": "closed"},
                "sealed": pool[n % len(pool)],
                "sealed_digest": digests[n % len(pool)],
                "actor_id": None,
                "prev_hash": state["prev"],
            }
            state["prev"] = row["hash"] = _link(row)
            row["fields"] = _jsonb(row["fields"])
            yield row

    copier.copy(cursor, rows())
    copier.reset_sequence(cursor)
    Volume.objects.filter(pk=volume.pk).update(last_number=count, last_seq=count, head_hash=state["prev"])
