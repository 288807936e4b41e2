"""Meetings, open-vote elections and protocols, and the half-year meeting count (B 5.3, 5.4, 6.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from hashlib import sha256

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from commission.models import AgendaItem, Candidate, Commission, Confirmation, Election, Meeting, Member
from ishenim.chain import canonical
from openings.models import Entry
from openings.services.book import entry_append

MEETINGS_PER_HALF_YEAR = 2
HALF_YEAR_WARN_DAYS = 45


@transaction.atomic
def meeting_create(*, commission: Commission, actor, attendees=(), **fields) -> Meeting:
    """A new meeting with the next protocol number of its school year."""
    held_on = fields["held_on"]
    year = commission.school.school_year(held_on)
    Commission.objects.select_for_update().get(pk=commission.pk)  # numbers are per commission and year
    last = Meeting.objects.filter(commission=commission, year=year).order_by("-number").first()
    meeting = Meeting.objects.create(
        commission=commission, year=year, number=(last.number + 1) if last else 1, created_by=actor, **fields
    )
    meeting.attendees.set(attendees)
    audit_record(
        action="ishenim.commission.meeting_created", scope=commission.school.vault_scope, actor=actor, obj=meeting
    )
    return meeting


def _require_draft(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.DRAFT:
        raise ValidationError(_("The protocol was sent for confirmation; reopen it as a draft to change it."))


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, attendees=None, **fields) -> Meeting:
    _require_draft(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save()
    if attendees is not None:
        meeting.attendees.set(attendees)
    audit_record(
        action="ishenim.commission.meeting_changed",
        scope=meeting.commission.school.vault_scope,
        actor=actor,
        obj=meeting,
    )
    return meeting


@transaction.atomic
def meeting_add_agenda_item(
    *, meeting: Meeting, title: str, object_ref: str = "", heard: str = "", spoke: str = "", resolved: str = ""
) -> AgendaItem:
    """Put an item on a draft meeting's agenda; other apps link their record with `object_ref`
    ("reports.quarterlyreport:12")."""
    _require_draft(meeting)
    last = meeting.items.order_by("-order").first()
    return AgendaItem.objects.create(
        meeting=meeting,
        order=(last.order + 1) if last else 1,
        title=title,
        object_ref=object_ref,
        heard=heard,
        spoke=spoke,
        resolved=resolved,
    )


@transaction.atomic
def agenda_item_save(*, item: AgendaItem, actor) -> AgendaItem:
    _require_draft(item.meeting)
    if item.pk is None:
        last = item.meeting.items.order_by("-order").first()
        item.order = (last.order + 1) if last else 1
    item.save()
    audit_record(
        action="ishenim.commission.agenda_item_saved",
        scope=item.meeting.commission.school.vault_scope,
        actor=actor,
        obj=item,
    )
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, actor) -> None:
    meeting = item.meeting
    _require_draft(meeting)
    election = item.election
    audit_record(
        action="ishenim.commission.agenda_item_deleted",
        scope=meeting.commission.school.vault_scope,
        actor=actor,
        obj=item,
    )
    item.delete()
    if election is not None:
        election.delete()


@dataclass
class Tally:
    member: Member
    votes_for: int
    votes_against: int
    abstained: int


def election_result(present: int, tallies: list[Tally]) -> Member | None:
    """Open vote: elected is the candidate supported by a majority of the members present;
    if several are, the one with the most votes for; a tie for the most elects no one."""
    winners = [t for t in tallies if t.votes_for * 2 > present]
    if not winners:
        return None
    best = max(t.votes_for for t in winners)
    top = [t for t in winners if t.votes_for == best]
    return top[0].member if len(top) == 1 else None


@transaction.atomic
def election_record(*, meeting: Meeting, office: str, tallies: list[Tally], actor) -> Election:
    """Record an open vote for the chair or the secretary; the result follows from the votes.
    The vote becomes an agenda item of the protocol (a re-vote replaces it)."""
    _require_draft(meeting)
    present = meeting.attendees.count()
    if present == 0:
        raise ValidationError(_("Mark who is present at the meeting before recording a vote."))
    if not tallies:
        raise ValidationError(_("Name at least one candidate."))
    for tally in tallies:
        cast = tally.votes_for + tally.votes_against + tally.abstained
        if cast > present:
            raise ValidationError(
                _("%(name)s: %(cast)d votes were counted, but only %(present)d members are present.")
                % {"name": tally.member.full_name, "cast": cast, "present": present}
            )
    old = Election.objects.filter(meeting=meeting, office=office).first()
    if old is not None:
        AgendaItem.objects.filter(election=old).delete()
        old.delete()
    election = Election.objects.create(
        meeting=meeting, office=office, present=present, elected=election_result(present, tallies)
    )
    Candidate.objects.bulk_create(
        Candidate(
            election=election,
            member=t.member,
            votes_for=t.votes_for,
            votes_against=t.votes_against,
            abstained=t.abstained,
        )
        for t in tallies
    )
    chair = office == Election.Office.CHAIR
    lines = [
        _("%(name)s: for %(for)d, against %(against)d, abstained %(abstained)d.")
        % {"name": t.member.full_name, "for": t.votes_for, "against": t.votes_against, "abstained": t.abstained}
        for t in tallies
    ]
    if election.elected:
        resolved = (
            _("To elect %(name)s chair of the commission.")
            if chair
            else _("To elect %(name)s secretary of the commission.")
        ) % {"name": election.elected.full_name}
    elif chair:
        resolved = _("No candidate received a majority of the votes of the members present: no chair was elected.")
    else:
        resolved = _("No candidate received a majority of the votes of the members present: no secretary was elected.")
    last = meeting.items.order_by("-order").first()
    AgendaItem.objects.create(
        meeting=meeting,
        order=(last.order + 1) if last else 1,
        title=_("Election of the chair of the commission by open vote")
        if chair
        else _("Election of the secretary of the commission by open vote"),
        heard=_("Candidates: %(names)s.") % {"names": ", ".join(t.member.full_name for t in tallies)},
        spoke=_("Voting (members present: %(present)d): %(lines)s") % {"present": present, "lines": " ".join(lines)},
        resolved=resolved,
        election=election,
    )
    audit_record(
        action="ishenim.commission.election_recorded",
        scope=meeting.commission.school.vault_scope,
        actor=actor,
        obj=election,
        detail={"office": office, "elected": election.elected_id, "present": present},
    )
    return election


def protocol_content(meeting: Meeting) -> dict:
    """Everything the members confirm, in one canonical form (its digest is what they sign)."""
    return {
        "meeting": meeting.pk,
        "number": meeting.number,
        "held_on": meeting.held_on.isoformat(),
        "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
        "place": meeting.place,
        "invited": meeting.invited,
        "present": sorted(meeting.attendees.values_list("pk", flat=True)),
        "items": [[i.title, i.heard, i.spoke, i.resolved, i.object_ref] for i in meeting.items.order_by("order", "pk")],
    }


def protocol_digest(meeting: Meeting) -> str:
    return sha256(canonical(protocol_content(meeting))).hexdigest()


@transaction.atomic
def meeting_circulate(*, meeting: Meeting, actor) -> Meeting:
    """Lock the protocol and ask the members present to confirm it."""
    _require_draft(meeting)
    if not meeting.attendees.exists():
        raise ValidationError(_("Mark who was present before sending the protocol for confirmation."))
    if not meeting.items.exists():
        raise ValidationError(_("The protocol has no agenda items yet."))
    meeting.status = Meeting.Status.CIRCULATING
    meeting.circulated_at = timezone.now()
    meeting.protocol_digest = protocol_digest(meeting)
    meeting.save(update_fields=["status", "circulated_at", "protocol_digest"])
    audit_record(
        action="ishenim.commission.protocol_circulated",
        scope=meeting.commission.school.vault_scope,
        actor=actor,
        obj=meeting,
    )
    _ask_to_confirm(meeting, actor)
    return meeting


def _ask_to_confirm(meeting: Meeting, actor) -> None:
    from notify.models import Kind
    from notify.services import notify_send

    school = meeting.commission.school
    members = [m.user for m in meeting.attendees.select_related("user") if m.user_id and m.user_id != actor.pk]
    link = settings.SITE_URL.rstrip("/") + reverse("commission:meeting", args=[school.slug, meeting.pk])
    params = {"held_on": meeting.held_on, "link": link}
    notify_send(users=members, kind=Kind.PROTOCOL_CONFIRM, office=school, params=params)


@transaction.atomic
def meeting_reopen(*, meeting: Meeting, actor) -> Meeting:
    """Back to a draft: the confirmations given so far no longer hold and are withdrawn."""
    if meeting.status != Meeting.Status.CIRCULATING:
        raise ValidationError(
            _("Only a protocol awaiting confirmation can be reopened; a final one is in the journal.")
        )
    withdrawn = meeting.confirmations.count()
    meeting.confirmations.all().delete()
    meeting.status = Meeting.Status.DRAFT
    meeting.protocol_digest = ""
    meeting.circulated_at = None
    meeting.save(update_fields=["status", "protocol_digest", "circulated_at"])
    audit_record(
        action="ishenim.commission.protocol_reopened",
        scope=meeting.commission.school.vault_scope,
        actor=actor,
        obj=meeting,
        detail={"withdrawn": withdrawn},
    )
    return meeting


@transaction.atomic
def meeting_confirm(*, meeting: Meeting, member: Member, actor, on_paper: bool = False) -> Confirmation:
    """A present member confirms the protocol (or their paper signature is recorded);
    when every member present has, the protocol is final and goes into the opening book."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.CIRCULATING:
        raise ValidationError(_("This protocol is not awaiting confirmation."))
    if not meeting.attendees.filter(pk=member.pk).exists():
        raise ValidationError(_("Only the members present at the meeting confirm its protocol."))
    if not on_paper and member.user_id != actor.pk:
        raise ValidationError(_("Members confirm the protocol themselves, from their own account."))
    if protocol_digest(meeting) != meeting.protocol_digest:
        raise ValidationError(
            _("The protocol changed after it was sent for confirmation; reopen it and send it again.")
        )
    confirmation, created = Confirmation.objects.get_or_create(
        meeting=meeting, member=member, defaults={"on_paper": on_paper, "recorded_by": actor}
    )
    if created:
        audit_record(
            action="ishenim.commission.protocol_confirmed",
            scope=meeting.commission.school.vault_scope,
            actor=actor,
            obj=meeting,
            detail={"member": member.pk, "on_paper": on_paper},
        )
    if not meeting.attendees.exclude(confirmations__meeting=meeting).exists():
        _finalise(meeting, actor)
    return confirmation


def _finalise(meeting: Meeting, actor) -> None:
    meeting.status = Meeting.Status.FINAL
    meeting.finalised_at = timezone.now()
    meeting.save(update_fields=["status", "finalised_at"])
    confirmations = {c.member_id: c for c in meeting.confirmations.all()}
    entry_append(
        school=meeting.commission.school,
        on=meeting.held_on,
        kind=Entry.Kind.PROTOCOL,
        meeting=meeting,
        fields={
            "number": meeting.number,
            "held_on": meeting.held_on.isoformat(),
            "place": meeting.place,
            "present": [
                {
                    "name": m.full_name,
                    "position": m.position_label,
                    "confirmed": timezone.localtime(confirmations[m.pk].at).isoformat(timespec="minutes"),
                    "on_paper": confirmations[m.pk].on_paper,
                }
                for m in meeting.attendees.order_by("full_name")
            ],
            "items": list(meeting.items.order_by("order", "pk").values_list("title", flat=True)),
            "protocol_digest": meeting.protocol_digest,
        },
        actor=actor,
    )


@dataclass
class HalfYear:
    start: dt.date
    end: dt.date
    held: int
    final: int
    current: bool
    days_left: int

    @property
    def short(self) -> bool:
        return self.held < MEETINGS_PER_HALF_YEAR

    @property
    def state(self) -> str:
        """ok, warn (the current half-year is ending short), danger (a past half-year was short), open."""
        if not self.short:
            return "ok"
        if not self.current:
            return "danger"
        return "warn" if self.days_left <= HALF_YEAR_WARN_DAYS else "open"

    @property
    def label(self) -> str:
        return (_("January–June %(year)d") if self.start.month == 1 else _("July–December %(year)d")) % {
            "year": self.start.year
        }


def half_year_of(day: dt.date) -> tuple[dt.date, dt.date]:
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def half_years(commission: Commission, today: dt.date, count: int = 4) -> list[HalfYear]:
    """The current calendar half-year and the ones before it, back to the commission's start."""
    first = commission.orders.order_by("issued_on").values_list("issued_on", flat=True).first()
    first = min(first or timezone.localdate(commission.created_at), timezone.localdate(commission.created_at))
    start, end = half_year_of(today)
    spans: list[tuple[dt.date, dt.date]] = []
    while len(spans) < count and end >= first:
        spans.append((start, end))
        start, end = half_year_of(start - dt.timedelta(days=1))
    meetings = list(
        commission.meetings.filter(held_on__gte=spans[-1][0] if spans else today, held_on__lte=today).values_list(
            "held_on", "status"
        )
    )
    result = []
    for start, end in spans:
        inside = [status for day, status in meetings if start <= day <= end]
        result.append(
            HalfYear(
                start=start,
                end=end,
                held=len(inside),
                final=sum(1 for s in inside if s == Meeting.Status.FINAL),
                current=start <= today <= end,
                days_left=max((end - today).days, 0),
            )
        )
    return result
