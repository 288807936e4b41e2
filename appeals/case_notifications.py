"""Telling a handler that a case was given to them.

Like the urgent notice, the email carries no content: the appeal's number, the
school, the answer's due date and a link. Mail passes through servers the
school does not control; the content stays in the vault.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from appeals.models import Appeal

log = logging.getLogger(__name__)


def assigned_message(appeal: Appeal, recipients: list[str]) -> EmailMessage:
    context = {
        "appeal": appeal,
        "link": settings.SITE_URL.rstrip("/")
        + reverse("appeals:detail", kwargs={"school": appeal.school.slug, "pk": appeal.pk}),
    }
    subjects, parts = [], []
    for language in ("ky", "ru"):  # staff read both; the recipient's choice is not known here
        with translation.override(language):
            context["office"] = (
                appeal.district.name_in(language) if appeal.district_id else appeal.school.name_in(language)
            )
            subjects.append(render_to_string("appeals/email/case_assigned_subject.txt", context).strip())
            parts.append(render_to_string("appeals/email/case_assigned_body.txt", context))
    return EmailMessage(
        subject=subjects[0], body="\n\n— — —\n\n".join(parts), from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    )


@task()
def case_assigned_notify(appeal_id: int, user_ids: list[int]) -> int:
    """Email the newly assigned handlers; returns how many addresses it went to."""
    appeal = Appeal.objects.select_related("school", "district").get(pk=appeal_id)
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return 0
    try:
        assigned_message(appeal, recipients).send()
    except Exception:  # noqa: BLE001 - SMTP, DNS, TLS…: the case panel still shows the assignment
        log.exception("case %s: the assignment notice could not be sent", appeal.pk)  # the id only
        return 0
    return len(recipients)
