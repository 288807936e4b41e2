from hashlib import sha256

from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from ishenim.chain import CHUNK, CanonicalEncoder, ChainHead, ChainLink
from schools.models import District, School


class Volume(ChainHead):
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
        owner = self.school or self.district
        assert owner is not None  # a volume belongs to a school or a district
        return owner.vault_scope

    def chain_links(self) -> models.QuerySet:
        return self.records.all()

    def verify_context(self) -> dict:
        # Entries whose sealed columns retention erased: their records may have `sealed` NULL.
        erased = self.records.filter(kind=Record.Kind.AMENDMENT, fields__has_key="erased")
        return {"number": 0, "erased": set(erased.values_list("entry_id", flat=True)), "stored": {}}


class Record(ChainLink):
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
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    number = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    entry = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="amendments", verbose_name=_("entry")
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", models.PROTECT, null=True, blank=True, related_name="records", verbose_name=_("appeal")
    )
    taken_on = models.DateField(_("date taken from the box"), null=True, blank=True)
    fields = models.JSONField(_("fields"), default=dict, encoder=CanonicalEncoder)
    sealed = models.BinaryField(_("sensitive columns (sealed)"), null=True, blank=True)
    sealed_digest = models.CharField(_("digest of the sealed columns"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("journal record")
        verbose_name_plural = _("journal records")
        constraints = [
            models.UniqueConstraint(fields=["volume", "seq"], name="journal_seq_unique"),
            models.UniqueConstraint(fields=["volume", "number"], name="journal_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.volume} #{self.seq}"

    chained = ("seq", "kind", "number", "entry", "appeal", "at", "taken_on", "fields", "sealed_digest", "actor")
    digested = (("sealed", "sealed_digest"),)

    @property
    def description(self) -> str:
        if self.kind == Record.Kind.ENTRY:
            return f"entry No. {self.number}"
        entry = Record.objects.filter(pk=self.entry_id).first() if self.entry_id else None
        return f"amendment to entry No. {entry.number if entry else '?'}"

    def link_problem(self, context: dict) -> str | None:
        if self.sealed is None and self.sealed_digest and (self.entry_id or self.pk) not in context["erased"]:
            return "sealed columns were erased"
        if self.sealed is not None and sha256(bytes(self.sealed)).hexdigest() != self.sealed_digest:
            return "sealed columns were replaced"
        if self.kind == Record.Kind.ENTRY:
            if self.number != context["number"] + 1:
                return "serial numbers are not consecutive"
            context["number"] = self.number
        if not _vouches(context["stored"], self.appeal_id, self.fields):
            return "stored appeal does not match the chain"
        return None

    @classmethod
    def rules_hold(cls, links: models.QuerySet) -> bool:
        """`link_problem` asked of a volume's links at once: sealed blobs erased only under
        retention, entries numbered 1, 2, 3 …, appeals' stored columns changed only as their
        records say (Python, over the records of appeals only). That each sealed blob matches its
        digest the bytes pass has checked already (`digested`)."""
        erased = links.filter(kind=cls.Kind.AMENDMENT, entry__isnull=False, fields__has_key="erased")
        erased_ids = erased.values("entry_id")
        unexplained = links.filter(sealed__isnull=True).exclude(sealed_digest="")
        if unexplained.exclude(entry__in=erased_ids).exclude(entry__isnull=True, pk__in=erased_ids).exists():
            return False
        numbered, params = links.filter(kind=cls.Kind.ENTRY).order_by().values("seq", "number").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT number, row_number() OVER (ORDER BY seq) AS n FROM "  # noqa: S608 - the ORM's SQL
                f"({numbered}) AS entries) AS numbered WHERE number IS NULL OR number <> n",
                params,
            )
            if cursor.fetchone()[0]:
                return False
        stored: dict = {}
        appeals = links.filter(appeal__isnull=False).order_by("seq").values_list("appeal_id", "fields")
        return all(_vouches(stored, appeal, fields) for appeal, fields in appeals.iterator(chunk_size=CHUNK))


def _vouches(stored_by_appeal: dict, appeal_id: int | None, fields: dict) -> bool:
    """A record's `stored` (the appeal's columns as its record vouches for them) follows the
    appeal's previous one as `_explained` allows; remembered for the next record of the appeal."""
    stored = fields.get("stored") if appeal_id else None
    if not isinstance(stored, dict):
        return True
    if not _explained(stored_by_appeal.get(appeal_id, {}), stored, fields):
        return False
    stored_by_appeal[appeal_id] = stored
    return True


# The only records after which an appeal's sealed columns may hold other bytes.
CONTENT_EVENTS = frozenset({"extended", "resealed"})


def _explained(before: dict, after: dict, fields: dict) -> bool:
    """Between two records of one appeal, the stored row changed only as the later record says:
    status and category as its fields say (or as before), sealed bytes only when it extends the
    deadline (a reason), reseals them, or erases them under retention. So a record written after
    a quiet edit does not make it look legitimate."""
    if any(after.get(key) != fields.get(key, before.get(key, after.get(key))) for key in ("status", "category")):
        return False
    return (
        not before
        or after.get("content") == before.get("content")
        or ("erased" in fields or fields.get("event") in CONTENT_EVENTS)
    )
