"""TOTP two-factor login (RFC 6238, any authenticator app) with backup codes."""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import TwoFactor
from schools.models import Membership
from schools.permissions import roles_with
from vault.services import server_box, server_hmac, server_unbox

STEP = 30
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
REQUIRED_ROLES = tuple(sorted(roles_with("account.two_factor")))


def required_roles() -> tuple[str, ...]:
    return tuple(getattr(settings, "ISHENIM_TWO_FACTOR_ROLES", REQUIRED_ROLES))


def is_required(user) -> bool:
    """Directors, responsible persons, district officers and administrators must use a second factor."""
    if user.is_staff or user.is_superuser:
        return True  # /admin/ can reset every account
    roles = required_roles()
    return bool(roles) and Membership.objects.filter(user=user, active=True, role__in=roles).exists()


def active_for(user) -> TwoFactor | None:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def seed_new() -> str:
    return pyotp.random_base32()


def seed_box(seed: str) -> bytearray:
    return server_box("totp", seed.encode())


def seed_open(blob: bytes | memoryview) -> str:
    return server_unbox("totp", blob).decode()


def provisioning_uri(seed: str, user) -> str:
    return pyotp.TOTP(seed).provisioning_uri(name=user.get_username(), issuer_name="Ishenim")


def qr_svg_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _clean(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def matching_step(seed: str, code: str, *, after: int = 0, at: float | None = None) -> int | None:
    """The time step the code belongs to (±1 step for clock drift), if newer than `after`."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(seed), at if at is not None else time.time()
    for drift in (0, -1, 1):
        moment = now + drift * STEP
        step = int(moment // STEP)
        if step > after and secrets.compare_digest(totp.at(int(moment)), code):
            return step
    return None


def _backup_hash(code: str) -> str:
    return server_hmac("backup-code", _clean(code))


def backup_codes_new() -> list[str]:
    codes = []
    for _ in range(10):
        raw = "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


@transaction.atomic
def two_factor_enable(*, user, seed: str) -> list[str]:
    """Turn the second factor on with a confirmed seed; returns the backup codes to show once."""
    codes = backup_codes_new()
    TwoFactor.objects.update_or_create(
        user=user,
        defaults={
            "secret_boxed": seed_box(seed),
            "confirmed_at": timezone.now(),
            "last_step": 0,
            "backup_hashes": [_backup_hash(c) for c in codes],
        },
    )
    return codes


@transaction.atomic
def backup_codes_renew(*, user) -> list[str]:
    tf = TwoFactor.objects.select_for_update().get(user=user)
    codes = backup_codes_new()
    tf.backup_hashes = [_backup_hash(c) for c in codes]
    tf.save(update_fields=["backup_hashes"])
    return codes


@transaction.atomic
def two_factor_check(*, user, code: str) -> str | None:
    """ "totp" or "backup" if the code is good (and not used before), else None."""
    tf = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if tf is None:
        return None
    step = matching_step(seed_open(tf.secret_boxed), code, after=tf.last_step)
    if step is not None:
        tf.last_step = step
        tf.save(update_fields=["last_step"])
        return "totp"
    hashed = _backup_hash(code)
    if len(_clean(code)) == 10 and hashed in tf.backup_hashes:
        tf.backup_hashes = [h for h in tf.backup_hashes if h != hashed]
        tf.save(update_fields=["backup_hashes"])
        return "backup"
    return None
