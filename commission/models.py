"""The box-opening commission: its orders and members, meetings and protocols.

The openings of the box themselves, the paper forms and the opening book are in `openings`."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Membership, School


class Commission(models.Model):
    """The school's opening commission (one per school; its orders and members carry the history)."""

    school = models.OneToOneField(School, models.PROTECT, related_name="commission", verbose_name=_("school"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")

    def __str__(self) -> str:
        return str(self.school)


class Order(models.Model):
    """The director's order that appoints (or changes) the commission."""

    commission = models.ForeignKey(Commission, models.PROTECT, related_name="orders", verbose_name=_("commission"))
    number = models.CharField(_("order number"), max_length=40)
    issued_on = models.DateField(_("order date"))
    scan_sealed = models.BinaryField(_("scanned copy (sealed)"), null=True, blank=True)
    scan_type = models.CharField(_("scan file type"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"№{self.number} {self.issued_on:%Y-%m-%d}"


class Member(models.Model):
    """One person's time on the commission: from one date, until another (or still)."""

    commission = models.ForeignKey(Commission, models.PROTECT, related_name="members", verbose_name=_("commission"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_seats",
        verbose_name=_("account"),
        help_text=_("Members with an account confirm protocols in the app."),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(
        _("position"), max_length=20, choices=Membership.Position, default=Membership.Position.OTHER
    )
    position_note = models.CharField(_("position, in words"), max_length=200, blank=True)
    parents_representative = models.BooleanField(_("parents' representative"), default=False)
    responsible = models.BooleanField(
        _("responsible person"),
        default=False,
        help_text=_("Appointed by order to organise the collection and consideration of appeals."),
    )
    order = models.ForeignKey(
        Order, models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("appointed by order")
    )
    member_from = models.DateField(_("member from"))
    member_to = models.DateField(_("member until"), null=True, blank=True)
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        ordering = ["full_name", "pk"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def position_label(self) -> str:
        return self.position_note or str(self.get_position_display())

    def serves_on(self, day: dt.date) -> bool:
        return self.member_from <= day and (self.member_to is None or self.member_to >= day)


class Meeting(models.Model):
    """A meeting of the commission and its protocol."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft protocol")
        CIRCULATING = "circulating", _("awaiting members' confirmation")
        FINAL = "final", _("final")

    commission = models.ForeignKey(Commission, models.PROTECT, related_name="meetings", verbose_name=_("commission"))
    number = models.PositiveIntegerField(_("protocol number"))
    year = models.PositiveSmallIntegerField(_("school year from"))
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    first = models.BooleanField(
        _("first meeting of this composition"),
        default=False,
        help_text=_("The chair and the secretary are elected by open vote at the first meeting."),
    )
    attendees = models.ManyToManyField(Member, blank=True, related_name="meetings", verbose_name=_("present"))
    invited = models.CharField(
        _("also present (invited)"), max_length=300, blank=True, help_text=_("Names and positions, if anyone.")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    circulated_at = models.DateTimeField(_("sent for confirmation"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("final"), null=True, blank=True)
    protocol_digest = models.CharField(_("digest of the confirmed protocol"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "year", "number"], name="one_protocol_number_per_year")
        ]

    def __str__(self) -> str:
        return f"№{self.number} {self.held_on:%Y-%m-%d}"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class AgendaItem(models.Model):
    """One item of the agenda, in the protocol's form: heard — spoke — resolved."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="items", verbose_name=_("meeting"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("agenda item"), max_length=300)
    heard = models.TextField(_("heard"), blank=True, help_text=_("Who reported, and on what."))
    spoke = models.TextField(_("spoke"), blank=True, help_text=_("Who spoke and what they said, briefly."))
    resolved = models.TextField(_("resolved"), blank=True, help_text=_("The decision, as adopted."))
    object_ref = models.CharField(
        _("linked record"),
        max_length=100,
        blank=True,
        help_text=_("A record this item discusses, as app.model:id (for example a quarterly report)."),
    )
    election = models.OneToOneField(
        "Election", models.SET_NULL, null=True, blank=True, related_name="item", verbose_name=_("election")
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Election(models.Model):
    """An open vote at a meeting for the chair or the secretary."""

    class Office(models.TextChoices):
        CHAIR = "chair", _("chair")
        SECRETARY = "secretary", _("secretary")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="elections", verbose_name=_("meeting"))
    office = models.CharField(_("office"), max_length=10, choices=Office)
    present = models.PositiveSmallIntegerField(_("members present at the vote"))
    elected = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("elected")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [models.UniqueConstraint(fields=["meeting", "office"], name="one_election_per_office")]

    def __str__(self) -> str:
        return f"{self.get_office_display()} {self.meeting}"


class Candidate(models.Model):
    election = models.ForeignKey(Election, models.CASCADE, related_name="candidates", verbose_name=_("election"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="+", verbose_name=_("candidate"))
    votes_for = models.PositiveSmallIntegerField(_("for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("against"), default=0)
    abstained = models.PositiveSmallIntegerField(_("abstained"), default=0)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.member)


class Confirmation(models.Model):
    """A present member's confirmation of the protocol: in the app, or a paper signature recorded."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="confirmations", verbose_name=_("meeting"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="confirmations", verbose_name=_("member"))
    on_paper = models.BooleanField(_("signed on paper"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_confirmation_per_member")]

    def __str__(self) -> str:
        return f"{self.member} — {self.meeting}"
