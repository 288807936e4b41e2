"""The commission's document: the meeting protocol (the act of removal and the opening book are in
`openings.documents`).

It is one context built here, rendered to PDF from a template and to DOCX with
the same words, in the language the reader chose.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from commission.models import Meeting
from commission.services import members_on, officers
from ishenim.documents import document_date, document_moment

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
                "confirmed_at": document_moment(confirmation.at, language, school) if confirmation else "",
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
