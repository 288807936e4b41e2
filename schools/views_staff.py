from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from schools.access import district_for, memberships, roles_at, school_for, schools_of
from schools.models import Role
from schools.views_setup import school_settings_edit, sheets_waiting
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
    return school_settings_edit(request, school, reverse("schools:settings", kwargs={"school": school.slug}))


def district_moved(request, district, page):
    """The old address of a district office's keys and audit trail (`/staff/districts/<district>/…`):
    its officers are sent on to `/district/<district>/…`, where every district page lives."""
    district_for(request, district, "district.appeals")
    return redirect(f"/district/{district}/{page}", permanent=True)
