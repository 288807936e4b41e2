"""The commission's documents: the meeting protocol, the act of removal, the box-opening journal.

Each is one context built here, rendered to PDF from a template and to DOCX with
the same words, in the language the reader chose.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from commission.models import Entry, Meeting, Opening
from commission.services import members_on, officers
from ishenim.chain import ChainCheck
from ishenim.documents import Docx, document_date, render_pdf
from schools.models import Membership, Role, School


def director_name(school: School) -> str:
    membership = (
        Membership.objects.filter(school=school, role=Role.DIRECTOR, active=True).select_related("user").first()
    )
    return membership.user.get_full_name() if membership else ""


def _time(value) -> str:
    return f"{timezone.localtime(value):%H:%M}" if value else ""


# --- the protocol ------------------------------------------------------------------------


def protocol_context(meeting: Meeting, language: str) -> dict:
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
                "confirmed_at": f"{timezone.localtime(confirmation.at):%Y-%m-%d %H:%M}" if confirmation else "",
            }
        )
    return {
        "meeting": meeting,
        "school": school,
        "school_name": school.name_in(language),
        "date": document_date(meeting.held_on, language),
        "members": members,
        "present": present,
        "quorum": len(present) * 2 > len(members),
        "items": list(meeting.items.all()),
        "signers": signers,
        "final": meeting.status == Meeting.Status.FINAL,
    }


def protocol_pdf(meeting: Meeting, language: str) -> bytes:
    with translation.override(language):
        context = protocol_context(meeting, language)
    return render_pdf("commission/documents/protocol.html", context, language=language)


def protocol_docx(meeting: Meeting, language: str) -> Docx:
    with translation.override(language):
        c = protocol_context(meeting, language)
        doc = Docx(language)
        doc.paragraph(c["school_name"], bold=True)
        doc.heading(_("PROTOCOL No. %(number)s") % {"number": meeting.number}, level=1)
        doc.paragraph(_("of the meeting of the trust box opening commission"), bold=True)
        when = c["date"] + (f", {meeting.starts_at:%H:%M}" if meeting.starts_at else "")
        doc.paragraph(f"{_('Date')}: {when}")
        if meeting.place:
            doc.paragraph(f"{_('Place')}: {meeting.place}")
        doc.paragraph(
            f"{_('Present')}: "
            + _("%(present)s of %(members)s members of the commission")
            % {"present": len(c["present"]), "members": len(c["members"])}
            + ". "
            + (_("The meeting has a quorum.") if c["quorum"] else _("The meeting has no quorum."))
        )
        doc.paragraph("; ".join(f"{m.full_name} ({m.position_label})" for m in c["present"]))
        if meeting.invited:
            doc.paragraph(f"{_('Invited')}: {meeting.invited}")
        doc.paragraph(_("Agenda:"), bold=True)
        for n, item in enumerate(c["items"], 1):
            doc.paragraph(f"{n}. {item.title}")
        for n, item in enumerate(c["items"], 1):
            doc.paragraph(f"{n}. {item.title}", bold=True)
            doc.paragraph(f"{_('HEARD')}: {item.heard or '—'}")
            doc.paragraph(f"{_('SPOKE')}: {item.spoke or '—'}")
            doc.paragraph(f"{_('RESOLVED')}: {item.resolved or '—'}")
        doc.paragraph("")
        doc.signatures([(s["role"], s["member"].full_name) for s in c["signers"]])
    return doc


# --- the act of removal --------------------------------------------------------------------


def act_context(opening: Opening, language: str) -> dict:
    school = opening.school
    opened = timezone.localtime(opening.opened_at)
    letters = list(opening.letters.select_related("appeal").order_by("position"))
    return {
        "opening": opening,
        "school": school,
        "school_name": school.name_in(language),
        "district_name": school.district.name_in(language),
        "date": document_date(opened.date(), language),
        "time": f"{opened:%H:%M}",
        "sealed_time": _time(opening.sealed_at),
        "present": list(opening.present.order_by("full_name")),
        "letters": letters,
        "director": director_name(school),
        "approval_date": document_date(opened.date(), language),
    }


def act_pdf(opening: Opening, language: str) -> bytes:
    with translation.override(language):
        context = act_context(opening, language)
    return render_pdf("commission/documents/act.html", context, language=language)


def act_docx(opening: Opening, language: str) -> Docx:
    with translation.override(language):
        c = act_context(opening, language)
        doc = Docx(language)
        doc.approval(
            [
                _("APPROVED"),
                pgettext("approval", "Director"),
                c["school_name"],
                f"____________ {c['director']}",
                "«____» ______________ 20___",
            ]
        )
        doc.heading(_("ACT No. %(number)s") % {"number": opening.act_number or "—"}, level=1)
        doc.paragraph(_("of the removal of appeals from the trust box"), bold=True)
        doc.paragraph(f"{c['school_name']}, {c['district_name']}")
        doc.paragraph(f"{_('Date and time of opening')}: {c['date']}, {c['time']}")
        doc.paragraph(f"{_('Place')}: {opening.place}")
        doc.paragraph(_("We, the members of the opening commission:"))
        for n, member in enumerate(c["present"], 1):
            doc.paragraph(f"{n}. {member.full_name} — {member.position_label}")
        doc.paragraph(
            _(
                "opened the trust box. Before the opening the box was sealed with seal No. %(number)s; "
                "its state: %(state)s."
            )
            % {"number": opening.seal_found_number or "—", "state": opening.get_seal_found_state_display()}
        )
        if opening.seal_broken:
            doc.paragraph(f"{_('What was seen')}: {opening.incident_note}")
        doc.paragraph(
            ngettext(
                "%(count)s appeal was removed from the box and registered in the registration journal:",
                "%(count)s appeals were removed from the box and registered in the registration journal:",
                len(c["letters"]),
            )
            % {"count": len(c["letters"])}
        )
        doc.table(
            [_("No."), _("Journal number"), _("Anonymous or signed"), _("Pages")],
            [
                [
                    str(letter.position),
                    str(letter.appeal.journal_number or "—"),
                    _("anonymous") if letter.appeal.anonymous else _("signed"),
                    str(letter.pages or "—"),
                ]
                for letter in c["letters"]
            ],
        )
        doc.paragraph(
            _(
                "After the removal the box was sealed in the presence of all the participants "
                "with seal No. %(number)s at %(time)s."
            )
            % {"number": opening.new_seal_number, "time": c["sealed_time"]}
        )
        doc.paragraph(_("The content of the appeals is not written in this act."))
        doc.signatures([(_("Member of the commission"), m.full_name) for m in c["present"]])
    return doc


# --- the box-opening journal ------------------------------------------------------------------


def journal_context(school: School, book, entries: list[Entry], check: ChainCheck, language: str) -> dict:
    return {
        "school": school,
        "school_name": school.name_in(language),
        "book": book,
        "entries": entries,
        "check": check,
        "printed": document_date(timezone.localdate(), language),
    }


def journal_pdf(school: School, book, entries, check, language: str) -> bytes:
    with translation.override(language):
        context = journal_context(school, book, entries, check, language)
    return render_pdf("commission/documents/journal.html", context, language=language)
