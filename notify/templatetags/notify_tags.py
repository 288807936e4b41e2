import datetime as dt

from django import template
from django.utils import timezone

from notify.models import Outbox

register = template.Library()


@register.simple_tag
def failures_count(school) -> int:
    """Messages of the school that did not arrive in the last seven days (the nav shows the number)."""
    since = timezone.now() - dt.timedelta(days=7)
    return Outbox.objects.filter(
        school=school, status__in=[Outbox.Status.FAILED, Outbox.Status.GAVE_UP], created_at__gte=since
    ).count()
