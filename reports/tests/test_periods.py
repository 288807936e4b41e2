import datetime as dt

from reports.periods import Period, last_summary_day, quarter_in, summary_week
from schools.models import School

D = dt.date


def test_it_finds_calendar_quarters_and_their_due_dates():
    q = quarter_in("calendar", D(2026, 11, 22))
    assert (q.start, q.end, q.year, q.quarter) == (D(2026, 10, 1), D(2027, 1, 1), 2026, 4)
    assert q.due_on == D(2027, 1, 5)
    assert q.last_day == D(2026, 12, 31)


def test_it_shifts_quarters_across_years():
    q = quarter_in("calendar", D(2026, 2, 1))
    assert q.shifted(-1) == Period(D(2025, 10, 1), D(2026, 1, 1), 2025, 4, "calendar")
    assert q.shifted(-4).start == D(2025, 1, 1) and q.shifted(-4).quarter == 1
    assert q.shifted(1).start == D(2026, 4, 1)


def test_it_counts_school_year_quarters_from_the_start_month():
    q = quarter_in("school", D(2027, 1, 15), year_start_month=9)
    assert (q.start, q.end, q.year, q.quarter) == (D(2026, 12, 1), D(2027, 3, 1), 2026, 2)
    assert q.due_on == D(2027, 3, 5)
    assert q.shifted(-1).start == D(2026, 9, 1) and q.shifted(-1).quarter == 1
    assert q.shifted(-2) == Period(D(2026, 6, 1), D(2026, 9, 1), 2025, 4, "school")


def test_it_covers_the_seven_days_before_the_summary_day():
    school = School(summary_weekday=School.Weekday.FRIDAY)
    friday = last_summary_day(school, D(2026, 11, 22))  # a Sunday
    assert friday == D(2026, 11, 20)
    week = summary_week(school, friday)
    assert (week.start, week.last_day) == (D(2026, 11, 13), D(2026, 11, 19))
    assert last_summary_day(school, D(2026, 11, 20)) == D(2026, 11, 20)
