"""Removing a member removes their copy of the school's key.

When a membership ends (deactivated or deleted) and the person keeps no role
that reads content at that school (or district), their grants are deleted.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from schools.models import CONTENT_ROLES, Membership, Role


def _reads_content(membership: Membership) -> bool:
    if membership.district_id:
        return membership.role == Role.DISTRICT_OFFICER
    return membership.role in CONTENT_ROLES


def _scope(membership: Membership) -> str:
    return f"district:{membership.district_id}" if membership.district_id else f"school:{membership.school_id}"


def membership_ended(membership: Membership) -> None:
    from audit.services import audit_record
    from vault.services import key_revoke

    place = {"district_id": membership.district_id} if membership.district_id else {"school_id": membership.school_id}
    still = [
        m
        for m in Membership.objects.filter(user_id=membership.user_id, active=True, **place).exclude(pk=membership.pk)
        if _reads_content(m)
    ]
    if still:
        return
    scope = _scope(membership)
    if key_revoke(scope=scope, user=membership.user_id):
        audit_record(
            action="ishenim.key.revoked",
            scope=scope,
            detail={"user": membership.user_id, "reason": "membership_ended", "membership": membership.pk},
        )


@receiver(post_save, sender=Membership)
def _membership_saved(sender, instance: Membership, raw=False, **kwargs):
    if not raw and not instance.active:
        membership_ended(instance)


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance: Membership, **kwargs):
    membership_ended(instance)
