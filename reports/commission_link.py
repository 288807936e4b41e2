"""What the reports read from the commission: openings, meetings, members, agendas.

Everything goes through this module, so the reports still work (and say so)
on an installation where the commission's records are not kept in Ishenim.
"""

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

from django.utils import timezone

from schools.models import School


def _module(name: str):
    try:
        return import_module(name)
    except ImportError:
        return None


def models():
    module = _module("commission.models")
    return module if module is not None and hasattr(module, "Opening") else None


def available() -> bool:
    return models() is not None


@dataclass
class OpeningsCheck:
    planned: list[dt.datetime] = field(default_factory=list)
    held: list[dt.datetime] = field(default_factory=list)
    missed: list[dt.datetime] = field(default_factory=list)
    known: bool = True  # False: no commission records to compare with

    @property
    def on_schedule(self) -> bool:
        return self.known and not self.missed


def openings(school: School, start: dt.datetime, end: dt.datetime) -> OpeningsCheck:
    """Planned openings in [start, end), which were held (recorded on that day) and which were missed."""
    planned = school.planned_openings(start, end)
    m = models()
    if m is None:
        return OpeningsCheck(planned=planned, known=False)
    held = list(
        m.Opening.objects.filter(
            school=school, status=m.Opening.Status.DONE, opened_at__gte=start - dt.timedelta(days=1), opened_at__lt=end
        ).values_list("opened_at", flat=True)
    )
    held_days = {timezone.localtime(at).date() for at in held}
    now = timezone.now()
    missed = [when for when in planned if timezone.localtime(when).date() not in held_days and when < now]
    return OpeningsCheck(planned=planned, held=[at for at in held if at >= start], missed=missed)


@dataclass
class CommissionState:
    exists: bool
    members: int = 0
    parents: int = 0
    responsible: int = 0
    has_order: bool = False
    chair: bool = False
    secretary: bool = False


def upcoming_meetings(school: School) -> list | None:
    """Meetings whose agenda can still take an item; None without commission records."""
    m = models()
    if m is None:
        return None
    return list(
        m.Meeting.objects.filter(
            commission__school=school, status=m.Meeting.Status.DRAFT, held_on__gte=timezone.localdate()
        ).order_by("held_on")
    )


def meeting_get(school: School, pk: int):
    m = models()
    if m is None:
        return None
    return m.Meeting.objects.filter(commission__school=school, status=m.Meeting.Status.DRAFT, pk=pk).first()


def agenda_add(*, meeting, title: str, object_ref: str) -> bool:
    """Put an item on a meeting's agenda through the commission's own service, if it has one."""
    services = _module("commission.services")
    add = getattr(services, "meeting_add_agenda_item", None)
    if add is None:
        return False
    add(meeting=meeting, title=title, object_ref=object_ref)
    return True


def agenda_service_available() -> bool:
    return hasattr(_module("commission.services"), "meeting_add_agenda_item")
