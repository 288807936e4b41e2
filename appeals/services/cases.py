"""Case handling: from registration to a recorded outcome (R10, R11).

Every state change is one function here, in one transaction, writing the
journal amendment (the "numbered and bound" record) and the audit record
together. Texts that may name people (measures, reasons, notes, answers,
cover letters) are sealed; codes, dates and statuses stay in the clear so the
reports need no key.
"""

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Answer, Appeal, FollowUp, Forwarding, Involvement, Measure, Note
from audit.services import audit_record
from journal.models import Record
from journal.services import journal_amend, journal_entry
from notify.models import Kind
from notify.services import notify_send, recipients
from schools.models import District, Role, School
from vault.casekeys import IDENTITY, case_key_holders, case_keys_give, case_keys_take, case_seal_text
from vault.crypto import VaultError

__all__ = [
    "case_actions",
    "case_allows",
    "case_answer",
    "case_assign",
    "case_close_unanswered",
    "case_consider",
    "case_correct",
    "case_dismiss",
    "case_extend",
    "case_facts",
    "case_forward",
    "case_measures",
    "case_note_add",
    "case_reopen",
    "case_reopen_by_writer",
    "case_send_to_district",
]

S = Appeal.Status

# Which status may follow which. Answering closes; a closed or dismissed case can be reopened.
NEXT = {
    S.REGISTERED: {S.CONSIDERING, S.MEASURES, S.FORWARDED, S.CLOSED, S.DISMISSED},
    S.CONSIDERING: {S.MEASURES, S.FORWARDED, S.CLOSED, S.DISMISSED},
    S.MEASURES: {S.MEASURES, S.FORWARDED, S.CLOSED, S.DISMISSED},
    S.FORWARDED: {S.MEASURES, S.FORWARDED, S.CLOSED, S.DISMISSED},
    S.CLOSED: {S.CONSIDERING},
    S.DISMISSED: {S.CONSIDERING},
}

# The status each action moves a case to (None: it stays). `case_allows` reads NEXT through
# this table, so what the case panel offers and what the functions below accept cannot differ.
MOVES = {
    "acknowledge": None,
    "consider": S.CONSIDERING,
    "assign": None,
    "measures": S.MEASURES,
    "forward": S.FORWARDED,
    "answer": S.CLOSED,
    "close": S.CLOSED,
    "dismiss": S.DISMISSED,
    "extend": None,
    "reopen": S.CONSIDERING,
    "correct": None,
    "facts": None,
    "note": None,
}


def _answerable(appeal: Appeal) -> bool:
    """Someone can be answered: a signed author, or an online writer with a receipt code."""
    return not appeal.anonymous or hasattr(appeal, "followup")


def case_allows(appeal: Appeal, action: str) -> bool:
    """Whether the case's status and kind allow `action` now (who may do it is `schools.permissions`)."""
    target = MOVES[action]
    if action == "acknowledge":
        return appeal.urgent and appeal.acknowledged_at is None
    if action in ("consider", "reopen"):
        # Both lead to "under consideration": taking up a new case, or going back to a finished one.
        return target in NEXT[S(appeal.status)] and appeal.is_open == (action == "consider")
    if target is not None:
        if action == "close" and _answerable(appeal):
            return False
        if action == "answer" and not _answerable(appeal):
            return False
        return target in NEXT[S(appeal.status)]
    if action in ("assign", "extend"):
        return appeal.is_open
    return True


def _allowed(appeal: Appeal, action: str) -> None:
    if not case_allows(appeal, action):
        raise ValidationError(
            _("This cannot be done to a case that is “%(now)s”.") % {"now": appeal.get_status_display()}
        )


def case_actions(appeal: Appeal) -> list[str]:
    """The actions the case allows now, in the order the case panel offers them."""
    return [action for action in MOVES if case_allows(appeal, action)]


def _locked(appeal: Appeal) -> Appeal:
    """The appeal row, locked against a concurrent change of the same case."""
    return Appeal.objects.select_for_update(of=("self",)).select_related("school", "district").get(pk=appeal.pk)


def _check(appeal: Appeal, status: str) -> None:
    if status not in NEXT[S(appeal.status)]:
        raise ValidationError(
            _("A case that is “%(now)s” cannot become “%(next)s”.")
            % {"now": appeal.get_status_display(), "next": S(status).label}
        )


def _seal(appeal: Appeal, content: dict | None) -> bytearray | None:
    return case_seal_text(appeal, json.dumps(content, ensure_ascii=False)) if content else None


def _record(
    appeal: Appeal, *, event: str, actor, fields: dict | None = None, sealed: dict | None = None, action: str = ""
) -> Record:
    """The journal amendment and the audit record of one change."""
    fields = {"event": event, "status": appeal.status, **(fields or {})}
    amendment = journal_amend(entry=journal_entry(appeal), fields=fields, sealed=_seal(appeal, sealed), actor=actor)
    audit_record(
        action=action or f"ishenim.case.{event}",
        scope=appeal.vault_scope,
        actor=actor,
        obj=appeal,
        detail={k: v for k, v in fields.items() if k != "event"} | {"journal_record": amendment.seq},
    )
    return amendment


def _move(appeal: Appeal, status: str) -> None:
    _check(appeal, status)
    # Closing needs the measures taken, so column f of the journal is never empty. A dismissal
    # does not: the appeal was not considered on its merits, and its reason is recorded instead.
    if status == S.CLOSED and not appeal.measure_kinds.exists():
        raise ValidationError(
            _("Record the measures taken before closing the case: the journal's column of measures cannot stay empty.")
        )
    appeal.status = status
    appeal.closed_at = timezone.now() if status in (S.CLOSED, S.DISMISSED) else None
    appeal.save(update_fields=["status", "closed_at"])


@transaction.atomic
def case_consider(*, appeal: Appeal, actor) -> Appeal:
    """Registered → under consideration."""
    appeal = _locked(appeal)
    _allowed(appeal, "consider")
    _move(appeal, S.CONSIDERING)
    _record(appeal, event="status", actor=actor)
    return appeal


@transaction.atomic
def case_assign(*, appeal: Appeal, handlers, actor, ring, share_identity: bool | None = None) -> Appeal:
    """Give the case to handlers (psychologist, social pedagogue, deputy director…).

    The case's key is sealed to each new handler's own key, so they can read it
    (`ring`, the assigner's keyring, must open it); a handler taken off the case
    loses their copy. The writer's name and contacts are sealed to the handlers
    too only with `share_identity`, for a signed appeal (see
    `appeals.selectors.identity_visible`); None keeps it shown to those of the
    remaining handlers who had it, and to nobody new. Assigning the same people again gives
    the keys to those who lost theirs (a password reset by an administrator).
    A registered case goes under consideration at the same time.
    """
    appeal = _locked(appeal)
    _allowed(appeal, "assign")
    before = set(appeal.handlers.values_list("pk", flat=True))
    after = {user.pk for user in handlers}
    if not after:
        raise ValidationError(_("Choose at least one person to handle the case."))
    holders, shown = case_key_holders(appeal), case_key_holders(appeal, IDENTITY)
    if share_identity is None:
        shown_wanted = shown & after
    else:
        shown_wanted = after if share_identity and appeal.author_sealed else set()
    if before == after and after <= holders and shown == shown_wanted:
        raise ValidationError(_("These people already handle the case."))
    appeal.handlers.set(handlers)
    case_keys_take(appeal=appeal, users=before - after)
    case_keys_take(appeal=appeal, users=shown - shown_wanted, parts=[IDENTITY])
    try:
        case_keys_give(ring=ring, appeal=appeal, users=[u for u in handlers if u.pk not in holders], by=actor)
        case_keys_give(
            ring=ring, appeal=appeal, users=[u for u in handlers if u.pk in shown_wanted - shown], parts=[IDENTITY]
        )
    except VaultError:
        raise ValidationError(
            _("You do not hold the key of this case in this session, so you cannot give it to anyone.")
        ) from None
    if appeal.status == S.REGISTERED:
        _move(appeal, S.CONSIDERING)
    fields = {"handlers": sorted(after)} | ({"identity_shown": sorted(shown_wanted)} if shown_wanted else {})
    _record(appeal, event="assigned", actor=actor, fields=fields)
    added = [user for user in handlers if user.pk not in before and user.pk != actor.pk]
    if added:
        office = appeal.district if appeal.district_id else appeal.school
        notify_send(users=added, kind=Kind.CASE_ASSIGNED, office=office, appeal=appeal)
    return appeal


@transaction.atomic
def case_measures(*, appeal: Appeal, kinds: list[str], text: str, taken_on: dt.date, actor) -> Appeal:
    """Column f of the journal: what was done, sealed, and the kinds of measure in the clear
    (for the reports: which measures work). Several measures may be recorded."""
    appeal = _locked(appeal)
    text = text.strip()
    kinds = sorted(set(kinds))
    if not kinds or not set(kinds) <= set(Measure.Kind.values):
        raise ValidationError(_("Choose at least one kind of measure."))
    if len(text) < 5:
        raise ValidationError(_("Describe the measures taken in a few words."))
    _move(appeal, S.MEASURES)
    Measure.objects.bulk_create([Measure(appeal=appeal, kind=kind, taken_on=taken_on, by=actor) for kind in kinds])
    _record(
        appeal,
        event="measures",
        actor=actor,
        fields={"on": taken_on.isoformat(), "kinds": kinds},
        sealed={"measures": text},
    )
    return appeal


@transaction.atomic
def case_facts(
    *, appeal: Appeal, place: str, grade_band: str, involved: list[str], subjects: list, new_subject: str = "", actor
) -> Appeal:
    """What the reports count to find causes (R20), in the clear: where it happened, the grade band,
    who is involved (by role), and the school's recurring subjects. Never a name or the appeal's words."""
    from reports.models import Subject, SubjectTag
    from reports.services import subject_named

    appeal = _locked(appeal)
    if place not in ("", *Appeal.Place.values) or grade_band not in ("", *Appeal.GradeBand.values):
        raise ValidationError(_("Choose from the list."))
    involved = sorted(set(involved))
    if not set(involved) <= set(Involvement.Who.values):
        raise ValidationError(_("Choose from the list."))
    chosen = {subject.pk for subject in subjects if subject.school_id == appeal.school_id}
    new_subject = " ".join(new_subject.split())
    if new_subject and not appeal.district_id:
        found = subject_named(appeal.school, new_subject)
        chosen.add((found or Subject.objects.create(school=appeal.school, name=new_subject)).pk)
    appeal.place, appeal.grade_band = place, grade_band
    appeal.save(update_fields=["place", "grade_band"])
    appeal.involved.exclude(who__in=involved).delete()
    Involvement.objects.bulk_create([Involvement(appeal=appeal, who=who) for who in involved], ignore_conflicts=True)
    if not appeal.district_id:  # subjects are the school's; an appeal sent to the district is not counted there
        SubjectTag.objects.filter(appeal=appeal).exclude(subject_id__in=chosen).delete()
        SubjectTag.objects.bulk_create(
            [SubjectTag(subject_id=pk, appeal=appeal) for pk in chosen], ignore_conflicts=True
        )
    names = sorted(Subject.objects.filter(pk__in=chosen).values_list("name", flat=True))
    _record(
        appeal,
        event="facts",
        actor=actor,
        fields={"place": place, "grade_band": grade_band, "involved": involved, "subjects": names},
    )
    return appeal


@transaction.atomic
def case_forward(*, appeal: Appeal, body: str, addressee: str, forwarded_on: dt.date, cover: str, actor) -> Forwarding:
    """Send the appeal on to a competent body; the cover letter is generated from this."""
    appeal = _locked(appeal)
    if body == Forwarding.Body.OTHER and not addressee.strip():
        raise ValidationError(_("Name the body the appeal is forwarded to."))
    _move(appeal, S.FORWARDED)
    forwarding = Forwarding.objects.create(
        appeal=appeal,
        body=body,
        addressee=addressee.strip(),
        forwarded_on=forwarded_on,
        cover_sealed=case_seal_text(appeal, cover.strip()) if cover.strip() else None,
        by=actor,
    )
    _record(
        appeal,
        event="forwarded",
        actor=actor,
        fields={"body": body, "addressee": forwarding.body_name, "on": forwarded_on.isoformat()},
    )
    return forwarding


@transaction.atomic
def case_answer(*, appeal: Appeal, mode: str, text: str, given_on: dt.date, actor) -> Answer:
    """Record the answer to the author and close the case ("answered and closed").

    An online appeal answered through the receipt code gets the answer in its
    follow-up thread, where the writer reads it with the code. An anonymous
    appeal has no one to write or phone to, so only that way is open to it.
    """
    from appeals.models import Message
    from appeals.services.intake import message_post

    appeal = _locked(appeal)
    text = text.strip()
    if len(text) < 10:
        raise ValidationError(_("Write the answer: what was found and what was done."))
    has_followup = hasattr(appeal, "followup")
    if mode == Answer.Mode.RECEIPT and not has_followup:
        raise ValidationError(_("This appeal has no receipt code: give the answer by letter, phone or in person."))
    if mode != Answer.Mode.RECEIPT and appeal.anonymous:
        raise ValidationError(
            _("The author is anonymous: the answer can only be given through the receipt code.")
            if has_followup
            else _("The author is anonymous and has no receipt code: the answer can only be kept in the case.")
        )
    _move(appeal, S.CLOSED)
    answer = Answer.objects.create(
        appeal=appeal, mode=mode, given_on=given_on, text_sealed=case_seal_text(appeal, text), by=actor
    )
    if mode == Answer.Mode.RECEIPT:
        message_post(appeal=appeal, side=Message.Side.ANSWER, body=text, sender=actor)
    _record(
        appeal,
        event="answered",
        actor=actor,
        fields={"mode": mode, "on": given_on.isoformat()},
        sealed={"answer": text},
    )
    return answer


@transaction.atomic
def case_close_unanswered(*, appeal: Appeal, reason: str, actor) -> Appeal:
    """Close an anonymous paper appeal, which nobody can be answered on, with the reason why."""
    appeal = _locked(appeal)
    if not (appeal.anonymous and not hasattr(appeal, "followup")):
        raise ValidationError(_("Answer the author before closing the case."))
    if len(reason.strip()) < 5:
        raise ValidationError(_("Say why the case is closed."))
    _move(appeal, S.CLOSED)
    _record(appeal, event="closed", actor=actor, sealed={"reason": reason.strip()})
    return appeal


@transaction.atomic
def case_dismiss(*, appeal: Appeal, reason: str, details: str, actor) -> Appeal:
    """Leave the appeal without consideration, with a stated reason."""
    appeal = _locked(appeal)
    if reason not in Appeal.DismissalReason.values:
        raise ValidationError(_("Choose the reason."))
    if reason == Appeal.DismissalReason.OTHER and len(details.strip()) < 5:
        raise ValidationError(_("Explain the reason."))
    _move(appeal, S.DISMISSED)
    appeal.dismissal_reason = reason
    appeal.save(update_fields=["dismissal_reason"])
    _record(
        appeal,
        event="dismissed",
        actor=actor,
        fields={"reason": reason},
        sealed={"details": details.strip()} if details.strip() else None,
    )
    return appeal


@transaction.atomic
def case_reopen(*, appeal: Appeal, reason: str, actor) -> Appeal:
    """A closed or dismissed case goes back under consideration (e.g. the writer says nothing was solved)."""
    appeal = _locked(appeal)
    _allowed(appeal, "reopen")
    if len(reason.strip()) < 5:
        raise ValidationError(_("Say why the case is reopened."))
    _move(appeal, S.CONSIDERING)
    appeal.dismissal_reason = ""
    appeal.save(update_fields=["dismissal_reason"])
    _record(appeal, event="reopened", actor=actor, sealed={"reason": reason.strip()})
    return appeal


@transaction.atomic
def case_reopen_by_writer(*, appeal: Appeal) -> Appeal:
    """The writer answered "not solved" after the case was closed: it is open again for the school.

    Nobody on the staff did this, so the journal amendment and the audit record
    have no actor and say the writer's answer caused it. The people on the case
    (its handlers and the responsible person; for an appeal sent to the district,
    its officers) are told through the outbox.
    """
    appeal = _locked(appeal)
    _move(appeal, S.CONSIDERING)
    appeal.dismissal_reason = ""
    appeal.save(update_fields=["dismissal_reason"])
    _record(
        appeal,
        event="reopened",
        actor=None,
        fields={"by": "writer", "solved": "no"},
        action="ishenim.case.reopened_by_writer",
    )
    _reopened_notify(appeal)
    return appeal


def _reopened_notify(appeal: Appeal) -> None:
    """Tell the people on the case; notify_send queues the messages for after the commit."""
    office: School | District
    if appeal.district is not None:
        office = appeal.district
        people = list(recipients(office, Role.DISTRICT_OFFICER))
    else:
        office = appeal.school
        people = list(appeal.handlers.filter(is_active=True)) + list(recipients(office, Role.RESPONSIBLE))
    notify_send(users=people, kind=Kind.CASE_REOPENED, office=office, appeal=appeal)


@transaction.atomic
def case_send_to_district(*, appeal: Appeal, code: str, note: str = "") -> tuple[Appeal, str]:
    """The writer said "not solved" and sends the case on to the district education department.

    The district gets a new appeal, in its own journal and sealed to its own key,
    the way the form sends appeals about a school's leadership: the writer's note,
    their first text and the school's answer (the writer's code opens both). A
    name the writer gave is not carried over: only the school's key opens it.
    The new appeal has its own receipt code, returned for the writer's receipt;
    the school's case records that it was sent on. Once per appeal.
    """
    from appeals.receipts import receipt_code_new
    from appeals.selectors import writer_view
    from appeals.services.intake import appeal_submit

    appeal = _locked(appeal)
    followup = FollowUp.objects.select_for_update().get(appeal=appeal)
    if appeal.district_id:
        raise ValidationError(_("This appeal is already with the district education department."))
    if followup.district_appeal_id:
        raise ValidationError(_("This appeal was already sent on to the district education department."))
    if followup.solved != FollowUp.Solved.NO:
        raise ValidationError(_("An appeal is sent on to the district when its writer says it was not solved."))
    view = writer_view(appeal, code)
    if not view.own_text:
        raise ValidationError(_("The receipt code does not open this appeal."))
    parts = [note.strip()] if note.strip() else []
    parts.append(
        _(
            "Sent on by its writer from appeal No. %(number)s of %(school)s: the school closed it, and the writer "
            "says the problem was not solved."
        )
        % {"number": appeal.journal_number, "school": appeal.school.name}
    )
    parts.append(_("The first appeal:") + "\n" + view.own_text)
    if view.answer:
        parts.append(_("The school's answer:") + "\n" + view.answer.text)
    new_code = receipt_code_new()
    sent = appeal_submit(
        school=appeal.school,
        text="\n\n".join(parts),
        category=appeal.category,
        author_kind=appeal.author_kind,
        to_district=True,
        urgent=appeal.urgent_reason == Appeal.UrgentReason.WRITER,
        language=appeal.language,
        receipt_code=new_code,
    )
    followup.district_appeal = sent
    followup.save(update_fields=["district_appeal"])
    _record(
        appeal,
        event="sent_to_district",
        actor=None,
        fields={"by": "writer", "district_appeal": sent.pk},
        action="ishenim.case.sent_to_district_by_writer",
    )
    return sent, new_code


@transaction.atomic
def case_extend(*, appeal: Appeal, due_on: dt.date, reason: str, actor) -> Appeal:
    """Extend the deadline, with a reason, at most EXTEND_MAX_DAYS after the original one."""
    appeal = _locked(appeal)
    if not appeal.is_open:
        raise ValidationError(_("The case is closed: there is no deadline to extend."))
    assert appeal.due_on is not None  # an open case has its deadline
    limit = appeal.due_on + dt.timedelta(days=settings.ISHENIM["EXTEND_MAX_DAYS"])
    if due_on <= appeal.due():
        raise ValidationError(_("The new date must be after the current one (%(due)s).") % {"due": appeal.due()})
    if due_on > limit:
        raise ValidationError(
            _("The deadline can be extended by at most %(days)s days, to %(limit)s.")
            % {"days": settings.ISHENIM["EXTEND_MAX_DAYS"], "limit": limit}
        )
    if len(reason.strip()) < 5:
        raise ValidationError(_("Give the reason for the extension."))
    appeal.extended_due_on = due_on
    appeal.extension_reason_sealed = case_seal_text(appeal, reason.strip())
    appeal.save(update_fields=["extended_due_on", "extension_reason_sealed"])
    _record(
        appeal, event="extended", actor=actor, fields={"due": due_on.isoformat()}, sealed={"reason": reason.strip()}
    )
    return appeal


@transaction.atomic
def case_correct(*, appeal: Appeal, summary: str, category: str, actor) -> Appeal:
    """Correct the journal's brief summary or category; the entry itself stays as written."""
    appeal = _locked(appeal)
    fields, sealed = {}, {}
    if category and category != appeal.category:
        if category not in Appeal.Category.values:
            raise ValidationError(_("Choose a category."))
        appeal.category = category
        appeal.save(update_fields=["category"])
        fields["category"] = category
    if summary.strip():
        sealed["summary"] = summary.strip()
    if not fields and not sealed:
        raise ValidationError(_("Nothing to correct."))
    _record(appeal, event="correction", actor=actor, fields=fields, sealed=sealed or None)
    return appeal


@transaction.atomic
def case_note_add(*, appeal: Appeal, text: str, actor) -> Note:
    """An internal note: staff only, never shown to the writer, not in the journal."""
    text = text.strip()
    if len(text) < 2:
        raise ValidationError(_("The note is empty."))
    note = Note.objects.create(appeal=appeal, author=actor, text_sealed=case_seal_text(appeal, text))
    audit_record(
        action="ishenim.case.note_added", scope=appeal.vault_scope, actor=actor, obj=appeal, detail={"note": note.pk}
    )
    return note
