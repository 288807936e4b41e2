from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schools.models import District, School


class Appeal(models.Model):
    """One appeal, online or from the physical box.

    Category, dates, channel, status, author kind and grade stay in the clear
    so statistics need no decryption; the text and the author's identity exist
    only as vault blobs sealed to the school's (or the district's) key.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("online box")
        PAPER = "paper", _("physical box")

    class AuthorKind(models.TextChoices):
        STUDENT = "student", _("student")
        PARENT = "parent", _("parent or legal representative")
        CITIZEN = "citizen", _("other citizen")

    class Category(models.TextChoices):
        CHILD_RIGHTS = "child_rights", _("children's rights")
        BULLYING = "bullying", _("bullying or violence")
        CORRUPTION = "corruption", _("corruption or extortion")
        SMOKING = "smoking", _("smoking, nasvay, alcohol")
        DISCIPLINE = "discipline", _("discipline")
        SUGGESTION = "suggestion", _("suggestion about teaching or school life")
        REQUEST = "request", _("request")
        WISH = "wish", _("wish or thanks")
        OTHER = "other", pgettext_lazy("category", "other")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        CONSIDERING = "considering", _("under consideration")
        MEASURES = "measures", _("measures taken")
        FORWARDED = "forwarded", _("forwarded to a competent body")
        CLOSED = "closed", _("answered and closed")
        DISMISSED = "dismissed", _("left without consideration")

    OPEN_STATUSES = (Status.REGISTERED, Status.CONSIDERING, Status.MEASURES, Status.FORWARDED)

    school = models.ForeignKey(School, models.PROTECT, related_name="appeals", verbose_name=_("school"))
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("sent to the district instead of the school"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    author_kind = models.CharField(_("who wrote"), max_length=10, choices=AuthorKind)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, default="ky")
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.REGISTERED)
    urgent = models.BooleanField(_("urgent"), default=False)
    received_at = models.DateTimeField(_("received"), db_index=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    journal_number = models.PositiveIntegerField(_("journal number"), null=True, blank=True)
    text_sealed = models.BinaryField(_("text (sealed)"))
    author_sealed = models.BinaryField(_("author (sealed)"), null=True, blank=True)
    receipt_hash = models.CharField(_("receipt code hash"), max_length=64, unique=True, null=True, blank=True)
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_appeals", verbose_name=_("handlers")
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            models.Index(fields=["school", "-received_at"]),
            models.Index(fields=["school", "status"]),
            models.Index(fields=["district", "-received_at"]),
        ]

    def __str__(self) -> str:
        return f"№{self.journal_number or '—'} {self.get_category_display()}"

    @property
    def vault_scope(self) -> str:
        return self.district.vault_scope if self.district_id else self.school.vault_scope
