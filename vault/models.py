import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VaultKey(models.Model):
    """The key pair of a school or a district office (its *scope*).

    Only the public key is stored as it is; the private key exists only sealed
    to staff members (KeyGrant) and boxed under the recovery code.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scope = models.CharField(_("scope"), max_length=40, db_index=True)
    public_key = models.BinaryField(_("public key"))
    recovery_salt = models.BinaryField(_("recovery salt"))
    recovery_params = models.JSONField(_("recovery parameters"))
    recovery_boxed = models.BinaryField(_("private key under the recovery code"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    # A retired key is kept while blobs that cannot be re-sealed (the journals'
    # chained columns) still need it: its private half is sealed to the key
    # that replaced it, so whoever opens the new key opens the old one too.
    successor = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaced by")
    )
    sealed_to_successor = models.BinaryField(_("private key sealed to its successor"), null=True, blank=True)

    class Meta:
        verbose_name = _("vault key")
        verbose_name_plural = _("vault keys")
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.scope} {self.id}"


class UserKey(models.Model):
    """A staff member's own key pair; the private half is wrapped under a key
    derived from their password, so only they can unwrap it at login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="vault_key", verbose_name=_("user")
    )
    public_key = models.BinaryField(_("public key"))
    salt = models.BinaryField(_("salt"))
    params = models.JSONField(_("key derivation parameters"))
    wrapped_private = models.BinaryField(_("wrapped private key"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("user key")
        verbose_name_plural = _("user keys")

    def __str__(self) -> str:
        return str(self.user)


class KeyGrant(models.Model):
    """A scope's private key sealed to one staff member's public key."""

    key = models.ForeignKey(VaultKey, models.CASCADE, related_name="grants", verbose_name=_("key"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="key_grants", verbose_name=_("user")
    )
    user_key = models.ForeignKey(UserKey, models.CASCADE, verbose_name=_("user key"))
    sealed_private = models.BinaryField(_("sealed private key"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("key grant")
        verbose_name_plural = _("key grants")
        constraints = [models.UniqueConstraint(fields=["key", "user"], name="one_grant_per_user")]

    def __str__(self) -> str:
        return f"{self.key.scope} → {self.user}"


class CaseKey(models.Model):
    """The key pair of one appeal: its content (or its writer's identity) is sealed to it.

    The private half exists only sealed: to the scope's key, in this row
    (`scope_key`, `sealed_private`: the director and the responsible person open
    every case), and to each member the case was given to (CaseKeyCopy). So a
    case handler's password opens their own cases, not the school. The scope's
    copy is a column of the key, not a row of its own: a new appeal stores its
    key in one INSERT.
    """

    class Part(models.TextChoices):
        CONTENT = "content", _("content")
        IDENTITY = "identity", _("writer's identity")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appeal = models.ForeignKey("appeals.Appeal", models.CASCADE, related_name="case_keys", verbose_name=_("appeal"))
    part = models.CharField(_("part"), max_length=10, choices=Part)
    public_key = models.BinaryField(_("public key"))
    # PROTECT: a scope key is pruned only when no case key is sealed to it (`key_prune`).
    scope_key = models.ForeignKey(VaultKey, models.PROTECT, related_name="case_keys", verbose_name=_("scope key"))
    sealed_private = models.BinaryField(_("private key sealed to the scope's key"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case key")
        verbose_name_plural = _("case keys")
        constraints = [models.UniqueConstraint(fields=["appeal", "part"], name="one_case_key_per_part")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.part}"


class CaseKeyCopy(models.Model):
    """A case key's private half sealed to one member's own key (the scope's copy is in the key's row)."""

    case_key = models.ForeignKey(CaseKey, models.CASCADE, related_name="copies", verbose_name=_("case key"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="case_key_copies", verbose_name=_("user")
    )
    user_key = models.ForeignKey(UserKey, models.CASCADE, verbose_name=_("user key"))
    sealed_private = models.BinaryField(_("sealed private key"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case key copy")
        verbose_name_plural = _("case key copies")
        constraints = [models.UniqueConstraint(fields=["case_key", "user"], name="one_case_copy_per_user")]

    def __str__(self) -> str:
        return f"{self.case_key} → {self.user_id}"
