"""One-time invitation links: how a new staff member gets in and chooses a password.

A place made in the browser (a school, a district) keeps its key's recovery code until its
director (district: officer) takes the sheet at their first login (schools.setup). Once the
director is invited, the code is boxed under a key derived from the invitation link's token —
which the database never holds, only its keyed hash — so a copy of the database together with
the server's key does not open it. When the director sets their password through the link, the
code is sealed to their new key pair; they open it at their first login, once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from audit.services import audit_record
from vault import crypto
from vault.models import UserKey
from vault.services import server_hmac, server_unbox, user_key_set

VALID_DAYS = 14


def _hash(token: str) -> str:
    return server_hmac("invitation", token)


SHEET_KEY_ID = uuid.UUID(int=1)  # the header of a code boxed under a link's token


def _sheet_key(token: str, scope: str) -> bytes:
    """The key a link's token gives for one place's recovery code (HKDF-SHA256: the token
    already carries 192 random bits, nothing to stretch)."""
    info = b"ishenim-recovery-sheet:" + scope.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(token.encode())


def _sheet_bind(invitation: Invitation, token: str) -> None:
    """A recovery code waiting for this person (boxed under the server key until now) goes
    with this link: boxed under the link's token, and gone from the server's reach."""
    from schools.models import PendingRecoverySheet
    from schools.setup import PURPOSE, sheet_scopes

    waiting = PendingRecoverySheet.objects.select_for_update().filter(scope__in=sheet_scopes(invitation.user))
    row = next((r for r in waiting.order_by("scope") if bytes(r.code_boxed)[:1] == crypto.BOXED), None)
    if row is None:
        return
    code = server_unbox(PURPOSE, bytes(row.code_boxed))
    invitation.sheet_scope = row.scope
    invitation.sheet_boxed = crypto.box(SHEET_KEY_ID, _sheet_key(token, row.scope), code)
    invitation.save(update_fields=["sheet_scope", "sheet_boxed"])
    row.delete()


def _sheet_keep(invitation: Invitation, token: str) -> None:
    """At the link's use: the code goes from under the token to the person's own new key pair."""
    from schools.models import PendingRecoverySheet

    if invitation.sheet_boxed is None:
        return
    code = crypto.unbox(_sheet_key(token, invitation.sheet_scope), bytes(invitation.sheet_boxed))
    user_key = UserKey.objects.get(user=invitation.user)
    sealed = crypto.seal(user_key.id, bytes(user_key.public_key), code)
    PendingRecoverySheet.objects.update_or_create(scope=invitation.sheet_scope, defaults={"code_boxed": sealed})
    invitation.sheet_scope, invitation.sheet_boxed = "", None
    invitation.save(update_fields=["sheet_scope", "sheet_boxed"])


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
    _sheet_bind(invitation, token)
    audit_record(action="ishenim.invitation.issued", scope=scope, actor=by, obj=user)
    return invitation, invitation_link(token)


def invitation_find(token: str) -> Invitation | None:
    """The invitation of this token if it is still usable."""
    found = Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if found is None or found.used_at or found.expires_at <= timezone.now() or not found.user.is_active:
        return None
    return found


@transaction.atomic
def invitation_accept(*, invitation: Invitation, token: str, password: str) -> None:
    """Set the password (and the member's own key pair, so the school key can be granted
    before their first login); the link is spent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at:
        raise ValueError("invitation already used")
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    user_key_set(user=user, password=password)
    _sheet_keep(invitation, token)
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit_record(action="ishenim.invitation.accepted", actor=user, obj=user)


@transaction.atomic
def invitation_sheet_recover(*, token: str, user) -> bool:
    """An earlier link of `user`, replaced or lapsed, that still carries a recovery code: opened
    again once they are logged in, it moves the code to their key pair. Whether it did."""
    if not user.is_authenticated:
        return False
    found = Invitation.objects.select_for_update().filter(token_hash=_hash(token), user=user).first()
    if found is None or found.sheet_boxed is None or not UserKey.objects.filter(user=user).exists():
        return False
    _sheet_keep(found, token)
    return True


def invitation_state(user) -> str:
    """'accepted', 'waiting' (a link is out) or 'expired' (every link lapsed)."""
    if user.has_usable_password():
        return "accepted"
    latest = Invitation.objects.filter(user=user).order_by("-created_at").first()
    return "waiting" if latest and not latest.used_at and latest.expires_at > timezone.now() else "expired"
