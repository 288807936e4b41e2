"""The one place that decides which school a staff member may open.

Every staff view starts with one of these helpers: it returns the object scoped
to the user's memberships or raises 404, so another school's records never
exist for them. Roles are data (Membership rows), never hard-coded per user.
"""

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from schools.models import District, Membership, Role, School


def memberships(request: HttpRequest) -> list[Membership]:
    """The user's active memberships, loaded once per request."""
    cached = getattr(request, "_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=request.user, active=True).select_related("school", "district"))
        request._memberships = cached
    return cached


def roles_at(request: HttpRequest, school: School) -> set[str]:
    """The user's roles at this school; district officers of its district count."""
    roles = set()
    for m in memberships(request):
        if m.school_id == school.pk:
            roles.add(m.role)
        elif m.district_id == school.district_id and m.role == Role.DISTRICT_OFFICER:
            roles.add(Role.DISTRICT_OFFICER)
    return roles


def schools_of(request: HttpRequest) -> QuerySet[School]:
    """Every school the user has any role at, including their districts' schools."""
    mine = memberships(request)
    school_ids = [m.school_id for m in mine if m.school_id]
    district_ids = [m.district_id for m in mine if m.district_id and m.role == Role.DISTRICT_OFFICER]
    return School.objects.filter(Q(pk__in=school_ids) | Q(district_id__in=district_ids)).select_related("district")


def school_for(request: HttpRequest, slug: str, *roles: str) -> School:
    """The school `slug` if the user holds one of `roles` there (any role if none given)."""
    school = School.objects.select_related("district").filter(slug=slug).first()
    if school is None:
        raise Http404
    held = roles_at(request, school)
    if not held or (roles and not held.intersection(roles)):
        raise Http404
    request.school_roles = held
    return school


def district_for(request: HttpRequest, slug: str) -> District:
    for m in memberships(request):
        if m.role == Role.DISTRICT_OFFICER and m.district and m.district.slug == slug:
            return m.district
    raise Http404
