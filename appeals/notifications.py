"""Telling staff at once that an urgent appeal came in (R22).

The email says only that an urgent appeal arrived, where, and when, with a
link: never its text, category, words found or author. Mail passes through
servers the school does not control; the content stays in the vault.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from appeals.models import Appeal
from schools.models import Role

log = logging.getLogger(__name__)


def urgent_recipients(appeal: Appeal) -> list[str]:
    """Responsible person and director of the school; for an appeal sent to the
    district (about the school's leadership) the district officers instead."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if appeal.district_id:
        people = users.filter(
            memberships__district_id=appeal.district_id,
            memberships__role=Role.DISTRICT_OFFICER,
            memberships__active=True,
        )
        extra = [appeal.district.email] if appeal.district.email else []
    else:
        people = users.filter(
            Q(memberships__role=Role.RESPONSIBLE) | Q(memberships__role=Role.DIRECTOR),
            memberships__school_id=appeal.school_id,
            memberships__active=True,
        )
        extra = []
    return sorted(set(people.values_list("email", flat=True)) | set(extra))


def urgent_message(appeal: Appeal, recipients: list[str]) -> EmailMessage:
    link = settings.SITE_URL.rstrip("/") + reverse(
        "appeals:detail", kwargs={"school": appeal.school.slug, "pk": appeal.pk}
    )
    context = {
        "appeal": appeal,
        "school_names": {lang: appeal.school.name_in(lang) for lang in ("ky", "ru")},
        "received": timezone.localtime(appeal.received_at),
        "link": link,
    }
    parts, subjects = [], []
    for language in ("ky", "ru"):  # staff read both; the recipient's choice is not known here
        with translation.override(language):
            subjects.append(render_to_string("appeals/email/urgent_subject.txt", context).strip())
            parts.append(render_to_string("appeals/email/urgent_body.txt", {**context, "LANGUAGE": language}))
    return EmailMessage(
        subject=subjects[0],
        body="\n\n— — —\n\n".join(parts),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )


@task()
def urgent_notify(appeal_id: int) -> int:
    """Send the urgent notice; returns how many addresses it went to."""
    appeal = Appeal.objects.select_related("school", "district").get(pk=appeal_id)
    recipients = urgent_recipients(appeal)
    if not recipients:
        log.warning("urgent appeal %s: nobody with an email address to notify", appeal.pk)
        return 0
    try:
        urgent_message(appeal, recipients).send()
    except Exception:  # noqa: BLE001 - SMTP, DNS, TLS…: the inbox still shows it on top
        # The log names the appeal id only.
        log.exception("urgent appeal %s: the notice could not be sent", appeal.pk)
        return 0
    return len(recipients)
