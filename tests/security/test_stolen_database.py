"""The stolen-database test.

Someone walks away with a copy of the database (the SQLite file, or every table
of PostgreSQL) and the server's key file and settings — but no staff password,
no recovery sheet, no browser cookie. Every blob is tried with every key the
server holds and every 32-byte value in the database; the bytes of the whole
database are searched for every plaintext. Nothing of an appeal may come out.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from accounts.twofactor import seed_new, two_factor_enable
from appeals.models import Attachment
from schools.demo import DEMO_PASSWORD
from tests.security.world import world_create
from vault import crypto
from vault.registry import unregistered_binary_fields
from vault.services import Keyring, _server_key, user_key_unlock

SERVER_BOXED = {"accounts_twofactor.secret_boxed"}


def stolen_rows(tmp_path: Path) -> list[tuple[str, str, object]]:
    """(table, column, value) of every cell, read from a copy, not through Django."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "stolen.sqlite3"
        source = sqlite3.connect(settings.DATABASES["default"]["TEST"]["NAME"])
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        cursor = target.cursor()
        tables = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        quote = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731
    else:
        cursor = connection.cursor()
        tables = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
    rows = []
    for table in tables:
        cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - table names from the database itself
        columns = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            rows += [(table, column, value) for column, value in zip(columns, row, strict=True)]
    return rows


def server_key_material() -> list[bytes]:
    """Every key the server could use: its key file, what it derives from it, SECRET_KEY."""
    server = _server_key()
    keys = [
        server,
        hashlib.sha256(settings.SECRET_KEY.encode()).digest(),
        settings.SECRET_KEY.encode()[:32].ljust(32, b"\0"),
    ]
    purposes = ("receipt", "session", "totp", "login-account", "login-device", "backup-code", "seal", "vault")
    for purpose in (*purposes, "invitation", "recovery-sheet"):
        keys.append(hmac.new(server, purpose.encode(), hashlib.sha256).digest())
        keys.append(hmac.new(server, b"box:" + purpose.encode(), hashlib.sha256).digest())
    return keys


def as_bytes(value) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def opens(blob: bytes, keys: list[bytes]) -> bytes | None:
    for key in keys:
        for attempt in (crypto.unseal, crypto.unbox):
            try:
                return attempt(key, blob)
            except Exception:  # noqa: BLE001, S112 - wrong key, wrong kind: try the next
                continue
    return None


@pytest.mark.django_db(transaction=True)
def test_it_reveals_no_appeal_to_someone_with_the_database_and_the_server_key(tmp_path):
    world = world_create()
    # staff were logged in, one with two-factor on: their sessions and seeds are in the database too
    for username in ("director", "psychologist", "district"):
        Client().post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    director = get_user_model().objects.get(username="director")
    two_factor_enable(user=director, seed=seed_new())  # a boxed seed: the server's key opens it
    files = [
        Keyring(director, user_key_unlock(director, DEMO_PASSWORD)).open(a.content_sealed)
        for a in Attachment.objects.filter(appeal__school=world.own, appeal__district=None)
    ]
    secrets_in_clear = [
        t
        for plain in world.plain.values()
        for t in (plain["text"], plain["name"], plain["message"], plain["file"], plain["code"])
    ]
    secrets_in_clear += [plain["text"][:20] for plain in world.plain.values()]

    rows = stolen_rows(tmp_path)
    # what the thief holds, besides the rows: the key file, the settings
    keys = server_key_material()
    keys += [b for _t, _c, v in rows if (b := as_bytes(v)) and len(b) == 32]  # public keys, salts…
    keys += [
        base64.b64decode(v)
        for _t, c, v in rows
        if isinstance(v, str) and len(v) == 44 and v.endswith("=") and c != "hash"
    ]

    # 1. no plaintext anywhere in the bytes
    everything = b"\n".join(as_bytes(v) if as_bytes(v) is not None else str(v).encode() for _t, _c, v in rows)
    found = [s for s in secrets_in_clear if s.encode() in everything or json.dumps(s).encode() in everything]
    assert not found, f"in the clear in the database: {found}"
    assert not [f for f in files if f in everything], "an attachment is stored in the clear"

    # 2. no blob opens with anything the server has
    blobs = server_side = 0
    for table, column, value in rows:
        blob = as_bytes(value)
        if not blob or blob[:1] not in (crypto.SEALED, crypto.BOXED) or len(blob) < 29:
            continue
        blobs += 1
        opened = opens(blob, keys)
        if f"{table}.{column}" in SERVER_BOXED:
            # server-side secrets (a session key): they do open — proof the thief's keys are the right ones
            server_side += opened is not None
            assert opened is None or not [s for s in secrets_in_clear if s.encode() in opened]
            continue
        assert opened is None, f"{table}.{column} opened with server-side key material"
    assert blobs > 50
    assert server_side > 0

    # 3. sessions hold the staff keys only boxed under the key in the browser's cookie
    sessions = [v for t, c, v in rows if t == "django_session" and c == "session_data"]
    assert sessions
    for data in sessions:
        assert DEMO_PASSWORD not in str(data)

    # 4. and statistics still need no key: category, dates, channel, status, grade are plain columns
    appeal_columns = {c for t, c, _v in rows if t == "appeals_appeal"}
    assert {"category", "received_at", "channel", "status", "grade"} <= appeal_columns


def test_it_knows_every_field_that_holds_sealed_content():
    """A binary field nobody registered would be missed by rotation, retention and the test above."""
    assert unregistered_binary_fields() == []


def test_it_keeps_the_server_key_file_private(tmp_path, settings):
    from vault import services

    settings.VAULT_SERVER_KEY = ""
    settings.VAULT_SERVER_KEY_PATH = tmp_path / "var" / "server.key"
    services._server_key.cache_clear()
    try:
        services.server_hmac("test", "x")
        assert oct(settings.VAULT_SERVER_KEY_PATH.stat().st_mode & 0o777) == "0o600"
    finally:
        services._server_key.cache_clear()
    shutil.rmtree(tmp_path / "var")


# --- a cracked case handler's password ----------------------------------------------


def stolen_records(tmp_path: Path, table: str) -> list[dict]:
    """The rows of one table of the copy, as column → value."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "stolen-records.sqlite3"
        if not copy.exists():
            source = sqlite3.connect(settings.DATABASES["default"]["TEST"]["NAME"])
            target = sqlite3.connect(copy)
            source.backup(target)
            source.close()
            target.close()
        cursor = sqlite3.connect(copy).cursor()
    else:
        cursor = connection.cursor()
    cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - a table name of ours
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def crack_open(rows, keys: list[bytes]) -> tuple[dict[tuple[str, str, int], bytes], list[bytes]]:
    """Everything that opens with `keys`, and with every 32-byte key found inside
    what opened, until nothing new opens: ({(table, column, index): plaintext}, keys)."""
    cells = [
        ((t, c, n), b)
        for n, (t, c, v) in enumerate(rows)
        if (b := as_bytes(v)) and b[:1] in (crypto.SEALED, crypto.BOXED) and len(b) >= 29
    ]
    blobs = [b for _cell, b in cells]
    keys, opened, done = list(keys), {}, set()
    while True:
        new = []
        for key in keys:
            if key in done:
                continue
            done.add(key)
            for index, blob in enumerate(blobs):
                if index in opened:
                    continue
                plain = opens(blob, [key])
                if plain is not None:
                    opened[index] = plain
                    if len(plain) == 32 and plain not in keys:
                        new.append(plain)
        if not new:
            return {cells[index][0]: plain for index, plain in opened.items()}, keys
        keys += new


@pytest.mark.django_db(transaction=True)
def test_it_opens_only_the_cases_of_a_handler_whose_password_was_cracked(tmp_path):
    """Attack 6 of issue 12: the thief has the copy, the server key and the settings,
    and cracked the psychologist's password offline (the test simply knows it). Her
    key opens the case given to her — text, message, file — and nothing else: no
    other appeal of the school, no writer's name (her role reads cases without it)."""
    world = world_create()
    assert not world.problems, world.problems
    psychologist = get_user_model().objects.get(username="psychologist")
    rows = stolen_rows(tmp_path)

    # her wrapped key, unwrapped offline with the cracked password
    (record,) = [r for r in stolen_records(tmp_path, "vault_userkey") if r["user_id"] == psychologist.pk]
    params = record["params"] if isinstance(record["params"], dict) else json.loads(record["params"])
    derived = crypto.derive_key(DEMO_PASSWORD, bytes(record["salt"]), params)
    private = crypto.unbox(derived, bytes(record["wrapped_private"]))

    plaintexts, keys = crack_open(rows, [private, *server_key_material()])
    opened = b"\n".join(plaintexts.values())

    mine = world.plain["own_psychologist"]
    for secret in (mine["text"], mine["message"], mine["file"]):
        assert secret.encode() in opened, f"her own case does not open: {secret!r}"
    others = [
        secret
        for key, plain in world.plain.items()
        if key != "own_psychologist"
        for secret in (plain["text"], plain["message"], plain["file"])
    ]
    assert not [s for s in others if s.encode() in opened], "a cracked handler's password opens other appeals"
    names = [plain["name"] for plain in world.plain.values()]
    assert not [n for n in names if n.encode() in opened], "a cracked handler's password opens a writer's name"
    assert len(keys) > len(server_key_material()) + 1  # her case's key did open: the attack was real


@pytest.mark.django_db(transaction=True)
def test_it_opens_every_case_with_a_cracked_director_password(tmp_path):
    """The other side of the same rule, so the test above cannot pass by opening nothing:
    the director's key opens every appeal of the school, with the names."""
    world = world_create()
    director = get_user_model().objects.get(username="director")
    rows = stolen_rows(tmp_path)
    (record,) = [r for r in stolen_records(tmp_path, "vault_userkey") if r["user_id"] == director.pk]
    params = record["params"] if isinstance(record["params"], dict) else json.loads(record["params"])
    private = crypto.unbox(
        crypto.derive_key(DEMO_PASSWORD, bytes(record["salt"]), params), bytes(record["wrapped_private"])
    )
    plaintexts, _keys = crack_open(rows, [private])
    opened = b"\n".join(plaintexts.values())
    for key in ("own_socped", "own_psychologist", "own_unassigned"):
        plain = world.plain[key]
        assert plain["text"].encode() in opened and plain["name"].encode() in opened, key
    for key in ("own_district", "sibling", "stranger"):
        assert world.plain[key]["text"].encode() not in opened, key


# --- attack 7: a session cookie built from the copy -----------------------------------------

COOKIE_LIKE = re.compile(r"[A-Za-z0-9_\-]{20,64}")


def session_opens(value: str) -> bool:
    """Whether a browser sending `value` as its session cookie is someone logged in."""
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = value
    return browser.get("/accounts/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_gives_no_live_session_to_someone_with_the_database(tmp_path):
    """Attack 7 of issue 12: staff are logged in (a director with every step done); the thief
    replays every value of the copy that could be a session cookie, and every secret the
    server's key opens. None is a live session: the store keeps only hashes of the keys."""
    world_create()
    cookies = []
    for username in ("director", "psychologist", "district"):
        browser = Client()
        assert browser.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
        cookies.append(browser.cookies[settings.SESSION_COOKIE_NAME].value)
    rows = stolen_rows(tmp_path)
    stored = [v for t, c, v in rows if t == "django_session" and c == "session_key"]
    assert len(stored) >= 3
    candidates = {v for _t, _c, v in rows if isinstance(v, str) and COOKIE_LIKE.fullmatch(v)}
    keys = server_key_material()
    for _t, _c, v in rows:
        blob = as_bytes(v)
        if blob and blob[:1] in (crypto.SEALED, crypto.BOXED) and (opened := opens(blob, keys)):
            candidates.add(opened.decode(errors="ignore"))
    assert set(stored) <= candidates
    live = [value for value in candidates if session_opens(value)]
    assert not live, f"{len(live)} session cookies built from the copy open a staff session"
    assert all(session_opens(cookie) for cookie in cookies)  # the real cookies do: the check can see


def test_it_keeps_only_hashed_session_keys_in_redis(settings):
    import redis

    from accounts.sessions import HashedCacheStore

    location = "redis://127.0.0.1:6379/13"
    prefix = f"t7-{os.getpid()}"  # suites on both databases may run at once
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(location)
    store = HashedCacheStore()
    store["_auth_user_id"] = "1"
    store.save()
    try:
        stored = [key.decode() for key in server.keys(f"{prefix}:*")]
        assert len(stored) == 1 and store.session_key not in stored[0]
        assert HashedCacheStore(session_key=store.session_key).load() == {"_auth_user_id": "1"}
        replayed = stored[0].split(HashedCacheStore.cache_key_prefix)[-1]  # what the thief reads from Redis
        assert HashedCacheStore(session_key=replayed).load() == {}
        store.delete()
        assert server.keys(f"{prefix}:*") == []
    finally:
        server.delete(*server.keys(f"{prefix}:*") or [f"{prefix}:none"])
