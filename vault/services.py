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
from dataclasses import dataclass
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
        # Several app processes may start at once: each writes a whole key to a
        # file of its own, and a hard link makes exactly one of them the key, so
        # no process ever reads a half-written file or a key the others lack.
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(base64.b64encode(secrets.token_bytes(32)))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(draft)
    return base64.b64decode(path.read_bytes())


def server_hmac(purpose: str, value: str | bytes) -> str:
    """A keyed hash (hex) for lookups such as receipt codes and rate limits."""
    if isinstance(value, str):
        value = value.encode()
    key = hmac.new(_server_key(), purpose.encode(), sha256).digest()
    return hmac.new(key, value, sha256).hexdigest()


def _server_box_key(purpose: str) -> bytes:
    return hmac.new(_server_key(), b"box:" + purpose.encode(), sha256).digest()


def server_box(purpose: str, plaintext: bytes) -> bytearray:
    """Encrypt a server-side secret (a TOTP seed, a session key) under the
    server key: a copy of the database alone does not reveal it. Never used for
    appeal content, which only staff keys open."""
    return crypto.box(_SESSION_KEY_ID, _server_box_key(purpose), plaintext)


def server_unbox(purpose: str, blob: crypto.Blob) -> bytes:
    return crypto.unbox(_server_box_key(purpose), bytes(blob))


# --- writing ------------------------------------------------------------------


def _active_key(scope: str) -> VaultKey:
    return VaultKey.objects.filter(scope=scope, retired_at=None).latest()


def seal(scope: str, plaintext: bytes) -> bytearray:
    key = _active_key(scope)
    return crypto.seal(key.id, bytes(key.public_key), plaintext)


def seal_text(scope: str, text: str) -> bytearray:
    return seal(scope, text.encode())


def recovery_code_new() -> str:
    """A recovery code: 160 random bits in groups of five easy letters."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(35))
    return "-".join(raw[i : i + 5] for i in range(0, 35, 5))


@transaction.atomic
def key_create(*, scope: str, grantees=(), by=None) -> str:
    """The first key pair of a scope, granted to `grantees`; returns the recovery
    code, which is shown once and never stored. A scope that already has a key
    changes it with `key_rotate`, which keeps the old content readable."""
    private = crypto.new_private_key()
    code = recovery_code_new()
    key = VaultKey(scope=scope, public_key=crypto.public_key_of(private))
    _recovery_box(key, private, code)
    VaultKey.objects.filter(scope=scope, retired_at=None).update(retired_at=timezone.now())
    key.save()
    for user in grantees:
        _grant(key, private, user, by)
    return code


def _recovery_box(key: VaultKey, private: bytes, code: str) -> None:
    key.recovery_salt = os.urandom(16)
    key.recovery_params = dict(settings.VAULT_ARGON2)
    key.recovery_boxed = crypto.box(
        key.id, crypto.derive_key(recovery_normalise(code), bytes(key.recovery_salt), key.recovery_params), private
    )


def recovery_normalise(code: str) -> str:
    """The code as printed, whatever the case, spaces or dashes typed."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 5] for i in range(0, len(cleaned), 5))


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


def active_key(scope: str) -> VaultKey | None:
    return VaultKey.objects.filter(scope=scope, retired_at=None).order_by("-created_at").first()


def key_holders(scope: str) -> set[int]:
    """Ids of the users who hold the scope's active key."""
    key = active_key(scope)
    return set(KeyGrant.objects.filter(key=key).values_list("user_id", flat=True)) if key else set()


@transaction.atomic
def key_grant(*, ring: Keyring, scope: str, user, by=None) -> None:
    """Give `user` the scope's active key (older keys follow from it).

    Raises VaultError when the granter cannot open the key themselves."""
    key = active_key(scope)
    private = ring.private_for(key.id) if key else None
    if key is None or private is None:
        raise VaultError("the granter does not hold this scope's key")
    _grant(key, private, user, by)
    # Grants on retired keys are redundant (the successor chain reaches them).
    KeyGrant.objects.filter(key__scope=scope, user=user).exclude(key=key).delete()


@transaction.atomic
def key_revoke(*, scope: str, user) -> int:
    """Remove every copy of the scope's keys sealed to `user`."""
    deleted, _ = KeyGrant.objects.filter(key__scope=scope, user=user).delete()
    return deleted


def recovery_check(*, scope: str, code: str) -> bytes | None:
    """The scope's active private key if `code` is its recovery code, else None."""
    key = active_key(scope)
    if key is None or not key.recovery_boxed:
        return None
    derived = crypto.derive_key(recovery_normalise(code), bytes(key.recovery_salt), key.recovery_params)
    try:
        return crypto.unbox(derived, bytes(key.recovery_boxed))
    except VaultError:
        return None


@transaction.atomic
def key_recover(*, scope: str, code: str, user, by=None) -> None:
    """Grant `user` the scope's key with the recovery code (e.g. after every
    authorised member lost their password). Raises VaultError on a wrong code."""
    private = recovery_check(scope=scope, code=code)
    key = active_key(scope)
    if private is None or key is None:
        raise VaultError("the recovery code does not open this scope's key")
    _grant(key, private, user, by)


@transaction.atomic
def key_recovery_renew(*, ring: Keyring, scope: str) -> str:
    """A new recovery code for the active key; the old one stops working."""
    current = active_key(scope)
    if current is None:
        raise VaultError("the scope has no key")
    key = VaultKey.objects.select_for_update().get(pk=current.pk)
    private = ring.private_for(key.id)
    if private is None:
        raise VaultError("this session does not hold the scope's key")
    code = recovery_code_new()
    _recovery_box(key, private, code)
    key.save(update_fields=["recovery_salt", "recovery_params", "recovery_boxed"])
    return code


@dataclass
class Rotation:
    code: str
    key: VaultKey
    resealed: int
    kept: int
    holders: int


@transaction.atomic
def key_rotate(*, ring: Keyring, scope: str) -> Rotation:
    """A new key pair for the scope; every case key's copy and every other
    re-sealable blob is sealed to it, and only the members whose role holds the
    key receive it. Appeals stored before per-case keys get keys of their own
    (`vault.casekeys.case_keys_convert`).

    Blobs covered by a hash chain (journal records) cannot change without
    breaking the chain, so they keep their key: the retired key's private half
    is sealed to its successor and stays reachable for the new key's holders,
    and nobody else. The old recovery code stops working; the new one is
    returned to be shown once. Raises VaultError when the session cannot open
    the scope's keys.
    """
    from appeals.models import Appeal
    from vault import casekeys
    from vault.registry import sealed_fields

    keys = list(VaultKey.objects.select_for_update().filter(scope=scope))
    old = next((k for k in keys if k.retired_at is None), None)
    privates = {k.id: ring.private_for(k.id) for k in keys}
    old_private = privates.get(old.id) if old is not None else None
    if old is None or old_private is None:
        raise VaultError("this session does not hold the scope's key")

    private = crypto.new_private_key()
    code = recovery_code_new()
    new = VaultKey(scope=scope, public_key=crypto.public_key_of(private))
    _recovery_box(new, private, code)
    new.save()
    old.retired_at = timezone.now()
    old.successor = new
    old.sealed_to_successor = crypto.seal(new.id, bytes(new.public_key), old_private)
    old.recovery_boxed = b""
    old.save(update_fields=["retired_at", "successor", "sealed_to_successor", "recovery_boxed"])

    # Only the roles that hold the scope's key keep it: a case handler who was
    # given the school's key before per-case keys existed gets their cases instead.
    readers = _key_role_users(scope)
    holders = [
        grant
        for grant in KeyGrant.objects.filter(key=old).select_related("user_key", "user")
        if grant.user_id in readers
    ]
    for grant in holders:
        KeyGrant.objects.create(
            key=new,
            user=grant.user,
            user_key=grant.user_key,
            sealed_private=crypto.seal(grant.user_key.id, bytes(grant.user_key.public_key), private),
            granted_by=grant.granted_by,
        )
    KeyGrant.objects.filter(key__scope=scope).exclude(key=new).delete()

    # Case keys: their copies move to the new key; the content itself stays
    # sealed to the case keys. Appeals stored before per-case keys get theirs now.
    resealed = casekeys.reseal_scope_copies(scope_keys=privates, new=new)
    for appeal_id in sorted(casekeys.legacy_appeals(set(privates))):
        resealed += casekeys.case_keys_convert(
            ring=None, appeal=Appeal(pk=appeal_id), scope_key=new, privates=privates, by=ring.user
        )
    kept = 0
    for entry in sealed_fields():
        for pk, blob in entry.rows():
            key_id = crypto.key_id_of(blob)
            if key_id not in privates:
                continue  # another scope's blob, or a case key's
            if not entry.reseal:
                kept += 1
                continue
            opener = privates[key_id]
            if opener is None:
                raise VaultError(f"{entry.label} {pk}: sealed to a key this session cannot open")
            plaintext = crypto.unseal(opener, blob)
            entry.model._default_manager.filter(pk=pk).update(
                **{entry.field: crypto.seal(new.id, bytes(new.public_key), plaintext)}
            )
            resealed += 1
    return Rotation(code=code, key=new, resealed=resealed, kept=kept, holders=len(holders))


def _key_role_users(scope: str) -> set[int]:
    """Ids of the active members whose role holds the scope's key."""
    from schools.models import Membership, Role
    from schools.permissions import roles_with

    kind, _sep, pk = scope.partition(":")
    memberships = Membership.objects.filter(active=True)
    if kind == "district":
        memberships = memberships.filter(district_id=pk, role=Role.DISTRICT_OFFICER)
    else:
        memberships = memberships.filter(school_id=pk, role__in=roles_with("vault.hold_school_key"))
    return set(memberships.values_list("user_id", flat=True))


def key_ids_in_use() -> set[uuid.UUID]:
    """The ids of the keys that registered blobs are sealed to (read from the
    blobs' headers by the database, without loading the blobs)."""
    from django.db.models import BinaryField
    from django.db.models.functions import Substr

    from vault.registry import sealed_fields

    used: set[uuid.UUID] = set()
    for entry in sealed_fields():
        heads = (
            entry.model._default_manager.exclude(**{f"{entry.field}__isnull": True})
            .annotate(head=Substr(entry.field, 2, 16, output_field=BinaryField()))
            .values_list("head", flat=True)
            .distinct()
        )
        used.update(uuid.UUID(bytes=bytes(head)) for head in heads if head and len(head) == 16)
    return used


def key_prune(scope: str | None = None) -> int:
    """Delete retired keys that no blob needs any more (e.g. after retention
    erased the journal columns sealed to them). Oldest first: a key is kept
    while an older kept key is sealed to it."""
    retired = VaultKey.objects.exclude(retired_at=None)
    if scope:
        retired = retired.filter(scope=scope)
    if not retired.exists():
        return 0
    used = key_ids_in_use()
    deleted = 0
    for key in retired.order_by("created_at"):
        if key.id in used or VaultKey.objects.filter(successor=key).exists() or key.case_keys.exists():
            continue
        key.delete()
        deleted += 1
    return deleted


# --- staff members' own keys ----------------------------------------------------


@transaction.atomic
def user_key_set(*, user, password: str, old_password: str | None = None) -> None:
    """Wrap the user's private key under a new password.

    With the old password the same key is re-wrapped and grants survive. Without
    it (a reset by an administrator) a new key pair is made and every grant is
    gone: a reset alone never gives access to content.
    """
    existing = UserKey.objects.filter(user=user).first()
    private = _unwrap(existing, old_password) if existing is not None and old_password is not None else None
    if existing is None or private is None:
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


def user_key_unlock(user, password: str) -> bytes:
    """The user's private key, unwrapped with their password (just checked by
    the login form). A password set outside Ishenim (an administrator's reset)
    no longer unwraps the old key: a fresh key pair replaces it, without grants."""
    user_key = UserKey.objects.filter(user=user).first()
    private = _unwrap(user_key, password) if user_key is not None else None
    if private is None:
        user_key_set(user=user, password=password)
        private = _unwrap(UserKey.objects.get(user=user), password)
    if private is None:
        raise VaultError("a key just wrapped with this password does not open")
    return private


def session_open_private(request: HttpRequest, response: HttpResponse, private: bytes) -> None:
    """Keep the private key for this session only: boxed in the session under a
    random key whose one copy goes to the browser's cookie."""
    from accounts.sessions import session_box_put

    session_box_put(request, response, SESSION_BLOB, COOKIE, private)
    keyring_forget(request)


def session_close(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE)


class Keyring:
    """The private keys a logged-in staff member can use in this request."""

    def __init__(self, user, private: bytes | None):
        self.user = user
        self._user_private = private
        self._keys: dict[uuid.UUID, bytes] | None = None
        self._absent: set[uuid.UUID] = set()

    def _load(self) -> dict[uuid.UUID, bytes]:
        if self._keys is None:
            self._keys = {}
            if self._user_private is not None:
                for key_id, sealed in KeyGrant.objects.filter(user=self.user).values_list("key_id", "sealed_private"):
                    try:
                        self._keys[key_id] = crypto.unseal(self._user_private, sealed)
                    except VaultError:
                        continue  # sealed to a user key that was replaced
                self._follow_successors()
        return self._keys

    def _follow_successors(self) -> None:
        """Open retired keys through the keys that replaced them."""
        if not self._keys:
            return
        scopes = set(VaultKey.objects.filter(id__in=self._keys).values_list("scope", flat=True))
        chained = list(
            VaultKey.objects.filter(scope__in=scopes, successor__isnull=False)
            .exclude(sealed_to_successor=None)
            .values_list("id", "successor_id", "sealed_to_successor")
        )
        progress = True
        while progress:
            progress = False
            for key_id, successor_id, sealed in chained:
                if key_id not in self._keys and successor_id in self._keys and sealed is not None:
                    self._keys[key_id] = crypto.unseal(self._keys[successor_id], sealed)
                    progress = True

    def _load_case_keys(self, key_ids) -> None:
        """Open the case keys (vault.casekeys) among `key_ids`: through a copy sealed to
        this member, or to a scope key they hold. One query per 500 keys."""
        keys = self._load()
        wanted = [k for k in set(key_ids) if k not in keys and k not in self._absent]
        if not wanted or self._user_private is None:
            return
        from django.db.models import OuterRef, Subquery

        from vault.models import CaseKey, CaseKeyCopy

        # The scope's copy is in the key's row; this member's own copy (if any) comes with it.
        mine = CaseKeyCopy.objects.filter(case_key=OuterRef("pk"), user=self.user).values("sealed_private")[:1]
        for start in range(0, len(wanted), 500):
            rows = (
                CaseKey.objects.filter(id__in=wanted[start : start + 500])
                .annotate(mine=Subquery(mine))
                .values_list("id", "scope_key_id", "sealed_private", "mine")
            )
            for case_key_id, scope_key_id, sealed, own in rows:
                for private, blob in ((keys.get(scope_key_id), sealed), (self._user_private, own)):
                    if private is None or not blob:
                        continue
                    try:
                        keys[case_key_id] = crypto.unseal(private, bytes(blob))
                        break
                    except VaultError:
                        continue  # sealed to a user key that was replaced
        self._absent.update(k for k in wanted if k not in keys)

    def preload(self, blobs) -> None:
        """Open at once the case keys of many blobs (a journal page), instead of one query per appeal."""
        ids = set()
        for blob in blobs:
            if blob:
                try:
                    ids.add(crypto.key_id_of(bytes(blob)))
                except VaultError:
                    continue
        self._load_case_keys(ids)

    @property
    def user_private(self) -> bytes | None:
        """The member's own private key, when the session unlocked it."""
        return self._user_private

    def private_for(self, key_id: uuid.UUID) -> bytes | None:
        keys = self._load()
        if key_id not in keys:
            self._load_case_keys([key_id])
        return keys.get(key_id)

    def can_open(self, blob: crypto.Blob | None) -> bool:
        return blob is not None and bool(blob) and self.private_for(crypto.key_id_of(bytes(blob))) is not None

    def open(self, blob: bytes | memoryview) -> bytes:
        private = self.private_for(crypto.key_id_of(bytes(blob)))
        if private is None:
            raise VaultError("no key in this session opens the blob")
        return crypto.unseal(private, blob)

    def open_text(self, blob: bytes | memoryview | None, default: str = "") -> str:
        return self.open(blob).decode() if blob else default


_RING = "_vault_keyring"


def keyring(request: HttpRequest) -> Keyring:
    """The session's keyring, made once per request."""
    ring = request.__dict__.get(_RING)
    if ring is None:
        from accounts.sessions import session_box_get

        ring = request.__dict__[_RING] = Keyring(request.user, session_box_get(request, SESSION_BLOB, COOKIE))
    return ring


def keyring_forget(request: HttpRequest) -> None:
    """Drop the request's keyring after the keys it holds changed."""
    request.__dict__.pop(_RING, None)
