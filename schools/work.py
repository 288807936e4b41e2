"""'My work': what waits for this person, across every school they serve.

Each list asks the permission map first, so a role is never shown work it could
not open: commission members see protocols and openings, never appeals; handlers
see their own cases; the district officer sees the appeals sent to the district.
Appeal content is never opened here (category, status, dates and number only).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from appeals.models import Appeal, Message
from appeals.selectors import urgent_unacknowledged, visible_in
from appeals.services.urgent import urgent_at_district
from reports.actions import actions_due
from schools.access import may, memberships, schools_of
from schools.models import School
from schools.permissions import permitted

LIMIT = 20
REPORT_NOTICE_DAYS = 14  # a quarterly report shows up two weeks before it is due


@dataclass
class OpeningDue:
    school: School
    at: dt.datetime


@dataclass
class Work:
    urgent: list[Appeal] = field(default_factory=list)
    district_urgent: list[Appeal] = field(default_factory=list)  # the alert climbed to the district
    new: list[Appeal] = field(default_factory=list)
    cases: list[Appeal] = field(default_factory=list)
    messages: list[Appeal] = field(default_factory=list)
    protocols: list = field(default_factory=list)
    openings: list[OpeningDue] = field(default_factory=list)
    reports: list = field(default_factory=list)
    actions: list = field(default_factory=list)  # measures decided for the school that this person owns, due soon
    inboxes: list[School] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.urgent,
                self.district_urgent,
                self.new,
                self.cases,
                self.messages,
                self.protocols,
                self.openings,
                self.reports,
                self.actions,
            )
        )


def _appeals(request: HttpRequest, schools: list[School]) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(visible_in(request, schools))
        .select_related("school", "district")
        .defer("text_sealed", "author_sealed")
    )


def my_work(request: HttpRequest, now: dt.datetime | None = None) -> Work:
    from commission.models import Confirmation, Meeting
    from openings.models import Opening
    from reports.models import QuarterlyReport

    now = now or timezone.now()
    today = timezone.localdate(now)
    work = Work()
    user = request.user
    if not user.is_authenticated:
        return work  # nobody's work: memberships make it
    schools = list(schools_of(request))
    readers = [s for s in schools if may(request, s, "appeal.inbox")]
    work.inboxes = readers
    if readers:
        urgent = list(urgent_unacknowledged(readers).filter(visible_in(request, readers))[:LIMIT])
        work.urgent = urgent
        seen = {a.pk for a in urgent}
        fresh = _appeals(request, readers).filter(status=Appeal.Status.REGISTERED).order_by("received_at", "pk")
        work.new = [a for a in fresh[: LIMIT + len(seen)] if a.pk not in seen][:LIMIT]
        mine = _appeals(request, readers).filter(handlers=user, status__in=Appeal.OPEN_STATUSES)
        work.cases = sorted(mine[:100], key=lambda a: (a.days_left(today) is None, a.days_left(today) or 0))[:LIMIT]
        unread = Message.objects.filter(appeal=OuterRef("pk"), side=Message.Side.WRITER, read_at=None)
        work.messages = list(_appeals(request, readers).filter(Exists(unread)).order_by("-received_at")[:LIMIT])
    for m in memberships(request):
        if m.district_id and permitted({m.role}, "district.acknowledge_urgent"):
            work.district_urgent += list(urgent_at_district(m.district)[:LIMIT])
    members = [s for s in schools if may(request, s, "commission.work")]
    if members:
        mine_confirmed = Confirmation.objects.filter(meeting=OuterRef("pk"), member__user=user)
        work.protocols = list(
            Meeting.objects.filter(
                commission__school__in=members,
                status=Meeting.Status.CIRCULATING,
                attendees__user=user,
            )
            .exclude(Exists(mine_confirmed))
            .select_related("commission__school")
            .distinct()
        )
        start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
        end = start + dt.timedelta(days=1)
        done = set(
            Opening.objects.filter(school__in=members, opened_at__gte=start, opened_at__lt=end).values_list(
                "school_id", flat=True
            )
        )
        for school in members:
            if school.pk not in done:
                work.openings += [OpeningDue(school, at) for at in school.planned_openings(start, end)]
    writers = [s for s in schools if may(request, s, "reports.finalise")]
    if writers:
        work.reports = list(
            QuarterlyReport.objects.filter(
                school__in=writers, due_on__lte=today + dt.timedelta(days=REPORT_NOTICE_DAYS)
            )
            .exclude(state=QuarterlyReport.State.FINAL)
            .select_related("school")
            .order_by("due_on")
        )
    work.actions = list(actions_due(user, today, schools)[:LIMIT])
    return work
