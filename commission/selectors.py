"""Reads of the commission's pages that take more than one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from commission.models import Book, Commission, Confirmation, Entry, Meeting, Member, Opening, Order
from commission.services import (
    HalfYear,
    Problem,
    commission_problems,
    half_years,
    members_on,
    officers,
)
from schools.models import School

MISSED_LOOKBACK_DAYS = 56
UPCOMING_DAYS = 28
MISSED_GRACE = dt.timedelta(hours=2)


@dataclass
class CommissionState:
    commission: Commission
    order: Order | None
    members: list[Member]
    former: list[Member]
    problems: list[Problem]
    chair: Member | None
    secretary: Member | None
    halves: list[HalfYear]
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def in_order(self) -> bool:
        return not self.problems


def commission_state(commission: Commission, today: dt.date | None = None) -> CommissionState:
    today = today or timezone.localdate()
    members = members_on(commission, today)
    order = commission.orders.first()
    roles = officers(commission, today)
    former = list(
        commission.members.filter(Q(member_to__lt=today) | Q(member_from__gt=today)).order_by("-member_to", "full_name")
    )
    meetings = list(
        commission.meetings.annotate(present=Count("attendees", distinct=True)).order_by("-held_on", "-number")[:10]
    )
    return CommissionState(
        commission=commission,
        order=order,
        members=members,
        former=former,
        problems=commission_problems(commission, members=members, order=order),
        chair=roles["chair"],
        secretary=roles["secretary"],
        halves=half_years(commission, today),
        meetings=meetings,
    )


def meeting_detail(meeting_id: int, commission: Commission) -> Meeting:
    return (
        Meeting.objects.filter(commission=commission, pk=meeting_id)
        .select_related("commission__school", "entry")
        .prefetch_related(
            "items",
            Prefetch("attendees", queryset=Member.objects.select_related("user").order_by("full_name")),
            Prefetch("confirmations", queryset=Confirmation.objects.select_related("member", "recorded_by")),
            "elections__candidates__member",
            "elections__elected",
        )
        .get()
    )


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
