"""Removing a member removes their copy of the school's key, and of their cases' keys.

When a membership ends (deactivated or deleted): if the person keeps no role
that holds the key at that school (or district), their grant of the key is
deleted; if they keep no role that reads appeals there at all, the keys of the
cases given to them go too.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from schools.models import Membership, Role
from schools.permissions import roles_with


def _reads_content(membership: Membership) -> bool:
    return membership.role in roles_with("district.appeals" if membership.district_id else "appeal.read_content")


def _holds_key(membership: Membership) -> bool:
    if membership.district_id:
        return membership.role == Role.DISTRICT_OFFICER
    return membership.role in roles_with("vault.hold_school_key")


def _scope(membership: Membership) -> str:
    return f"district:{membership.district_id}" if membership.district_id else f"school:{membership.school_id}"


def membership_ended(membership: Membership) -> None:
    from audit.services import audit_record
    from vault.services import key_revoke

    place = {"district_id": membership.district_id} if membership.district_id else {"school_id": membership.school_id}
    others = list(Membership.objects.filter(user_id=membership.user_id, active=True, **place).exclude(pk=membership.pk))
    if not any(_reads_content(m) for m in others):
        _cases_taken(membership)
    if any(_holds_key(m) for m in others):
        return
    scope = _scope(membership)
    if key_revoke(scope=scope, user=membership.user_id):
        audit_record(
            action="ishenim.key.revoked",
            scope=scope,
            detail={"user": membership.user_id, "reason": "membership_ended", "membership": membership.pk},
        )


def _cases_taken(membership: Membership) -> None:
    """The keys of the cases given to the member at that place go with the membership."""
    from vault.models import CaseKeyCopy

    place = (
        {"case_key__appeal__district_id": membership.district_id}
        if membership.district_id
        else {"case_key__appeal__school_id": membership.school_id, "case_key__appeal__district__isnull": True}
    )
    CaseKeyCopy.objects.filter(user_id=membership.user_id, **place).delete()


@receiver(post_save, sender=Membership)
def _membership_saved(sender, instance: Membership, raw=False, **kwargs):
    if not raw and not instance.active:
        membership_ended(instance)


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance: Membership, **kwargs):
    membership_ended(instance)
