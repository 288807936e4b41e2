"""Measures decided for the whole school (R20): in a quarterly report or at a commission meeting,
each becomes an action with an owner and a due date; "My work" and a daily reminder keep it in
sight until the owner marks it done, so the next report can show what was carried out.

An action names a measure, never a person or a case: it is read by the whole commission.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Appeal, Measure
from audit.services import audit_record
from reports.models import Action, QuarterlyReport
from reports.periods import REMIND_DAYS, reminder_day
from schools.models import School


def action_owners(school: School) -> QuerySet:
    """Who may own an action: the school's active staff."""
    return (
        get_user_model()
        .objects.filter(memberships__school=school, memberships__active=True, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def action_add(
    *,
    school: School,
    title: str,
    kind: str,
    owner,
    decided_on: dt.date,
    due_on: dt.date,
    actor,
    category: str = "",
    place: str = "",
    report: QuarterlyReport | None = None,
    meeting=None,
) -> Action:
    """Record a measure decided for the school, with who carries it out and by when."""
    title = " ".join(title.split())
    if len(title) < 5:
        raise ValidationError(_("Name the measure in a few words."))
    if kind not in Measure.Kind.values or category not in ("", *Appeal.Category.values):
        raise ValidationError(_("Choose from the list."))
    if place not in ("", *Appeal.Place.values):
        raise ValidationError(_("Choose from the list."))
    if not action_owners(school).filter(pk=owner.pk).exists():
        raise ValidationError(_("The person responsible must work at the school."))
    if due_on < decided_on:
        raise ValidationError(_("The due date cannot be before the day it was decided."))
    if report is not None and report.school_id != school.pk:
        raise ValidationError(_("That report is another school's."))
    if meeting is not None and meeting.commission.school_id != school.pk:
        raise ValidationError(_("That meeting is another school's."))
    action = Action.objects.create(
        school=school,
        report=report,
        meeting=meeting,
        title=title,
        kind=kind,
        category=category,
        place=place,
        owner=owner,
        decided_on=decided_on,
        due_on=due_on,
    )
    audit_record(
        action="ishenim.report.action_added",
        scope=school.vault_scope,
        actor=actor,
        obj=action,
        detail={"owner": owner.pk, "due_on": due_on.isoformat(), "report": report and report.pk},
    )
    return action


@transaction.atomic
def action_done(*, action: Action, done_on: dt.date, note: str, actor) -> Action:
    """The owner (or the report's manager) says the measure was carried out, and how."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    note = " ".join(note.split())
    if action.done:
        raise ValidationError(_("This action is already marked done."))
    if done_on < action.decided_on or done_on > timezone.localdate():
        raise ValidationError(_("The date must be between the day it was decided and today."))
    if len(note) < 5:
        raise ValidationError(_("Say in a few words what was done."))
    action.done_on, action.done_note = done_on, note
    action.save(update_fields=["done_on", "done_note"])
    audit_record(
        action="ishenim.report.action_done",
        scope=action.school.vault_scope,
        actor=actor,
        obj=action,
        detail={"done_on": done_on.isoformat()},
    )
    return action


def actions_due(owner, today: dt.date, schools=None) -> QuerySet[Action]:
    """The owner's actions not done yet and due within REMIND_DAYS (or overdue), soonest first."""
    actions = Action.objects.filter(owner=owner, done_on__isnull=True, due_on__lte=today + dt.timedelta(REMIND_DAYS))
    if schools is not None:
        actions = actions.filter(school__in=schools)
    return actions.select_related("school").order_by("due_on", "pk")


def action_remind_today(action: Action, today: dt.date) -> bool:
    """Remind the owner REMIND_DAYS before the due date, on it, and each Monday while overdue."""
    return not action.done and reminder_day(today, action.due_on)


def action_remind(action: Action, today: dt.date) -> str:
    """Tell the owner, by the channels they chose, that the action is due or late (the title only)."""
    from notify.models import Kind
    from notify.services import notify_send

    late = today > action.due_on
    notify_send(
        users=[action.owner],
        kind=Kind.ACTION_DUE,
        office=action.school,
        params={"action": action, "school": action.school, "late": late},
    )
    return "late" if late else "due"
