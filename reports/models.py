from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appeals.models import Appeal, Measure
from schools.models import School


class DutyRun(models.Model):
    """One run of a periodic duty for one period: the row is the guard.

    `ishenim tick` inserts the row before doing the work; the unique key makes a
    second tick (the next minute, or a concurrent one) skip the same duty for
    the same period. A run that died half-way is taken over after an hour.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    duty = models.CharField(_("duty"), max_length=40)
    key = models.CharField(_("period"), max_length=120)
    school = models.ForeignKey(
        School, models.CASCADE, null=True, blank=True, related_name="duty_runs", verbose_name=_("school")
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty run")
        verbose_name_plural = _("duty runs")
        constraints = [models.UniqueConstraint(fields=["duty", "key"], name="one_run_per_duty_period")]
        indexes = [models.Index(fields=["school", "duty", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.duty} {self.key}"


class ReportLanguage(models.Model):
    """The language a person wants their report emails and documents in.

    Set explicitly on the reports pages; without a row, the site's default
    language (Kyrgyz) is used.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="report_language", verbose_name=_("user")
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("report language")
        verbose_name_plural = _("report languages")

    def __str__(self) -> str:
        return f"{self.user} {self.language}"


class WeeklySummary(models.Model):
    """The weekly summary to the director (R18): figures of one week, frozen."""

    school = models.ForeignKey(School, models.CASCADE, related_name="weekly_summaries", verbose_name=_("school"))
    week_start = models.DateField(_("from"))
    week_end = models.DateField(_("to"), help_text=_("The last day included."))
    figures = models.JSONField(_("figures"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("weekly summary")
        verbose_name_plural = _("weekly summaries")
        ordering = ["-week_end"]
        constraints = [models.UniqueConstraint(fields=["school", "week_end"], name="one_summary_per_school_week")]

    def __str__(self) -> str:
        return f"{self.school} {self.week_start}–{self.week_end}"


class QuarterlyReport(models.Model):
    """The quarterly analytical report (R19, R20).

    Drafted by `ishenim tick` after the quarter ends; the responsible person
    writes the analysis and measures; it goes on a commission meeting's agenda;
    once discussed it is finalised, its figures frozen, and it is locked.

    The analysis and measures are kept in the clear on purpose: the report is
    read by the whole commission (including the parents' representative, who
    holds no content key) and by the district, so it must not identify anyone.
    The form says so, and the text is about causes and measures, not people.
    """

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("report state", "draft")
        ON_AGENDA = "agenda", pgettext_lazy("report state", "on a meeting's agenda")
        FINAL = "final", pgettext_lazy("report state", "final")

    school = models.ForeignKey(School, models.CASCADE, related_name="quarterly_reports", verbose_name=_("school"))
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The calendar year, or the year the school year began.")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    mode = models.CharField(_("quarters"), max_length=10, choices=School.QuarterMode)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"), help_text=_("The last day included."))
    due_on = models.DateField(_("due by"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    analysis = models.TextField(_("analysis"), blank=True)
    measures = models.TextField(_("proposed measures"), blank=True)
    figures = models.JSONField(_("figures (frozen when final)"), default=dict, blank=True)
    drafted_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    meeting_ref = models.CharField(_("meeting"), max_length=200, blank=True)
    agenda_at = models.DateTimeField(_("put on the agenda"), null=True, blank=True)
    discussed_on = models.DateField(_("discussed at the meeting on"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "period_start"], name="one_report_per_school_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year} Q{self.quarter}"

    @property
    def locked(self) -> bool:
        return self.state == self.State.FINAL

    @property
    def on_time(self) -> bool | None:
        """Put to the commission by the due date (on the agenda, or discussed)? None while neither happened."""
        from django.utils import timezone

        days = [d for d in (self.discussed_on, self.agenda_at and timezone.localdate(self.agenda_at)) if d]
        return min(days) <= self.due_on if days else None


class Action(models.Model):
    """A school-level measure decided in a quarterly report or at a commission meeting (R20),
    with an owner and a due date, so the next report can show whether it was carried out."""

    school = models.ForeignKey(School, models.CASCADE, related_name="actions", verbose_name=_("school"))
    report = models.ForeignKey(
        QuarterlyReport,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("decided in the quarterly report"),
    )
    meeting = models.ForeignKey(
        "commission.Meeting",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("decided at the meeting"),
    )
    title = models.CharField(
        _("measure"),
        max_length=200,
        help_text=_("A measure for the whole school, e.g. 'a teacher on duty in the yard at breaks'. No names."),
    )
    kind = models.CharField(_("kind of measure"), max_length=12, choices=Measure.Kind)
    category = models.CharField(_("category"), max_length=20, choices=Appeal.Category, blank=True)
    place = models.CharField(_("where"), max_length=12, choices=Appeal.Place, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="report_actions", verbose_name=_("responsible")
    )
    decided_on = models.DateField(_("decided on"))
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["school", "decided_on"]), models.Index(fields=["owner", "done_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today=None) -> bool:
        from django.utils import timezone

        return not self.done and self.due_on < (today or timezone.localdate())


class Subject(models.Model):
    """A recurring subject of appeals at one school, named without identifying anyone
    ("canteen queue", "phones in class"), so the report can show what came back (R20)."""

    school = models.ForeignKey(School, models.CASCADE, related_name="subjects", verbose_name=_("school"))
    name = models.CharField(_("subject"), max_length=120)
    appeals = models.ManyToManyField(
        "appeals.Appeal", through="SubjectTag", related_name="subjects", verbose_name=_("appeals")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="one_subject_name_per_school")]

    def __str__(self) -> str:
        return self.name


class SubjectTag(models.Model):
    subject = models.ForeignKey(Subject, models.CASCADE, related_name="tags", verbose_name=_("subject"))
    appeal = models.ForeignKey("appeals.Appeal", models.CASCADE, related_name="+", verbose_name=_("appeal"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subject of an appeal")
        verbose_name_plural = _("subjects of appeals")
        constraints = [models.UniqueConstraint(fields=["subject", "appeal"], name="one_tag_per_subject_appeal")]

    def __str__(self) -> str:
        return f"{self.subject} #{self.appeal_id}"


class Attestation(models.Model):
    """What the machine cannot check, confirmed by a person for one school year (R06, R21).

    The compliance page shows "confirmed by <person> on <date>" from the latest of
    these; without one for the current school year the requirement is not shown as kept.
    """

    class Requirement(models.TextChoices):
        WEBSITE = "R06", _("the box's public page is on the school's website")
        CONFIDENTIALITY = "R21", _("everyone who handles appeals was instructed in confidentiality and signed for it")

    school = models.ForeignKey(School, models.CASCADE, related_name="attestations", verbose_name=_("school"))
    requirement = models.CharField(_("requirement"), max_length=3, choices=Requirement)
    confirmed_on = models.DateField(_("confirmed on"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    note = models.CharField(_("how it was checked"), max_length=300)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-confirmed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.requirement} {self.confirmed_on}"


class QuarterFacts(models.Model):
    """One school's counts for the analysis in one calendar quarter, kept so that a district's
    analysis reads a row per school and quarter instead of every appeal (`reports.analysis`).

    Counts only, in the clear, never content: category × place × grade band, who is involved,
    the writers' answers and the measures' outcomes. Recomputed when older than a day.
    """

    school = models.ForeignKey(School, models.CASCADE, related_name="+", verbose_name=_("school"))
    period_start = models.DateField(_("from"))
    counts = models.JSONField(_("counts"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("quarter's facts of a school")
        verbose_name_plural = _("quarters' facts of schools")
        constraints = [models.UniqueConstraint(fields=["school", "period_start"], name="one_facts_per_school_quarter")]

    def __str__(self) -> str:
        return f"{self.school} {self.period_start}"


class FigureCount(models.Model):
    """How many appeals of a school, received in one month (the project's local time), have one value
    of one clear dimension the figures count by (category, channel, who wrote, status or grade), with
    the counts and sums the figures add up: an appeal is in five rows, one per dimension.

    Kept by triggers on the appeals and follow-up tables, in the statement that changes the row
    (`reports.counts`: no statement of its own in a submission), so a quarter's figures read a few
    dozen rows per month whatever the number of appeals; `ishenim figures verify` recounts them
    from the rows.
    """

    school = models.ForeignKey(School, models.CASCADE, related_name="+", verbose_name=_("school"))
    to_district = models.BooleanField(_("sent to the district"))
    month = models.DateField(_("month"))
    dimension = models.CharField(_("counted by"), max_length=12)
    value = models.CharField(_("value"), max_length=20)  # a grade as text, "0" for none
    n = models.IntegerField(_("appeals"), default=0)
    anonymous = models.IntegerField(_("anonymous"), default=0)
    urgent = models.IntegerField(_("urgent"), default=0)
    registered = models.IntegerField(_("registered"), default=0)
    answered = models.IntegerField(_("answered"), default=0)
    timed = models.IntegerField(_("registered and answered"), default=0)
    late = models.IntegerField(_("answered after the due day"), default=0)
    register_us = models.BigIntegerField(_("time to register (µs, summed)"), default=0)
    answer_us = models.BigIntegerField(_("time to answer (µs, summed)"), default=0)
    solved_yes = models.IntegerField(_("solved"), default=0)
    solved_partly = models.IntegerField(_("partly solved"), default=0)
    solved_no = models.IntegerField(_("not solved"), default=0)

    class Meta:
        verbose_name = _("count of appeals")
        verbose_name_plural = _("counts of appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "to_district", "month", "dimension", "value"], name="one_figure_count_per_value"
            )
        ]
        # A district's quarter: its months' rows whatever the years before (the unique key leads with the school).
        indexes = [models.Index(fields=["month", "dimension"], name="figure_count_month")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month} {self.dimension}={self.value}: {self.n}"


class OpenDueCount(models.Model):
    """How many open appeals of a school, received in one month, are due on one day (after any
    extension): "overdue" is then a sum over the days before today. Kept like `FigureCount`."""

    school = models.ForeignKey(School, models.CASCADE, related_name="+", verbose_name=_("school"))
    to_district = models.BooleanField(_("sent to the district"))
    month = models.DateField(_("month"))
    due = models.DateField(_("answer due"))
    n = models.IntegerField(_("appeals"), default=0)

    class Meta:
        verbose_name = _("count of open appeals by due day")
        verbose_name_plural = _("counts of open appeals by due day")
        constraints = [
            models.UniqueConstraint(fields=["school", "to_district", "month", "due"], name="one_open_due_count")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month} {self.due} {self.n}"
