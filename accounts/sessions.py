"""Sessions a thief cannot use, where a staff member is logged in, and ending those sessions.

`SESSION_ENGINE = "accounts.sessions"`: the session store keeps only a hash of
each session key (SHA-256, cut to the 40 characters of Django's column); the
cookie holds the key itself. A copy of `django_session` (or of Redis) therefore
gives no cookie that opens a session: the key has 165 random bits, so the hash
cannot be turned back. Idle expiry is Django's, unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends import cache as cache_backend
from django.contrib.sessions.backends import db as db_backend
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import SessionRecord
from vault import crypto


def stored_key(session_key: str) -> str:
    """What the store keeps for a session key: 30 bytes of its SHA-256 in base64 (40 characters)."""
    return base64.urlsafe_b64encode(hashlib.sha256(session_key.encode()).digest()[:30]).decode()


class HashedDbStore(db_backend.SessionStore):
    """The database session store, with hashed keys.

    A new session is written once, by the INSERT at the end of the request, not
    by an existence check, an INSERT and an UPDATE: with 165 random bits a key
    never collides (and if it did, the INSERT would fail rather than overwrite).
    """

    _unsaved = False

    def create(self):
        self._session_key = self._get_new_session_key()
        self._unsaved = True
        self.modified = True

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            self.create()
        unsaved, self._unsaved = self._unsaved, False
        must_create = must_create or unsaved
        if connection.in_atomic_block:
            super().save(must_create=must_create)
            return
        # Outside any transaction the one INSERT (or UPDATE) is atomic by itself: Django's
        # BEGIN … COMMIT around it (there for a savepoint inside a caller's transaction) is not paid.
        row = self.create_model_instance(self._get_session(no_load=must_create))  # type: ignore[attr-defined]  # Django's private session hook, missing from the stubs
        try:
            row.save(force_insert=must_create, force_update=not must_create)
        except IntegrityError as error:
            if must_create:
                raise CreateError from error
            raise
        except DatabaseError as error:
            if not must_create:
                raise UpdateError from error
            raise

    def _get_session_from_db(self):
        found = self.model.objects.filter(
            session_key=stored_key(self.session_key or ""), expire_date__gt=timezone.now()
        ).first()
        if found is None:
            self._session_key = None
        return found

    def exists(self, session_key):
        return bool(session_key) and super().exists(stored_key(session_key))

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        row.session_key = stored_key(row.session_key)
        return row

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key:
            self.delete_stored(stored_key(session_key))

    def load_stored(self, stored: str) -> dict:
        """The data of the session kept under `stored` (a `stored_key`), {} if none or expired."""
        found = self.model.objects.filter(session_key=stored, expire_date__gt=timezone.now()).first()
        return self.decode(found.session_data) if found else {}

    def delete_stored(self, stored: str) -> None:
        self.model.objects.filter(session_key=stored).delete()


class HashedCacheStore(cache_backend.SessionStore):
    """The Redis (cache) session store, with hashed keys."""

    @property
    def cache_key(self):
        return self.cache_key_prefix + stored_key(self._get_or_create_session_key())  # type: ignore[attr-defined]  # Django's private session hook, missing from the stubs

    def exists(self, session_key):
        return bool(session_key) and super().exists(stored_key(session_key))

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key:
            self.delete_stored(stored_key(session_key))

    def load_stored(self, stored: str) -> dict:
        return self._cache.get(self.cache_key_prefix + stored) or {}  # type: ignore[attr-defined]  # the cache store's own cache, missing from the stubs

    def delete_stored(self, stored: str) -> None:
        self._cache.delete(self.cache_key_prefix + stored)  # type: ignore[attr-defined]  # the cache store's own cache, missing from the stubs


# Django imports `SessionStore` from the module named by SESSION_ENGINE.
SessionStore = HashedCacheStore if settings.REDIS_URL else HashedDbStore


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore()


def session_record(request, *, two_factor: bool) -> SessionRecord:
    """Remember this login for "where am I logged in": only the hash the store keeps, never the key."""
    if not request.session.session_key:
        request.session.save()
    return SessionRecord.objects.create(
        user=request.user,
        key_hash=stored_key(request.session.session_key),
        started_at=timezone.now(),
        two_factor=two_factor,
    )


def session_rekeyed(request, old_key: str | None) -> None:
    """After the session key changed (password change), follow it."""
    session_forget(old_key)
    session_record(request, two_factor=request.session.get("two_factor", False))


def session_forget(session_key: str | None) -> None:
    if session_key:
        SessionRecord.objects.filter(key_hash=stored_key(session_key)).delete()


def _alive(record: SessionRecord) -> bool:
    data = _store().load_stored(record.key_hash)
    return str(data.get("_auth_user_id", "")) == str(record.user_id)


def sessions_of(request) -> list[tuple[SessionRecord, bool]]:
    """The user's live sessions (expired ones are forgotten on the way), each with whether it is this one."""
    current = stored_key(request.session.session_key or "")
    live = []
    for record in SessionRecord.objects.filter(user=request.user):
        if not _alive(record):
            record.delete()
            continue
        live.append((record, record.key_hash == current))
    return live


def session_end(record: SessionRecord) -> None:
    _store().delete_stored(record.key_hash)
    record.delete()


def sessions_end(user, *, keep: str | None = None) -> int:
    """End every session of `user` except the one with session key `keep`."""
    keep_hash = stored_key(keep) if keep else None
    ended = 0
    for record in SessionRecord.objects.filter(user=user):
        if record.key_hash != keep_hash:
            session_end(record)
            ended += 1
    return ended


# --- a secret kept for one session: boxed in the session, its key in a cookie --------------
#
# Used for a staff member's private key (vault), a login half done (password
# given, code not yet) and a writer's receipt code (appeals.followup). Neither
# the session store nor the cookie alone opens the secret. One set of cookie
# flags: HttpOnly, Secure when the site is on HTTPS, SameSite=Lax (Strict would
# drop the key when a member opens a case from a link in a notification; forged
# requests are stopped by the CSRF token, not by the cookie).

_BOX_ID = uuid.UUID(int=0)


def session_box_put(
    request: HttpRequest, response: HttpResponse, name: str, cookie: str, secret: bytes, *, max_age=None
) -> None:
    key = secrets.token_bytes(32)
    request.session[name] = base64.b64encode(crypto.box(_BOX_ID, key, secret)).decode()
    response.set_cookie(
        cookie,
        base64.urlsafe_b64encode(key).decode(),
        max_age=max_age,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def session_box_get(request: HttpRequest, name: str, cookie: str) -> bytes | None:
    """The secret kept under `name` in this session, if this browser holds its key."""
    boxed, key = request.session.get(name), request.COOKIES.get(cookie)
    if not boxed or not key:
        return None
    try:
        return crypto.unbox(base64.urlsafe_b64decode(key), base64.b64decode(boxed))
    except (crypto.VaultError, ValueError):
        return None


def session_box_drop(request: HttpRequest, response: HttpResponse, name: str, cookie: str) -> None:
    request.session.pop(name, None)
    response.delete_cookie(cookie, samesite="Lax")
