import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Named(models.Model):
    """A name in Kyrgyz, and optionally in Russian, Uzbek and English."""

    name_ky = models.CharField(_("name in Kyrgyz"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    name_uz = models.CharField(_("name in Uzbek"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("address in links"), unique=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_in(get_language() or "ky")

    def name_in(self, language: str) -> str:
        return getattr(self, f"name_{language[:2]}", "") or self.name_ky


class District(Named):
    """A district (or city) education department with its schools."""

    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name_ky"]

    @property
    def vault_scope(self) -> str:
        return f"district:{self.pk}"


class TimeZone(models.TextChoices):
    """The time zones of Kyrgyzstan and its neighbours (zoneinfo names): a school's dates are its own day."""

    BISHKEK = "Asia/Bishkek", _("Kyrgyzstan (Bishkek, UTC+6)")
    TASHKENT = "Asia/Tashkent", _("Uzbekistan (Tashkent, UTC+5)")
    SAMARKAND = "Asia/Samarkand", _("Uzbekistan (Samarkand, UTC+5)")
    DUSHANBE = "Asia/Dushanbe", _("Tajikistan (Dushanbe, UTC+5)")
    ALMATY = "Asia/Almaty", _("Kazakhstan (Almaty, UTC+5)")
    URUMQI = "Asia/Urumqi", _("China, Xinjiang (Urumqi, UTC+6)")
    SHANGHAI = "Asia/Shanghai", _("China (Beijing time, UTC+8)")


class School(Named):
    class Cadence(models.TextChoices):
        DAILY = "daily", _("every working day")
        WEEKLY = "weekly", _("every week")
        EVERY_N_WEEKS = "weeks", _("every few weeks")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class QuarterMode(models.TextChoices):
        CALENDAR = "calendar", _("calendar quarters")
        SCHOOL = "school", _("school-year quarters")

    district = models.ForeignKey(District, models.PROTECT, related_name="schools", verbose_name=_("district"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    box_location = models.CharField(
        _("where the box stands"), max_length=200, blank=True, default=_("at the entrance, in the foyer")
    )
    box_location_ru = models.CharField(_("where the box stands, in Russian"), max_length=200, blank=True)
    box_location_uz = models.CharField(_("where the box stands, in Uzbek"), max_length=200, blank=True)
    box_location_en = models.CharField(_("where the box stands, in English"), max_length=200, blank=True)
    email = models.EmailField(_("email for notifications"), blank=True)
    website = models.URLField(_("official website"), blank=True)
    cadence = models.CharField(_("the box is opened"), max_length=10, choices=Cadence, default=Cadence.WEEKLY)
    opening_weekday = models.PositiveSmallIntegerField(_("on weekday"), choices=Weekday, default=Weekday.TUESDAY)
    opening_every_weeks = models.PositiveSmallIntegerField(_("every N weeks"), default=2)
    opening_time = models.TimeField(_("at"), default=dt.time(12, 0))
    schedule_start = models.DateField(
        _("schedule counts from"),
        default=dt.date(2026, 9, 1),
        help_text=_("For openings every few weeks: the date of one opening."),
    )
    year_start_month = models.PositiveSmallIntegerField(_("school year starts in month"), default=9)
    summary_weekday = models.PositiveSmallIntegerField(_("weekly summary on"), choices=Weekday, default=Weekday.FRIDAY)
    quarter_mode = models.CharField(_("quarters"), max_length=10, choices=QuarterMode, default=QuarterMode.CALENDAR)
    time_zone = models.CharField(
        _("time zone"),
        max_length=40,
        choices=TimeZone,
        default=TimeZone.BISHKEK,
        help_text=_("Dates in letters, acts and on the school's pages are the school's own day in this zone."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name_ky"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_zone__in=[zone.value for zone in TimeZone]), name="school_time_zone_known"
            )
        ]

    @property
    def vault_scope(self) -> str:
        return f"school:{self.pk}"

    @property
    def box_place(self) -> str:
        """Where the box stands, in the current language (Kyrgyz when not given)."""
        return self.box_place_in(get_language() or "ky")

    def box_place_in(self, language: str) -> str:
        return getattr(self, f"box_location_{language[:2]}", "") or self.box_location

    def school_year(self, on: dt.date | None = None) -> int:
        """The year the school year containing `on` started in (2026 for 2026–27)."""
        on = on or timezone.localdate()
        return on.year if on.month >= self.year_start_month else on.year - 1

    def is_opening_day(self, day: dt.date) -> bool:
        if self.cadence == self.Cadence.DAILY:
            return day.weekday() < 5
        if day.weekday() != self.opening_weekday:
            return False
        if self.cadence == self.Cadence.WEEKLY:
            return True
        weeks = (day - self.schedule_start).days // 7
        return weeks % max(self.opening_every_weeks, 1) == 0

    def planned_openings(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """The scheduled openings in [start, end), as aware datetimes."""
        tz = zoneinfo.ZoneInfo(self.time_zone)  # the opening time is the school's clock
        day, result = start.astimezone(tz).date(), []
        while day <= end.astimezone(tz).date():
            when = dt.datetime.combine(day, self.opening_time, tzinfo=tz)
            if start <= when < end and self.is_opening_day(day):
                result.append(when)
            day += dt.timedelta(days=1)
        return result

    def next_opening(self, after: dt.datetime | None = None) -> dt.datetime | None:
        after = after or timezone.now()
        found = self.planned_openings(after, after + dt.timedelta(days=7 * 8))
        return found[0] if found else None


class BoxHours(models.Model):
    """When the physical box may be approached, per weekday."""

    school = models.ForeignKey(School, models.CASCADE, related_name="hours", verbose_name=_("school"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=School.Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("box hours")
        verbose_name_plural = _("box hours")
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class HelpNumber(models.Model):
    """An emergency or help number shown beside the box and on the public page."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Unified emergency service")
        FIRE = "fire", _("Fire service")
        POLICE = "police", _("Police")
        AMBULANCE = "ambulance", _("Ambulance")
        CHILDREN = "children", _("Children's helpline (free, 24/7)")
        OMBUDSMAN = "ombudsman", _("Ombudsman (Akyikatchy) legal line")
        GAS = "gas", _("Gas emergency")
        EDUCATION = "education", _("Education department")
        PSYCHOLOGIST = "psychologist", _("Help in a difficult life situation")
        OTHER = "other", pgettext_lazy("help number", "Other")

    DEFAULTS = [
        (Kind.EMERGENCY, "112"),
        (Kind.FIRE, "101"),
        (Kind.POLICE, "102"),
        (Kind.AMBULANCE, "103"),
        (Kind.CHILDREN, "111"),
        (Kind.OMBUDSMAN, "115"),
    ]

    school = models.ForeignKey(School, models.CASCADE, related_name="help_numbers", verbose_name=_("school"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    label = models.CharField(
        _("label"), max_length=120, blank=True, help_text=_("Leave empty to use the standard name of the kind.")
    )
    number = models.CharField(_("number"), max_length=40)
    order = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=0)

    class Meta:
        verbose_name = _("help number")
        verbose_name_plural = _("help numbers")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.title}: {self.number}"

    @property
    def title(self) -> str:
        return self.label or str(self.get_kind_display())


class Role(models.TextChoices):
    DIRECTOR = "director", _("director")
    RESPONSIBLE = "responsible", _("responsible person (child-rights officer)")
    HANDLER = "handler", _("case handler")
    COMMISSION = "commission", _("commission member")
    DISTRICT_OFFICER = "district_officer", _("district officer")


class Membership(models.Model):
    """One role of one person at one school (or, for district officers, one district)."""

    class Position(models.TextChoices):
        DIRECTOR = "director", _("director")
        DEPUTY = "deputy", _("deputy director for upbringing work")
        CHILD_RIGHTS = "child_rights", _("child-rights officer")
        PSYCHOLOGIST = "psychologist", _("psychologist")
        SOCIAL_PEDAGOGUE = "social_pedagogue", _("social pedagogue")
        TEACHER = "teacher", _("teacher")
        PARENT = "parent", _("parent")
        DISTRICT = "district", _("district education department specialist")
        OTHER = "other", pgettext_lazy("position", "other")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    school = models.ForeignKey(
        School, models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("school")
    )
    district = models.ForeignKey(
        District, models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("district")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    position = models.CharField(_("position"), max_length=20, choices=Position, default=Position.OTHER)
    parents_representative = models.BooleanField(_("parents' representative"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=False, district__isnull=True)
                | models.Q(school__isnull=True, district__isnull=False),
                name="membership_one_place",
            ),
            models.UniqueConstraint(fields=["user", "school", "role"], name="one_role_per_school"),
            models.UniqueConstraint(fields=["user", "district", "role"], name="one_role_per_district"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.school or self.district}"


class PendingRecoverySheet(models.Model):
    """The recovery code of a key made in the browser, kept boxed under the server key
    until the place's director (or district officer) downloads the sheet once at their
    first login; then the row goes. Never printed on a terminal."""

    scope = models.CharField(_("key scope"), max_length=40, unique=True)
    code_boxed = models.BinaryField(_("recovery code (encrypted)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recovery sheet waiting for its director")
        verbose_name_plural = _("recovery sheets waiting for their directors")

    def __str__(self) -> str:
        return self.scope
