"""Per-case keys: each appeal is sealed to a key pair of its own.

A case handler (a psychologist, a social pedagogue) must read the cases given
to them and nothing else, even when their password is cracked from a copy of
the database. So only the director and the responsible person hold the
school's key (the district officers the district's); every appeal has its own
key pair, whose private half is sealed to that key (in the key's own row) and
to each member the case is given to (a CaseKeyCopy each). Giving a case to
someone seals its key to their own public key (the giver must open it first);
taking the case away deletes that copy.

Two parts, two keys: the *content* key seals everything staff read about the
case (text, messages, files, notes, answers, letters, journal amendments); the
*identity* key seals the writer's name and contacts (the author field and the
journal entry of a signed appeal). Handlers get the content key; the identity
key only when the person who gives the case chooses to share the writer's name
with them (see `appeals.selectors.appeal_reading`).

Writing needs only the public halves: a writer's message, sent in a public
request, is sealed to the case key without the server being able to read it.

Appeals stored before per-case keys existed stay sealed to the scope's key and
read as before (the scope key's holders open them); they are converted when the
case is given to a handler (`case_keys_convert`) and, all at once, by a key
rotation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from vault import crypto
from vault.crypto import VaultError
from vault.models import CaseKey, CaseKeyCopy, UserKey, VaultKey

CONTENT = CaseKey.Part.CONTENT
IDENTITY = CaseKey.Part.IDENTITY

__all__ = [
    "CONTENT",
    "IDENTITY",
    "CaseKeys",
    "case_keys_convert",
    "case_keys_give",
    "case_key_holders",
    "case_keys_new",
    "case_keys_take",
    "case_seal",
    "case_seal_text",
    "school_with_vault_key",
]


def _scope_key(scope: str, school=None) -> VaultKey:
    """The scope's active key: read with the school when it was (`school_with_vault_key`)."""
    if school is not None and getattr(school, "vault_key_public", None) and school.vault_scope == scope:
        return VaultKey(id=school.vault_key, scope=scope, public_key=bytes(school.vault_key_public))
    return VaultKey.objects.filter(scope=scope, retired_at=None).latest()


def school_with_vault_key(schools: models.QuerySet) -> models.QuerySet:
    """Schools with their scope's active key (`vault_key`, `vault_key_public`) read in the same
    statement: a submission seals the new case key's copy to it without a read of its own."""
    active = VaultKey.objects.filter(
        scope=Concat(Value("school:"), Cast(OuterRef("pk"), models.CharField())), retired_at=None
    ).order_by("-created_at")
    return schools.annotate(
        vault_key=Subquery(active.values("id")[:1]), vault_key_public=Subquery(active.values("public_key")[:1])
    )


def _pair(part: str, scope_key: VaultKey) -> tuple[CaseKey, bytes]:
    """A new key pair, its private half sealed to the scope's key in the same row."""
    private = crypto.new_private_key()
    key = CaseKey(
        part=part,
        public_key=crypto.public_key_of(private),
        scope_key=scope_key,
        sealed_private=crypto.seal(scope_key.id, bytes(scope_key.public_key), private),
    )
    return key, private


@dataclass
class CaseKeys:
    """An appeal's key pairs while it is being stored: sealing needs only the public halves."""

    keys: dict[str, CaseKey]
    privates: dict[str, bytes] = field(default_factory=dict, repr=False)

    def seal(self, plaintext: bytes, part: str = CONTENT) -> bytearray:
        key = self.keys.get(part) or self.keys[CONTENT]
        return crypto.seal(key.id, bytes(key.public_key), plaintext)

    def seal_text(self, text: str, part: str = CONTENT) -> bytearray:
        return self.seal(text.encode(), part)

    def save(self, appeal) -> None:
        """Store the keys, each with its scope copy, once the appeal has its id: one INSERT."""
        for key in self.keys.values():
            key.appeal = appeal
        CaseKey.objects.bulk_create(self.keys.values())
        appeal._case_keys = {part: (key.id, bytes(key.public_key)) for part, key in self.keys.items()}


def case_keys_new(*, scope: str, identity: bool, school=None) -> CaseKeys:
    """Fresh key pairs for a new appeal, their private halves sealed to the scope's key (read
    with `school` when it was)."""
    scope_key = _scope_key(scope, school)
    keys: dict[str, CaseKey] = {}
    privates: dict[str, bytes] = {}
    for part in (CONTENT, IDENTITY) if identity else (CONTENT,):
        keys[part], privates[part] = _pair(part, scope_key)
    return CaseKeys(keys, privates)


def _case_keys(appeal) -> dict[str, tuple]:
    cached = getattr(appeal, "_case_keys", None)
    if cached is None:
        cached = {
            part: (key_id, bytes(public))
            for part, key_id, public in CaseKey.objects.filter(appeal=appeal).values_list("part", "id", "public_key")
        }
        appeal._case_keys = cached
    return cached


def case_seal(appeal, plaintext: bytes, *, part: str = CONTENT) -> bytearray:
    """Seal a blob of this appeal to its case key.

    An appeal stored before per-case keys has none: its blobs go to the scope's
    key, as its older ones did, until it is converted. An identity blob for an
    appeal that has no identity key yet (a writer named later) gets a new
    identity key, sealed to the scope's key only.
    """
    from vault.services import seal

    keys = _case_keys(appeal)
    if CONTENT not in keys:
        return seal(appeal.vault_scope, plaintext)
    if part == IDENTITY and IDENTITY not in keys:
        key, _private = _pair(IDENTITY, _scope_key(appeal.vault_scope))
        key.appeal = appeal
        key.save()
        keys[IDENTITY] = (key.id, bytes(key.public_key))
    key_id, public = keys[part]
    return crypto.seal(key_id, public, plaintext)


def case_seal_text(appeal, text: str, *, part: str = CONTENT) -> bytearray:
    return case_seal(appeal, text.encode(), part=part)


def _user_keys(users: Iterable) -> dict[int, UserKey]:
    return {uk.user_id: uk for uk in UserKey.objects.filter(user__in=[getattr(u, "pk", u) for u in users])}


@transaction.atomic
def case_keys_give(*, ring, appeal, users, parts: Iterable[str] = (CONTENT,), by=None) -> list:
    """Seal the appeal's keys (`parts`) to each user's own key.

    The giver's keyring must open them (VaultError otherwise). Returns the users
    who have no key pair yet (never logged in): they get the case when it is
    given again, e.g. from the keys page ("Give access").
    """
    users = list(users)
    if not users:
        return []
    if CONTENT not in _case_keys(appeal):
        case_keys_convert(ring=ring, appeal=appeal, by=by)
    user_keys = _user_keys(users)
    for part in parts:
        key = CaseKey.objects.filter(appeal=appeal, part=part).first()
        if key is None:
            continue  # an anonymous appeal has no identity to share
        private = ring.private_for(key.id)
        if private is None:
            raise VaultError("the giver cannot open this case's key")
        for user_key in user_keys.values():
            CaseKeyCopy.objects.update_or_create(
                case_key=key,
                user_id=user_key.user_id,
                defaults={
                    "user_key": user_key,
                    "sealed_private": crypto.seal(user_key.id, bytes(user_key.public_key), private),
                    "granted_by": by,
                },
            )
    return [u for u in users if getattr(u, "pk", u) not in user_keys]


def case_keys_take(*, appeal, users, parts: Iterable[str] = (CONTENT, IDENTITY)) -> int:
    """Delete the copies of the appeal's keys sealed to these users."""
    deleted, _ = CaseKeyCopy.objects.filter(
        case_key__appeal=appeal,
        case_key__part__in=list(parts),
        user__in=[getattr(u, "pk", u) for u in users],
    ).delete()
    return deleted


def case_key_holders(appeal, part: str = CONTENT) -> set[int]:
    """Ids of the members a copy of the appeal's key (`part`) is sealed to.

    A copy is sealed to the member's current key: replacing a key pair (an
    administrator's password reset) deletes the copies sealed to the old one.
    """
    return set(
        CaseKeyCopy.objects.filter(case_key__appeal=appeal, case_key__part=part).values_list("user_id", flat=True)
    )


# --- appeals stored before per-case keys ------------------------------------------


def _appeal_fields():
    """The re-sealable registered fields tied to an appeal, with the lookup to its id."""
    from vault.registry import sealed_fields

    for entry in sealed_fields():
        if entry.appeal is None or not entry.reseal:
            continue
        yield entry, "pk" if entry.appeal == "" else f"{entry.appeal}_id"


@transaction.atomic
def case_keys_convert(*, ring, appeal, scope_key: VaultKey | None = None, privates=None, by=None) -> int:
    """Give an appeal stored before per-case keys its keys, and re-seal its blobs to them.

    The blobs sealed to a scope key the keyring (or `privates`, during a
    rotation) opens are opened and sealed to the case keys; the keys' private
    halves go to `scope_key` (default: the scope's active key) and to the
    case's handlers (content only). Journal columns are covered by the chain and
    stay as written; an amendment records the re-sealing, so the journal still
    vouches for the appeal row. Returns the number of blobs re-sealed.
    """
    from appeals.models import Appeal

    appeal = Appeal.objects.select_related("school", "district").get(pk=appeal.pk)
    if CaseKey.objects.filter(appeal=appeal, part=CONTENT).exists():
        return 0

    def private_for(key_id):
        return privates.get(key_id) if privates is not None else ring.private_for(key_id)

    scope_key = scope_key or _scope_key(appeal.vault_scope)
    scope_ids = _scope_key_ids(appeal.vault_scope)
    found = []
    for entry, lookup in _appeal_fields():
        for pk, blob in entry.model._default_manager.filter(**{lookup: appeal.pk}).values_list("pk", entry.field):
            if not blob:
                continue
            blob = bytes(blob)
            private = private_for(crypto.key_id_of(blob))
            if private is None:
                if crypto.key_id_of(blob) in scope_ids:
                    raise VaultError(f"{entry.label} {pk}: sealed to a key this session cannot open")
                continue  # the writer's copies: sealed to the writer's key, not the scope's
            found.append((entry, pk, crypto.unseal(private, blob)))
    keys = {}
    privates_new = {}
    parts = {CONTENT} | {entry.part for entry, _pk, _plain in found}
    for part in sorted(parts):
        keys[part], privates_new[part] = _pair(part, scope_key)
        keys[part].appeal = appeal
    CaseKey.objects.bulk_create(keys.values())
    for entry, pk, plaintext in found:
        key = keys[entry.part]
        entry.model._default_manager.filter(pk=pk).update(
            **{entry.field: crypto.seal(key.id, bytes(key.public_key), plaintext)}
        )
    handlers = _user_keys(appeal.handlers.all())
    CaseKeyCopy.objects.bulk_create(
        CaseKeyCopy(
            case_key=keys[CONTENT],
            user_id=user_key.user_id,
            user_key=user_key,
            sealed_private=crypto.seal(user_key.id, bytes(user_key.public_key), privates_new[CONTENT]),
        )
        for user_key in handlers.values()
    )
    appeal._case_keys = None
    if found:
        _journal_resealed(appeal, by)
    return len(found)


def _journal_resealed(appeal, by) -> None:
    """The journal vouches for the bytes the appeal row stores: say they were re-sealed, and why."""
    from journal.models import Record
    from journal.services import journal_amend

    entry = Record.objects.filter(appeal=appeal, kind=Record.Kind.ENTRY).order_by("pk").first()
    if entry is not None:
        journal_amend(entry=entry, fields={"event": "resealed", "status": appeal.status}, actor=by)


def _scope_key_ids(scope: str) -> set:
    return set(VaultKey.objects.filter(scope=scope).values_list("id", flat=True))


def legacy_appeals(scope_key_ids: set) -> set[int]:
    """Ids of the appeals that still have a re-sealable blob sealed straight to one of these scope keys."""
    from django.db.models import BinaryField
    from django.db.models.functions import Substr

    heads = {key_id.bytes for key_id in scope_key_ids}
    found: set[int] = set()
    for entry, lookup in _appeal_fields():
        rows = (
            entry.model._default_manager.exclude(**{f"{entry.field}__isnull": True})
            .annotate(head=Substr(entry.field, 2, 16, output_field=BinaryField()))
            .values_list(lookup, "head")
        )
        found.update(appeal_id for appeal_id, head in rows if head and bytes(head) in heads)
    return found


def reseal_scope_copies(*, scope_keys: dict, new: VaultKey) -> int:
    """During a rotation: the case keys' copies held by the scope's old keys go to the new key."""
    count = 0
    by_key = defaultdict(list)
    for key in CaseKey.objects.filter(scope_key_id__in=list(scope_keys)).only("pk", "scope_key_id", "sealed_private"):
        by_key[key.scope_key_id].append(key)
    for key_id, case_keys in by_key.items():
        if scope_keys[key_id] is None:
            raise VaultError("a case key is sealed to a scope key this session cannot open")
        for key in case_keys:
            private = crypto.unseal(scope_keys[key_id], bytes(key.sealed_private))
            key.scope_key = new
            key.sealed_private = crypto.seal(new.id, bytes(new.public_key), private)
        CaseKey.objects.bulk_update(case_keys, ["scope_key", "sealed_private"], batch_size=500)
        count += len(case_keys)
    return count
