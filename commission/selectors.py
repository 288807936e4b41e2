"""Reads of the commission's pages that take more than one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from commission.models import Commission, Confirmation, Meeting, Member, Order
from commission.services import HalfYear, Problem, commission_problems, half_years, members_on, officers


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
    meetings: Sequence[Meeting] = field(default_factory=list)

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
