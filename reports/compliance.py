"""Is the school keeping its regulation right now? One small check per requirement R01–R23.

Each check reads `Facts` — counts loaded once for a whole list of schools (a
district's page asks the same questions of every school without a query per
school) — and returns a `Check`: kept, broken, needs attention, or unknown,
with the evidence and what to do. The requirement texts are in
`../shared/docs/regulation.md`.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.conf import settings
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from appeals.models import Appeal
from ishenim.workdays import working_days_between
from journal.models import Volume
from reports import commission_link
from reports.commission_link import CommissionState
from reports.models import QuarterlyReport, SubjectTag, WeeklySummary
from reports.periods import day_start, half_year_of, last_complete_quarter, last_summary_day
from reports.selectors import due_expr
from schools.models import BoxHours, HelpNumber, Membership, Role, School

KEPT, BROKEN, ATTENTION, UNKNOWN = "kept", "broken", "attention", "unknown"
STATUS_LABELS = {
    KEPT: gettext_lazy("kept"),
    BROKEN: gettext_lazy("broken"),
    ATTENTION: gettext_lazy("needs attention"),
    UNKNOWN: gettext_lazy("not known"),
}
LOOKBACK_DAYS = 90
SUMMARY_WEEKS = 4
MEETINGS_PER_HALF_YEAR = 2
OPENING_GRACE = dt.timedelta(hours=6)


@dataclass
class Check:
    code: str
    title: str
    status: str
    evidence: str
    todo: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


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
        self.commission = commission_link.models()

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
        late = defaultdict(lambda: [0, []])
        pairs = (
            self._appeals()
            .filter(received_at__gte=self.since, registered_at__gt=F_plus_day("received_at"))
            .values_list("school_id", TruncDate("received_at"), TruncDate("registered_at"))
            .annotate(n=Count("pk"), first=Min("journal_number"))
            .order_by()
        )
        for school_id, received, registered, n, first in pairs:
            if _working_days(received, registered) > allowed:
                late[school_id][0] += n
                late[school_id][1].append(first)
        return {pk: (n, sorted(numbers)) for pk, (n, numbers) in late.items()}

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
        return {v.school_id: v for v in Volume.objects.filter(wanted)} if self.schools else {}

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

    # --- the commission's records (None when not kept here) ---

    @cached_property
    def commission_states(self) -> dict | None:
        """Each school's commission on this day, from three queries for all the schools."""
        m = self.commission
        if m is None:
            return None
        serving = Q(member_from__lte=self.today) & (Q(member_to__isnull=True) | Q(member_to__gte=self.today))
        states = {
            school_id: CommissionState(exists=True)
            for school_id in m.Commission.objects.filter(school_id__in=self.ids).values_list("school_id", flat=True)
        }
        members = m.Member.objects.filter(serving, commission__school_id__in=self.ids)
        for school_id, parents, responsible in members.values_list(
            "commission__school_id", "parents_representative", "responsible"
        ):
            state = states[school_id]
            state.members += 1
            state.parents += parents
            state.responsible += responsible
        for school_id in m.Order.objects.filter(commission__school_id__in=self.ids).values_list(
            "commission__school_id", flat=True
        ):
            states[school_id].has_order = True
        for school_id, office in m.Election.objects.filter(
            meeting__commission__school_id__in=self.ids, elected__in=members
        ).values_list("meeting__commission__school_id", "office"):
            setattr(states[school_id], office, True)  # "chair" or "secretary"
        return {pk: states.get(pk, CommissionState(exists=False)) for pk in self.ids}

    @cached_property
    def meetings(self) -> dict | None:
        if self.commission is None:
            return None
        half = half_year_of(self.today)
        before = half_year_of(half.start - dt.timedelta(days=1))
        rows = (
            self.commission.Meeting.objects.filter(commission__school_id__in=self.ids, held_on__gte=before.start)
            .values("commission__school_id")
            .annotate(
                now=Count("pk", filter=Q(held_on__gte=half.start, held_on__lt=half.end)),
                before=Count("pk", filter=Q(held_on__lt=half.start)),
                final=Count("pk", filter=Q(status=self.commission.Meeting.Status.FINAL)),
            )
            .order_by()
        )
        return {row["commission__school_id"]: row for row in rows}

    @cached_property
    def openings(self) -> dict | None:
        if self.commission is None:
            return None
        m = self.commission
        rows = (
            m.Opening.objects.filter(school_id__in=self.ids, status=m.Opening.Status.DONE, opened_at__gte=self.since)
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
    def opening_days(self) -> dict | None:
        if self.commission is None:
            return None
        m = self.commission
        days = defaultdict(set)
        for school_id, at in m.Opening.objects.filter(
            school_id__in=self.ids, status=m.Opening.Status.DONE, opened_at__gte=self.now - dt.timedelta(days=31)
        ).values_list("school_id", "opened_at"):
            days[school_id].add(timezone.localdate(at))
        return days


def _(message: str) -> str:
    """gettext, remembered per language: a district's page asks the same few dozen texts of every school."""
    return _translated(get_language() or "", message)


@lru_cache(maxsize=2048)
def _translated(language: str, message: str) -> str:
    return gettext(message)


@lru_cache(maxsize=4096)
def _working_days(start: dt.date, end: dt.date) -> int:
    return working_days_between(start, end)


def F_plus_day(field: str) -> ExpressionWrapper:  # noqa: N802 - reads like the F() it wraps
    return ExpressionWrapper(F(field) + dt.timedelta(days=1), output_field=DateTimeField())


# --- the checks ---------------------------------------------------------------


def _counts(school: School, facts: Facts) -> dict:
    empty = {"total": 0, "recent": 0, "anonymous": 0, "student": 0, "parent": 0, "citizen": 0}
    return facts.appeal_counts.get(school.pk, {**empty, "overdue": 0, "open": 0, "urgent_waiting": 0})


def r01(school: School, facts: Facts) -> Check:
    c = _counts(school, facts)
    evidence = (
        _("This school year: %(student)s from students, %(parent)s from parents, %(citizen)s from other citizens.") % c
    )
    if c["recent"] == 0:
        return Check(
            "R01",
            _("Appeals are accepted from students, parents and citizens"),
            ATTENTION,
            evidence,
            _(
                "Nothing arrived in 90 days. "
                "Remind students and parents that the box exists, online and at the entrance."
            ),
        )
    return Check("R01", _("Appeals are accepted from students, parents and citizens"), KEPT, evidence)


def r02(school: School, facts: Facts) -> Check:
    c = _counts(school, facts)
    return Check(
        "R02",
        _("Anonymous or signed; anonymity guaranteed"),
        KEPT,
        _(
            "%(anonymous)s of %(total)s appeals this school year were anonymous. "
            "Authors' details are stored encrypted; no address or device of a writer is recorded."
        )
        % c,
    )


def r03(school: School, facts: Facts) -> Check:
    kinds = ", ".join(str(label) for _v, label in Appeal.Category.choices)
    return Check(
        "R03", _("The kinds of appeals of the regulation"), KEPT, _("Categories offered: %(kinds)s.") % {"kinds": kinds}
    )


def r04(school: School, facts: Facts) -> Check:
    title = _("The box is opened on schedule")
    start = facts.now - dt.timedelta(days=28)
    planned = school.planned_openings(start, facts.now - OPENING_GRACE)  # one under way is not missed
    if facts.opening_days is None:
        return Check(
            "R04",
            title,
            UNKNOWN,
            _("Openings are not recorded in Ishenim at this school."),
            _("Record each opening of the box in Ishenim."),
        )
    held = facts.opening_days.get(school.pk, set())
    missed = [when for when in planned if timezone.localdate(when) not in held]
    evidence = _("Last 4 weeks: %(planned)s planned, %(missed)s missed.") % {
        "planned": len(planned),
        "missed": len(missed),
    }
    if missed:
        days = ", ".join(f"{timezone.localtime(w):%Y-%m-%d}" for w in missed)
        return Check(
            "R04",
            title,
            BROKEN,
            f"{evidence} {days}",
            _("Open the box on the scheduled days, or change the schedule in the school's settings if it has changed."),
        )
    return Check("R04", title, KEPT, evidence)


def r05(school: School, facts: Facts) -> Check:
    title = _("Hours when the box may be approached are set")
    n = facts.hours.get(school.pk, 0)
    if not n:
        return Check("R05", title, BROKEN, _("No hours are set."), _("Set the box hours in the school's settings."))
    return Check(
        "R05", title, KEPT, ngettext("%(n)s period of hours is set.", "%(n)s periods of hours are set.", n) % {"n": n}
    )


def _public_url(school: School) -> str:
    try:
        return settings.SITE_URL + reverse("appeals_public:box", kwargs={"school": school.slug})
    except NoReverseMatch:
        return ""


def r06(school: School, facts: Facts) -> Check:
    title = _("The public page is published on the school's website")
    url = _public_url(school)
    if not school.website:
        return Check(
            "R06",
            title,
            BROKEN,
            _("The school's website is not set."),
            _(
                "Put the box's public page (or its embed code) on the school's official website, "
                "then enter the website's address in the settings. The page: %(url)s"
            )
            % {"url": url},
        )
    return Check(
        "R06", title, KEPT, _("Website: %(site)s; public page: %(url)s") % {"site": school.website, "url": url}
    )


def r07(school: School, facts: Facts) -> Check:
    title = _("Help and emergency numbers are shown")
    n = facts.help_numbers.get(school.pk, 0)
    if not n:
        return Check(
            "R07",
            title,
            BROKEN,
            _("No numbers are set."),
            _("Add the help numbers in the school's settings (111 children's helpline, 112, 101–103, 115)."),
        )
    return Check("R07", title, KEPT, ngettext("%(n)s number is shown.", "%(n)s numbers are shown.", n) % {"n": n})


def r08(school: School, facts: Facts) -> Check:
    title = _("Every appeal is registered within a working day")
    count, numbers = facts.late_registrations.get(school.pk, (0, []))
    if count:
        shown = ", ".join(str(n) for n in numbers[:20]) + ("…" if count > len(numbers[:20]) else "")
        return Check(
            "R08",
            title,
            BROKEN,
            ngettext(
                "%(n)s appeal in 90 days was registered late: № %(numbers)s.",
                "%(n)s appeals in 90 days were registered late: № %(numbers)s.",
                count,
            )
            % {"n": count, "numbers": shown},
            _("Enter the letters into Ishenim on the day the box is opened."),
        )
    return Check("R08", title, KEPT, _("All appeals of the last 90 days were registered in time."))


def r09(school: School, facts: Facts) -> Check:
    title = _("The registration journal is numbered and cannot be silently changed")
    volume = facts.volumes.get(school.pk)
    if volume is None:
        return Check("R09", title, KEPT, _("No volume for this school year yet; it opens with the first appeal."))
    if not facts.deep:
        return Check(
            "R09", title, KEPT, _("Volume %(year)s: %(n)s entries.") % {"year": volume.year, "n": volume.last_number}
        )
    from journal.services import journal_verify

    result = journal_verify(volume)
    if not result.ok:
        return Check(
            "R09",
            title,
            BROKEN,
            _("The journal check failed at record %(seq)s: %(problem)s.")
            % {"seq": result.bad_seq, "problem": result.problem},
            _("Tell the district at once: the journal was changed outside Ishenim."),
        )
    return Check(
        "R09",
        title,
        KEPT,
        _("Volume %(year)s: %(n)s entries; the chain of all %(records)s records checks out.")
        % {"year": volume.year, "n": volume.last_number, "records": result.records},
    )


def r10(school: School, facts: Facts) -> Check:
    title = _("Responsible staff register and consider appeals")
    roles = facts.staff.get(school.pk, set())
    if Role.RESPONSIBLE not in roles:
        return Check(
            "R10",
            title,
            BROKEN,
            _("Nobody holds the role of responsible person."),
            _("Give the child-rights officer the role of responsible person."),
        )
    if Role.HANDLER not in roles:
        return Check(
            "R10",
            title,
            ATTENTION,
            _("There is a responsible person but no case handlers."),
            _("Give the psychologist, the social pedagogue and the deputy director the role of case handler."),
        )
    return Check("R10", title, KEPT, _("A responsible person and case handlers are in place."))


def r11(school: School, facts: Facts) -> Check:
    title = _("Every case ends in measures or forwarding, on time")
    c = _counts(school, facts)
    if c["overdue"]:
        return Check(
            "R11",
            title,
            BROKEN,
            ngettext("%(n)s open case is past its deadline.", "%(n)s open cases are past their deadline.", c["overdue"])
            % {"n": c["overdue"]},
            _("Take measures, forward or answer the overdue cases, or extend the deadline with a reason."),
        )
    return Check("R11", title, KEPT, _("No open case is past its deadline (%(open)s open).") % {"open": c["open"]})


def r12(school: School, facts: Facts) -> Check:
    title = _("The commission: odd number, parents' representative, responsible person, by order")
    if facts.commission_states is None:
        return Check(
            "R12",
            title,
            UNKNOWN,
            _("The commission is not recorded in Ishenim."),
            _("Record the commission and the director's order."),
        )
    state = facts.commission_states[school.pk]
    if not state.exists or not state.members:
        return Check(
            "R12",
            title,
            BROKEN,
            _("No commission is recorded."),
            _("Record the director's order and the members of the commission."),
        )
    problems = []
    if state.members % 2 == 0:
        problems.append(_("the number of members (%(n)s) is even") % {"n": state.members})
    if not state.parents:
        problems.append(_("no parents' representative"))
    if state.responsible != 1:
        problems.append(_("%(n)s responsible persons instead of one") % {"n": state.responsible})
    if not state.has_order:
        problems.append(_("no order of appointment"))
    evidence = _("%(n)s members.") % {"n": state.members}
    if problems:
        return Check(
            "R12",
            title,
            BROKEN,
            f"{evidence} " + "; ".join(problems) + ".",
            _("Change the commission by a new order to fix this."),
        )
    return Check("R12", title, KEPT, evidence)


def r13(school: School, facts: Facts) -> Check:
    title = _("Chair and secretary elected by open vote")
    if facts.commission_states is None:
        return Check(
            "R13",
            title,
            UNKNOWN,
            _("The commission is not recorded in Ishenim."),
            _("Record the election at the first meeting."),
        )
    state = facts.commission_states[school.pk]
    missing = [label for ok, label in ((state.chair, _("chair")), (state.secretary, _("secretary"))) if not ok]
    if missing:
        return Check(
            "R13",
            title,
            BROKEN,
            _("Not elected: %(who)s.") % {"who": ", ".join(missing)},
            _("Hold the election at the commission's (first) meeting and record the votes."),
        )
    return Check("R13", title, KEPT, _("The chair and the secretary were elected."))


def r14(school: School, facts: Facts) -> Check:
    title = _("At least two commission meetings per half-year, each with a protocol")
    if facts.meetings is None:
        return Check(
            "R14",
            title,
            UNKNOWN,
            _("Meetings are not recorded in Ishenim."),
            _("Record the commission's meetings and protocols."),
        )
    row = facts.meetings.get(school.pk, {"now": 0, "before": 0, "final": 0})
    half = half_year_of(facts.today)
    evidence = _("This half-year: %(now)s meeting(s); the half-year before: %(before)s.") % row
    existed_before = facts.started[school.pk] < half.start
    if existed_before and row["before"] < MEETINGS_PER_HALF_YEAR:
        return Check(
            "R14",
            title,
            BROKEN,
            evidence,
            _("Hold at least two meetings this half-year, each with a protocol signed by all members."),
        )
    if row["now"] < MEETINGS_PER_HALF_YEAR:
        left = (half.end - facts.today).days
        return Check(
            "R14",
            title,
            ATTENTION,
            evidence,
            _("Plan the meetings still needed: %(days)s days are left in this half-year.") % {"days": left},
        )
    return Check("R14", title, KEPT, evidence)


def _no_openings(code: str, title: str) -> Check:
    return Check(
        code,
        title,
        ATTENTION,
        _("No opening of the box was recorded in 90 days."),
        _("Record each opening of the box in Ishenim, with its act and the new seal."),
    )


def r15(school: School, facts: Facts) -> Check:
    title = _("An act of removal for each opening that found letters")
    if facts.openings is None:
        return Check(
            "R15",
            title,
            UNKNOWN,
            _("Openings are not recorded in Ishenim at this school."),
            _("Record each opening of the box in Ishenim."),
        )
    row = facts.openings.get(school.pk, {"held": 0, "without_act": 0})
    if not row["held"]:
        return _no_openings("R15", title)
    if row["without_act"]:
        return Check(
            "R15",
            title,
            BROKEN,
            _("%(n)s opening(s) with letters have no act.") % {"n": row["without_act"]},
            _("Complete those openings to draw up their acts."),
        )
    return Check(
        "R15", title, KEPT, _("%(n)s opening(s) in 90 days; each with letters has its act.") % {"n": row["held"]}
    )


def r16(school: School, facts: Facts) -> Check:
    title = _("The box is sealed after each opening, in the opening journal")
    if facts.openings is None:
        return Check(
            "R16",
            title,
            UNKNOWN,
            _("Openings are not recorded in Ishenim at this school."),
            _("Record each opening of the box in Ishenim."),
        )
    row = facts.openings.get(school.pk, {"held": 0, "without_seal": 0})
    if not row["held"]:
        return _no_openings("R16", title)
    if row["without_seal"]:
        return Check(
            "R16",
            title,
            BROKEN,
            _("%(n)s opening(s) have no new seal recorded.") % {"n": row["without_seal"]},
            _("Record the new seal number of those openings."),
        )
    return Check("R16", title, KEPT, _("Every opening in 90 days has its new seal recorded."))


def r17(school: School, facts: Facts) -> Check:
    title = _("Meeting protocols are entered in the opening journal")
    if facts.meetings is None:
        return Check(
            "R17",
            title,
            UNKNOWN,
            _("Meetings are not recorded in Ishenim."),
            _("Record the commission's meetings and protocols."),
        )
    row = facts.meetings.get(school.pk, {"final": 0})
    if not row["final"]:
        return Check(
            "R17",
            title,
            ATTENTION,
            _("No final protocol in the last year."),
            _("Have every member confirm the protocols of the meetings held, so they are final and journaled."),
        )
    return Check(
        "R17",
        title,
        KEPT,
        _("%(n)s final protocol(s) in a year; each final protocol is entered in the opening journal.")
        % {"n": row["final"]},
    )


def r18(school: School, facts: Facts) -> Check:
    title = _("A weekly summary goes to the director")
    last_day = last_summary_day(school, facts.today)
    if last_day == facts.today and timezone.localtime(facts.now).hour < settings.ISHENIM.get("MAIL_HOUR", 8):
        last_day -= dt.timedelta(weeks=1)  # today's is not due yet
    expected = [last_day - dt.timedelta(weeks=n) - dt.timedelta(days=1) for n in range(SUMMARY_WEEKS)]
    expected = [day for day in expected if day >= facts.started[school.pk]]
    sent = {s.week_end for s in facts.summaries.get(school.pk, []) if s.sent_at}
    missing = [day for day in expected if day not in sent]
    if missing:
        return Check(
            "R18",
            title,
            BROKEN,
            _("Not sent for the weeks ending %(days)s.") % {"days": ", ".join(f"{d:%Y-%m-%d}" for d in missing)},
            _(
                "Check that `ishenim tick` runs every minute and that mail can be sent; "
                "give the director an email address."
            ),
        )
    return Check(
        "R18",
        title,
        KEPT,
        _("Sent every week for the last %(n)s weeks.") % {"n": SUMMARY_WEEKS}
        if expected
        else _("The first summary is not due yet."),
    )


def r19(school: School, facts: Facts) -> Check:
    title = _("The quarterly report is written by the 5th and discussed")
    period = last_complete_quarter(school, facts.today)
    report = next((r for r in facts.reports.get(school.pk, []) if r.period_start == period.start), None)
    if report is None:
        if facts.started[school.pk] >= period.end:
            return Check("R19", title, KEPT, _("The first quarterly report is not due yet."))
        return Check(
            "R19",
            title,
            BROKEN,
            _("There is no report for %(period)s.") % {"period": period.label},
            _("Check that `ishenim tick` runs; it drafts the report."),
        )
    labels = {"period": period.label, "due": report.due_on, "day": report.discussed_on}
    todo = _("Write the analysis and measures, discuss the report at a meeting, and finalise it.")
    if report.on_time is False:
        return Check(
            "R19",
            title,
            BROKEN,
            _("The report for %(period)s reached the commission after %(due)s.") % labels,
            _("Put the next report to the commission by the 5th of the month after the quarter."),
        )
    if report.on_time and report.locked:
        return Check(
            "R19", title, KEPT, _("The report for %(period)s was discussed on %(day)s and finalised.") % labels
        )
    if report.on_time:
        return Check(
            "R19",
            title,
            ATTENTION,
            _("The report for %(period)s is on a meeting's agenda in time.") % labels,
            _("Finalise it once the commission has discussed it."),
        )
    if facts.today > report.due_on:
        return Check(
            "R19",
            title,
            BROKEN,
            _("The report for %(period)s was due by %(due)s and has not been put to the commission.") % labels,
            todo,
        )
    return Check("R19", title, ATTENTION, _("The report for %(period)s is due by %(due)s.") % labels, todo)


def r20(school: School, facts: Facts) -> Check:
    title = _("Appeals are generalised to remove the causes of complaints")
    final = [r for r in facts.reports.get(school.pk, []) if r.locked]
    tagged = facts.subjects_recent.get(school.pk, 0)
    if not final:
        return Check(
            "R20",
            title,
            ATTENTION,
            _("No report has been finalised yet; %(n)s appeals of the last 90 days have a subject.") % {"n": tagged},
            _("Group the quarter's appeals by subject in the quarterly report and write the measures."),
        )
    if not tagged and _counts(school, facts)["recent"]:
        return Check(
            "R20",
            title,
            ATTENTION,
            _("No appeal of the last 90 days has a subject yet."),
            _("Give recurring appeals a subject in the quarterly report, so what comes back shows."),
        )
    return Check(
        "R20",
        title,
        KEPT,
        _(
            "Last final report: %(period)s, with analysis and measures; "
            "%(n)s appeals of the last 90 days have a subject."
        )
        % {"period": final[0].period_start, "n": tagged},
    )


def r21(school: School, facts: Facts) -> Check:
    roles = facts.staff.get(school.pk, set())
    return Check(
        "R21",
        _("Only the officials who handle an appeal may see it"),
        KEPT,
        _(
            "Content and identity are encrypted to the school's key; every reading is written to the audit log. "
            "Roles here: %(roles)s."
        )
        % {"roles": ", ".join(sorted(str(Role(r).label) for r in roles)) or "—"},
    )


def r22(school: School, facts: Facts) -> Check:
    title = _("Urgent matters are acted on quickly")
    waiting = _counts(school, facts)["urgent_waiting"]
    if waiting:
        return Check(
            "R22",
            title,
            BROKEN,
            ngettext(
                "%(n)s urgent appeal has waited more than a day without being taken up.",
                "%(n)s urgent appeals have waited more than a day without being taken up.",
                waiting,
            )
            % {"n": waiting},
            _("Take up urgent appeals the same day: assign a handler and start the consideration."),
        )
    return Check("R22", title, KEPT, _("No urgent appeal is waiting."))


def r23(school: School, facts: Facts) -> Check:
    year = school.school_year(facts.today)
    return Check(
        "R23",
        _("The box runs for the school year"),
        KEPT,
        _("School year %(year)s–%(next)s; the box and its schedule are active.") % {"year": year, "next": year + 1},
    )


CHECKS: list[Callable[[School, Facts], Check]] = [
    r01,
    r02,
    r03,
    r04,
    r05,
    r06,
    r07,
    r08,
    r09,
    r10,
    r11,
    r12,
    r13,
    r14,
    r15,
    r16,
    r17,
    r18,
    r19,
    r20,
    r21,
    r22,
    r23,
]


def compliance(schools: list[School], *, now: dt.datetime | None = None, deep: bool = False) -> dict[int, list[Check]]:
    """Every check for every school, in a fixed number of queries."""
    facts = Facts(schools, now=now, deep=deep)
    return {school.pk: [check(school, facts) for check in CHECKS] for school in schools}


def school_compliance(school: School, *, now: dt.datetime | None = None) -> list[Check]:
    return compliance([school], now=now, deep=True)[school.pk]
