from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from schools.access import memberships, roles_at, school_for, schools_of
from schools.forms import BoxHoursFormSet, HelpNumberFormSet, SchoolForm
from schools.models import Role
from schools.views_setup import sheets_waiting
from schools.work import my_work


def home(request):
    mine = memberships(request)
    schools = list(schools_of(request))
    if len(schools) == 1 and not any(m.district_id for m in mine):
        return redirect("schools:school", school=schools[0].slug)
    context = {"schools": schools, "memberships": mine, "sheets_waiting": sheets_waiting(request)}
    return render(request, "schools/staff/home.html", context)


def work(request):
    """'My work', where every login lands: what waits for this person, most pressing first."""
    mine = memberships(request)
    districts = [m.district for m in mine if m.district_id]
    context = {
        "work": my_work(request),
        "districts": districts,
        "own_schools": {m.school_id for m in mine if m.school_id},
        "today": timezone.localdate(),
        "sheets_waiting": sheets_waiting(request),
    }
    return render(request, "schools/staff/work.html", context)


def school(request, school):
    school = school_for(request, school)
    roles = [Role(role).label for role in sorted(roles_at(request, school))]
    context = {"school": school, "roles": roles, "sheets_waiting": sheets_waiting(request)}
    return render(request, "schools/staff/school.html", context)


def settings(request, school):
    school = school_for(request, school, "school.settings")
    data = request.POST if request.method == "POST" else None
    form = SchoolForm(data, instance=school)
    numbers = HelpNumberFormSet(data, instance=school, prefix="numbers")
    hours = BoxHoursFormSet(data, instance=school, prefix="hours")
    if data is not None and form.is_valid() and numbers.is_valid() and hours.is_valid():
        with transaction.atomic():
            form.save()
            numbers.save()
            hours.save()
            audit_record(action="ishenim.school.changed", scope=school.vault_scope, actor=request.user, obj=school)
        messages.success(request, _("The school's settings were saved."))
        return redirect("schools:settings", school=school.slug)
    return render(
        request,
        "schools/staff/settings.html",
        {"school": school, "form": form, "numbers": numbers, "hours": hours},
    )
