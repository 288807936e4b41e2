"""The periods reports cover: weeks ending before the summary day, and quarters.

Calendar quarters are January–March, April–June, July–September and
October–December. School-year quarters are three-month blocks counted from the
month the school year starts (by default September–November, December–February,
March–May, June–August); `year` is then the year the school year began.
A quarterly report is due by the 5th of the month after its quarter.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import School

DUE_DAY = 5


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, in the project's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive
    year: int = 0
    quarter: int = 0
    mode: str = School.QuarterMode.CALENDAR

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        return day_start(self.start)

    @property
    def end_at(self) -> dt.datetime:
        return day_start(self.end)

    @property
    def due_on(self) -> dt.date:
        return self.end.replace(day=DUE_DAY)

    @property
    def label(self) -> str:
        if not self.quarter:
            return f"{self.start:%Y-%m-%d} — {self.last_day:%Y-%m-%d}"
        if self.mode == School.QuarterMode.SCHOOL:
            return _("quarter %(quarter)s of the school year %(year)s–%(next)s") % {
                "quarter": self.quarter,
                "year": self.year,
                "next": self.year + 1,
            }
        return _("quarter %(quarter)s of %(year)s") % {"quarter": self.quarter, "year": self.year}

    @property
    def short_label(self) -> str:
        if self.mode == School.QuarterMode.SCHOOL:
            return f"{self.year}/{(self.year + 1) % 100:02d}-Q{self.quarter}"
        return f"{self.year}-Q{self.quarter}"

    def shifted(self, quarters: int) -> "Period":
        """The quarter `quarters` quarters later (negative: earlier)."""
        start = _add_months(self.start, 3 * quarters)
        index = (self.quarter - 1) + quarters
        return Period(start, _add_months(start, 3), self.year + index // 4, index % 4 + 1, self.mode)


def quarter_of(school: School, day: dt.date) -> Period:
    return quarter_in(school.quarter_mode, day, year_start_month=school.year_start_month)


def quarter_in(mode: str, day: dt.date, *, year_start_month: int = 9) -> Period:
    """The quarter containing `day`; a district's pages use calendar quarters."""
    if mode == School.QuarterMode.SCHOOL:
        first = year_start_month
        year = day.year if day.month >= first else day.year - 1
        months = (day.year - year) * 12 + day.month - first
        quarter = months // 3 + 1
        start = _add_months(dt.date(year, first, 1), 3 * (quarter - 1))
        return Period(start, _add_months(start, 3), year, quarter, School.QuarterMode.SCHOOL)
    quarter = (day.month - 1) // 3 + 1
    start = dt.date(day.year, 3 * quarter - 2, 1)
    return Period(start, _add_months(start, 3), day.year, quarter, School.QuarterMode.CALENDAR)


def last_complete_quarter(school: School, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return quarter_of(school, today).shifted(-1)


def summary_week(school: School, on: dt.date) -> Period:
    """The seven days a summary sent on `on` covers: the week ending the day before."""
    return Period(on - dt.timedelta(days=7), on)


def last_summary_day(school: School, today: dt.date | None = None) -> dt.date:
    """The most recent summary weekday on or before today."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=(today.weekday() - school.summary_weekday) % 7)


def half_year_of(day: dt.date) -> Period:
    """The calendar half-year (R14 counts meetings per half-year)."""
    start = dt.date(day.year, 1 if day.month <= 6 else 7, 1)
    return Period(start, _add_months(start, 6))


REMIND_DAYS = 3  # a thing that falls due is recalled this many days before, on the day, and each Monday while late


def reminder_day(today: dt.date, due_on: dt.date) -> bool:
    """Whether `today` is a day to recall something due on `due_on` (a report, a measure decided)."""
    return today in (due_on - dt.timedelta(REMIND_DAYS), due_on) or (today > due_on and today.weekday() == 0)
