"""One small function per requirement of the regulation (R01–R23): kept, broken, or needs attention, and why."""

import datetime as dt
from collections.abc import Callable
from typing import cast

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from appeals.models import Appeal
from reports.compliance.base import (
    ATTENTION,
    BROKEN,
    KEPT,
    MEETINGS_PER_HALF_YEAR,
    OPENING_GRACE,
    SUMMARY_WEEKS,
    TERM_MONTHS,
    Check,
    _,
)
from reports.compliance.facts import Facts
from reports.periods import half_year_of, last_complete_quarter, last_summary_day
from schools.models import Role, School


def _counts(school: School, facts: Facts) -> dict:
    empty = {"total": 0, "recent": 0, "anonymous": 0, "student": 0, "parent": 0, "citizen": 0}
    empty |= {"anonymous_named": 0, "signed_unnamed": 0}
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
    title = _("Anonymous or signed; anonymity guaranteed")
    c = _counts(school, facts)
    if c["anonymous_named"]:
        return Check(
            "R02",
            title,
            BROKEN,
            ngettext(
                "%(n)s anonymous appeal this school year has a writer's identity stored with it.",
                "%(n)s anonymous appeals this school year have a writer's identity stored with them.",
                c["anonymous_named"],
            )
            % {"n": c["anonymous_named"]},
            _("Tell the district at once: an anonymous appeal must never carry a name."),
        )
    if c["signed_unnamed"]:
        return Check(
            "R02",
            title,
            ATTENTION,
            ngettext(
                "%(n)s signed appeal has no name or contact of its writer: it cannot be answered.",
                "%(n)s signed appeals have no name or contact of their writers: they cannot be answered.",
                c["signed_unnamed"],
            )
            % {"n": c["signed_unnamed"]},
            _("When entering a signed letter, enter the writer's name, address, class and phone."),
        )
    return Check(
        "R02",
        title,
        KEPT,
        _(
            "%(anonymous)s of %(total)s appeals this school year were anonymous and carry no identity; "
            "the signed ones have their writer's details sealed."
        )
        % c,
    )


# The kinds of appeals the regulation names, and the categories that take each of them.
KINDS = {
    "child_rights": {Appeal.Category.CHILD_RIGHTS},
    "corruption": {Appeal.Category.CORRUPTION},
    "wrongdoing": {Appeal.Category.SMOKING, Appeal.Category.DISCIPLINE},
    "complaint": {Appeal.Category.BULLYING, Appeal.Category.OTHER},
    "request": {Appeal.Category.REQUEST},
    "suggestion": {Appeal.Category.SUGGESTION},
    "wish": {Appeal.Category.WISH},
}


def offered_categories() -> dict[str, set[str]]:
    """The categories each way in offers: the online form and the entry of a paper letter."""
    from appeals.forms import AppealForm
    from openings.forms import LetterForm

    def values(form: type[forms.Form]) -> set[str]:
        field = form.base_fields["category"]
        assert isinstance(field, forms.ChoiceField)
        return {str(value) for value, _label in cast(list[tuple[str, str]], field.choices) if value}

    return {str(_("online form")): values(AppealForm), str(_("paper letters")): values(LetterForm)}


def r03(school: School, facts: Facts) -> Check:
    title = _("The kinds of appeals of the regulation")
    gaps = []
    for way, offered in offered_categories().items():
        missing = sorted(kind for kind, categories in KINDS.items() if not categories & offered)
        if missing:
            gaps.append(f"{way}: {', '.join(missing)}")
    if gaps:
        return Check(
            "R03",
            title,
            BROKEN,
            _("Kinds of appeals that cannot be chosen: %(gaps)s.") % {"gaps": "; ".join(gaps)},
            _("Tell the district: a way in offers fewer kinds of appeals than the regulation names."),
        )
    kinds = ", ".join(str(label) for _v, label in Appeal.Category.choices)
    return Check("R03", title, KEPT, _("The online form and the paper entry offer: %(kinds)s.") % {"kinds": kinds})


def r04(school: School, facts: Facts) -> Check:
    title = _("The box is opened on schedule")
    start = facts.now - dt.timedelta(days=28)
    planned = school.planned_openings(start, facts.now - OPENING_GRACE)  # one under way is not missed
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


def _confirmed(code: str, school: School, facts: Facts) -> str:
    attestation = facts.attestations.get((school.pk, code))
    if attestation is None:
        return ""
    by = attestation.confirmed_by
    return _("Confirmed by %(person)s on %(day)s: %(note)s") % {
        "person": by.get_full_name() or by.get_username(),
        "day": f"{attestation.confirmed_on:%Y-%m-%d}",
        "note": attestation.note,
    }


def r06(school: School, facts: Facts) -> Check:
    title = _("The public page is published on the school's website")
    url = settings.SITE_URL + reverse("appeals_public:box", kwargs={"school": school.slug})
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
    evidence = _("Website: %(site)s; public page: %(url)s") % {"site": school.website, "url": url}
    confirmed = _confirmed("R06", school, facts)
    if not confirmed:
        return Check(
            "R06",
            title,
            ATTENTION,
            _("%(evidence)s. Nobody has confirmed this school year that the website shows it.")
            % {"evidence": evidence},
            _("Open the school's website, check that it shows the box's page or links to it, and record that here."),
        )
    return Check("R06", title, KEPT, f"{evidence}. {confirmed}")


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
    row = facts.meetings.get(school.pk, {"now": 0, "now_final": 0, "before": 0, "final": 0})
    half = half_year_of(facts.today)
    evidence = (
        _(
            "This half-year: %(now)s meeting(s) held, %(now_final)s with a protocol signed by all; "
            "the half-year before: %(before)s with a signed protocol."
        )
        % row
    )
    if row["now_final"] >= MEETINGS_PER_HALF_YEAR:
        return Check("R14", title, KEPT, evidence)
    if row["now"] >= MEETINGS_PER_HALF_YEAR:
        return Check(
            "R14",
            title,
            ATTENTION,
            evidence,
            _("Have every member confirm the protocols of the meetings held, so they are final."),
        )
    todo = _("Hold the meetings still needed, each with a protocol signed by all: %(days)s days are left.") % {
        "days": (half.end - facts.today).days
    }
    if facts.started[school.pk] < half.start and row["before"] < MEETINGS_PER_HALF_YEAR:
        return Check("R14", title, BROKEN, evidence, todo)
    return Check("R14", title, ATTENTION, evidence, todo)


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
    title = _("Only the officials who handle an appeal may see it")
    outsiders = facts.key_outsiders.get(school.pk, [])
    if outsiders:
        return Check(
            "R21",
            title,
            BROKEN,
            _("The school's key is held by people without a role that may read every appeal: %(names)s.")
            % {"names": ", ".join(outsiders)},
            _("Remove their access to appeals on the page “Access to appeals”."),
        )
    evidence = _(
        "Content and identity are sealed; only the director and the responsible person hold the school's key, "
        "handlers only the keys of their cases; every reading is audited."
    )
    confirmed = _confirmed("R21", school, facts)
    if not confirmed:
        return Check(
            "R21",
            title,
            ATTENTION,
            _(
                "%(evidence)s Nobody has recorded this school year that the staff who handle appeals "
                "were instructed in confidentiality and signed for it."
            )
            % {"evidence": evidence},
            _(
                "Instruct everyone who handles appeals, have them sign that they answer for confidentiality, "
                "and record it here."
            ),
        )
    return Check("R21", title, KEPT, f"{evidence} {confirmed}")


def r22(school: School, facts: Facts) -> Check:
    title = _("Urgent matters are acted on quickly")
    unacknowledged = facts.urgent_unacknowledged.get(school.pk)
    if unacknowledged:
        minutes = max(0, int((facts.now - unacknowledged["oldest"]).total_seconds() // 60))
        return Check(
            "R22",
            title,
            BROKEN,
            ngettext(
                "%(n)s urgent appeal has nobody on it yet; it has waited %(minutes)s min.",
                "%(n)s urgent appeals have nobody on them yet; the oldest has waited %(minutes)s min.",
                unacknowledged["n"],
            )
            % {"n": unacknowledged["n"], "minutes": minutes},
            _(
                "Open it and press “I am on it”. Until someone does, the alert goes one level up "
                "every %(ack)s minutes: responsible person, director, district."
            )
            % {"ack": settings.ISHENIM_URGENT_ACK_MINUTES},
        )
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
    return Check("R22", title, KEPT, _("Every urgent appeal has a member of staff on it."))


def _months(first: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the whole months from `first` up to `end` (exclusive)."""
    month = first.replace(day=1)
    if month < first:
        month = (month + dt.timedelta(days=32)).replace(day=1)
    months = []
    while month < end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def r23(school: School, facts: Facts) -> Check:
    title = _("The box runs for the school year")
    year = school.school_year(facts.today)
    start = dt.date(year, school.year_start_month, 1)
    term_end = (start + dt.timedelta(days=31 * TERM_MONTHS)).replace(day=1)
    months = _months(max(start, facts.started[school.pk]), min(facts.today.replace(day=1), term_end))
    held = facts.opening_months.get(school.pk, set())
    missing = [m for m in months if (m.year, m.month) not in held]
    labels = {"year": year, "next": year + 1, "n": len(months)}
    if missing:
        return Check(
            "R23",
            title,
            BROKEN,
            _("School year %(year)s–%(next)s: no opening of the box was recorded in %(months)s.")
            % {**labels, "months": ", ".join(f"{m:%Y-%m}" for m in missing)},
            _("Open the box on its schedule every month of the school year, to its end, and record each opening."),
        )
    return Check(
        "R23",
        title,
        KEPT,
        _("School year %(year)s–%(next)s: an opening was recorded in each of its %(n)s whole month(s) so far.")
        % labels,
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
