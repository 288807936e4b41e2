"""The openings of the box: who was there, the seals, the letters found; the paper forms'
receipt stubs; and the opening book (append-only, hash-chained), a school year's record of every
opening and every meeting protocol of the commission."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from commission.models import Meeting, Member
from ishenim.chain import CanonicalEncoder, ChainHead, ChainLink
from schools.models import School


class Opening(models.Model):
    """One opening of the physical box: who was there, the seals, the letters found."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("in progress")
        DONE = "done", _("recorded")

    class SealState(models.TextChoices):
        INTACT = "intact", _("intact")
        BROKEN = "broken", _("broken or tampered with")
        MISSING = "missing", pgettext_lazy("seal", "missing")

    class Step(models.TextChoices):
        PRESENT = "present", _("Who is present")
        SEAL = "seal", _("The seal found")
        COUNT = "count", _("Letters found")
        LETTERS = "letters", _("Letters")
        CLOSE = "close", _("New seal")

    school = models.ForeignKey(School, models.PROTECT, related_name="openings", verbose_name=_("school"))
    planned_for = models.DateTimeField(_("planned for"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    step = models.CharField(_("step"), max_length=10, choices=Step, default=Step.PRESENT)
    present = models.ManyToManyField(Member, blank=True, related_name="openings", verbose_name=_("present"))
    seal_found_number = models.CharField(_("seal number found"), max_length=40, blank=True)
    seal_found_state = models.CharField(_("seal state"), max_length=10, choices=SealState, blank=True)
    seal_expected_number = models.CharField(_("seal number put on the box last time"), max_length=40, blank=True)
    incident_note = models.TextField(_("what was seen"), blank=True)
    letters_found = models.PositiveSmallIntegerField(_("letters found"), null=True, blank=True)
    new_seal_number = models.CharField(_("new seal number"), max_length=40, blank=True)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    act_number = models.PositiveIntegerField(_("act number"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)

    class Meta:
        verbose_name = _("box opening")
        verbose_name_plural = _("box openings")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["school", "-opened_at"])]

    def __str__(self) -> str:
        return f"{self.school} {timezone.localtime(self.opened_at):%Y-%m-%d %H:%M}"

    @property
    def seal_broken(self) -> bool:
        """An incident: the seal is broken or missing, or is not the one put on the box last time."""
        return self.seal_found_state in (self.SealState.BROKEN, self.SealState.MISSING) or self.seal_replaced

    @property
    def seal_replaced(self) -> bool:
        return bool(
            self.seal_expected_number and self.seal_found_number and self.seal_found_number != self.seal_expected_number
        )


class Letter(models.Model):
    """A letter found at an opening, registered as an appeal in the registration journal."""

    opening = models.ForeignKey(Opening, models.PROTECT, related_name="letters", verbose_name=_("opening"))
    position = models.PositiveSmallIntegerField(_("letter"))
    appeal = models.OneToOneField(
        "appeals.Appeal", models.PROTECT, related_name="paper_letter", verbose_name=_("appeal")
    )
    pages = models.PositiveSmallIntegerField(_("pages scanned"), default=0)
    with_stub = models.BooleanField(_("carried a stub code"), default=False)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["opening", "position"], name="one_letter_per_position")]

    def __str__(self) -> str:
        return f"{self.opening} #{self.position}"


class Page(models.Model):
    """A photo or scan of a page of the letter being entered, sealed and kept on the opening while its
    form is not complete; when the letter is registered it moves to the appeal's attachments."""

    opening = models.ForeignKey(Opening, models.CASCADE, related_name="pages", verbose_name=_("opening"))
    sealed = models.BinaryField(_("file (sealed)"))
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.opening} page {self.pk}"


class StubBatch(models.Model):
    """A batch of printed paper forms, each with a tear-off stub and its receipt code."""

    class Size(models.TextChoices):
        A4 = "A4", _("A4, one form per sheet")
        A5 = "A5", _("A5, one form per half sheet")

    school = models.ForeignKey(School, models.PROTECT, related_name="stub_batches", verbose_name=_("school"))
    count = models.PositiveSmallIntegerField(_("forms"))
    size = models.CharField(_("paper size"), max_length=2, choices=Size, default=Size.A4)
    language = models.CharField(_("language"), max_length=5, default="ky")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("printed by")
    )
    created_at = models.DateTimeField(_("printed"), auto_now_add=True)

    class Meta:
        verbose_name = _("batch of paper forms")
        verbose_name_plural = _("batches of paper forms")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.created_at:%Y-%m-%d} ×{self.count}"


class Stub(models.Model):
    """One receipt code printed on a stub, kept only as its keyed hash; it works once."""

    batch = models.ForeignKey(StubBatch, models.PROTECT, related_name="stubs", verbose_name=_("batch"))
    # The form that goes into the box shows only the form number (batch, position, check digit);
    # the commission links the letter by it, and the code stays on the stub the writer keeps.
    position = models.PositiveSmallIntegerField(_("form in the batch"), null=True, blank=True)
    code_hash = models.CharField(_("receipt code hash"), max_length=64, unique=True)
    writer_public_key = models.BinaryField(_("writer public key"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    appeal = models.OneToOneField(
        "appeals.Appeal", models.PROTECT, null=True, blank=True, related_name="stub", verbose_name=_("appeal")
    )

    class Meta:
        verbose_name = _("receipt stub")
        verbose_name_plural = _("receipt stubs")
        constraints = [models.UniqueConstraint(fields=["batch", "position"], name="one_stub_per_form_position")]

    def __str__(self) -> str:
        return self.code_hash[:12]


class Book(ChainHead):
    """One volume of the box-opening journal: a school's school year. Its head is the last entry's hash."""

    school = models.ForeignKey(School, models.PROTECT, related_name="opening_books", verbose_name=_("school"))
    year = models.PositiveSmallIntegerField(_("school year from"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("box-opening journal")
        verbose_name_plural = _("box-opening journals")
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="one_opening_book_per_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.year}–{self.year + 1}"

    def chain_links(self) -> models.QuerySet:
        return self.entries.all()


class Entry(ChainLink):
    """One line of the box-opening journal: an opening with its seals, or a meeting's protocol.

    Entries are never updated or deleted; `fields` holds everything written,
    and the chain covers it.
    """

    class Kind(models.TextChoices):
        OPENING = "opening", _("box opening")
        PROTOCOL = "protocol", _("meeting protocol")

    book = models.ForeignKey(Book, models.PROTECT, related_name="entries", verbose_name=_("journal"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    opening = models.OneToOneField(
        Opening, models.PROTECT, null=True, blank=True, related_name="entry", verbose_name=_("opening")
    )
    meeting = models.OneToOneField(
        Meeting, models.PROTECT, null=True, blank=True, related_name="entry", verbose_name=_("meeting")
    )
    fields = models.JSONField(_("fields"), default=dict, encoder=CanonicalEncoder)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("box-opening journal entry")
        verbose_name_plural = _("box-opening journal entries")
        ordering = ["book", "seq"]
        constraints = [models.UniqueConstraint(fields=["book", "seq"], name="opening_entry_seq_unique")]

    def __str__(self) -> str:
        return f"{self.book} #{self.seq}"

    chained = ("seq", "kind", "opening", "meeting", "at", "fields", "actor")
