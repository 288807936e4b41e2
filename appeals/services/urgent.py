"""R22: an urgent appeal gets a person on it within minutes, or the alert climbs.

The alert goes first to the responsible person, then — each time
`ISHENIM_URGENT_ACK_MINUTES` pass without "I am on it", or at once when the
alert reached nobody — to the director, then to the district officers. Each
step is an audit record and a journal amendment (the case's timeline).
`urgent_escalate_due` runs from `ishenim tick` every minute; it reads one
indexed column, so an idle minute costs one query.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Appeal
from appeals.services.cases import _locked, _record
from audit.services import audit_record
from notify.models import Kind
from notify.services import notify_send, recipients
from schools.models import Role

__all__ = [
    "appeal_acknowledge",
    "urgent_alert",
    "urgent_at_district",
    "urgent_escalate_due",
    "urgent_unreached",
]

# Who is alerted at each level, for an appeal to a school; an appeal sent to the district has one level.
SCHOOL_LEVELS = (Role.RESPONSIBLE, Role.DIRECTOR, Role.DISTRICT_OFFICER)
DISTRICT_LEVEL = SCHOOL_LEVELS.index(Role.DISTRICT_OFFICER)


def ack_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ISHENIM_URGENT_ACK_MINUTES)


def levels(appeal: Appeal) -> int:
    return 1 if appeal.district_id else len(SCHOOL_LEVELS)


def level_people(appeal: Appeal, level: int):
    """The people alerted at this level, and the office the message names."""
    if appeal.district is not None:
        return recipients(appeal.district, Role.DISTRICT_OFFICER), appeal.district
    role = SCHOOL_LEVELS[level]
    if role == Role.DISTRICT_OFFICER:
        return recipients(appeal.school.district, role), appeal.school
    return recipients(appeal.school, role), appeal.school


def _send(appeal: Appeal, level: int) -> None:
    """Alert the people of this level; with nobody there the alert reached nobody."""
    people, office = level_people(appeal, level)
    kind = Kind.URGENT if level == 0 else Kind.URGENT_ESCALATED
    params: dict[str, object] = {"minutes": settings.ISHENIM_URGENT_ACK_MINUTES * level}
    if not appeal.district_id and SCHOOL_LEVELS[level] == Role.DISTRICT_OFFICER:
        # District officers cannot open a school's appeal: their link is the district's page of urgent appeals.
        params["link"] = settings.SITE_URL.rstrip("/") + reverse(
            "reports_district:urgent", args=[appeal.school.district.slug]
        )
    rows = notify_send(
        users=people,
        kind=kind,
        office=office,
        appeal=appeal,
        params=params,
        urgent=True,
        level=level,
        office_address=bool(appeal.district_id),
    )
    if not rows:
        transaction.on_commit(lambda: urgent_unreached(appeal_id=appeal.pk, level=level))


def urgent_alert(*, appeal: Appeal) -> None:
    """The first alert, inside the submission's transaction: the rows commit with the appeal."""
    Appeal.objects.filter(pk=appeal.pk).update(escalation_level=0, escalate_at=timezone.now() + ack_window())
    audit_record(action="ishenim.urgent.alerted", scope=appeal.vault_scope, obj=appeal, detail={"level": 0})
    _send(appeal, 0)


def urgent_at_district(district) -> QuerySet[Appeal]:
    """The district's schools' urgent appeals nobody acknowledged after the alert climbed to its officers.

    An officer may say "I am on it" to these without reading them: no content is loaded,
    only the school, the number, the time and the kinds of danger found."""
    return (
        Appeal.objects.filter(
            school__district=district,
            district__isnull=True,
            urgent=True,
            acknowledged_at__isnull=True,
            escalation_level__gte=DISTRICT_LEVEL,
            status__in=Appeal.OPEN_STATUSES,
        )
        .select_related("school__district")
        .defer("text_sealed", "author_sealed")
        .order_by("received_at", "pk")
    )


@transaction.atomic
def appeal_acknowledge(*, appeal: Appeal, actor) -> Appeal:
    """ "I am on it": a person who may read the case, or a district officer the alert climbed to, has taken it
    up; the alert stops climbing."""
    appeal = _locked(appeal)
    if not appeal.urgent:
        raise ValidationError(_("Only an urgent appeal needs this."))
    if appeal.acknowledged_at:
        raise ValidationError(_("Someone is already on this case."))
    appeal.acknowledged_at, appeal.acknowledged_by, appeal.escalate_at = timezone.now(), actor, None
    appeal.save(update_fields=["acknowledged_at", "acknowledged_by", "escalate_at"])
    _record(appeal, event="acknowledged", actor=actor, fields={"level": appeal.escalation_level})
    return appeal


@transaction.atomic
def _escalate(appeal_id: int, *, level: int, reason: str, now: dt.datetime) -> bool:
    """Move the alert from `level` one up, unless someone acknowledged or another run did it first."""
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("school", "district").get(pk=appeal_id)
    if appeal.acknowledged_at or appeal.escalation_level != level or not appeal.urgent or not appeal.is_open:
        return False
    top = levels(appeal) - 1
    if level >= top:
        # Nobody above: the platform administrators hear of it, and the case waits on top of every inbox.
        appeal.escalate_at = None
        appeal.save(update_fields=["escalate_at"])
        admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
        notify_send(users=admins, kind=Kind.URGENT_UNREACHED, office=appeal.school, appeal=appeal, level=level)
        audit_record(action="ishenim.urgent.unreached", scope=appeal.vault_scope, obj=appeal, detail={"level": level})
        return False
    appeal.escalation_level = level + 1
    appeal.escalate_at = now + ack_window()  # at the top, its passing tells the platform administrators
    appeal.save(update_fields=["escalation_level", "escalate_at"])
    _record(
        appeal,
        event="escalated",
        actor=None,
        fields={"level": level + 1, "to": str(SCHOOL_LEVELS[level + 1]), "reason": reason},
        action="ishenim.urgent.escalated",
    )
    _send(appeal, level + 1)
    return True


def urgent_escalate_due(now: dt.datetime | None = None) -> int:
    """Every urgent appeal whose acknowledgement time passed goes one level up (tick, each minute)."""
    now = now or timezone.now()
    due = Appeal.objects.filter(
        escalate_at__lte=now, acknowledged_at__isnull=True, status__in=Appeal.OPEN_STATUSES
    ).values_list("pk", "escalation_level")
    return sum(_escalate(pk, level=level, reason="not acknowledged", now=now) for pk, level in due)


def urgent_unreached(*, appeal_id: int, level: int) -> bool:
    """The alert of this level reached nobody: go up at once, without waiting for the acknowledgement time."""
    return _escalate(appeal_id, level=level, reason="reached nobody", now=timezone.now())
