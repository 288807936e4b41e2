"""The one way sensitive content is stored and read.

Writing needs only a scope ("school:12", "district:3"): content is sealed to
the scope's public key. Reading needs a `Keyring`, which exists only inside a
staff member's logged-in session: their private key, unwrapped at login with
their password, boxed under a random key whose one copy lives in their cookie.
Neither the database, nor the server's key file, nor the session store alone
can open anything.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
import uuid
from functools import cache
from hashlib import sha256

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from vault import crypto
from vault.crypto import VaultError
from vault.models import KeyGrant, UserKey, VaultKey

SESSION_BLOB = "vault_user"
COOKIE = "ishenim_vk"
_SESSION_KEY_ID = uuid.UUID(int=0)

__all__ = ["VaultError", "Keyring", "seal", "seal_text", "keyring", "server_hmac"]


# --- the server key: root of keyed hashes, never of content -------------------


@cache
def _server_key() -> bytes:
    if settings.VAULT_SERVER_KEY:
        return base64.b64decode(settings.VAULT_SERVER_KEY)
    path = settings.VAULT_SERVER_KEY_PATH
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(base64.b64encode(secrets.token_bytes(32)))
    return base64.b64decode(path.read_bytes())


def server_hmac(purpose: str, value: str | bytes) -> str:
    """A keyed hash (hex) for lookups such as receipt codes and rate limits."""
    if isinstance(value, str):
        value = value.encode()
    key = hmac.new(_server_key(), purpose.encode(), sha256).digest()
    return hmac.new(key, value, sha256).hexdigest()


# --- writing ------------------------------------------------------------------


def _active_key(scope: str) -> VaultKey:
    return VaultKey.objects.filter(scope=scope, retired_at=None).latest()


def seal(scope: str, plaintext: bytes) -> bytes:
    key = _active_key(scope)
    return crypto.seal(key.id, bytes(key.public_key), plaintext)


def seal_text(scope: str, text: str) -> bytes:
    return seal(scope, text.encode())


def recovery_code_new() -> str:
    """A recovery code: 160 random bits in groups of five easy letters."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(35))
    return "-".join(raw[i : i + 5] for i in range(0, 35, 5))


@transaction.atomic
def key_create(*, scope: str, grantees=(), by=None) -> str:
    """A new key pair for a scope, granted to `grantees`; returns the recovery
    code, which is shown once and never stored. Retires the scope's old key."""
    private = crypto.new_private_key()
    code = recovery_code_new()
    salt = os.urandom(16)
    params = dict(settings.VAULT_ARGON2)
    key = VaultKey(scope=scope, public_key=crypto.public_key_of(private), recovery_salt=salt, recovery_params=params)
    key.recovery_boxed = crypto.box(key.id, crypto.derive_key(code, salt, params), private)
    VaultKey.objects.filter(scope=scope, retired_at=None).update(retired_at=timezone.now())
    key.save()
    for user in grantees:
        _grant(key, private, user, by)
    return code


def _grant(key: VaultKey, private: bytes, user, by) -> None:
    user_key = UserKey.objects.filter(user=user).first()
    if user_key is None:
        raise VaultError(f"{user} has no user key yet: they must log in once or have a password set")
    KeyGrant.objects.update_or_create(
        key=key,
        user=user,
        defaults={
            "user_key": user_key,
            "sealed_private": crypto.seal(user_key.id, bytes(user_key.public_key), private),
            "granted_by": by,
        },
    )


def key_grant(*, ring: Keyring, scope: str, user, by=None) -> None:
    """Give `user` access to every key of the scope that the granter can open."""
    for key in VaultKey.objects.filter(scope=scope):
        private = ring.private_for(key.id)
        if private is not None:
            _grant(key, private, user, by)


def key_revoke(*, scope: str, user) -> int:
    deleted, _ = KeyGrant.objects.filter(key__scope=scope, user=user).delete()
    return deleted


def key_recover(*, scope: str, code: str, user, by=None) -> None:
    """Grant `user` the scope's keys with the recovery code (e.g. after every
    authorised member lost their password)."""
    code = code.strip().upper()
    for key in VaultKey.objects.filter(scope=scope):
        derived = crypto.derive_key(code, bytes(key.recovery_salt), key.recovery_params)
        _grant(key, crypto.unbox(derived, bytes(key.recovery_boxed)), user, by)


# --- staff members' own keys ----------------------------------------------------


@transaction.atomic
def user_key_set(*, user, password: str, old_password: str | None = None) -> None:
    """Wrap the user's private key under a new password.

    With the old password the same key is re-wrapped and grants survive. Without
    it (a reset by an administrator) a new key pair is made and every grant is
    gone: a reset alone never gives access to content.
    """
    existing = UserKey.objects.filter(user=user).first()
    private = None
    if existing is not None and old_password is not None:
        private = _unwrap(existing, old_password)
    if private is None:
        if existing is not None:
            existing.delete()  # cascades to the grants sealed to it
        private = crypto.new_private_key()
        existing = UserKey(user=user, public_key=crypto.public_key_of(private))
    existing.salt = os.urandom(16)
    existing.params = dict(settings.VAULT_ARGON2)
    existing.wrapped_private = crypto.box(
        existing.id, crypto.derive_key(password, bytes(existing.salt), existing.params), private
    )
    existing.save()


def _unwrap(user_key: UserKey, password: str) -> bytes | None:
    derived = crypto.derive_key(password, bytes(user_key.salt), user_key.params)
    try:
        return crypto.unbox(derived, bytes(user_key.wrapped_private))
    except VaultError:
        return None


# --- the session keyring ----------------------------------------------------------


def session_open(request: HttpRequest, response: HttpResponse, user, password: str) -> None:
    """At login: unwrap the user's key and keep it for this session only."""
    user_key = UserKey.objects.filter(user=user).first()
    if user_key is None:
        user_key_set(user=user, password=password)
        user_key = UserKey.objects.get(user=user)
    private = _unwrap(user_key, password)
    if private is None:
        # The password was reset outside Ishenim: start a fresh key pair.
        user_key_set(user=user, password=password)
        user_key = UserKey.objects.get(user=user)
        private = _unwrap(user_key, password)
    cookie_key = secrets.token_bytes(32)
    request.session[SESSION_BLOB] = base64.b64encode(crypto.box(_SESSION_KEY_ID, cookie_key, private)).decode()
    response.set_cookie(
        COOKIE,
        base64.urlsafe_b64encode(cookie_key).decode(),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Strict" if not settings.DEBUG else "Lax",
    )


def session_close(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE)


class Keyring:
    """The private keys a logged-in staff member can use in this request."""

    def __init__(self, user, private: bytes | None):
        self.user = user
        self._user_private = private
        self._keys: dict[uuid.UUID, bytes] | None = None

    @property
    def unlocked(self) -> bool:
        return self._user_private is not None

    def _load(self) -> dict[uuid.UUID, bytes]:
        if self._keys is None:
            self._keys = {}
            if self._user_private is not None:
                for key_id, sealed in KeyGrant.objects.filter(user=self.user).values_list("key_id", "sealed_private"):
                    try:
                        self._keys[key_id] = crypto.unseal(self._user_private, sealed)
                    except VaultError:
                        continue  # sealed to a user key that was replaced
        return self._keys

    def private_for(self, key_id: uuid.UUID) -> bytes | None:
        return self._load().get(key_id)

    def can_open(self, blob: bytes | None) -> bool:
        return bool(blob) and self.private_for(crypto.key_id_of(bytes(blob))) is not None

    def open(self, blob: bytes) -> bytes:
        private = self.private_for(crypto.key_id_of(bytes(blob)))
        if private is None:
            raise VaultError("no key in this session opens the blob")
        return crypto.unseal(private, blob)

    def open_text(self, blob: bytes | None, default: str = "") -> str:
        return self.open(blob).decode() if blob else default


def keyring(request: HttpRequest) -> Keyring:
    ring = getattr(request, "_vault_keyring", None)
    if ring is None:
        private = None
        boxed = request.session.get(SESSION_BLOB)
        cookie = request.COOKIES.get(COOKIE)
        if boxed and cookie:
            try:
                private = crypto.unbox(base64.urlsafe_b64decode(cookie), base64.b64decode(boxed))
            except (VaultError, ValueError):
                private = None
        ring = Keyring(request.user, private)
        request._vault_keyring = ring
    return ring
