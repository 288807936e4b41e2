"""The one place that decides which school a staff member may open.

Every staff view starts with one of these helpers: it returns the object scoped
to the user's memberships or raises 404, so another school's records never
exist for them. Roles are data (Membership rows), never hard-coded per user;
what a role may do is `schools.permissions`. The helpers return roles, they
never store them on the request.
"""

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from schools.models import District, Membership, Role, School
from schools.offices import Office
from schools.permissions import ASSIGNED, PERMISSIONS, permitted


def memberships(request: HttpRequest) -> list[Membership]:
    """The user's active memberships, loaded once per request."""
    cached = getattr(request, "_memberships", None)
    if cached is None:
        user = request.user
        mine = Membership.objects.filter(user=user, active=True) if user.is_authenticated else Membership.objects.none()
        cached = list(mine.select_related("school", "district"))
        setattr(request, "_memberships", cached)  # noqa: B010 - a per-request cache, not a policy
    return cached


def roles_at(request: HttpRequest, school: School) -> frozenset[str]:
    """The user's roles at this school; district officers of its district count."""
    roles = set()
    for m in memberships(request):
        if m.school_id == school.pk:
            roles.add(m.role)
        elif m.district_id == school.district_id and m.role == Role.DISTRICT_OFFICER:
            roles.add(Role.DISTRICT_OFFICER)
    return frozenset(roles)


def may(request: HttpRequest, school: School, permission: str) -> bool:
    return permitted(roles_at(request, school), permission)


def appeal_roles(request: HttpRequest, appeal) -> frozenset[str]:
    """The roles that count on this appeal, and `ASSIGNED` when the user handles it.

    An appeal sent to the district (about the school's leadership) is the district
    officers' alone; the school's own appeals are never the district's to handle.
    """
    known: dict[int, frozenset[str]] = getattr(request, "_appeal_roles", {})
    if appeal.pk not in known:
        roles = roles_at(request, appeal.school)
        roles = roles & {Role.DISTRICT_OFFICER} if appeal.district_id else roles - {Role.DISTRICT_OFFICER}
        if appeal.handlers.filter(pk=request.user.pk).exists():
            roles |= {ASSIGNED}
        known[appeal.pk] = roles
        setattr(request, "_appeal_roles", known)  # noqa: B010 - once per appeal and request
    return known[appeal.pk]


def schools_of(request: HttpRequest) -> QuerySet[School]:
    """Every school the user has any role at, including their districts' schools."""
    mine = memberships(request)
    school_ids = [m.school_id for m in mine if m.school_id]
    district_ids = [m.district_id for m in mine if m.district_id and m.role == Role.DISTRICT_OFFICER]
    return School.objects.filter(Q(pk__in=school_ids) | Q(district_id__in=district_ids)).select_related("district")


def _known(permission: str) -> str:
    if permission not in PERMISSIONS and permission in Role.values:
        raise TypeError(f"name a permission of schools.permissions, not the role {permission!r}")
    return permission


def school_for(request: HttpRequest, slug: str, permission: str = "school.view") -> School:
    """The school `slug` if the user holds `permission` there; 404 otherwise."""
    school = School.objects.select_related("district").filter(slug=slug).first()
    if school is None or not may(request, school, _known(permission)):
        raise Http404
    return school


def district_for(request: HttpRequest, slug: str, permission: str = "district.appeals") -> District:
    """The district `slug` if the user is one of its officers and they hold `permission`; 404 otherwise."""
    for m in memberships(request):
        district = m.district if m.role == Role.DISTRICT_OFFICER else None
        if district is not None and district.slug == slug and permitted({m.role}, _known(permission)):
            return district
    raise Http404


def office_for(request: HttpRequest, where: dict[str, str], *, school: str, district: str) -> Office:
    """The office a URL names (`{"school": slug}` or `{"district": slug}`), if the user holds
    the permission named for its kind there; 404 otherwise."""
    if set(where) == {"school"}:
        return Office(school=school_for(request, where["school"], school))
    if set(where) == {"district"}:
        return Office(district=district_for(request, where["district"], district))
    raise TypeError(f"an office is named by a school or a district, not {sorted(where)}")
