"""What the checks need to know, loaded in a few queries for all the schools of a page at once."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from appeals.models import Appeal
from commission.models import Commission, Election, Meeting, Member, Order
from ishenim.workdays import working_days_between
from journal.models import Volume
from openings.models import Opening
from reports.compliance.attestations import school_year_start
from reports.compliance.base import LOOKBACK_DAYS, SUMMARY_WEEKS
from reports.models import Attestation, QuarterlyReport, SubjectTag, WeeklySummary
from reports.periods import day_start, half_year_of
from reports.selectors import due_expr
from schools.models import BoxHours, HelpNumber, Membership, School
from schools.permissions import roles_with
from vault.models import KeyGrant


@dataclass
class CommissionState:
    exists: bool
    members: int = 0
    parents: int = 0
    responsible: int = 0
    has_order: bool = False
    chair: bool = False
    secretary: bool = False


def _by_school(rows) -> dict:
    return {school_id: value for school_id, value in rows}


class Facts:
    """What the checks need to know, loaded in a few queries for all the schools at once."""

    def __init__(self, schools: list[School], *, now: dt.datetime | None = None, deep: bool = False):
        self.schools = schools
        self.ids = [s.pk for s in schools]
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.since = self.now - dt.timedelta(days=LOOKBACK_DAYS)
        self.deep = deep

    def _appeals(self):
        return Appeal.objects.filter(school_id__in=self.ids, district__isnull=True)

    @cached_property
    def appeal_counts(self) -> dict:
        """Counts per school since the earliest school-year start among the schools."""
        earliest = min(
            (day_start(dt.date(s.school_year(self.today), s.year_start_month, 1)) for s in self.schools),
            default=self.now,
        )
        rows = (
            self._appeals()
            .filter(received_at__gte=earliest)
            .annotate(due_date=due_expr())
            .values("school_id")
            .annotate(
                total=Count("pk"),
                recent=Count("pk", filter=Q(received_at__gte=self.since)),
                # Before `anonymous`: from there on the name means the count, not the field.
                anonymous_named=Count("pk", filter=Q(anonymous=True, author_sealed__isnull=False)),
                signed_unnamed=Count("pk", filter=Q(anonymous=False, author_sealed__isnull=True)),
                anonymous=Count("pk", filter=Q(anonymous=True)),
                student=Count("pk", filter=Q(author_kind=Appeal.AuthorKind.STUDENT)),
                parent=Count("pk", filter=Q(author_kind=Appeal.AuthorKind.PARENT)),
                citizen=Count("pk", filter=Q(author_kind=Appeal.AuthorKind.CITIZEN)),
                overdue=Count("pk", filter=Q(status__in=Appeal.OPEN_STATUSES, due_date__lt=self.today)),
                open=Count("pk", filter=Q(status__in=Appeal.OPEN_STATUSES)),
                urgent_waiting=Count(
                    "pk",
                    filter=Q(
                        urgent=True,
                        status=Appeal.Status.REGISTERED,
                        registered_at__lt=self.now - dt.timedelta(days=1),
                    ),
                ),
            )
            .order_by()
        )
        return {row["school_id"]: row for row in rows}

    @cached_property
    def urgent_unacknowledged(self) -> dict[int, dict]:
        """Per school: open urgent appeals nobody has said "I am on it" to, counted from the first minute (R22)."""
        rows = (
            self._appeals()
            .filter(urgent=True, acknowledged_at__isnull=True, status__in=Appeal.OPEN_STATUSES)
            .values("school_id")
            .annotate(n=Count("pk"), oldest=Min("received_at"))
            .order_by()
        )
        return {row["school_id"]: row for row in rows}

    @cached_property
    def started(self) -> dict[int, dt.date]:
        """When each school began using Ishenim: created, or its first appeal if older (imported history)."""
        oldest = Appeal.objects.filter(school=OuterRef("pk")).order_by("received_at").values("received_at")[:1]
        first = dict(  # one index probe per school, not a scan of every appeal
            School.objects.filter(pk__in=self.ids).annotate(first=Subquery(oldest)).values_list("pk", "first")
        )
        return {s.pk: timezone.localdate(min(s.created_at, first.get(s.pk) or s.created_at)) for s in self.schools}

    @cached_property
    def late_registrations(self) -> dict[int, tuple[int, list[int]]]:
        """Per school: how many appeals of the last 90 days were registered more than the allowed working
        days after they arrived, and the journal numbers of the first ones.

        Grouped by the two local dates in the database, so a district's quarter comes back as a few
        thousand date pairs to check, not as every appeal.
        """
        allowed = settings.ISHENIM["REGISTER_WITHIN_WORKING_DAYS"]
        counts: defaultdict[int, int] = defaultdict(int)
        firsts: defaultdict[int, list[int]] = defaultdict(list)
        pairs = (
            self._appeals()
            .filter(received_at__gte=self.since, registered_at__gt=F_plus_day("received_at"))
            .values_list("school_id", TruncDate("received_at"), TruncDate("registered_at"))
            .annotate(n=Count("pk"), first=Min("journal_number"))
            .order_by()
        )
        for school_id, received, registered, n, first in pairs:
            if _working_days(received, registered) > allowed:
                counts[school_id] += n
                firsts[school_id].append(first)
        return {pk: (n, sorted(firsts[pk])) for pk, n in counts.items()}

    @cached_property
    def hours(self) -> dict:
        return _by_school(
            BoxHours.objects.filter(school_id__in=self.ids).values_list("school_id").annotate(n=Count("pk")).order_by()
        )

    @cached_property
    def help_numbers(self) -> dict:
        return _by_school(
            HelpNumber.objects.filter(school_id__in=self.ids)
            .values_list("school_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def staff(self) -> dict[int, set[str]]:
        roles = defaultdict(set)
        for school_id, role in Membership.objects.filter(school_id__in=self.ids, active=True).values_list(
            "school_id", "role"
        ):
            roles[school_id].add(role)
        return roles

    @cached_property
    def volumes(self) -> dict[int, Volume]:
        wanted = Q()
        for school in self.schools:
            wanted |= Q(school=school, year=school.school_year(self.today))
        return {v.school_id: v for v in Volume.objects.filter(wanted) if v.school_id} if self.schools else {}

    @cached_property
    def summaries(self) -> dict[int, list[WeeklySummary]]:
        found = defaultdict(list)
        for summary in WeeklySummary.objects.filter(
            school_id__in=self.ids, week_end__gte=self.today - dt.timedelta(weeks=SUMMARY_WEEKS + 1)
        ).only("school_id", "week_end", "sent_at"):
            found[summary.school_id].append(summary)
        return found

    @cached_property
    def reports(self) -> dict[int, list[QuarterlyReport]]:
        found = defaultdict(list)
        for report in QuarterlyReport.objects.filter(
            school_id__in=self.ids, period_start__gte=self.today - dt.timedelta(days=400)
        ).defer("figures"):
            found[report.school_id].append(report)
        return found

    @cached_property
    def subjects_recent(self) -> dict:
        return _by_school(
            SubjectTag.objects.filter(subject__school_id__in=self.ids, appeal__received_at__gte=self.since)
            .values_list("subject__school_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def attestations(self) -> dict[tuple[int, str], Attestation]:
        """The latest confirmation of each requirement in each school's current school year (R06, R21)."""
        wanted = Q(pk__in=[])
        for school in self.schools:
            wanted |= Q(school=school, confirmed_on__gte=school_year_start(school, self.today))
        rows = Attestation.objects.filter(wanted).select_related("confirmed_by").order_by("confirmed_on", "pk")
        return {(c.school_id, c.requirement): c for c in rows}  # the latest wins

    @cached_property
    def key_outsiders(self) -> dict[int, list[str]]:
        """Per school: who holds the school's key without a role that may hold it (R21)."""
        scopes = {s.vault_scope: s.pk for s in self.schools}
        holders = defaultdict(set)
        for scope, user_id in KeyGrant.objects.filter(key__scope__in=scopes).values_list("key__scope", "user_id"):
            holders[scopes[scope]].add(user_id)
        allowed = defaultdict(set)
        for school_id, user_id in Membership.objects.filter(
            school_id__in=self.ids, active=True, role__in=roles_with("vault.hold_school_key")
        ).values_list("school_id", "user_id"):
            allowed[school_id].add(user_id)
        outside = {pk: users - allowed[pk] for pk, users in holders.items() if users - allowed[pk]}
        names = {
            u.pk: u.get_full_name() or u.get_username()
            for u in get_user_model().objects.filter(pk__in=set().union(*outside.values()))
        }
        return {pk: sorted(names[u] for u in users) for pk, users in outside.items()}

    # --- the commission's records ---

    @cached_property
    def commission_states(self) -> dict[int, CommissionState]:
        """Each school's commission on this day, from three queries for all the schools."""
        serving = Q(member_from__lte=self.today) & (Q(member_to__isnull=True) | Q(member_to__gte=self.today))
        states = {
            school_id: CommissionState(exists=True)
            for school_id in Commission.objects.filter(school_id__in=self.ids).values_list("school_id", flat=True)
        }
        members = Member.objects.filter(serving, commission__school_id__in=self.ids)
        for school_id, parents, responsible in members.values_list(
            "commission__school_id", "parents_representative", "responsible"
        ):
            state = states[school_id]
            state.members += 1
            state.parents += parents
            state.responsible += responsible
        for school_id in Order.objects.filter(commission__school_id__in=self.ids).values_list(
            "commission__school_id", flat=True
        ):
            states[school_id].has_order = True
        for school_id, office in Election.objects.filter(
            meeting__commission__school_id__in=self.ids, elected__in=members
        ).values_list("meeting__commission__school_id", "office"):
            setattr(states[school_id], office, True)  # "chair" or "secretary"
        return {pk: states.get(pk, CommissionState(exists=False)) for pk in self.ids}

    @cached_property
    def meetings(self) -> dict[int, Mapping[str, Any]]:
        half = half_year_of(self.today)
        before = half_year_of(half.start - dt.timedelta(days=1))
        final = Meeting.Status.FINAL
        rows = (
            Meeting.objects.filter(commission__school_id__in=self.ids, held_on__gte=before.start)
            .values("commission__school_id")
            .annotate(
                # Held, not planned: a meeting counts from its day; with a protocol signed by all (R14).
                now=Count("pk", filter=Q(held_on__gte=half.start, held_on__lte=self.today)),
                now_final=Count("pk", filter=Q(held_on__gte=half.start, held_on__lte=self.today, status=final)),
                before=Count("pk", filter=Q(held_on__lt=half.start, status=final)),
                final=Count("pk", filter=Q(status=final)),
            )
            .order_by()
        )
        return {row["commission__school_id"]: row for row in rows}

    @cached_property
    def openings(self) -> dict[int, Mapping[str, Any]]:
        rows = (
            Opening.objects.filter(school_id__in=self.ids, status=Opening.Status.DONE, opened_at__gte=self.since)
            .values("school_id")
            .annotate(
                held=Count("pk"),
                last=Max("opened_at"),
                without_act=Count("pk", filter=Q(letters_found__gt=0, act_number__isnull=True)),
                without_seal=Count("pk", filter=Q(new_seal_number="")),
            )
            .order_by()
        )
        return {row["school_id"]: row for row in rows}

    @cached_property
    def opening_months(self) -> dict[int, set[tuple[int, int]]]:
        """Per school: the (year, month) of every recorded opening since its school year began (R23)."""
        start = min((school_year_start(s, self.today) for s in self.schools), default=self.today)
        done = Opening.objects.filter(school_id__in=self.ids, status=Opening.Status.DONE)
        months = defaultdict(set)
        for school_id, month in (
            done.filter(opened_at__gte=day_start(start))
            .annotate(month=TruncMonth("opened_at"))
            .values_list("school_id", "month")
            .distinct()
        ):
            months[school_id].add((month.year, month.month))
        return months

    @cached_property
    def opening_days(self) -> dict[int, set[dt.date]]:
        days = defaultdict(set)
        for school_id, at in Opening.objects.filter(
            school_id__in=self.ids, status=Opening.Status.DONE, opened_at__gte=self.now - dt.timedelta(days=31)
        ).values_list("school_id", "opened_at"):
            days[school_id].add(timezone.localdate(at))
        return days


@lru_cache(maxsize=4096)
def _working_days(start: dt.date, end: dt.date) -> int:
    return working_days_between(start, end)


def F_plus_day(field: str) -> ExpressionWrapper:  # noqa: N802 - reads like the F() it wraps
    return ExpressionWrapper(F(field) + dt.timedelta(days=1), output_field=DateTimeField())
