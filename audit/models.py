from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ishenim.chain import CanonicalEncoder, ChainHead, ChainLink


class AuditChain(ChainHead):
    """The head of one audit chain: a school's, a district's, or the platform's."""

    scope = models.CharField(_("scope"), max_length=40, unique=True)
    last_seq = models.PositiveBigIntegerField(_("last record"), default=0)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self) -> str:
        return self.scope

    def chain_links(self) -> models.QuerySet:
        return self.records.all()


class AuditRecord(ChainLink):
    """Who did what, when, to which object — never the content itself."""

    chain = models.ForeignKey(AuditChain, models.PROTECT, related_name="records", verbose_name=_("chain"))
    seq = models.PositiveBigIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=CanonicalEncoder)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_seq_unique")]
        indexes = [models.Index(fields=["chain", "-seq"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    chained = ("seq", "at", "actor", "action", "object_type", "object_id", "detail")
