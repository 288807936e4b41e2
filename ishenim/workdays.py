"""Working days in Kyrgyzstan: weekends and public holidays do not count."""

import datetime as dt
from functools import cache

import holidays


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KG", years=year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (the start day itself not counted)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative if `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    # By whole weeks (five working days each), the days left over, then the holidays on weekdays:
    # a case three years late costs what one due tomorrow does (the inbox asks for every row).
    weeks, rest = divmod((end - start).days, 7)
    weekdays = 5 * weeks + sum(1 for n in range(1, rest + 1) if (start + dt.timedelta(days=n)).weekday() < 5)
    off = {day for year in range(start.year, end.year + 1) for day in _holidays(year) if start < day <= end}
    return weekdays - sum(1 for day in off if day.weekday() < 5)
