import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditRecord
from schools.models import Membership, School

ACCOUNT_EVENTS = "ishenim.account."


def trail(
    *,
    scopes: list[str],
    member_ids: set[int],
    action: str = "",
    actor: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditRecord]:
    """The records of these chains, plus the platform chain's account events
    (logins, failed logins, …) of these members, newest first."""
    members = [str(pk) for pk in member_ids]
    account = Q(chain__scope="platform", action__startswith=ACCOUNT_EVENTS) & (
        Q(actor_id__in=member_ids) | Q(object_type="auth.user", object_id__in=members)
    )
    records = AuditRecord.objects.filter(Q(chain__scope__in=scopes) | account)
    if action:
        records = records.filter(action__startswith=action)
    if actor:
        records = records.filter(actor_id=actor)
    tz = timezone.get_current_timezone()
    if since:
        records = records.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        records = records.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return records.select_related("chain", "actor").order_by("-at", "-pk")


def members_of(*, schools: list[School], district=None) -> set[int]:
    q = Q(school__in=schools)
    if district is not None:
        q |= Q(district=district)
    return set(Membership.objects.filter(q).values_list("user_id", flat=True))
