"""Workflows of the opening commission: members, meetings and protocols, box
openings, paper forms' stubs, and the box-opening journal.

The journal is written like the registration journal: each book (a school's
school year) is locked (SELECT … FOR UPDATE; SQLite transactions are IMMEDIATE),
one entry is appended with the hash of the previous one, and the head moves.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from hashlib import sha256

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals.models import Appeal, Attachment
from appeals.receipts import receipt_code_new, receipt_hash, receipt_normalise
from appeals.services import appeal_submit
from audit.services import audit_record
from commission.models import (
    AgendaItem,
    Book,
    Candidate,
    Commission,
    Confirmation,
    Election,
    Entry,
    Letter,
    Meeting,
    Member,
    Opening,
    Order,
    Page,
    Stub,
    StubBatch,
)
from ishenim.chain import GENESIS, canonical, link
from schools.models import Membership, Role, School
from vault.services import seal, seal_text

MEETINGS_PER_HALF_YEAR = 2
HALF_YEAR_WARN_DAYS = 45
MAX_PAGE_BYTES = 12 * 1024 * 1024
MAX_IMAGE_SIDE = 2400
STUB_BATCH_MAX = 200


# --- the commission -------------------------------------------------------------


def commission_of(school: School) -> Commission:
    """The school's commission, created on first use."""
    try:
        with transaction.atomic():
            commission, _created = Commission.objects.get_or_create(school=school)
    except IntegrityError:
        commission = Commission.objects.get(school=school)
    return commission


def members_on(commission: Commission, day: dt.date) -> list[Member]:
    return list(
        commission.members.filter(member_from__lte=day)
        .filter(Q(member_to__isnull=True) | Q(member_to__gte=day))
        .select_related("user", "order")
    )


@dataclass
class Problem:
    code: str
    message: str


def commission_problems(commission: Commission, *, members: list[Member], order: Order | None) -> list[Problem]:
    """Why the commission is out of order (regulation B 5.1, 5.2), in words a director can act on."""
    problems = []
    if order is None:
        problems.append(
            Problem("order", _("No appointing order is recorded: the commission is appointed by the director's order."))
        )
    count = len(members)
    if count == 0:
        problems.append(Problem("empty", _("The commission has no members.")))
        return problems
    if count % 2 == 0:
        problems.append(
            Problem(
                "odd",
                ngettext(
                    "The commission has %(count)d member; the number of members must be odd.",
                    "The commission has %(count)d members; the number of members must be odd. "
                    "Appoint one more member, or end one membership.",
                    count,
                )
                % {"count": count},
            )
        )
    if not any(m.parents_representative for m in members):
        problems.append(
            Problem(
                "parents",
                _("No member represents the parents' community; the regulation requires at least one."),
            )
        )
    responsible = [m for m in members if m.responsible]
    if not responsible:
        problems.append(
            Problem(
                "responsible",
                _("No member is appointed responsible for organising the collection and consideration of appeals."),
            )
        )
    elif len(responsible) > 1:
        problems.append(
            Problem(
                "responsible",
                _("%(names)s are all marked responsible; the order appoints exactly one responsible person.")
                % {"names": ", ".join(m.full_name for m in responsible)},
            )
        )
    return problems


def officers(commission: Commission, day: dt.date) -> dict[str, Member | None]:
    """The chair and the secretary: the latest election won for each office by someone still a member."""
    result: dict[str, Member | None] = {Election.Office.CHAIR: None, Election.Office.SECRETARY: None}
    elections = (
        Election.objects.filter(meeting__commission=commission, elected__isnull=False, meeting__held_on__lte=day)
        .select_related("elected")
        .order_by("meeting__held_on", "pk")
    )
    for election in elections:
        result[election.office] = election.elected if election.elected.serves_on(day) else None
    return result


@transaction.atomic
def order_record(
    *, commission: Commission, number: str, issued_on: dt.date, scan: bytes | None, scan_type: str, actor
) -> Order:
    order = Order(commission=commission, number=number, issued_on=issued_on, created_by=actor)
    if scan:
        order.scan_sealed = seal(commission.school.vault_scope, scan)
        order.scan_type = scan_type
    order.save()
    audit_record(
        action="ishenim.commission.order_recorded",
        scope=commission.school.vault_scope,
        actor=actor,
        obj=order,
        detail={"scan": bool(scan)},
    )
    return order


@transaction.atomic
def member_save(*, member: Member, actor) -> Member:
    created = member.pk is None
    member.save()
    audit_record(
        action="ishenim.commission.member_added" if created else "ishenim.commission.member_changed",
        scope=member.commission.school.vault_scope,
        actor=actor,
        obj=member,
        detail={"parents": member.parents_representative, "responsible": member.responsible},
    )
    return member


@transaction.atomic
def member_end(*, member: Member, until: dt.date, actor) -> Member:
    if until < member.member_from:
        raise ValidationError(_("A membership cannot end before it began (%(day)s).") % {"day": member.member_from})
    member.member_to = until
    member.save(update_fields=["member_to"])
    audit_record(
        action="ishenim.commission.member_ended",
        scope=member.commission.school.vault_scope,
        actor=actor,
        obj=member,
        detail={"until": until.isoformat()},
    )
    return member


@transaction.atomic
def commission_from_accounts(*, commission: Commission, on: dt.date, order: Order | None, actor) -> list[Member]:
    """Seat every active account with the commission role that is not a member yet."""
    seated = {m.user_id for m in members_on(commission, on) if m.user_id}
    responsible_users = set(
        Membership.objects.filter(school=commission.school, role=Role.RESPONSIBLE, active=True).values_list(
            "user_id", flat=True
        )
    )
    added = []
    rows = (
        Membership.objects.filter(school=commission.school, role=Role.COMMISSION, active=True)
        .exclude(user_id__in=seated)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    for membership in rows:
        user = membership.user
        member = Member(
            commission=commission,
            user=user,
            full_name=f"{user.first_name} {user.last_name}".strip() or user.get_username(),
            position=membership.position,
            parents_representative=membership.parents_representative,
            responsible=user.pk in responsible_users,
            order=order,
            member_from=order.issued_on if order else on,
        )
        added.append(member_save(member=member, actor=actor))
    return added


# --- meetings, elections and protocols ---------------------------------------------


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
    return meeting


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
    when every member present has, the protocol is final and goes into the opening journal."""
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
    def required(self) -> int:
        return MEETINGS_PER_HALF_YEAR

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
    spans = []
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


# --- the box-opening journal ---------------------------------------------------------


def book_for(school: School, on: dt.date) -> Book:
    year = school.school_year(on)
    try:
        with transaction.atomic():
            book, _created = Book.objects.get_or_create(school=school, year=year)
    except IntegrityError:
        book = Book.objects.get(school=school, year=year)
    return book


@transaction.atomic
def entry_append(
    *, school: School, on: dt.date, kind: str, fields: dict, actor, opening: Opening | None = None, meeting=None
) -> Entry:
    book = Book.objects.select_for_update().get(pk=book_for(school, on).pk)
    entry = Entry(
        book=book,
        seq=book.last_seq + 1,
        kind=kind,
        opening=opening,
        meeting=meeting,
        at=timezone.now(),
        fields=fields,
        actor=actor,
        prev_hash=book.head_hash,
    )
    entry.hash = link(entry.prev_hash, entry.chained_fields())
    entry.save()
    book.last_seq, book.head_hash = entry.seq, entry.hash
    book.save(update_fields=["last_seq", "head_hash"])
    audit_record(
        action="ishenim.openings.entry_written",
        scope=school.vault_scope,
        actor=actor,
        obj=entry,
        detail={"kind": kind, "seq": entry.seq},
    )
    return entry


@dataclass
class BookCheck:
    book: Book
    entries: int
    ok: bool
    problem: str = ""
    bad_seq: int | None = None


def openings_verify(book: Book) -> BookCheck:
    """Walk one book's chain; an edited entry breaks its hash, a removed or inserted one
    breaks the sequence or the next link, a removed tail no longer reaches the head."""
    prev, expected = GENESIS, 1
    for entry in book.entries.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected:
            return BookCheck(book, expected - 1, False, _("an entry is missing or was inserted"), expected)
        if entry.prev_hash != prev:
            return BookCheck(book, expected - 1, False, _("an entry does not follow the previous one"), entry.seq)
        if link(prev, entry.chained_fields()) != entry.hash:
            return BookCheck(book, expected - 1, False, _("an entry was edited"), entry.seq)
        prev, expected = entry.hash, expected + 1
    count = expected - 1
    if count != book.last_seq or prev != book.head_hash:
        return BookCheck(book, count, False, _("entries after the last one found were removed"), count + 1)
    return BookCheck(book, count, True)


# --- box openings --------------------------------------------------------------------


@transaction.atomic
def opening_start(*, school: School, actor, planned_for: dt.datetime | None = None) -> Opening:
    opening = Opening.objects.create(
        school=school,
        planned_for=planned_for,
        opened_at=timezone.now(),
        place=school.box_location or "",
        created_by=actor,
    )
    audit_record(action="ishenim.openings.started", scope=school.vault_scope, actor=actor, obj=opening)
    return opening


def _require_open(opening: Opening) -> None:
    if opening.status != Opening.Status.DRAFT:
        raise ValidationError(_("This opening is already recorded in the journal."))


@transaction.atomic
def opening_set_present(*, opening: Opening, opened_at: dt.datetime, place: str, present, actor) -> Opening:
    _require_open(opening)
    if not present:
        raise ValidationError(_("Mark the commission members present at the box."))
    if opening.letters.exists() and timezone.localdate(opened_at) != timezone.localdate(opening.opened_at):
        raise ValidationError(
            _("Letters are already registered with the date %(day)s taken from the box; the date cannot change.")
            % {"day": timezone.localdate(opening.opened_at)}
        )
    opening.opened_at, opening.place = opened_at, place
    opening.step = max(opening.step, Opening.Step.SEAL, key=STEPS.index)
    opening.save(update_fields=["opened_at", "place", "step"])
    opening.present.set(present)
    return opening


STEPS = [s.value for s in Opening.Step]


@transaction.atomic
def opening_set_seal(*, opening: Opening, number: str, state: str, note: str, actor) -> Opening:
    """The seal found on the box. A broken or missing seal is an incident: recorded, and reported
    to the director by email once the transaction commits."""
    _require_open(opening)
    was_broken = opening.seal_broken
    opening.seal_found_number, opening.seal_found_state, opening.incident_note = number, state, note
    opening.step = max(opening.step, Opening.Step.COUNT, key=STEPS.index)
    opening.save(update_fields=["seal_found_number", "seal_found_state", "incident_note", "step"])
    if opening.seal_broken:
        audit_record(
            action="ishenim.openings.seal_incident",
            scope=opening.school.vault_scope,
            actor=actor,
            obj=opening,
            detail={"state": state},
        )
        if not was_broken:
            transaction.on_commit(lambda: _report_incident(opening.pk))
    return opening


def _report_incident(opening_id: int) -> None:
    opening = Opening.objects.select_related("school").get(pk=opening_id)
    school = opening.school
    directors = Membership.objects.filter(school=school, role=Role.DIRECTOR, active=True).select_related("user")
    recipients = sorted({m.user.email for m in directors if m.user.email} | ({school.email} if school.email else set()))
    if not recipients:
        return
    when = timezone.localtime(opening.opened_at)
    url = settings.SITE_URL + reverse("commission:opening", args=[school.slug, opening.pk])
    subject = _("Trust box seal incident at %(school)s") % {"school": school.name}
    body = _(
        "At the opening of the trust box on %(when)s the seal was found %(state)s.\n"
        "Seal number found: %(number)s\nPlace: %(place)s\nWhat was seen: %(note)s\n\n"
        "The incident is recorded in Ishenim: %(url)s"
    ) % {
        "when": f"{when:%Y-%m-%d %H:%M}",
        "state": opening.get_seal_found_state_display(),
        "number": opening.seal_found_number or "—",
        "place": opening.place,
        "note": opening.incident_note or "—",
        "url": url,
    }
    send_mail(subject, body, None, recipients, fail_silently=True)


@transaction.atomic
def opening_set_count(*, opening: Opening, letters_found: int, actor) -> Opening:
    _require_open(opening)
    registered = opening.letters.count()
    if letters_found < registered:
        raise ValidationError(
            ngettext(
                "%(count)d letter is already registered; the number found cannot be smaller.",
                "%(count)d letters are already registered; the number found cannot be smaller.",
                registered,
            )
            % {"count": registered}
        )
    opening.letters_found = letters_found
    opening.step = Opening.Step.LETTERS if letters_found > registered else Opening.Step.CLOSE
    opening.save(update_fields=["letters_found", "step"])
    return opening


IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"}


def page_clean(upload) -> tuple[bytes, str]:
    """A photo re-encoded as JPEG without its metadata (EXIF carries the phone, the place and the
    time), turned upright and scaled down; a PDF scan kept as it is."""
    if upload.size > MAX_PAGE_BYTES:
        raise ValidationError(_("%(name)s is larger than 12 MB.") % {"name": upload.name})
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return upload.read(), "application/pdf"
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("%(name)s is not a photo or a PDF scan that can be read.") % {"name": upload.name}
        ) from error
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"


@transaction.atomic
def opening_add_pages(*, opening: Opening, files, actor) -> list[Page]:
    """Keep the pages of the letter being entered, sealed, even if the rest of its form is not valid yet."""
    _require_open(opening)
    pages = []
    for upload in files:
        content, content_type = page_clean(upload)
        pages.append(
            Page.objects.create(
                opening=opening,
                sealed=seal(opening.school.vault_scope, content),
                content_type=content_type,
                size=len(content),
                uploaded_by=actor,
            )
        )
    return pages


def pending_pages(opening: Opening):
    return opening.pages.all()


def stub_find(school: School, code: str) -> Stub:
    """The unused stub of this school whose code was typed, or a clear error."""
    hashed = receipt_hash(code)
    stub = Stub.objects.select_for_update().select_related("appeal").filter(code_hash=hashed).first()
    if stub is None or stub.batch.school_id != school.pk:
        raise ValidationError(
            _("This receipt code was not printed on this school's forms. Check the letters and digits on the stub."),
            code="unknown",
        )
    if stub.used_at is not None:
        raise ValidationError(
            _("This receipt code was already used for the letter registered under №%(number)s.")
            % {"number": stub.appeal.journal_number if stub.appeal else "—"},
            code="used",
        )
    if Appeal.objects.filter(receipt_hash=hashed).exists():
        raise ValidationError(_("This receipt code already belongs to another appeal."), code="used")
    return stub


def grade_of(klass: str) -> int | None:
    match = re.match(r"\s*(\d{1,2})", klass or "")
    if match and 1 <= int(match.group(1)) <= 11:
        return int(match.group(1))
    return None


@transaction.atomic
def opening_letter_register(
    *,
    opening: Opening,
    actor,
    category: str,
    author_kind: str,
    summary: str,
    text: str = "",
    author: dict | None = None,
    grade: int | None = None,
    language: str = "ky",
    urgent: bool = False,
    stub_code: str = "",
) -> Letter:
    """Register one letter of the opening as a paper appeal: the next journal number, with the
    opening's date as the date taken from the box; its pending pages and stub code go with it."""
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    _require_open(opening)
    stub = stub_find(opening.school, stub_code) if stub_code.strip() else None
    pages = list(pending_pages(opening))
    appeal = appeal_submit(
        school=opening.school,
        channel=Appeal.Channel.PAPER,
        received_at=opening.opened_at,
        summary=summary,
        text=text or summary,
        category=category,
        author_kind=author_kind,
        author=author,
        grade=grade,
        language=language,
        urgent=urgent,
        receipt_code=receipt_normalise(stub_code) if stub else None,
        actor=actor,
    )
    position = opening.letters.count() + 1
    letter = Letter.objects.create(
        opening=opening, position=position, appeal=appeal, pages=len(pages), with_stub=stub is not None
    )
    _pages_to_attachments(appeal, pages, position)
    if stub is not None:
        stub.used_at, stub.appeal = timezone.now(), appeal
        stub.save(update_fields=["used_at", "appeal"])
    if opening.letters_found is None or position > opening.letters_found:
        opening.letters_found = position
    opening.step = Opening.Step.LETTERS if position < opening.letters_found else Opening.Step.CLOSE
    opening.save(update_fields=["letters_found", "step"])
    audit_record(
        action="ishenim.openings.letter_registered",
        scope=opening.school.vault_scope,
        actor=actor,
        obj=appeal,
        detail={"opening": opening.pk, "pages": len(pages), "stub": stub is not None},
    )
    return letter


def _pages_to_attachments(appeal: Appeal, pages: list[Page], position: int) -> None:
    """The staged pages become the appeal's attachments: already sealed to the same key, so moved as they are."""
    scope = appeal.vault_scope
    Attachment.objects.bulk_create(
        Attachment(
            appeal=appeal,
            kind=Attachment.Kind.DOCUMENT if page.content_type == "application/pdf" else Attachment.Kind.IMAGE,
            content_type=page.content_type,
            size=page.size,
            name_sealed=seal_text(
                scope, f"letter-{position}-page-{n}.{'pdf' if page.content_type == 'application/pdf' else 'jpg'}"
            ),
            content_sealed=bytes(page.sealed),
        )
        for n, page in enumerate(pages, 1)
    )
    Page.objects.filter(pk__in=[p.pk for p in pages]).delete()


@transaction.atomic
def opening_close(*, opening: Opening, new_seal_number: str, sealed_at: dt.datetime, actor) -> Opening:
    """Seal the box again and write the opening in the box-opening journal (R16); an opening that
    found letters gets the next act number of its school year (R15)."""
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    _require_open(opening)
    letters = list(opening.letters.select_related("appeal").order_by("position"))
    if opening.letters_found is None:
        raise ValidationError(_("Say how many letters were found first."))
    if len(letters) < opening.letters_found:
        raise ValidationError(
            _("%(found)d letters were found but %(registered)d are registered; enter the rest first.")
            % {"found": opening.letters_found, "registered": len(letters)}
        )
    if not opening.present.exists():
        raise ValidationError(_("Mark the commission members present at the box."))
    if not new_seal_number.strip():
        raise ValidationError(_("Write the number of the new seal put on the box."))
    opened_on = timezone.localdate(opening.opened_at)
    book = Book.objects.select_for_update().get(pk=book_for(opening.school, opened_on).pk)
    if letters:
        last = (
            Opening.objects.filter(school=opening.school, act_number__isnull=False, entry__book=book)
            .order_by("-act_number")
            .values_list("act_number", flat=True)
            .first()
        )
        opening.act_number = (last or 0) + 1
    opening.new_seal_number = new_seal_number.strip()
    opening.sealed_at = sealed_at
    opening.status = Opening.Status.DONE
    opening.save(update_fields=["act_number", "new_seal_number", "sealed_at", "status"])
    entry_append(
        school=opening.school,
        on=opened_on,
        kind=Entry.Kind.OPENING,
        opening=opening,
        fields={
            "opened_at": timezone.localtime(opening.opened_at).isoformat(timespec="minutes"),
            "planned_for": timezone.localtime(opening.planned_for).isoformat(timespec="minutes")
            if opening.planned_for
            else None,
            "place": opening.place,
            "present": [{"name": m.full_name, "position": m.position_label} for m in opening.present.all()],
            "seal_found": {"number": opening.seal_found_number, "state": opening.seal_found_state},
            "incident": opening.incident_note if opening.seal_broken else "",
            "letters_found": opening.letters_found,
            "journal_numbers": [letter.appeal.journal_number for letter in letters],
            "act_number": opening.act_number,
            "new_seal": opening.new_seal_number,
            "sealed_at": timezone.localtime(sealed_at).isoformat(timespec="minutes"),
        },
        actor=actor,
    )
    audit_record(
        action="ishenim.openings.recorded",
        scope=opening.school.vault_scope,
        actor=actor,
        obj=opening,
        detail={"letters": len(letters), "act": opening.act_number},
    )
    return opening


@transaction.atomic
def opening_discard(*, opening: Opening, actor) -> None:
    """Drop a draft opening begun by mistake, as long as no letter was registered from it."""
    _require_open(opening)
    if opening.letters.exists():
        raise ValidationError(_("Letters of this opening are registered in the journal; finish it instead."))
    audit_record(action="ishenim.openings.discarded", scope=opening.school.vault_scope, actor=actor, obj=opening)
    opening.pages.all().delete()
    opening.present.clear()
    opening.delete()


# --- paper forms and their stubs ------------------------------------------------------


@transaction.atomic
def stub_batch_create(*, school: School, count: int, size: str, language: str, actor) -> tuple[StubBatch, list[str]]:
    """New receipt codes for printed forms. Only their keyed hashes are stored: the codes exist
    in clear only in the PDF made now."""
    if not 1 <= count <= STUB_BATCH_MAX:
        raise ValidationError(_("Print between 1 and %(max)d forms at a time.") % {"max": STUB_BATCH_MAX})
    batch = StubBatch.objects.create(school=school, count=count, size=size, language=language, created_by=actor)
    codes = [receipt_code_new() for _i in range(count)]
    Stub.objects.bulk_create(Stub(batch=batch, code_hash=receipt_hash(code)) for code in codes)
    audit_record(
        action="ishenim.commission.stubs_printed",
        scope=school.vault_scope,
        actor=actor,
        obj=batch,
        detail={"count": count, "size": size, "language": language},
    )
    return batch, codes
