"""What the machine cannot check, recorded by the director (R06 the page on the website,
R21 confidentiality instruction): who confirmed it, on which day, and how."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from reports.models import Attestation
from schools.models import School


class AttestationForm(forms.Form):
    requirement = forms.ChoiceField(choices=Attestation.Requirement, widget=forms.HiddenInput)
    confirmed_on = forms.DateField(
        label=gettext_lazy("confirmed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    note = forms.CharField(
        label=gettext_lazy("how it was checked"),
        max_length=300,
        help_text=gettext_lazy("For example: the instruction on 10 September, 12 signatures on the list."),
    )


def school_year_start(school: School, on: dt.date) -> dt.date:
    """The first day of the school year `on` falls in: a confirmation counts for that school year."""
    return dt.date(school.school_year(on), school.year_start_month, 1)


@transaction.atomic
def attestation_record(*, school: School, requirement: str, confirmed_on: dt.date, note: str, actor) -> Attestation:
    """Record an attestation ("confirmed by … on …"), audited; it counts for the school year it was made in."""
    today = timezone.localdate()
    if requirement not in Attestation.Requirement.values:
        raise ValidationError(_("Choose a requirement that needs a confirmation."))
    if confirmed_on > today:
        raise ValidationError(_("A confirmation cannot be dated in the future."))
    if confirmed_on < school_year_start(school, today):
        raise ValidationError(_("Confirm it for this school year: give a date since the school year began."))
    if len(note.strip()) < 5:
        raise ValidationError(_("Say how it was checked."))
    attestation = Attestation.objects.create(
        school=school, requirement=requirement, confirmed_on=confirmed_on, note=note.strip(), confirmed_by=actor
    )
    audit_record(
        action="ishenim.compliance.confirmed",
        scope=school.vault_scope,
        actor=actor,
        obj=attestation,
        detail={"requirement": requirement, "on": confirmed_on.isoformat()},
    )
    return attestation
