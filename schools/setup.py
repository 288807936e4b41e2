"""Bringing schools and staff online from the browser: schools with their keys,
members by invitation, the first recovery sheet delivered to the director."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.invitations import invitation_issue, invitation_state
from audit.services import audit_record
from notify.models import ChannelSettings
from notify.services import notify_send
from schools.models import District, Membership, PendingRecoverySheet, Role, School
from schools.permissions import roles_with
from schools.services import school_create
from vault import crypto
from vault.models import UserKey
from vault.services import key_holders, key_recover, server_box, server_unbox

PURPOSE = "recovery-sheet"


@transaction.atomic
def school_set_up(*, district: District, by, slug: str, name_ky: str, **fields) -> School:
    """A school made in the browser: its key's recovery code waits for the director."""
    school, code = school_create(district=district, slug=slug, name_ky=name_ky, **fields)
    recovery_hold(scope=school.vault_scope, code=code)
    audit_record(action="ishenim.school.created", scope=school.vault_scope, actor=by, obj=school)
    return school


def recovery_hold(*, scope: str, code: str) -> None:
    """Keep the recovery code of a place made in the browser until its director is named: boxed
    under the server key. Naming them moves it out of the server's reach: under their invitation
    link's token (accounts.invitations), or sealed to their key pair if they have one
    (`recovery_seal`)."""
    PendingRecoverySheet.objects.update_or_create(
        scope=scope, defaults={"code_boxed": server_box(PURPOSE, code.encode())}
    )


def sheet_scopes(user) -> set[str]:
    """The places whose recovery sheet this person takes: a school they direct, a district they serve."""
    scopes = set()
    for m in Membership.objects.filter(user=user, active=True).select_related("school", "district"):
        if m.school and m.role in roles_with("vault.manage_keys"):
            scopes.add(m.school.vault_scope)
        elif m.district and m.role in roles_with("district.manage_keys"):
            scopes.add(m.district.vault_scope)
    return scopes


def recovery_seal(user) -> None:
    """Codes waiting under the server key for a person who already has a key pair: sealed to it."""
    user_key = UserKey.objects.filter(user=user).first()
    if user_key is None:
        return
    for row in PendingRecoverySheet.objects.select_for_update().filter(scope__in=sheet_scopes(user)):
        if bytes(row.code_boxed)[:1] == crypto.BOXED:
            code = server_unbox(PURPOSE, bytes(row.code_boxed))
            row.code_boxed = crypto.seal(user_key.id, bytes(user_key.public_key), code)
            row.save(update_fields=["code_boxed"])


def recovery_waiting(scope: str) -> bool:
    return PendingRecoverySheet.objects.filter(scope=scope).exists()


@transaction.atomic
def recovery_take(*, scope: str, user, private: bytes | None) -> str | None:
    """The waiting recovery code, once: it also gives `user` the key. None if already taken, or
    if it is sealed to a key pair that `private` (the user's, from their session) does not open."""
    row = PendingRecoverySheet.objects.select_for_update().filter(scope=scope).first()
    if row is None:
        return None
    blob = bytes(row.code_boxed)
    if blob[:1] == crypto.SEALED:
        if (
            private is None
            or crypto.key_id_of(blob) != UserKey.objects.filter(user=user).values_list("id", flat=True).first()
        ):
            return None
        code = crypto.unseal(private, blob).decode()
    else:
        code = server_unbox(PURPOSE, blob).decode()
    if user.pk not in key_holders(scope):
        key_recover(scope=scope, code=code, user=user, by=user)
    row.delete()
    audit_record(action="ishenim.key.recovery_delivered", scope=scope, actor=user, obj=user)
    return code


@dataclass
class Invited:
    user: object
    link: str | None  # None when the person already had an account


def _roles_text(school: School, roles) -> str:
    return ", ".join(str(Role(r).label) for r in roles)


@transaction.atomic
def member_add(
    *,
    school: School,
    by,
    full_name: str,
    username: str,
    roles,
    email: str = "",
    phone: str = "",
    position: str = Membership.Position.OTHER,
    parents_representative: bool = False,
) -> Invited:
    """Give a person roles at a school; a new person gets an account and an invitation."""
    User = get_user_model()
    user = User.objects.filter(username__iexact=username).first()
    link = None
    if user is None:
        first, _space, last = full_name.strip().partition(" ")
        user = User.objects.create_user(username, email, None, first_name=first, last_name=last)
        if phone:
            ChannelSettings.objects.update_or_create(user=user, defaults={"phone": phone})
    for role in roles:
        membership, created = Membership.objects.get_or_create(
            user=user,
            school=school,
            role=role,
            defaults={"position": position, "parents_representative": parents_representative},
        )
        if not created:
            membership.active = True
            membership.position = position
            membership.parents_representative = parents_representative
            membership.save(update_fields=["active", "position", "parents_representative"])
        audit_record(
            action="ishenim.membership.added", scope=school.vault_scope, actor=by, obj=membership, detail={"role": role}
        )
    if not user.has_usable_password():
        link = member_invite(school=school, user=user, by=by)
    else:
        recovery_seal(user)
    return Invited(user=user, link=link)


def member_invite(*, school: School, user, by) -> str:
    """A fresh invitation link, sent by every channel the person has; returned to print."""
    _invitation, link = invitation_issue(user=user, by=by, scope=school.vault_scope)
    roles = Membership.objects.filter(user=user, school=school, active=True).values_list("role", flat=True)
    notify_send(
        users=[user],
        kind="invitation",
        office=school,
        params={"link": link, "roles": _roles_text(school, roles), "expires": _invitation.expires_at},
    )
    return link


@transaction.atomic
def membership_end(*, membership: Membership, by) -> bool:
    """End one role. The key goes with the last role that holds it (vault.signals revokes it);
    returns whether it went."""
    school = membership.school
    assert school is not None, "a school's staff page ends school memberships only"
    held = membership.user_id in key_holders(school.vault_scope)
    membership.active = False
    membership.save(update_fields=["active"])
    audit_record(
        action="ishenim.membership.ended",
        scope=school.vault_scope,
        actor=by,
        obj=membership,
        detail={"role": membership.role},
    )
    return held and membership.user_id not in key_holders(school.vault_scope)


def staff_rows(school: School) -> list[dict]:
    """One row per person of the school: roles, invitation state, and whether they wait for the key."""
    holders = key_holders(school.vault_scope)
    key_roles = roles_with("vault.hold_school_key")
    people: dict[int, dict] = {}
    for m in (
        Membership.objects.filter(school=school, active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    ):
        row = people.setdefault(
            m.user_id, {"user": m.user, "memberships": [], "needs_key": False, "state": invitation_state(m.user)}
        )
        row["memberships"].append(m)
        row["needs_key"] = row["needs_key"] or m.role in key_roles
    for row in people.values():
        row["holds_key"] = row["user"].pk in holders
        row["waiting_for_key"] = row["needs_key"] and not row["holds_key"] and row["state"] == "accepted"
    return list(people.values())


@transaction.atomic
def officer_add(*, district: District, by, full_name: str, username: str, email: str = "") -> Invited:
    """A district officer: a new person gets an account and an invitation link."""
    User = get_user_model()
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        first, _space, last = full_name.strip().partition(" ")
        user = User.objects.create_user(username, email, None, first_name=first, last_name=last)
    membership, _created = Membership.objects.update_or_create(
        user=user,
        district=district,
        role=Role.DISTRICT_OFFICER,
        defaults={"active": True, "position": Membership.Position.DISTRICT},
    )
    audit_record(action="ishenim.membership.added", scope=district.vault_scope, actor=by, obj=membership)
    link = None
    if user.has_usable_password():
        recovery_seal(user)
    else:
        _invitation, link = invitation_issue(user=user, by=by, scope=district.vault_scope)
        notify_send(
            users=[user],
            kind="invitation",
            office=district,
            params={"link": link, "roles": str(Role.DISTRICT_OFFICER.label), "expires": _invitation.expires_at},
        )
    return Invited(user=user, link=link)
