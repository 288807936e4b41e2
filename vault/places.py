"""A school or a district office seen as the owner of a vault scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from schools.access import district_for, school_for
from schools.models import District, Membership, Role, School
from schools.permissions import roles_with


@dataclass
class Place:
    scope: str
    name: str
    school: School | None = None
    district: District | None = None

    @property
    def url_args(self) -> tuple[str, str]:
        if self.school is not None:
            return ("school", self.school.slug)
        assert self.district is not None  # a place is a school or a district
        return ("district", self.district.slug)

    def url(self, name: str) -> str:
        kind, slug = self.url_args
        return reverse(f"vault:{kind}_{name}", args=[slug])

    @property
    def links(self) -> dict[str, str]:
        names = ("keys", "grant", "revoke", "rotate", "recovery_new", "recovery_pdf", "recover")
        return {name: self.url(name) for name in names}

    def readers(self):
        """The active memberships whose role holds the key here (case handlers hold only their cases' keys)."""
        if self.school:
            queryset = Membership.objects.filter(school=self.school, role__in=roles_with("vault.hold_school_key"))
        else:
            queryset = Membership.objects.filter(district=self.district, role=Role.DISTRICT_OFFICER)
        return queryset.filter(active=True).select_related("user").order_by("user__last_name", "user__username")


def school_place(request: HttpRequest, slug: str, permission: str) -> Place:
    """The school if the user holds `permission` there (a district officer never does)."""
    school = school_for(request, slug, permission)
    return Place(scope=school.vault_scope, name=school.name, school=school)


def district_place(request: HttpRequest, slug: str) -> Place:
    district = district_for(request, slug, "district.manage_keys")
    return Place(scope=district.vault_scope, name=district.name, district=district)
