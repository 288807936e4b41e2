"""Background jobs (django-tasks): inline with the default backend, in `ishenim db_worker` when configured.

Tasks take ids and plain data, so they can wait in the database queue.
"""

from django.db import transaction
from django_tasks import task

from reports.models import WeeklySummary
from reports.services import school_notify, weekly_summary_send
from schools.models import School


@task()
def weekly_summary_send_task(summary_id: int) -> int:
    summary = WeeklySummary.objects.select_related("school").filter(pk=summary_id).first()
    return weekly_summary_send(summary=summary) if summary else 0


@task()
def reminder_send_task(school_id: int, roles: list[str], template: str, context: dict) -> int:
    school = School.objects.filter(pk=school_id).first()
    return school_notify(school=school, roles=tuple(roles), template=template, context=context) if school else 0


def enqueue(task_, *args) -> None:
    """Queue a task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_.enqueue(*args))
