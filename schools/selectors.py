"""Reads about a school's people."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from schools.models import Membership, School
from schools.permissions import roles_with


def school_handlers(school: School) -> QuerySet:
    """Who may be given the school's cases (the inbox's handler filter and bulk assignment)."""
    people = Membership.objects.filter(school=school, role__in=roles_with("case.handle"), active=True)
    return get_user_model().objects.filter(pk__in=people.values("user")).order_by("last_name", "first_name")
