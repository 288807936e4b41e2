"""Reads of one case: what the case panel on the appeal's page shows.

The appeal's page view calls `case_panel`; the template only renders what it
returns. Opening the notes, answers and journal history is a read of content,
so it is audited here, once per page.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from appeals.models import Answer, Appeal, FollowUp, Forwarding, Involvement, Measure, Note
from appeals.selectors import identity_visible
from appeals.services.cases import case_actions
from audit.services import audit_record
from schools.access import appeal_roles
from schools.models import Role
from schools.permissions import permitted


def case_permitted(roles, action: str) -> bool:
    """Whether these roles on the case (`schools.access.appeal_roles`) may take `action`."""
    return permitted(roles, f"case.{action}")


EVENTS = {
    "status": gettext_lazy("Status changed"),
    "assigned": gettext_lazy("Case handlers assigned"),
    "measures": gettext_lazy("Measures taken"),
    "forwarded": gettext_lazy("Forwarded to a competent body"),
    "answered": gettext_lazy("Answer given"),
    "closed": gettext_lazy("Closed"),
    "dismissed": gettext_lazy("Left without consideration"),
    "reopened": gettext_lazy("Reopened"),
    "sent_to_district": gettext_lazy("Sent on to the district education department by its writer"),
    "extended": gettext_lazy("Deadline extended"),
    "correction": gettext_lazy("Entry corrected"),
    "facts": gettext_lazy("Facts for the reports recorded"),
    "resealed": gettext_lazy("Encrypted with the case's own keys"),
    "acknowledged": gettext_lazy("Seen by staff: “I am on it”"),
    "escalated": gettext_lazy("Nobody took it up: the alert went one level up"),
}


@dataclass(frozen=True)
class HistoryItem:
    record: object
    label: str
    status: str
    lines: list


def history_items(history) -> list[HistoryItem]:
    """The journal records of one appeal in words: what happened, by whom, with the sealed details opened."""
    ids = {pk for record, _sealed in history for pk in record.fields.get("handlers", [])}
    names = {u.pk: u.get_full_name() or u.get_username() for u in get_user_model().objects.filter(pk__in=ids)}
    items = []
    for record, sealed in history:
        fields = record.fields
        event = "registered" if record.kind == "entry" else fields.get("event", "")
        lines = []
        if event == "assigned":
            lines.append(", ".join(names.get(pk, "?") for pk in fields.get("handlers", [])))
        if event == "forwarded":
            lines.append(f"{fields.get('addressee', '')} · {fields.get('on', '')}")
        if event == "answered":
            lines.append(f"{Answer.Mode(fields['mode']).label} · {fields.get('on', '')}")
        if event == "dismissed":
            lines.append(str(Appeal.DismissalReason(fields["reason"]).label))
        if event == "escalated" and fields.get("to") in Role.values:
            lines.append(f"→ {Role(fields['to']).label}")
        if event == "reopened" and fields.get("by") == "writer":
            lines.append(str(gettext_lazy("The writer answered that the problem was not solved.")))
        if event == "measures" and fields.get("kinds"):
            lines.append(", ".join(str(Measure.Kind(kind).label) for kind in fields["kinds"] if kind in Measure.Kind))
        if event == "facts":
            lines.append(facts_line(fields))
        if event == "extended":
            lines.append(f"→ {fields.get('due', '')}")
        if event == "correction" and "category" in fields:
            lines.append(str(Appeal.Category(fields["category"]).label))
        lines += [
            str(v) for k, v in sealed.items() if k in ("measures", "answer", "reason", "details", "summary") and v
        ]
        status = fields.get("status", "")
        items.append(
            HistoryItem(
                record=record,
                label=str(EVENTS.get(event, gettext_lazy("Registered in the journal"))),
                status=str(Appeal.Status(status).label) if status in Appeal.Status.values else "",
                lines=lines,
            )
        )
    return items


def facts_line(fields: dict) -> str:
    """The facts of a case in words: place, grade band, who is involved, subjects."""
    parts = [
        str(Appeal.Place(fields["place"]).label) if fields.get("place") in Appeal.Place else "",
        str(Appeal.GradeBand(fields["grade_band"]).label) if fields.get("grade_band") in Appeal.GradeBand else "",
        ", ".join(str(Involvement.Who(w).label) for w in fields.get("involved", []) if w in Involvement.Who),
        ", ".join(fields.get("subjects", [])),
    ]
    return " · ".join(part for part in parts if part) or "—"


@dataclass(frozen=True)
class CasePanel:
    """The case panel of one appeal, opened with the reader's keyring."""

    actions: list[str]  # what this person may do now: the state machine's moves they are allowed
    letters: bool  # may print the answer and cover letters
    handlers: list
    notes: list[tuple[Note, str]]
    answers: list[tuple[Answer, str]]
    forwardings: list[Forwarding]
    history: list[HistoryItem]
    identity: bool
    extension_reason: str
    facts: str  # place, grade band, who is involved, subjects ("" while none is recorded)
    measures: list[Measure]
    solved: str  # the writer's answer to "was it solved?" ("" while none)


def case_panel(request: HttpRequest, appeal: Appeal) -> CasePanel:
    """What the case panel shows; the read of notes, answers and history is audited."""
    from journal.selectors import journal_history
    from vault.services import keyring

    ring = keyring(request)
    roles = appeal_roles(request, appeal)
    notes = [(note, ring.open_text(note.text_sealed)) for note in appeal.notes.select_related("author")]
    history = history_items(journal_history(appeal, ring))
    audit_record(
        action="ishenim.case.viewed",
        scope=appeal.vault_scope,
        actor=request.user,
        obj=appeal,
        detail={"notes": len(notes), "records": len(history)},
    )
    return CasePanel(
        actions=[name for name in case_actions(appeal) if case_permitted(roles, name)],
        letters=case_permitted(roles, "print_letters"),
        handlers=list(appeal.handlers.all()),
        notes=notes,
        answers=[(a, ring.open_text(a.text_sealed)) for a in appeal.answers.select_related("by")],
        forwardings=list(appeal.forwardings.select_related("by")),
        history=history,
        identity=identity_visible(request, appeal),
        extension_reason=ring.open_text(appeal.extension_reason_sealed) if appeal.extended_due_on else "",
        facts=_facts(appeal),
        measures=list(appeal.measure_kinds.all()),
        solved=_solved(appeal),
    )


def _facts(appeal: Appeal) -> str:
    from reports.models import Subject

    involved = list(appeal.involved.values_list("who", flat=True))
    subjects = sorted(Subject.objects.filter(appeals=appeal).values_list("name", flat=True))
    if not (appeal.place or appeal.grade_band or involved or subjects):
        return ""
    return facts_line(
        {"place": appeal.place, "grade_band": appeal.grade_band, "involved": sorted(involved), "subjects": subjects}
    )


def _solved(appeal: Appeal) -> str:
    followup = FollowUp.objects.filter(appeal=appeal).exclude(solved="").only("solved").first()
    return str(followup.get_solved_display()) if followup else ""
