"""One-time invitation links: how a new staff member gets in and chooses a password."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from audit.services import audit_record
from vault.services import server_hmac, user_key_set

VALID_DAYS = 14


def _hash(token: str) -> str:
    return server_hmac("invitation", token)


def invitation_link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accounts:invitation", args=[token])


@transaction.atomic
def invitation_issue(*, user, by, scope: str = "platform") -> tuple[Invitation, str]:
    """A new link for `user`; earlier unused links stop working. Returns the row and the link."""
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at=None).update(expires_at=now)
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        user=user, token_hash=_hash(token), created_by=by, expires_at=now + dt.timedelta(days=VALID_DAYS)
    )
    audit_record(action="ishenim.invitation.issued", scope=scope, actor=by, obj=user)
    return invitation, invitation_link(token)


def invitation_find(token: str) -> Invitation | None:
    """The invitation of this token if it is still usable."""
    found = Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if found is None or found.used_at or found.expires_at <= timezone.now() or not found.user.is_active:
        return None
    return found


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> None:
    """Set the password (and the member's own key pair, so the school key can be granted
    before their first login); the link is spent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at:
        raise ValueError("invitation already used")
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    user_key_set(user=user, password=password)
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit_record(action="ishenim.invitation.accepted", actor=user, obj=user)


def invitation_state(user) -> str:
    """'accepted', 'waiting' (a link is out) or 'expired' (every link lapsed)."""
    if user.has_usable_password():
        return "accepted"
    latest = Invitation.objects.filter(user=user).order_by("-created_at").first()
    return "waiting" if latest and not latest.used_at and latest.expires_at > timezone.now() else "expired"
