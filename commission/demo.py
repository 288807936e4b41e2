"""The demo school's commission: appointed by order, chair and secretary elected, one final protocol.

Called once for the demo (`commission_demo_create(school)`); a second call changes nothing.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from commission.models import Meeting
from commission.services import (
    Tally,
    commission_from_accounts,
    commission_of,
    election_record,
    meeting_add_agenda_item,
    meeting_circulate,
    meeting_confirm,
    meeting_create,
    order_record,
)
from schools.models import Membership, Role, School


@transaction.atomic
def commission_demo_create(school: School) -> bool:
    """True if the demo commission was made now."""
    commission = commission_of(school)
    if commission.orders.exists():
        return False
    director = Membership.objects.filter(school=school, role=Role.DIRECTOR).select_related("user").first()
    actor = director.user if director else get_user_model().objects.filter(is_superuser=True).first()
    appointed = dt.date(school.school_year(), school.year_start_month, 1)
    order = order_record(
        commission=commission, number="45-к", issued_on=appointed, scan=None, scan_type="", actor=actor
    )
    members = commission_from_accounts(commission=commission, on=appointed, order=order, actor=actor)
    if not members:
        return True
    meeting = meeting_create(
        commission=commission,
        actor=actor,
        attendees=members,
        held_on=appointed + dt.timedelta(days=4),
        starts_at=dt.time(15, 0),
        place="Мугалимдер бөлмөсү",
        first=True,
    )
    chair = next((m for m in members if m.responsible), members[0])
    secretary = next((m for m in members if m != chair and not m.parents_representative), members[-1])
    everyone = len(members)
    election_record(meeting=meeting, office="chair", tallies=[Tally(chair, everyone, 0, 0)], actor=actor)
    election_record(meeting=meeting, office="secretary", tallies=[Tally(secretary, everyone - 1, 0, 1)], actor=actor)
    meeting_add_agenda_item(
        meeting=meeting,
        title="Ишеним почтасынын жобосу жана кутучаны ачуу тартиби жөнүндө",
        heard=f"{chair.full_name} Ишеним почтасы жөнүндө жобону жана кутучаны ачуу графигин тааныштырды.",
        spoke="Ата-энелердин өкүлү жобону ата-энелер чогулушунда жана мектептин сайтында жарыялоону сунуштады.",
        resolved="1. Жобо жана ачуу графиги эске алынсын.\n2. Жобо мектептин сайтына жарыялансын.",
    )
    meeting_circulate(meeting=meeting, actor=actor)
    for member in meeting.attendees.select_related("user"):
        if member.user_id:
            meeting_confirm(meeting=meeting, member=member, actor=member.user)
        else:
            meeting_confirm(meeting=meeting, member=member, actor=actor, on_paper=True)
    return Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.FINAL).exists()
