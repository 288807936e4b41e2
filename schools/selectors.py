"""Reads about a school's people."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from notify.models import ChannelSettings
from schools.models import Membership, Role, School
from schools.permissions import roles_with


def school_handlers(school: School) -> QuerySet:
    """Who may be given the school's cases (the inbox's handler filter and bulk assignment)."""
    people = Membership.objects.filter(school=school, role__in=roles_with("case.handle"), active=True)
    return get_user_model().objects.filter(pk__in=people.values("user")).order_by("last_name", "first_name")


def director_name(school: School) -> str:
    """The full name of the school's director, for the documents' signature lines."""
    membership = (
        Membership.objects.filter(school=school, role=Role.DIRECTOR, active=True).select_related("user").first()
    )
    return membership.user.get_full_name() if membership else ""


def school_contacts(schools, roles) -> dict[int, list[tuple[str, str, str]]]:
    """Per school: (name, role, phone) of the active people with these roles, the director first: the numbers a
    district officer calls. The phone is the one given with the staff list (their SMS number) or their confirmed
    WhatsApp number."""
    members = sorted(
        Membership.objects.filter(school__in=schools, role__in=roles, active=True, user__is_active=True).select_related(
            "user"
        ),
        key=lambda m: (m.role != Role.DIRECTOR, m.user.last_name, m.pk),
    )
    phones = {
        user: phone or whatsapp
        for user, phone, whatsapp in ChannelSettings.objects.filter(user__in=[m.user_id for m in members]).values_list(
            "user", "phone", "whatsapp_phone"
        )
    }
    found: dict[int, list[tuple[str, str, str]]] = {}
    for m in members:
        assert m.school_id is not None  # members of the schools asked for
        name = m.user.get_full_name() or m.user.get_username()
        found.setdefault(m.school_id, []).append((name, m.get_role_display(), phones.get(m.user_id, "")))
    return found
