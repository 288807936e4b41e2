"""Reads of the openings' pages that take more than one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.utils import timezone

from commission.models import Member
from openings.models import Book, Entry, Opening
from schools.models import School

MISSED_LOOKBACK_DAYS = 56
UPCOMING_DAYS = 28
MISSED_GRACE = dt.timedelta(hours=2)


@dataclass
class Planned:
    at: dt.datetime
    opening: Opening | None = None


@dataclass
class OpeningsOverview:
    upcoming: list[Planned]
    missed: list[Planned]
    drafts: list[Opening]
    recent: list[Opening]


def openings_overview(school: School, now: dt.datetime | None = None) -> OpeningsOverview:
    """The next planned openings, the planned ones nobody recorded, drafts to resume, and the latest done."""
    now = now or timezone.now()
    # Nothing counts as missed before the school started using Ishenim.
    since = max(now - dt.timedelta(days=MISSED_LOOKBACK_DAYS), school.created_at)
    recorded = list(
        Opening.objects.filter(school=school, opened_at__gte=since - dt.timedelta(days=1)).values_list(
            "opened_at", "planned_for"
        )
    )
    done_days = {timezone.localdate(at) for at, _planned in recorded}
    done_planned = {planned for _at, planned in recorded if planned}
    missed = [
        Planned(at)
        for at in school.planned_openings(since, now - MISSED_GRACE)
        if at not in done_planned and timezone.localdate(at) not in done_days
    ]
    upcoming = [
        Planned(at)
        for at in school.planned_openings(now - MISSED_GRACE, now + dt.timedelta(days=UPCOMING_DAYS))
        if at not in done_planned and timezone.localdate(at) not in done_days
    ][:6]
    openings = Opening.objects.filter(school=school).annotate(
        registered=Count("letters", distinct=True), people=Count("present", distinct=True)
    )
    return OpeningsOverview(
        upcoming=upcoming,
        missed=list(reversed(missed)),
        drafts=list(openings.filter(status=Opening.Status.DRAFT).order_by("-opened_at")),
        recent=list(openings.filter(status=Opening.Status.DONE).order_by("-opened_at")[:20]),
    )


def opening_detail(school: School, opening_id: int) -> Opening:
    return (
        Opening.objects.filter(school=school, pk=opening_id)
        .select_related("school__district", "entry", "created_by")
        .prefetch_related(
            Prefetch("present", queryset=Member.objects.order_by("full_name")),
            "letters__appeal",
        )
        .get()
    )


def books_of(school: School) -> list[Book]:
    return list(Book.objects.filter(school=school).order_by("-year"))


def book_entries(book: Book) -> list[Entry]:
    return list(book.entries.select_related("actor").order_by("seq"))
