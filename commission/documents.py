"""The commission's documents: the meeting protocol, the act of removal, the box-opening journal.

Each is one context built here, rendered to PDF from a template and to DOCX with
the same words, in the language the reader chose.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from commission.models import Meeting, Opening
from commission.services import members_on, officers
from ishenim.documents import document_date, ky_genitive, local_time, plain_number
from schools.models import Membership, Role, School


def director_name(school: School) -> str:
    membership = (
        Membership.objects.filter(school=school, role=Role.DIRECTOR, active=True).select_related("user").first()
    )
    return membership.user.get_full_name() if membership else ""


def _moment(at, language: str, school: School) -> str:
    return f"{document_date(at, language, school=school)}, {local_time(at, school)}"


def head_of(name: str, language: str) -> list[str]:
    """The lines naming the head of an organisation: «…мектебинин директору», «Директор / …»."""
    if language == "ky" and (genitive := ky_genitive(name)):
        return [f"{genitive} директору"]
    with translation.override(language):
        return [pgettext("approval", "Director"), name]


# --- the protocol ------------------------------------------------------------------------


def protocol_context(meeting: Meeting, language: str, request=None) -> dict:
    commission = meeting.commission
    school = commission.school
    members = members_on(commission, meeting.held_on)
    present = list(meeting.attendees.all())
    present_ids = {m.pk for m in present}
    confirmations = {c.member_id: c for c in meeting.confirmations.all()}
    roles = officers(commission, meeting.held_on)
    chair, secretary = roles["chair"], roles["secretary"]
    signers = []
    for member in sorted(members, key=lambda m: (m != chair, m != secretary, m.full_name)):
        if member == chair:
            role = _("Chair of the commission")
        elif member == secretary:
            role = _("Secretary of the commission")
        else:
            role = _("Member of the commission")
        confirmation = confirmations.get(member.pk)
        signers.append(
            {
                "member": member,
                "role": role,
                "present": member.pk in present_ids,
                "confirmation": confirmation,
                "confirmed_at": _moment(confirmation.at, language, school) if confirmation else "",
            }
        )
    return {
        "meeting": meeting,
        "school": school,
        "school_name": school.name_in(language),
        "date": document_date(meeting.held_on, language),
        "time": f"{meeting.starts_at:%H:%M}" if meeting.starts_at else "",
        "members": members,
        "present": present,
        "quorum": len(present) * 2 > len(members),
        "items": list(meeting.items.all()),
        "signers": signers,
        "final": meeting.status == Meeting.Status.FINAL,
    }


# --- the act of removal --------------------------------------------------------------------


def act_context(opening: Opening, language: str, request=None) -> dict:
    school = opening.school
    letters = list(opening.letters.select_related("appeal").order_by("position"))
    return {
        "opening": opening,
        "school": school,
        "school_name": school.name_in(language),
        "district_name": school.district.name_in(language),
        "date": document_date(opening.opened_at, language, school=school),
        "time": local_time(opening.opened_at, school),
        "sealed_time": local_time(opening.sealed_at, school),
        "seal_found": plain_number(opening.seal_found_number),
        "new_seal": plain_number(opening.new_seal_number),
        "head": head_of(school.name_in(language), language),
        "present": list(opening.present.order_by("full_name")),
        "letters": letters,
        "director": director_name(school),
    }


# --- the box-opening journal ------------------------------------------------------------------


def journal_context(book, language: str, request=None) -> dict:
    from commission import selectors, services

    school = book.school
    return {
        "school": school,
        "school_name": school.name_in(language),
        "book": book,
        "rows": [_journal_row(entry, language, school) for entry in selectors.book_entries(book)],
        "check": services.openings_verify(book),
        "printed": document_date(timezone.now(), language, school=school),
    }


def _journal_row(entry, language: str, school: School) -> dict:
    """An entry of the box-opening journal with its dates in words and its seal numbers as typed."""
    fields = entry.fields
    if fields.get("opened_at"):
        opened = dt.datetime.fromisoformat(fields["opened_at"])
        when = _moment(opened, language, school)
    elif fields.get("held_on"):
        when = document_date(dt.date.fromisoformat(fields["held_on"][:10]), language)
    else:
        when = ""
    sealed = dt.datetime.fromisoformat(fields["sealed_at"]) if fields.get("sealed_at") else None
    return {
        "entry": entry,
        "when": when,
        "seal_found": plain_number((fields.get("seal_found") or {}).get("number")),
        "new_seal": plain_number(fields.get("new_seal")),
        "sealed": local_time(sealed, school) if sealed and sealed.tzinfo else (f"{sealed:%H:%M}" if sealed else ""),
    }
