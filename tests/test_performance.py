"""What a request costs the database: pinned statement counts and query plans.

A public appeal is one short write transaction: the statements a POST makes are
counted (transactional test: real BEGIN/COMMIT, no test savepoints), on SQLite
and on PostgreSQL with the default settings (no Redis).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# Not urgent: an urgent appeal also writes its alert's outbox rows (tests/test_urgent_journey.py), not counted here.
TEXT = "Ашканада тамак дайыма суук берилет. Ысык тамак бериңиздерчи, рахмат."
URL = "/s/rakhmanov/write/"
FORM = {"author_kind": "student", "signed": "anonymous", "category": "request", "text": TEXT}


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


# The floor today, the same on both databases: 10 statements, each needed (the performance
# section of README says what each is for):
#   2 before the transaction: the school, read with its urgent words and its vault key; the
#     throttle's one upsert (every bucket at once);
#   8 in the appeal's transaction: BEGIN, the journal volume locked by its only read, the appeal
#     INSERTed with its number, its case key (the scope's copy of the private half in the same
#     row), the follow-up (the writer's key), the journal record (which vouches for the
#     follow-up too) and the volume's head, COMMIT.
# Nothing after it: the receipt code is kept in an encrypted cookie, not in a session row.
# A writer's appeal is recorded once, by its journal entry: no audit record, no stored-rows link.
STATEMENTS = 10


@pytest.mark.django_db(transaction=True)
def test_a_public_appeal_is_one_short_write_transaction(client, demo):
    from appeals.models import Appeal
    from appeals.stored import stored_verify
    from journal.models import Volume
    from journal.services import journal_verify

    client.get(URL)
    assert client.post(URL, FORM).status_code == 302  # the volume and the chains exist now
    client.cookies.pop("sessionid", None)
    client.cookies.pop("ishenim_b", None)  # a new visitor, as most writers are
    client.cookies.pop("ishenim_wk", None)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, FORM)

    assert response.status_code == 302 and response["Location"] == "/s/rakhmanov/receipt/"
    assert not Appeal.objects.filter(urgent=True).exists(), "triage found this text urgent: choose another"
    sql = _statements(queries)
    shown = "\n".join(s[:160] for s in sql)
    assert len(sql) == STATEMENTS, shown
    begins = [n for n, s in enumerate(sql) if s.startswith("BEGIN")]
    commits = [n for n, s in enumerate(sql) if s.startswith("COMMIT")]
    assert len(begins) == len(commits) == 1, shown  # the appeal's transaction, nothing else opens one
    appeal_tx = sql[begins[0] : commits[0] + 1]
    assert not any(s.startswith("SAVEPOINT") for s in sql), shown
    assert sql[-1].startswith("COMMIT"), shown  # nothing after the appeal's transaction
    assert not any("django_session" in s for s in sql), shown  # the code is kept in a cookie
    assert sum(s.startswith('INSERT INTO "vault_case') for s in sql) == 1, shown  # one INSERT of the key
    # The heads are read once each, locked by that read; nothing is read back or numbered later.
    reads = [s for s in appeal_tx if s.startswith("SELECT")]
    assert len(reads) == 1 and 'FROM "journal_volume"' in reads[0], shown
    assert connection.vendor != "postgresql" or reads[0].endswith("FOR UPDATE"), reads[0]
    assert not any("audit_" in s or "appeals_stored" in s for s in sql), shown
    assert not any(s.startswith('UPDATE "appeals_appeal"') for s in sql), shown
    assert not any("schools_boxhours" in s or "schools_helpnumber" in s for s in sql), shown
    # Nothing was traded away: the throttle counted, the chain moved in the same transaction.
    assert sum("accounts_counter" in s for s in sql) == 1
    assert any(s.startswith('INSERT INTO "journal_record"') for s in appeal_tx)
    assert sorted(Appeal.objects.values_list("journal_number", flat=True)) == [1, 2]
    assert journal_verify(Volume.objects.get(school=demo)).ok
    assert stored_verify(demo.vault_scope).ok  # the follow-ups, vouched by their journal entries
    assert client.get("/s/rakhmanov/receipt/").status_code == 200  # the cookie holds the receipt code


@pytest.mark.django_db(transaction=True)
def test_with_redis_a_public_appeal_is_nine_statements(client, demo, settings, monkeypatch):
    """As deployed (REDIS_URL set): the throttle goes to Redis, not the database."""
    import os

    import redis

    from accounts import sessions, throttle

    settings.REDIS_URL = "redis://127.0.0.1:6379/12"
    prefix = settings.CACHE_PREFIX = f"perf-{os.getpid()}"  # suites on both databases may run at once
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    throttle._redis.cache_clear()
    monkeypatch.setattr(sessions, "SessionStore", sessions.HashedCacheStore)  # what the import picks with Redis
    server = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.get(URL)
        assert client.post(URL, FORM).status_code == 302
        for name in ("sessionid", "ishenim_b", "ishenim_wk"):
            client.cookies.pop(name, None)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(URL, FORM)
        assert response.status_code == 302 and response["Location"] == "/s/rakhmanov/receipt/"
        sql = _statements(queries)
        shown = "\n".join(s[:160] for s in sql)
        assert len(sql) == STATEMENTS - 1, shown
        assert not any("accounts_counter" in s or "django_session" in s for s in sql), shown
        assert server.keys(f"{prefix}:limit:*")  # the throttle counted, in Redis
        assert client.get("/s/rakhmanov/receipt/").status_code == 200  # the cookie holds the receipt code
    finally:
        server.delete(*server.keys(f"{prefix}*") or [f"{prefix}:none"])
        throttle._redis.cache_clear()


@pytest.mark.django_db
def test_the_public_school_read_compiled_once_is_the_orms_own(demo):
    """`public_school` runs the statement the ORM compiled once: the same school, district and
    annotations as the queryset itself gives, for each slug; no school, a 404."""
    from django.http import Http404

    from appeals.models import UrgentWords
    from appeals.views_public import _public_schools, public_school
    from schools.models import School

    UrgentWords.objects.create(school=demo, words="чекмечи")
    for school in School.objects.all():
        fast, orm = public_school(school.slug), _public_schools().get(slug=school.slug)
        assert [getattr(fast, f.attname) for f in School._meta.concrete_fields] == [
            getattr(orm, f.attname) for f in School._meta.concrete_fields
        ]
        assert fast.district == orm.district and fast.district.name_ky == orm.district.name_ky
        for name in ("extra_urgent_words", "vault_key", "vault_key_public"):
            assert getattr(fast, name) == getattr(orm, name), name
    assert public_school("rakhmanov").extra_urgent_words == "чекмечи"
    assert public_school("gymnasium5").extra_urgent_words is None
    with CaptureQueriesContext(connection) as queries:
        public_school("rakhmanov")
    assert len(queries.captured_queries) == 1  # the district with it, as select_related read it
    with pytest.raises(Http404):
        public_school("no-such-school")


# --- staff lists: every query on the appeals table is served by an index ----------------------

INBOX = "/staff/rakhmanov/appeals/"
INBOX_VIEWS = [{"show": show} for show in ("open", "urgent", "unread", "all")] + [
    {"show": "all", **query}
    for query in (
        {"category": "bullying"},
        {"status": "registered"},
        {"channel": "online"},
        {"urgent": "on"},
        {"overdue": "on"},
        {"handler": "0"},
        {"since": "2020-01-01", "until": "2030-12-31"},
    )
]


def _plan(sql: str, values: tuple = ()) -> str:
    """The plan of a statement with its parameters as sent: SQLite chooses a partial index by the
    query's text, so a plan of the SQL with the values written in could differ from the real one."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # can an index serve it, not: is the table small
            cursor.execute("SET LOCAL enable_sort = off")  # and serve its order, whatever the few rows' statistics
            cursor.execute("EXPLAIN " + sql, values)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, values)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def _sent(client, url: str, params: dict, table: str = "appeals_appeal") -> list[tuple[str, tuple]]:
    """The statements a page sends on `table`, with their parameters."""
    sent = []

    def record(execute, sql, values, many, context):
        if f'FROM "{table}"' in sql:
            sent.append((sql, tuple(values or ())))
        return execute(sql, values, many, context)

    with connection.execute_wrapper(record):
        assert client.get(url, params).status_code == 200
    return sent


def _scans_appeals(plan: str) -> bool:
    """Whether the plan reads the whole appeals table (or the whole of one of its indexes)."""
    if connection.vendor == "postgresql":
        return "Seq Scan on appeals_appeal" in plan
    return re.search(r"\bSCAN appeals_appeal\b", plan) is not None


@pytest.mark.django_db
@pytest.mark.parametrize("params", INBOX_VIEWS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_the_inbox_reads_appeals_through_an_index(client, demo, login, params):
    from appeals.tests.test_inbox import submit

    for n in range(3):
        submit(demo, text=f"Кайрылуу {n}: дааратканада суу жок.")
    login("director")
    first = _sent(client, INBOX, params)
    assert first, "the inbox read no appeals"
    key = f"{timezone.now().isoformat()}_999999"  # a later page: the seek into the index
    assert _scans_appeals(_plan('SELECT id FROM appeals_appeal WHERE "grade" = 3'))  # the check sees a scan
    for sql, values in first + _sent(client, INBOX, {**params, "older": key}):
        plan = _plan(sql, values)
        assert not _scans_appeals(plan), f"{sql}\n{values}\n{plan}"


# --- the journal and the district's case list: read through an index too -----------------------


def _scans(plan: str, table: str) -> bool:
    if connection.vendor == "postgresql":
        return f"Seq Scan on {table}" in plan
    return re.search(rf"\bSCAN {table}\b", plan) is not None


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"page": "1"}], ids=["as it opens", "page 1"])
def test_the_journal_reads_its_records_through_an_index(client, demo, login, params):
    from appeals.tests.test_inbox import submit

    for n in range(3):
        submit(demo, text=f"Кайрылуу {n}: дааратканада суу жок.")
    login("director")
    queries = _sent(client, "/staff/rakhmanov/journal/", params, "journal_record")
    assert queries, "the journal read no records"
    assert _scans(_plan("SELECT id FROM journal_record WHERE \"kind\" = 'entry'"), "journal_record")
    for sql, values in queries:
        plan = _plan(sql, values)
        assert not _scans(plan, "journal_record"), f"{sql}\n{values}\n{plan}"


@pytest.mark.django_db
def test_the_district_case_list_reads_appeals_through_an_index(client, demo, login):
    from appeals.services import appeal_submit

    for n in range(3):
        appeal_submit(
            school=demo, text=f"Директор тууралуу {n}.", category="other", author_kind="parent", to_district=True
        )
    login("district")
    queries = _sent(client, "/district/osh/appeals/", {})
    assert queries, "the case list read no appeals"
    for sql, values in queries:
        plan = _plan(sql, values)
        assert not _scans_appeals(plan), f"{sql}\n{values}\n{plan}"


@pytest.mark.django_db
def test_the_dashboard_reads_appeals_through_an_index(client, demo, login):
    from appeals.tests.test_inbox import submit

    for n in range(3):
        submit(demo, text=f"Кайрылуу {n}: дааратканада суу жок.")
    login("director")
    queries = _sent(client, "/staff/rakhmanov/reports/", {})
    assert queries, "the dashboard read no appeals"
    plans = {sql: _plan(sql, values) for sql, values in queries}
    for sql, plan in plans.items():
        assert not _scans_appeals(plan), f"{sql}\n{plan}"
    # The open cases: the list is the partial index's first rows and needs no sort of the open ones.
    listed = [plan for sql, plan in plans.items() if "LIMIT 50" in sql]
    assert listed and "appeal_open_due" in listed[0], listed


# --- the inbox's first page: the pinned urgent appeals and the filters' counts -------------------

FIRST_PAGES = [{}, {"show": "urgent"}, {"show": "all"}, {"show": "all", "urgent": "on"}] + [
    {"show": "all", name: value} for name, value in (("status", "registered"), ("category", "bullying"))
]


def _sorts(plan: str) -> bool:
    """Whether the plan sorts rows itself instead of reading them in an index's order."""
    if connection.vendor == "postgresql":
        return re.search(r"\bSort\b", plan) is not None
    return "USE TEMP B-TREE FOR" in plan


@pytest.mark.django_db
@pytest.mark.parametrize("params", FIRST_PAGES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "open")
def test_the_inbox_pins_urgent_appeals_in_their_index_order(client, demo, login, params):
    """The urgent open appeals above the first page are the first rows of `appeal_urgent_pinned`,
    read in its order: never all of a school's urgent open appeals sorted (they grow with it)."""
    from appeals.models import Appeal
    from appeals.tests.test_inbox import submit

    for n in range(3):
        appeal, _ = submit(demo, text=f"Кайрылуу {n}: мени коркутушат.", category="bullying", urgent=True)
    Appeal.objects.filter(pk=appeal.pk).update(acknowledged_at=timezone.now())
    submit(demo, text="Дааратканада суу жок.")
    login("director")
    statements = _sent(client, INBOX, params)
    pinned = [(sql, values) for sql, values in statements if sql.endswith("LIMIT 50")]
    assert len(pinned) == 1, statements
    sql, values = pinned[0]
    plan = _plan(sql, values)
    assert "appeal_urgent_pinned" in plan and not _sorts(plan), f"{sql}\n{values}\n{plan}"
    assert not _scans_appeals(plan), plan
    assert _sorts(_plan(sql.replace('"acknowledged_at" IS NOT NULL', '"grade" IS NOT NULL'), values))  # seen


@pytest.mark.django_db
def test_a_status_filter_counts_its_appeals_in_an_index_alone(client, demo, login):
    """The capped count of a status filter reads its entries of (school, status), with the district in
    them on PostgreSQL: not the open appeals' index, where the status is last and which a big school's
    open appeals fill."""
    from appeals.models import Appeal
    from appeals.tests.test_inbox import submit

    for n in range(12):
        submit(demo, text=f"Кайрылуу {n}: дааратканада суу жок.")
    # Most open appeals are past "registered", as in a school's year; the planner knows it.
    Appeal.objects.filter(pk__in=Appeal.objects.order_by("pk").values("pk")[:9]).update(status="considering")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appeals_appeal" if connection.vendor == "postgresql" else "ANALYZE")
    login("director")
    statements = _sent(client, INBOX, {"show": "all", "status": "registered"})
    counts = [(sql, values) for sql, values in statements if sql.startswith("SELECT COUNT(*)")]
    assert len(counts) == 1, statements
    plan = _plan(*counts[0])
    # Only the status's entries are read (the index's own condition; whether the table is visited at
    # all depends on how recently it was vacuumed, not on the query).
    sought = (
        r"Index Cond: \(\(school_id = \d+\) AND \(\(status\)::text = 'registered'"
        if connection.vendor == "postgresql"
        else r"appeal_school_status \(school_id=\? AND status=\?\)"
    )
    assert "appeal_school_status" in plan and re.search(sought, plan), f"{counts[0]}\n{plan}"
