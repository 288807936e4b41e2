"""Where sealed content lives: every (model, field) that holds vault blobs.

Apps declare their sealed fields once (here, from `VaultConfig.ready()`, or
from their own `ready()`), and the vault can then find every blob of a scope
without knowing the apps:

- rotation re-seals the blobs of a scope to its new key (`reseal=True`);
  fields covered by a hash chain (the journals) say `reseal=False` and keep
  the key they were written under (see `key_rotate`);
- retention erases the blobs of closed appeals (`appeal`: the lookup from the
  model to its appeal, "" for the Appeal itself);
- the security tests try every registered blob with every key on the server,
  and fail when a model has a binary field that nobody registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class SealedField:
    model: type[models.Model]
    field: str
    scope: Callable[[models.Model], str]
    reseal: bool = True
    appeal: str | None = None  # lookup to the appeal ("" = the appeal itself), None = not tied to one
    part: str = "content"  # the appeal's case key it is sealed to: "content" or "identity" (vault.casekeys)

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def nullable(self) -> bool:
        return self.model._meta.get_field(self.field).null

    def rows(self, chunk_size: int = 500) -> Iterator[tuple[object, bytes]]:
        """(pk, blob) of every row whose field holds a blob."""
        queryset = self.model._default_manager.exclude(**{f"{self.field}__isnull": True})
        for pk, blob in queryset.values_list("pk", self.field).iterator(chunk_size=chunk_size):
            if blob:
                yield pk, bytes(blob)


_fields: dict[str, SealedField] = {}


def register(
    model: type[models.Model] | str,
    field: str,
    *,
    scope: Callable[[Any], str],
    reseal: bool = True,
    appeal: str | None = None,
    part: str = "content",
) -> None:
    """Declare that `model.field` holds blobs sealed to `scope(obj)`.

    `model` may be a class or an "app_label.Model" string; a string naming a
    model that does not exist (an app not installed) is ignored.
    """
    if isinstance(model, str):
        try:
            model = apps.get_model(model)
        except LookupError:
            return
    model._meta.get_field(field)  # fail early on a typo
    entry = SealedField(model, field, scope, reseal, appeal, part)
    _fields[entry.label] = entry


def sealed_fields() -> list[SealedField]:
    return list(_fields.values())


# Binary fields that hold key material, not content: they are opened by the
# vault itself (with a password, a recovery code or a member's key).
KEY_MATERIAL = {
    "vault.VaultKey.public_key",
    "vault.VaultKey.recovery_salt",
    "vault.VaultKey.recovery_boxed",
    "vault.VaultKey.sealed_to_successor",
    "vault.UserKey.public_key",
    "vault.UserKey.salt",
    "vault.UserKey.wrapped_private",
    "vault.KeyGrant.sealed_private",
    "vault.CaseKey.public_key",
    "vault.CaseKey.sealed_private",
    "vault.CaseKeyCopy.sealed_private",
    # A writer's public key (the private half comes from their receipt code, never stored).
    "appeals.FollowUp.writer_public_key",
    "openings.Stub.writer_public_key",
    # Server-side secrets boxed under the server key: not content.
    "accounts.TwoFactor.secret_boxed",
    # A recovery code made in the browser, until the director downloads the sheet at their
    # first login (schools.setup.recovery_hold): boxed under the server key until the director
    # is named, then sealed to their key pair, or boxed under their invitation link's token
    # (accounts.invitations), which the database does not hold.
    "schools.PendingRecoverySheet.code_boxed",
    "accounts.Invitation.sheet_boxed",
}

# The exact bytes a hash chain hashed (ishenim/chain.py): canonical JSON of the chained
# columns, with digests of sealed columns, never the sealed content itself.
CHAIN_BYTES = {"audit.AuditRecord.body", "journal.Record.body", "openings.Entry.body", "appeals.StoredLink.body"}


def unregistered_binary_fields() -> list[str]:
    """Binary fields of installed models that are neither registered nor key material."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.BinaryField):
                label = f"{model._meta.label}.{field.name}"
                if label not in _fields and label not in KEY_MATERIAL | CHAIN_BYTES:
                    found.append(label)
    return found
