from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TwoFactor(models.Model):
    """A staff member's authenticator app (TOTP, RFC 6238) and backup codes.

    The seed is kept boxed under the server key, so a copy of the database alone
    does not reveal it; backup codes are kept only as keyed hashes.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="two_factor", verbose_name=_("user")
    )
    secret_boxed = models.BinaryField(_("seed (encrypted)"))
    confirmed_at = models.DateTimeField(_("turned on"), null=True, blank=True)
    last_step = models.PositiveBigIntegerField(_("last time step used"), default=0)
    backup_hashes = models.JSONField(_("backup codes (hashed)"), default=list, blank=True)

    class Meta:
        verbose_name = _("two-factor login")
        verbose_name_plural = _("two-factor logins")

    def __str__(self) -> str:
        return str(self.user)


class SessionRecord(models.Model):
    """One logged-in browser of a staff member, for "where am I logged in".

    Identified by the hash the session store keeps (`accounts.sessions.stored_key`),
    which is enough to end the session; the key itself is kept nowhere on the
    server. No address, no browser name: staff privacy matters too.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="session_records", verbose_name=_("user")
    )
    key_hash = models.CharField(_("session key hash"), max_length=64, unique=True)
    started_at = models.DateTimeField(_("logged in"))
    two_factor = models.BooleanField(_("with two-factor code"), default=False)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


class Counter(models.Model):
    """One rate-limit or lockout counter (`accounts.throttle`), used when there is no Redis.

    A row lives until its window ends; nothing evicts it earlier, whatever else is
    stored. The bucket is a keyed hash: it names no person, address or account.
    Written only by one raw upsert (`throttle._db_hit`), so it carries no verbose names.
    """

    bucket = models.CharField(primary_key=True, max_length=64)
    count = models.PositiveIntegerField(default=0)
    last = models.FloatField()  # time of the last hit (seconds since the epoch)
    expires = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.bucket[:8]}… {self.count}"


class Invitation(models.Model):
    """A one-time link by which a new staff member sets their password.

    Only a keyed hash of the link's token is kept: the link is shown once to print
    and sent through notify; issuing a new one makes the old one useless."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="invitations", verbose_name=_("user")
    )
    token_hash = models.CharField(_("token (hashed)"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    # The place's recovery code when this person takes its sheet at their first login, boxed
    # under a key derived from the link's token (accounts.invitations): only the link opens it.
    sheet_scope = models.CharField(_("recovery sheet of"), max_length=40, blank=True)
    sheet_boxed = models.BinaryField(_("recovery code (boxed under the link)"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.user)
