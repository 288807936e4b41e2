"""The attacks of the security review (issue 12), rerun from outside against a running server.

    python -m bench.attacks --url http://127.0.0.1:8000

Run it with the server's environment (DATABASE_URL, ISHENIM_VAR_DIR, SECRET_KEY …) on a test
instance with the demo accounts (`ishenim demo`): the web attacks go over HTTP like any
client's; the attacks of someone who stole a copy of the database and the server's key file read
that database and key directly, as the thief would. Each attack prints `closed` or `open`, with
what was seen; the exit status is the number of open ones. Attack 8 edits rows and puts them
back; attacks 1–3 leave the accounts `teacher` and `admin` waiting for their lockout to pass.

 1 throttle flush     a locked account stays locked after a flood of anonymous wrong codes
 2 look-alike names   𝐭eacher, teacheｒ, Teacher share teacher's lockout
 3 admin login        /admin/login/ has the same lockout (and the second factor)
 4 school lock-out    a writer who proved their code once gets in during a flood
 5 photo bomb         three 40-megapixel PNGs with an invalid category cost little
 6 handler crack      a cracked handler's password opens only her cases, no name
 7 session replay     no value in the database is a live session cookie
 8 quiet edits        verify finds each raw-SQL edit of an appeal and its rows
 9 paper stub         the part of a paper form that goes into the box carries no code
"""

from __future__ import annotations

import argparse
import html
import io
import itertools
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = "rakhmanov"
FLOOD = 320  # anonymous wrong codes: more than the school's budget (300) and than the old cache held
TEXT = "The older boys take our lunch money every morning behind the gym."
CODE = re.compile(r"[A-HJKMNP-Z2-9]{5}(?:-[A-HJKMNP-Z2-9]{5}){3}")


# --- a browser over plain HTTP ----------------------------------------------------------------


class _Keep(urllib.request.HTTPErrorProcessor):
    """Every status comes back as it is: no redirect followed, no exception for 4xx/5xx."""

    def http_response(self, request, response):
        return response

    https_response = http_response


class Browser:
    """Cookies, CSRF tokens and forms, as a browser without JavaScript sends them."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _Keep)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def forget(self, name: str) -> None:
        for c in list(self.jar):
            if c.name == name:
                self.jar.clear(c.domain, c.path, c.name)

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        with self.opener.open(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request(path)

    def post(self, path: str, fields: dict, files: Sequence[tuple[str, str, bytes]] = ()) -> tuple[int, dict, bytes]:
        """POST a form (multipart when there are files), with the CSRF token a GET of the page gave."""
        if self.cookie("csrftoken") is None:
            self.get(path)
        headers = {"X-CSRFToken": self.cookie("csrftoken") or "", "Referer": self.base + path}
        if not files:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.request(path, body, headers)
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, content in files:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            parts.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        return self.request(path, b"".join(parts) + f"--{boundary}--\r\n".encode(), headers)

    def login(self, username: str, password: str, url: str = "/accounts/login/") -> int:
        return self.post(url, {"username": username, "password": password})[0]

    def staff_login(self, username: str, password: str) -> bool:
        """Log in with the second factor where the account needs one, as its owner would: a
        code from the authenticator app (enrolled now from the key the page shows, or from the
        enrolled key, which the tester unboxes with the server key)."""
        import pyotp

        status, headers, _body = self.post("/accounts/login/", {"username": username, "password": password})
        step = headers.get("Location", "")
        if status != 302 or "/accounts/login/" not in step:
            return status == 302
        if step.endswith("/two-factor/"):
            page = self.get(step)[2].decode()
            seed = re.search(r'<code class="seed">([A-Z2-7]+)</code>', page)
            if seed is None:
                return False
            code = pyotp.TOTP(seed.group(1)).now()
        else:
            from django.contrib.auth import get_user_model

            from accounts import twofactor

            code = pyotp.TOTP(twofactor.seed_open(twofactor.active_for(get_user_model().objects.get(
                username=username)).secret_boxed)).now()  # fmt: skip
        status, _headers, _body = self.post(step, {"code": code})
        return status in (200, 302) and self.get("/accounts/")[0] == 200


def _stranger(base: str, csrf: str) -> Browser:
    """A fresh client that only carries a CSRF cookie (any client can get one)."""
    browser = Browser(base)
    browser.jar.set_cookie(_cookie(base, "csrftoken", csrf))
    return browser


def _wrong_code() -> str:
    from appeals.receipts import receipt_code_new

    return receipt_code_new()


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG")
    return out.getvalue()


def _appeal_form(**extra) -> dict:
    return {"author_kind": "student", "category": "bullying", "text": TEXT, "signed": "anonymous", **extra}


# --- the attacks --------------------------------------------------------------------------------


class Run:
    """What the attacks share: the server's address, the demo password, the writer's code."""

    def __init__(self, url: str):
        from schools.demo import DEMO_PASSWORD

        self.url = url.rstrip("/")
        self.password = DEMO_PASSWORD
        self.writer: Browser | None = None
        self.code = ""
        self.flooded: list[int] = []

    def browser(self) -> Browser:
        return Browser(self.url)

    def submit(self, browser: Browser, text: str, files=()) -> str:
        """Send an appeal through the online box; the receipt code the page shows."""
        status, _headers, _body = browser.post(f"/s/{SCHOOL}/write/", _appeal_form(text=text), files=list(files))
        if status != 302:
            raise RuntimeError(f"the online box answered {status}")
        page = browser.get(f"/s/{SCHOOL}/receipt/")[2].decode()
        shown = re.search(r'id="receipt-code">(.*?)</p>', page, re.S)
        code = CODE.search(re.sub(r"<[^>]+>", "", shown.group(1)) if shown else "")
        if code is None:
            raise RuntimeError("no receipt code on the receipt page")
        return code.group(0)

    # 4 (set-up): a writer sends an appeal with a photo and proves the code once in this browser
    def writer_proves(self) -> None:
        self.writer = self.browser()
        self.code = self.submit(self.writer, TEXT, [("files", "photo.png", _png(40, 30))])
        self.writer.forget("sessionid")
        status = self.writer.post(f"/s/{SCHOOL}/follow/", {"code": self.code})[0]
        if status != 302:
            raise RuntimeError(f"the writer's own code was refused ({status})")

    def flood(self) -> None:
        """Anonymous wrong codes from fresh clients: what flushed the limits and locked schools out."""
        csrf = self.browser()
        csrf.get(f"/s/{SCHOOL}/follow/")
        token = csrf.cookie("csrftoken") or ""
        from concurrent.futures import ThreadPoolExecutor

        def one(_n: int) -> int:
            return _stranger(self.url, token).post(f"/s/{SCHOOL}/follow/", {"code": _wrong_code()})[0]

        with ThreadPoolExecutor(4) as pool:
            self.flooded = list(pool.map(one, range(FLOOD)))

    def attack_1(self) -> tuple[bool, str]:
        guesser = self.browser()
        from accounts import throttle

        for n in range(throttle.limits()["FREE_FAILURES"] + 1):
            guesser.login("teacher", f"guess-{n}-x")
        before = guesser.login("teacher", self.password)
        self.flood()
        after = guesser.login("teacher", self.password)
        junk = self.browser()  # invalid posts are counted: one browser, the per-browser limit
        statuses = [junk.post(f"/s/{SCHOOL}/write/", _appeal_form(category="no-such"))[0] for _ in range(25)]
        seen = f"locked: {before}; after {FLOOD} anonymous wrong codes: {after}; 25 invalid posts: last {statuses[-1]}"
        return before == 429 and after == 429 and statuses[-1] == 429, seen

    def attack_2(self) -> tuple[bool, str]:
        found = {
            name: self.browser().login(name, self.password) for name in ("\U0001d42deacher", "teache\uff52", "Teacher")
        }
        return set(found.values()) == {429}, ", ".join(f"{n!r}: {s}" for n, s in found.items())

    def attack_3(self) -> tuple[bool, str]:
        guesser = self.browser()
        wrong = [guesser.login("admin", f"guess-{n}-x", url="/admin/login/") for n in range(8)]
        right = guesser.login("admin", self.password, url="/admin/login/")
        inside = guesser.get("/admin/auth/user/")[0]
        seen = f"8 wrong passwords: {wrong}; then the right one: {right}; the admin's user list: {inside}"
        return right == 429 and 429 in wrong and inside != 200, seen

    def attack_4(self) -> tuple[bool, str]:
        assert self.writer is not None
        refused = self.flooded.count(429)
        self.writer.forget("sessionid")  # the writer comes back the next day, in the same browser
        back = self.writer.post(f"/s/{SCHOOL}/follow/", {"code": self.code})[0]
        newcomer = self.browser()
        page = newcomer.get(f"/s/{SCHOOL}/follow/")[2].decode()
        challenge = re.search(r'name="proof_challenge" value="([^"]+)"', page)
        solved = ""
        if challenge:
            from django.core import signing

            from accounts import throttle

            value = html.unescape(challenge.group(1))
            bits = int(signing.loads(value, salt="ishenim.proof")["b"])
            answer = next(str(n) for n in itertools.count() if throttle.proof_solves(value, str(n), bits))
            fields = {"code": self.code, "proof_challenge": value, "proof_answer": answer}
            solved = f"; a newcomer who solved the puzzle: {newcomer.post(f'/s/{SCHOOL}/follow/', fields)[0]}"
        seen = f"{refused} of {FLOOD} flood requests refused; the writer back in the same browser: {back}{solved}"
        return refused > 0 and back == 302 and (not challenge or solved.endswith("302")), seen

    def attack_5(self) -> tuple[bool, str]:
        bomb = _png(8000, 5000)
        seen, closed = [], True
        for category in ("no-such-category", "bullying"):
            started = time.perf_counter()
            files = [("files", f"p{n}.png", bomb) for n in range(3)]
            status = self.browser().post(f"/s/{SCHOOL}/write/", _appeal_form(category=category), files=files)[0]
            took = time.perf_counter() - started
            seen.append(f"category {category}: {status} in {took:.2f} s")
            closed &= status < 500 and status != 302 and took < 3.0
        return closed, "; ".join(seen) + f" (3 × 40 MP PNG, {len(bomb) // 1024} KB each)"

    def attack_6(self) -> tuple[bool, str]:
        from django.contrib.auth import get_user_model

        from tests.security.test_stolen_database import crack_open, server_key_material
        from vault import crypto

        rows, records = _copy()
        psychologist = get_user_model().objects.get(username="psychologist")
        (key,) = [r for r in records["vault_userkey"] if r["user_id"] == psychologist.pk]
        params = key["params"] if isinstance(key["params"], dict) else json.loads(key["params"])
        private = crypto.unbox(
            crypto.derive_key(self.password, bytes(key["salt"]), params), bytes(key["wrapped_private"])
        )
        opened, _keys = crack_open(rows, [private, *server_key_material()])
        texts = sum(1 for table, column, _n in opened if (table, column) == ("appeals_appeal", "text_sealed"))
        names = sum(1 for table, column, _n in opened if (table, column) == ("appeals_appeal", "author_sealed"))
        mine = sum(1 for r in records["appeals_appeal_handlers"] if r["user_id"] == psychologist.pk)
        total = len(records["appeals_appeal"])
        seen = f"her key opens {texts} appeal texts of {total} (she handles {mine}) and {names} writers' names"
        return texts <= mine < total and names == 0 and (texts > 0 or mine == 0), seen

    def attack_7(self) -> tuple[bool, str]:
        from django.conf import settings

        from tests.security.test_stolen_database import as_bytes, opens, server_key_material
        from vault import crypto

        staff = self.browser()
        if not staff.staff_login("psychologist", self.password):
            return False, "psychologist could not log in"
        live = staff.get("/accounts/")[0]
        rows, _records = _copy()
        candidates = {str(v) for t, c, v in rows if t == "django_session" and v is not None and c != "session_data"}
        keys = server_key_material()
        for _t, _c, value in rows:  # what the server's key opens: secrets boxed under it
            blob = as_bytes(value)
            if blob and blob[:1] == crypto.BOXED and (plain := opens(blob, keys)):
                candidates.add(plain.decode(errors="ignore"))
        working = 0
        for value in candidates:
            replay = self.browser()
            replay.jar.set_cookie(_cookie(self.url, settings.SESSION_COOKIE_NAME, value))
            working += replay.get("/accounts/")[0] == 200
        seen = f"the real cookie: {live}; {len(candidates)} values from the copy replayed, {working} opened a session"
        return live == 200 and working == 0, seen

    def attack_8(self) -> tuple[bool, str]:
        from appeals.models import Appeal, Attachment, Message
        from journal.models import Record

        self.submit(self.browser(), TEXT + " Again.", [("files", "other.png", _png(30, 40))])
        appeals = list(
            Appeal.objects.filter(attachments__isnull=False).order_by("-pk").values_list("pk", flat=True)[:2]
        )
        messages = list(Message.objects.order_by("-pk").values_list("pk", flat=True)[:1])
        entry = Record.objects.filter(kind="entry", sealed__isnull=False).order_by("-pk").first()
        appeal_table, attachment_table = Appeal._meta.db_table, Attachment._meta.db_table
        edits: dict[str, list[tuple[str, str, list]]] = {
            "journal record's sealed column erased": [(Record._meta.db_table, "sealed", [(entry.pk, None)])],
            "two appeals' texts swapped": [(appeal_table, "text_sealed", _swapped(Appeal, "text_sealed", appeals))],
            "two attachments swapped": [(attachment_table, "appeal_id", _swapped_attachments(appeals))],
        }
        if messages:
            stored = bytes(Message.objects.filter(pk=messages[0]).values_list("body_sealed", flat=True).get())
            edits["a message's sealed text changed"] = [
                (Message._meta.db_table, "body_sealed", [(messages[0], stored[:-1] + bytes([stored[-1] ^ 1]))])
            ]
        if _verify() != "":
            return False, f"verify fails before any edit: {_verify()}"
        caught = {}
        for name, changes in edits.items():
            undo = [(t, c, [(pk, _value(t, c, pk)) for pk, _v in values]) for t, c, values in changes]
            _write(changes)
            try:
                caught[name] = _verify()
            finally:
                _write(undo)
        clean = _verify()
        seen = "; ".join(f"{name}: {found or 'NOT FOUND'}" for name, found in caught.items())
        return all(caught.values()) and clean == "", seen + ("; verify after undoing: OK" if not clean else "")

    def attack_9(self) -> tuple[bool, str]:
        director = self.browser()
        if not director.staff_login("director", self.password):
            return False, "director could not log in"
        from django.utils import translation

        with translation.override("ru"):  # a language every installation offers
            cut = "".join(
                translation.gettext("Tear off the stub along this line and keep it. Put the form in the box.").split()
            )
        fields = {"count": "2", "size": "A5", "language": "ru"}
        status, _headers, pdf = director.post(f"/staff/{SCHOOL}/commission/paper-forms/", fields)
        if not pdf.startswith(b"%PDF"):
            return False, f"no paper forms printed ({status})"
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        leaks, forms = [], 0
        for page in text.decode().split("\f"):
            page = "".join(page.split())  # pdftotext may split a kerned word: read without spaces
            if cut[:20] not in page:
                continue
            into_the_box, stub = page.split(cut[:20], 1)
            code = CODE.search(stub)
            forms += 1
            if code is None or code.group(0).replace("-", "")[:10] in into_the_box.replace("-", ""):
                leaks.append(forms)
        return forms == 2 and not leaks, f"{forms} forms printed; the box part carries the stub's code on {len(leaks)}"


def _cookie(base: str, name: str, value: str):
    from http.cookiejar import Cookie

    host = urllib.parse.urlsplit(base).hostname or ""
    return Cookie(0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {})


def _copy() -> tuple[list[tuple[str, str, object]], dict[str, list[dict]]]:
    """Every cell of a copy of the database, as (table, column, value), and the rows by table."""
    import sqlite3
    import tempfile

    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        copy = Path(tempfile.mkdtemp()) / "stolen.sqlite3"
        source, target = sqlite3.connect(settings.DATABASES["default"]["NAME"]), sqlite3.connect(copy)
        source.backup(target)
        source.close()
        cursor = target.cursor()
        tables = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    else:
        cursor = connection.cursor()
        tables = connection.introspection.table_names(cursor)
    rows, records = [], {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own table names
        columns = [d[0] for d in cursor.description]
        records[table] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        rows += [(table, column, value) for record in records[table] for column, value in record.items()]
    return rows, records


def _value(table: str, column: str, pk: int):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608 - our own names
        value = cursor.fetchone()[0]
    return bytes(value) if isinstance(value, memoryview) else value


def _write(changes: list[tuple[str, str, list]]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table, column, values in changes:
            for pk, value in values:
                cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', [value, pk])  # noqa: S608


def _swapped(model, column: str, pks: list[int]) -> list[tuple[int, object]]:
    first, second = (_value(model._meta.db_table, column, pk) for pk in pks)
    return [(pks[0], second), (pks[1], first)]


def _swapped_attachments(appeals: list[int]) -> list[tuple[int, int]]:
    from appeals.models import Attachment

    first, second = (Attachment.objects.filter(appeal_id=pk).values_list("pk", flat=True).first() for pk in appeals)
    return [(first, appeals[1]), (second, appeals[0])]


def _verify() -> str:
    """'' when every chain verifies, else what `ishenim verify` says is broken."""
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("verify", stdout=out)
    except CommandError:
        return " / ".join(line.split(":", 1)[1].strip() for line in out.getvalue().splitlines() if "BROKEN" in line)
    return ""


def prepare() -> None:
    """A test instance: the demo school and staff, its commission, and one case given to the
    psychologist (so attack 6 shows what her key does open)."""
    from django.contrib.auth import get_user_model

    from appeals.models import Appeal
    from appeals.receipts import receipt_code_new
    from appeals.services.cases import case_assign
    from appeals.services.intake import appeal_submit, message_post
    from commission.demo import commission_demo_create
    from schools.demo import DEMO_PASSWORD, demo_create
    from schools.models import School
    from vault.services import Keyring, user_key_unlock

    demo_create()
    school = School.objects.get(slug=SCHOOL)
    commission_demo_create(school)
    users = get_user_model().objects
    director, psychologist = users.get(username="director"), users.get(username="psychologist")
    if psychologist.assigned_appeals.exists():
        return
    appeal = appeal_submit(school=school, text=TEXT, category=Appeal.Category.BULLYING,
                           author_kind=Appeal.AuthorKind.STUDENT, author={"full_name": "Aibek Sadykov"},
                           receipt_code=receipt_code_new())  # fmt: skip
    message_post(appeal=appeal, side="writer", body="It happened again today.")
    ring = Keyring(director, user_key_unlock(director, DEMO_PASSWORD))
    case_assign(appeal=appeal, handlers=[psychologist], actor=director, ring=ring)


ATTACKS: list[tuple[int, str, Callable[[Run], tuple[bool, str]]]] = [
    (9, "paper stub", Run.attack_9),
    (7, "session replay from a database copy", Run.attack_7),
    (6, "handler crack from a database copy", Run.attack_6),
    (5, "photo bomb", Run.attack_5),
    (1, "throttle flush", Run.attack_1),
    (2, "look-alike names", Run.attack_2),
    (3, "admin login", Run.attack_3),
    (4, "school lock-out", Run.attack_4),
    (8, "quiet edits", Run.attack_8),
]


def main() -> None:
    parser = argparse.ArgumentParser(description="Rerun the attacks of issue 12 against a running server.")
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--prepare", action="store_true", help="first make the demo school on a new test instance")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ishenim.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if args.prepare:
        prepare()
    run = Run(args.url)
    run.writer_proves()  # before the flood of attack 1, as a real writer would have
    results = []
    for number, name, attack in ATTACKS:
        started = time.perf_counter()
        try:
            closed, seen = attack(run)
        except Exception as error:  # noqa: BLE001 - an attack that cannot run is reported, not hidden
            closed, seen = False, f"could not run: {error!r}"
        took = time.perf_counter() - started
        results.append({"attack": number, "name": name, "closed": closed, "seen": seen, "seconds": round(took, 1)})
        print(f"{number} {name:<38} {'closed' if closed else 'OPEN':<7} {took:5.1f} s  {seen}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(sorted(results, key=lambda r: r["attack"]), ensure_ascii=False, indent=1))
    sys.exit(sum(not r["closed"] for r in results))
