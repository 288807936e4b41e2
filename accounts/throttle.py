"""Every rate limit and lockout of Ishenim, in a store that never evicts them.

The counters
------------
A counter is a bucket (a keyed hash: it names no person, address or account)
with a count that lives for a window. `counters_hit` adds one to several
buckets at once and returns their counts:

- with `REDIS_URL`: one pipelined MULTI (HINCRBY + EXPIRE) in Redis;
- without: one upsert statement (`INSERT … ON CONFLICT DO UPDATE … RETURNING`)
  into the `accounts_counter` table, on SQLite and PostgreSQL.

Neither store drops a counter before its window ends, whatever else is written
(Django's DatabaseCache culled a third of its entries when full: anyone could
flush every lockout with a few hundred anonymous requests).

The login
---------
`LoginGuard`: a failure counts against the account, named by its normalised
user name (NFKC + casefold, as the login compares it), so look-alike spellings
share one bucket. A browser that logged in to the account before (signed
device cookie, the OWASP "device cookie" scheme) has a bucket of its own, so a
stranger hammering the account does not lock the real user out.

The public box
--------------
`box_attempt` counts every POST (valid or not) per browser and per school,
then decides:

- a browser over its own limit waits (429);
- past the school's ceiling the school is *under attack*: a browser must send
  a solved proof of work (`proof.js`, about a second on a phone) — a flood
  costs the flooder, and nobody is locked out;
- a browser holding the school's *writer pass* (set when it sent an appeal or
  typed a right receipt code) skips the school ceiling: its own budget only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponse

from vault.services import server_hmac

log = logging.getLogger(__name__)

# --- the store ----------------------------------------------------------------------------


@cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _redis_key(bucket: str) -> str:
    return f"{settings.CACHE_PREFIX}:limit:{bucket}"


_UPSERT = """
INSERT INTO accounts_counter (bucket, count, last, expires) VALUES {rows}
ON CONFLICT (bucket) DO UPDATE SET
  count = CASE WHEN accounts_counter.expires <= excluded.last THEN 1 ELSE accounts_counter.count + 1 END,
  expires = CASE WHEN accounts_counter.expires <= excluded.last OR {sliding} THEN excluded.expires
                 ELSE accounts_counter.expires END,
  last = excluded.last
RETURNING bucket, count
"""


def counters_hit(buckets: Sequence[str], window: int, *, sliding: bool = False) -> list[int]:
    """Add one to each bucket and return the new counts, atomically, in one round trip.

    A bucket is forgotten `window` seconds after its first hit, or after its last
    one when `sliding`.
    """
    if not buckets:
        return []
    now = time.time()
    if settings.REDIS_URL:
        pipe = _redis().pipeline(transaction=True)
        for bucket in buckets:
            key = _redis_key(bucket)
            pipe.hincrby(key, "count", 1)
            pipe.hset(key, "last", now)
            pipe.expire(key, window, nx=not sliding)
        results = pipe.execute()
        return [int(results[3 * i]) for i in range(len(buckets))]
    rows = ", ".join(["(%s, 1, %s, %s)"] * len(buckets))
    params = [value for bucket in buckets for value in (bucket, now, now + window)]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(rows=rows, sliding="1=1" if sliding else "1=0"), params)
        counts = dict(cursor.fetchall())
        if secrets.randbelow(500) == 0:  # expired rows go now and then; live ones never
            cursor.execute("DELETE FROM accounts_counter WHERE expires < %s", [now])
    return [counts[bucket] for bucket in buckets]


def counters_peek(buckets: Sequence[str]) -> list[tuple[int, float]]:
    """(count, time of the last hit) of each bucket, (0, 0) when it is empty or expired."""
    if not buckets:
        return []
    if settings.REDIS_URL:
        pipe = _redis().pipeline(transaction=False)
        for bucket in buckets:
            pipe.hmget(_redis_key(bucket), "count", "last")
        return [(int(c or 0), float(last or 0)) for c, last in pipe.execute()]
    marks = ", ".join(["%s"] * len(buckets))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT bucket, count, last FROM accounts_counter WHERE bucket IN ({marks}) AND expires > %s",  # noqa: S608
            [*buckets, time.time()],
        )
        found = {bucket: (count, last) for bucket, count, last in cursor.fetchall()}
    return [found.get(bucket, (0, 0.0)) for bucket in buckets]


def counter_reset(bucket: str) -> None:
    if settings.REDIS_URL:
        _redis().delete(_redis_key(bucket))
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_counter WHERE bucket = %s", [bucket])


def bucket(purpose: str, value: str) -> str:
    """The name of a counter: a keyed hash, 64 hex characters, that lives no longer than its window."""
    return server_hmac(f"throttle:{purpose}", value)


# --- the login ----------------------------------------------------------------------------

DEVICE_COOKIE = "ishenim_device"
DEFAULTS = {
    "FREE_FAILURES": 5,  # tries before any wait
    "BASE_DELAY": 30,  # seconds after the first extra failure, doubling
    "MAX_DELAY": 3600,
    "DEVICE_FAILURES": 10,  # a known browser loses its trust after this many
    "MEMORY": 24 * 3600,  # a bucket is forgotten after a quiet day
    "DEVICE_COOKIE_AGE": 180 * 24 * 3600,
}


def limits() -> dict:
    return DEFAULTS | getattr(settings, "ISHENIM_LOGIN_THROTTLE", {})


def delay_after(failures: int) -> int:
    cfg = limits()
    extra = failures - cfg["FREE_FAILURES"]
    if extra < 0:
        return 0
    return min(cfg["BASE_DELAY"] * 2**extra, cfg["MAX_DELAY"])


def username_normalise(username: str) -> str:
    """The name as the throttle and the audit see it: `𝐭eacher`, `teacheｒ` and `Teacher` are `teacher`."""
    return unicodedata.normalize("NFKC", username).casefold().strip()


def account_for(username: str):
    """The account a typed user name means (after normalisation), or None."""
    from django.contrib.auth import get_user_model

    name = unicodedata.normalize("NFKC", username).strip()
    users = get_user_model().objects
    return users.filter(username=name).first() or users.filter(username__iexact=name).first()


class LoginGuard:
    """The throttle of one account's password and second-factor checks, seen from one browser."""

    def __init__(self, request: HttpRequest, username: str, *, trust_device: bool = True):
        self.request = request
        self.account = server_hmac("login-account", username_normalise(username))
        # Checking the current password in a logged-in browser: whoever sits at it is the suspect.
        self.device = self._device_nonce() if trust_device else None

    # -- the device cookie: a list of (account, nonce) this browser logged in to --

    def _devices(self) -> list[list[str]]:
        raw = self.request.COOKIES.get(DEVICE_COOKIE)
        if not raw:
            return []
        try:
            value = signing.loads(raw, salt="ishenim.device", max_age=limits()["DEVICE_COOKIE_AGE"])
        except signing.BadSignature:
            return []
        return [pair for pair in value if isinstance(pair, list) and len(pair) == 2][:8]

    def _device_nonce(self) -> str | None:
        for account, nonce in self._devices():
            if account == self.account[:32]:
                ((failures, _last),) = counters_peek([self._device_bucket(nonce)])
                if failures < limits()["DEVICE_FAILURES"]:
                    return nonce
        return None

    def _device_bucket(self, nonce: str) -> str:
        return bucket("login-device", nonce)

    @property
    def _bucket(self) -> str:
        return self._device_bucket(self.device) if self.device else bucket("login-account", self.account)

    # -- the checks ------------------------------------------------------------

    def wait_seconds(self) -> int:
        """How long this browser must wait before trying this account again."""
        if self.device:
            return 0  # a known browser is limited by its own count, not by a wait
        ((failures, last),) = counters_peek([self._bucket])
        if not failures:
            return 0
        remaining = last + delay_after(failures) - time.time()
        return max(0, int(remaining + 0.999))

    def first_refusal(self, wait: int) -> bool:
        """True once per wait: the first try refused while this bucket waits."""
        return counters_hit([bucket("login-refused", self._bucket)], max(wait, 1)) == [1]

    def failed(self) -> None:
        counters_hit([self._bucket], limits()["MEMORY"], sliding=True)

    def succeeded(self, response: HttpResponse) -> None:
        counter_reset(self._bucket)
        nonce = self.device or secrets.token_urlsafe(16)
        devices = [pair for pair in self._devices() if pair[0] != self.account[:32]]
        devices = [[self.account[:32], nonce], *devices][:8]
        response.set_cookie(
            DEVICE_COOKIE,
            signing.dumps(devices, salt="ishenim.device"),
            max_age=limits()["DEVICE_COOKIE_AGE"],
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )


# --- the public box -----------------------------------------------------------------------

BROWSER_COOKIE = "ishenim_b"
WRITER_COOKIE = "ishenim_writer"
WRITER_AGE = 180 * 24 * 3600
PROOF_AGE = 900


@dataclass(frozen=True)
class Limit:
    name: str
    per_browser: int
    per_school: int  # past it the school is under attack: proofs of work are asked
    window: int  # seconds


def _setting(name: str, default: int) -> int:
    return int(settings.ISHENIM.get(name, default))


def submit_limit() -> Limit:
    """Every POST of the appeal form, valid or not."""
    return Limit(
        "submit",
        _setting("SUBMITS_PER_BROWSER_HOUR", 20),  # with mistakes fixed: a child rarely needs five
        _setting("SUBMITS_PER_SCHOOL_HOUR", 200),
        3600,
    )


def code_limit() -> Limit:
    """Receipt codes typed, right or wrong: a code has ~99 random bits, so this is defence in depth."""
    return Limit(
        "code",
        _setting("WRONG_CODES_PER_BROWSER_15MIN", 10),
        _setting("WRONG_CODES_PER_SCHOOL_15MIN", 300),
        900,
    )


def message_limit() -> Limit:
    """Messages of a writer; the ceiling is per appeal, so only the code's holder can reach it."""
    return Limit(
        "message",
        _setting("MESSAGES_PER_BROWSER_HOUR", 20),
        _setting("MESSAGES_PER_APPEAL_HOUR", 40),
        3600,
    )


def browser_token(request: HttpRequest) -> str:
    token = request.COOKIES.get(BROWSER_COOKIE, "")
    if len(token) != 32 or not token.isalnum():
        token = getattr(request, "_throttle_token", None) or secrets.token_hex(16)
        setattr(request, "_throttle_token", token)  # noqa: B010 - a per-request cache, not a policy
    return token


def browser_cookie_set(request: HttpRequest, response: HttpResponse) -> None:
    """Give the browser its random counter key (session cookie, nothing server-side)."""
    token = browser_token(request)
    if request.COOKIES.get(BROWSER_COOKIE) != token:
        response.set_cookie(BROWSER_COOKIE, token, httponly=True, secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")


def _pass(request: HttpRequest) -> dict:
    raw = request.COOKIES.get(WRITER_COOKIE)
    if not raw:
        return {}
    try:
        value = signing.loads(raw, salt="ishenim.pass", max_age=WRITER_AGE)
    except signing.BadSignature:
        return {}
    return value if isinstance(value, dict) and isinstance(value.get("s"), list) else {}


def writer_pass_holds(request: HttpRequest, school_slug: str) -> bool:
    return school_slug in _pass(request).get("s", [])


def writer_pass_give(request: HttpRequest, response: HttpResponse, school_slug: str) -> None:
    """This browser proved a receipt code of the school (or sent an appeal): it keeps access under attack."""
    current = _pass(request)
    schools = [school_slug, *[s for s in current.get("s", []) if s != school_slug]][:8]
    # The pass's own budget goes on from the browser's counter: getting a pass does not reset it.
    value = {"n": current.get("n") or browser_token(request), "s": schools}
    response.set_cookie(
        WRITER_COOKIE,
        signing.dumps(value, salt="ishenim.pass"),
        max_age=WRITER_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


# -- proof of work, asked only while a school is under attack --


def _proof_bits(count: int, ceiling: int) -> int:
    """Harder the further past the ceiling: 16 bits (~65,000 hashes), 2 more per doubling, at most 20."""
    base = _setting("PROOF_BITS", 16)
    over = max(count, 1) / max(ceiling, 1)
    return base + min(4, 2 * int(over >= 2) + 2 * int(over >= 4))


def proof_challenge(limit: Limit, scope: str, count: int) -> str:
    """A puzzle for the browser: find n so that SHA-256("<challenge>:<n>") starts with `bits` zero bits."""
    bits = _proof_bits(count, limit.per_school)
    return signing.dumps({"n": secrets.token_hex(8), "b": bits, "s": f"{limit.name}:{scope}"}, salt="ishenim.proof")


def _proof(limit: Limit, scope: str, request: HttpRequest) -> str | None:
    """The nonce of a valid, solved challenge in this POST, or None."""
    challenge, answer = request.POST.get("proof_challenge", ""), request.POST.get("proof_answer", "")
    if not challenge or not answer.isdigit() or len(answer) > 12:
        return None
    try:
        value = signing.loads(challenge, salt="ishenim.proof", max_age=PROOF_AGE)
    except signing.BadSignature:
        return None
    if value.get("s") != f"{limit.name}:{scope}" or not proof_solves(challenge, answer, int(value["b"])):
        return None
    return value["n"]


def proof_solves(challenge: str, answer: str, bits: int) -> bool:
    digest = int.from_bytes(hashlib.sha256(f"{challenge}:{answer}".encode()).digest(), "big")
    return digest >> (256 - bits) == 0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    challenge: str = ""  # the school is under attack: the next POST must solve this

    @property
    def flooded(self) -> bool:
        return not self.allowed and not self.challenge


def box_attempt(limit: Limit, request: HttpRequest, scope: str) -> Verdict:
    """Count this POST and say whether it may go on. `scope` is the school's slug (an appeal for messages)."""
    slot = int(time.time() // limit.window)
    passed = _pass(request)
    holder = scope in passed.get("s", []) or limit.name == "message"
    own = passed["n"] if holder and passed.get("n") else browser_token(request)
    buckets = [bucket(f"{limit.name}:browser", f"{own}:{slot}"), bucket(f"{limit.name}:school", f"{scope}:{slot}")]
    nonce = None if holder else _proof(limit, scope, request)
    if nonce:
        buckets.append(bucket("proof", nonce))  # a solved puzzle is good once
    try:
        counts = counters_hit(buckets, limit.window)  # every window is longer than PROOF_AGE
    except Exception:  # noqa: BLE001 - a Redis outage must not close the box
        log.warning("rate-limit store unavailable; not limiting")
        return Verdict(True)
    if counts[0] > limit.per_browser or (limit.name == "message" and counts[1] > limit.per_school):
        return Verdict(False)
    if holder or counts[1] <= limit.per_school:
        return Verdict(True)
    # Under attack: this POST goes on only with a fresh solved puzzle; the page shown next carries a new one.
    return Verdict(bool(nonce) and counts[2] == 1, proof_challenge(limit, scope, counts[1]))


def box_under_attack(limit: Limit, request: HttpRequest, scope: str) -> str:
    """A challenge to put in a form shown now, when the school is past its ceiling (else "")."""
    if writer_pass_holds(request, scope):
        return ""
    slot = int(time.time() // limit.window)
    try:
        ((count, _last),) = counters_peek([bucket(f"{limit.name}:school", f"{scope}:{slot}")])
    except Exception:  # noqa: BLE001
        return ""
    return proof_challenge(limit, scope, count) if count >= limit.per_school else ""
