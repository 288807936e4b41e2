from django.conf import settings
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ishenim.chain import CanonicalEncoder, ChainHead, ChainLink
from schools.models import District, School


class InWritten(In):
    """`column IN (…)` with the values written into the SQL instead of sent as parameters. SQLite
    uses a partial index only when the query states the index's condition in the same words, and
    a parameter is not the same words as the value the index was made with. For constants of the
    code only: each value must be a plain lowercase word."""

    def process_rhs(self, compiler, connection):
        values = list(self.rhs)
        if not all(isinstance(value, str) and value.isidentifier() and value.islower() for value in values):
            raise ValueError(f"InWritten takes constants of the code, not {values!r}")
        return "(" + ", ".join(f"'{value}'" for value in values) + ")", ()


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

    class UrgentReason(models.TextChoices):
        WRITER = "writer", _("the writer said someone is in danger right now")
        STAFF = "staff", _("marked urgent by staff at the opening")
        WORDS = "words", _("danger words found in the text")

    class DismissalReason(models.TextChoices):
        NO_SUBSTANCE = "no_substance", _("says nothing that can be considered")
        DUPLICATE = "duplicate", _("repeats an appeal already considered")
        NOT_OURS = "not_ours", _("outside the school's competence, nowhere to forward")
        ABUSIVE = "abusive", _("obscene or abusive language only")
        WITHDRAWN = "withdrawn", _("withdrawn by the author")
        OTHER = "other", pgettext_lazy("dismissal reason", "other")

    class Place(models.TextChoices):
        CLASSROOM = "classroom", _("classroom")
        CORRIDOR = "corridor", _("corridor")
        TOILETS = "toilets", _("toilets")
        CANTEEN = "canteen", _("canteen")
        YARD = "yard", _("school yard")
        GYM = "gym", _("sports hall")
        WAY = "way", _("the way to school")
        ONLINE = "online", _("online and social media")
        HOME = "home", pgettext_lazy("place", "home")
        OTHER = "other", pgettext_lazy("place", "other")

    class GradeBand(models.TextChoices):
        PRIMARY = "1-4", _("grades 1–4")
        MIDDLE = "5-6", _("grades 5–6")
        UPPER = "7-9", _("grades 7–9")
        SENIOR = "10-11", _("grades 10–11")

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
    # Why: a person said so (the writer's choice on the form, staff at an opening) or triage found words.
    urgent_reason = models.CharField(_("why urgent"), max_length=10, choices=UrgentReason, blank=True)
    # Concept codes of appeals.triage (e.g. "suicide,domestic"), never words of the text: what district
    # officers, who hold no key to the content, see of an urgent appeal the alert brought to them.
    urgent_concepts = models.CharField(_("kinds of danger found"), max_length=120, blank=True)
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
    # Case handling: an extended deadline and why; why it was left without consideration.
    extended_due_on = models.DateField(_("answer due after extension"), null=True, blank=True)
    extension_reason_sealed = models.BinaryField(_("reason for the extension (sealed)"), null=True, blank=True)
    dismissal_reason = models.CharField(
        _("reason left without consideration"), max_length=20, choices=DismissalReason, blank=True
    )
    # R22: an urgent appeal needs a person on it; until then the alert climbs one level
    # (responsible person -> director -> district officer) each time escalate_at passes.
    acknowledged_at = models.DateTimeField(_("seen by staff"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("seen by")
    )
    escalation_level = models.PositiveSmallIntegerField(_("alert level"), default=0)
    escalate_at = models.DateTimeField(_("alert goes up at"), null=True, blank=True, db_index=True)
    # Facts staff record in the clear so the report can find causes (R20): never identity or text.
    place = models.CharField(_("where it happened"), max_length=12, choices=Place, blank=True)
    grade_band = models.CharField(_("grade band"), max_length=5, choices=GradeBand, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            models.Index(fields=["school", "-received_at"]),
            # A status's appeals, counted by the index alone (the inbox's capped count of a status
            # filter): the district is in it, as every staff list asks whether it is set.
            models.Index(fields=["school", "status"], include=["district"], name="appeal_school_status"),
            models.Index(fields=["district", "-received_at"]),
            # The inbox's urgent tab (few among many).
            models.Index(fields=["school", "-received_at"], condition=Q(urgent=True), name="appeal_urgent_recent"),
            # The urgent appeals pinned above the inbox's first page while open, in the page's order
            # (nobody on it yet first, R22; `selectors.inbox_split`): the page reads its first rows,
            # however many there are. "Nobody yet" is a column of its own: SQLite cannot index NULLS
            # FIRST, and the databases sort NULL at opposite ends. The status and the filters on clear
            # fields are checked in the index, not in the rows; the condition names no status, as
            # SQLite uses a partial index only when the query says its condition literally, and Django
            # sends the statuses as parameters.
            models.Index(
                F("school"),
                ExpressionWrapper(Q(acknowledged_at__isnull=False), output_field=models.BooleanField()),
                F("acknowledged_at"),
                F("received_at").desc(),
                F("id").desc(),
                F("status"),
                F("category"),
                F("channel"),
                condition=Q(urgent=True),
                name="appeal_urgent_pinned",
            ),
            # The dashboard's open cases (`reports.selectors.open_cases`): its list is the index's
            # first rows, its counts read the index alone. The statuses are OPEN_STATUSES.
            models.Index(
                F("school"),
                F("urgent").desc(),
                Coalesce("extended_due_on", "due_on"),
                F("received_at"),
                condition=Q(status__in=("registered", "considering", "measures", "forwarded"), district__isnull=True),
                include=["id", "due_on", "extended_due_on", "journal_number", "category", "channel", "status"],
                name="appeal_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"№{self.journal_number or '—'} {self.get_category_display()}"

    @classmethod
    def open_condition(cls) -> InWritten:
        """The open appeals, in the words of `appeal_open_due`'s condition, so SQLite can use it."""
        return InWritten(F("status"), cls.OPEN_STATUSES)

    @property
    def vault_scope(self) -> str:
        return self.district.vault_scope if self.district is not None else self.school.vault_scope

    @classmethod
    def band_for_grade(cls, grade: int | None) -> str:
        """The grade band a grade falls in ("" when the grade is unknown or outside 1–11)."""
        for band in cls.GradeBand:
            low, high = (int(part) for part in band.value.split("-"))
            if grade is not None and low <= grade <= high:
                return band.value
        return ""

    # Deadlines (case handling): the inbox and the case pages show these.
    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def due(self):
        """The date the answer is due, after any extension."""
        return self.extended_due_on or self.due_on

    def days_left(self, today=None) -> int | None:
        """Working days until the answer is due (0 on the day, negative when late); None once closed."""
        from django.utils import timezone

        from ishenim.workdays import working_days_between

        if not self.is_open or self.due() is None:
            return None
        today = today or timezone.localdate()
        if self.due() < today:  # a late case counts at least one day late, even over a weekend
            return -max(1, working_days_between(self.due(), today))
        return working_days_between(today, self.due())

    def is_overdue(self, today=None) -> bool:
        left = self.days_left(today)
        return left is not None and left < 0

    def register_due(self):
        """Registration is due within REGISTER_WITHIN_WORKING_DAYS of receipt (for the box: of the opening)."""
        from django.utils import timezone

        from ishenim.workdays import add_working_days

        days = settings.ISHENIM["REGISTER_WITHIN_WORKING_DAYS"]
        return add_working_days(timezone.localdate(self.received_at), days)

    def registered_late(self) -> bool:
        from django.utils import timezone

        return bool(self.registered_at) and timezone.localdate(self.registered_at) > self.register_due()


class StoredQuerySet(models.QuerySet):
    """Bulk creates and updates that keep the chain of the appeal's rows (`appeals.stored`) in step."""

    def bulk_create(self, objs, *args, **kwargs):
        from appeals.stored import stored_chain

        with transaction.atomic():
            made = super().bulk_create(objs, *args, **kwargs)
            stored_chain(self.model, [row.pk for row in made])
        return made

    def update(self, **kwargs):
        from appeals.stored import stored_chain, stored_columns

        with transaction.atomic():
            rows = list(self.values_list("pk", flat=True)) if stored_columns(self.model, kwargs) else []
            count = super().update(**kwargs)
            stored_chain(self.model, rows, changed=list(kwargs))
        return count


class StoredRow(models.Model):
    """A row beside an appeal (a message, note, answer, forwarding, attachment, follow-up):
    every save, bulk create and update through the ORM appends a link with the row's columns
    as stored to its office's chain (`appeals.stored`), so `ishenim verify` finds a quiet edit."""

    objects = StoredQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, linked: bool = True, **kwargs):
        """`linked=False` only for a row its appeal's journal entry vouches for as it is stored
        (a new appeal's follow-up: `appeals.stored.stored_in_entry`), in the same transaction."""
        from appeals.stored import stored_chain

        adding = self._state.adding
        with transaction.atomic(savepoint=False):  # the row and its link: one savepoint-free unit
            super().save(*args, **kwargs)
            if linked:
                fields = kwargs.get("update_fields")
                stored_chain(type(self), [self.pk], changed=None if adding else list(fields or stored_all(self)))


def stored_all(row: models.Model) -> list[str]:
    return [field.attname for field in row._meta.concrete_fields]


class Note(StoredRow):
    """An internal note on a case: staff only, never shown to the writer, sealed."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="notes", verbose_name=_("appeal"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=pgettext_lazy("note", "author")
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    text_sealed = models.BinaryField(_("text (sealed)"))

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal} — {self.created_at:%Y-%m-%d}"


class Involvement(models.Model):
    """Who is involved in a case, by role only (never a name): one row per role."""

    class Who(models.TextChoices):
        CLASSMATES = "classmates", _("classmates")
        OLDER = "older", _("older students")
        TEACHER = "teacher", _("a teacher")
        STAFF = "staff", _("other staff")
        FAMILY = "family", _("family")
        OUTSIDER = "outsider", _("someone from outside the school")

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="involved", verbose_name=_("appeal"))
    who = models.CharField(_("who is involved"), max_length=12, choices=Who)

    class Meta:
        verbose_name = _("person involved")
        verbose_name_plural = _("people involved")
        constraints = [models.UniqueConstraint(fields=["appeal", "who"], name="one_involvement_per_role")]

    def __str__(self) -> str:
        return f"{self.appeal} {self.get_who_display()}"


class Measure(models.Model):
    """A measure taken on a case, by kind; its description stays sealed in the journal (column f)."""

    class Kind(models.TextChoices):
        TALK_STUDENT = "talk_student", _("talk with the student")
        TALK_PARENTS = "talk_parents", _("talk with the parents")
        PSYCHOLOGIST = "psychologist", _("sessions with the psychologist")
        ORGANISATION = "organisation", _("a change in the school's organisation")
        DISCIPLINE = "discipline", _("disciplinary measure")
        JUVENILE = "juvenile", _("referral to the juvenile affairs inspectorate")
        SOCIAL = "social", _("referral to social protection")
        HEALTH = "health", _("referral to health services")
        DISTRICT = "district", _("referral to the district education department")
        OTHER = "other", pgettext_lazy("measure", "other")

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="measure_kinds", verbose_name=_("appeal"))
    kind = models.CharField(_("kind of measure"), max_length=12, choices=Kind)
    taken_on = models.DateField(_("taken on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["taken_on", "pk"]
        indexes = [models.Index(fields=["kind", "appeal"])]

    def __str__(self) -> str:
        return f"{self.appeal} {self.get_kind_display()}"


class Forwarding(StoredRow):
    """The appeal sent on to a competent body, with the date and the cover letter."""

    class Body(models.TextChoices):
        POLICE = "police", _("juvenile affairs inspector (police)")
        HELPLINE = "helpline", _("children's helpline 111")
        DISTRICT = "district", _("district education department")
        OMBUDSMAN = "ombudsman", _("Ombudsman (Akyikatchy)")
        OTHER = "other", pgettext_lazy("competent body", "other")

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="forwardings", verbose_name=_("appeal"))
    body = models.CharField(_("competent body"), max_length=12, choices=Body)
    addressee = models.CharField(
        _("addressee"), max_length=200, blank=True, help_text=_("The office or official's title, as on the envelope.")
    )
    forwarded_on = models.DateField(_("forwarded on"))
    cover_sealed = models.BinaryField(_("cover letter text (sealed)"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        ordering = ["forwarded_on", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal} → {self.get_body_display()}"

    @property
    def body_name(self) -> str:
        return self.addressee or str(self.get_body_display())


class Answer(StoredRow):
    """The answer given to the author, and how it was given."""

    class Mode(models.TextChoices):
        RECEIPT = "receipt", _("online, through the receipt code")
        LETTER = "letter", _("letter")
        PHONE = "phone", _("phone call")
        MEETING = "meeting", _("meeting in person")

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="answers", verbose_name=_("appeal"))
    mode = models.CharField(_("answer given by"), max_length=10, choices=Mode)
    given_on = models.DateField(_("given on"))
    text_sealed = models.BinaryField(_("text (sealed)"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal} — {self.get_mode_display()}"


# --- The online box: follow-up, messages, attachments, triage words (intake) ---


class FollowUp(StoredRow):
    """The writer's side of an online appeal.

    Staff replies must be readable by an anonymous writer who holds nothing but
    the receipt code, and by nobody else: the code deterministically gives an
    X25519 key pair (see `appeals.followup`), whose public half is kept here.
    Replies are sealed to it in addition to the school's key.
    """

    class Solved(models.TextChoices):
        YES = "yes", _("yes, the problem was solved")
        PARTLY = "partly", _("partly")
        NO = "no", _("no, it was not solved")

    appeal = models.OneToOneField(Appeal, models.CASCADE, related_name="followup", verbose_name=_("appeal"))
    writer_key_id = models.UUIDField(_("writer key id"))
    writer_public_key = models.BinaryField(_("writer public key"))
    text_for_writer = models.BinaryField(_("text sealed for the writer"), null=True, blank=True)
    solved = models.CharField(_("was the problem solved"), max_length=10, choices=Solved, blank=True)
    solved_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    # "Not solved": the writer may send the case on to the district, once; this is the appeal it became there.
    district_appeal = models.OneToOneField(
        Appeal,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_on_from",
        verbose_name=_("sent on to the district as"),
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return str(self.appeal)


class Message(StoredRow):
    """One message of the anonymous two-way conversation, or the official answer."""

    class Side(models.TextChoices):
        WRITER = "writer", _("writer")
        STAFF = "staff", _("school")
        ANSWER = "answer", _("official answer")

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="messages", verbose_name=_("appeal"))
    side = models.CharField(_("from"), max_length=10, choices=Side)
    body_sealed = models.BinaryField(_("text (sealed)"))
    body_for_writer = models.BinaryField(_("text sealed for the writer"), null=True, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sent by")
    )
    created_at = models.DateTimeField(_("sent"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["appeal", "side", "read_at"]),
            # The inbox's "new messages" tab: the few unread writers' messages, not every message.
            models.Index(fields=["appeal"], condition=Q(side="writer", read_at=None), name="message_unread_writer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(StoredRow):
    """A photo or document sent with an online appeal: re-encoded, then sealed."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("photo")
        DOCUMENT = "document", _("document")

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="attachments", verbose_name=_("appeal"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size in bytes"))
    name_sealed = models.BinaryField(_("file name (sealed)"))
    content_sealed = models.BinaryField(_("content (sealed)"))
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class UrgentWords(models.Model):
    """A school's own additions to the urgent-word list (see `appeals.triage`)."""

    school = models.OneToOneField(School, models.CASCADE, related_name="urgent_words", verbose_name=_("school"))
    words = models.TextField(
        _("extra urgent words"),
        blank=True,
        help_text=_("One word or phrase a line. A * at the end matches every ending: «коркут*»."),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("urgent words of a school")
        verbose_name_plural = _("urgent words of schools")

    def __str__(self) -> str:
        return str(self.school)


class StoredChain(ChainHead):
    """The chain of one office's rows beside its appeals (`appeals.stored`); its scope is the
    office's key scope ("school:12", "district:3")."""

    scope = models.CharField(_("scope"), max_length=40, unique=True)
    last_seq = models.PositiveBigIntegerField(_("last record"), default=0)

    class Meta:
        verbose_name = _("chain of an appeal's messages, notes and files")
        verbose_name_plural = _("chains of appeals' messages, notes and files")

    def __str__(self) -> str:
        return self.scope

    def chain_links(self) -> models.QuerySet:
        return self.links.all()

    def verify_context(self) -> dict:
        return {"rows": {}}


class StoredLink(ChainLink):
    """One write of a row beside an appeal: its columns as stored then (each blob as its SHA-256),
    and for a change, which columns the writer changed."""

    class Event(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")

    chain = models.ForeignKey(StoredChain, models.PROTECT, related_name="links", verbose_name=_("chain"))
    seq = models.PositiveBigIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=20)
    row = models.PositiveBigIntegerField(_("row"))
    event = models.CharField(_("event"), max_length=10, choices=Event)
    changed = models.JSONField(_("columns changed"), default=list, blank=True, encoder=CanonicalEncoder)
    columns = models.JSONField(_("columns as stored"), default=dict, encoder=CanonicalEncoder)

    class Meta:
        verbose_name = _("chained write of an appeal's row")
        verbose_name_plural = _("chained writes of appeals' rows")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="stored_seq_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.row} ({self.event})"

    @property
    def description(self) -> str:
        return f"{self.kind} {self.row}, {self.event}"

    chained = ("seq", "at", "kind", "row", "event", "changed", "columns")

    def link_problem(self, context: dict) -> str | None:
        return stored_link_problem(
            context["rows"], self.seq, self.kind, self.row, self.event, self.changed, self.columns
        )


def stored_link_problem(
    rows: dict, seq: int, kind: str, row: int, event: str, changed: list, columns: dict
) -> str | None:
    """A row is added once; a later write changes only the columns it names, so a write after a
    quiet edit does not vouch for the edit. `rows` holds (seq, columns) of each row's last link."""
    before = rows.get((kind, row))
    if (before is None) != (event == StoredLink.Event.ADDED):
        return "stored row does not match the chain"
    if before is not None:
        differ = {name for name in before[1].keys() | columns.keys() if before[1].get(name) != columns.get(name)}
        if not differ <= set(changed):
            return "stored row does not match the chain"
    rows[(kind, row)] = (seq, columns)
    return None
