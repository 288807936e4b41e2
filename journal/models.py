from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ishenim.chain import GENESIS
from schools.models import District, School


class Volume(models.Model):
    """One bound volume of the registration journal: a school's (or a district
    office's) school year. Its head is the last record's hash."""

    school = models.ForeignKey(
        School, models.PROTECT, null=True, blank=True, related_name="volumes", verbose_name=_("school")
    )
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="volumes", verbose_name=_("district")
    )
    year = models.PositiveSmallIntegerField(_("school year from"))
    last_number = models.PositiveIntegerField(_("last serial number"), default=0)
    last_seq = models.PositiveIntegerField(_("last record"), default=0)
    head_hash = models.CharField(_("head hash"), max_length=64, default=GENESIS)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal volume")
        verbose_name_plural = _("journal volumes")
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="one_volume_per_school_year"),
            models.UniqueConstraint(fields=["district", "year"], name="one_volume_per_district_year"),
            models.CheckConstraint(
                condition=models.Q(school__isnull=False, district__isnull=True)
                | models.Q(school__isnull=True, district__isnull=False),
                name="volume_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school or self.district} {self.year}–{self.year + 1}"

    @property
    def vault_scope(self) -> str:
        return (self.school or self.district).vault_scope


class Record(models.Model):
    """One line of the journal: an entry (a registered appeal, with its serial
    number) or an amendment to an entry (measures, status, correction).

    Records are never updated or deleted. `fields` holds what may stay in the
    clear; `sealed` holds the sensitive columns as one vault blob, and the chain
    covers its digest so retention can erase the blob without breaking it.
    """

    class Kind(models.TextChoices):
        ENTRY = "entry", _("entry")
        AMENDMENT = "amendment", _("amendment")

    volume = models.ForeignKey(Volume, models.PROTECT, related_name="records", verbose_name=_("volume"))
    seq = models.PositiveIntegerField(_("record"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    number = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    entry = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="amendments", verbose_name=_("entry")
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", models.PROTECT, null=True, blank=True, related_name="records", verbose_name=_("appeal")
    )
    at = models.DateTimeField(_("recorded"))
    taken_on = models.DateField(_("date taken from the box"), null=True, blank=True)
    fields = models.JSONField(_("fields"), default=dict)
    sealed = models.BinaryField(_("sensitive columns (sealed)"), null=True, blank=True)
    sealed_digest = models.CharField(_("digest of the sealed columns"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("journal record")
        verbose_name_plural = _("journal records")
        constraints = [
            models.UniqueConstraint(fields=["volume", "seq"], name="journal_seq_unique"),
            models.UniqueConstraint(fields=["volume", "number"], name="journal_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.volume} #{self.seq}"

    def chained_fields(self) -> dict:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "number": self.number,
            "entry": self.entry_id,
            "appeal": self.appeal_id,
            "at": self.at.isoformat(),
            "taken_on": self.taken_on.isoformat() if self.taken_on else None,
            "fields": self.fields,
            "sealed_digest": self.sealed_digest,
            "actor": self.actor_id,
        }
