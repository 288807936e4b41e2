"""The commission itself: its orders, members and the rules they must meet (regulation B 5.1, 5.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from commission.models import Commission, Election, Member, Order
from schools.models import Membership, Role, School
from vault.services import seal


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
        elected = election.elected
        assert elected is not None  # filtered on elected__isnull=False
        result[election.office] = elected if elected.serves_on(day) else None
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
