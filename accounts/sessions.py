"""Where a staff member is logged in, and ending those sessions."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.utils import timezone

from accounts.models import SessionRecord
from vault.services import server_box, server_hmac, server_unbox


def _store(key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


def _hash(key: str) -> str:
    return server_hmac("session", key)


def session_record(request, *, two_factor: bool) -> SessionRecord:
    if not request.session.session_key:
        request.session.save()
    key = request.session.session_key
    return SessionRecord.objects.create(
        user=request.user,
        key_hash=_hash(key),
        key_boxed=server_box("session", key.encode()),
        started_at=timezone.now(),
        two_factor=two_factor,
    )


def session_rekeyed(request, old_key: str | None) -> None:
    """After the session key changed (password change), follow it."""
    if old_key:
        SessionRecord.objects.filter(key_hash=_hash(old_key)).delete()
    session_record(request, two_factor=request.session.get("two_factor", False))


def session_forget(session_key: str | None) -> None:
    if session_key:
        SessionRecord.objects.filter(key_hash=_hash(session_key)).delete()


def _alive(record: SessionRecord) -> bool:
    store = _store(server_unbox("session", record.key_boxed).decode())
    data = store.load()
    return str(data.get("_auth_user_id", "")) == str(record.user_id)


def sessions_of(request) -> list[SessionRecord]:
    """The user's live sessions (expired ones are forgotten on the way), this one marked."""
    current = _hash(request.session.session_key or "")
    live = []
    for record in SessionRecord.objects.filter(user=request.user):
        if not _alive(record):
            record.delete()
            continue
        record.current = record.key_hash == current
        live.append(record)
    return live


def session_end(record: SessionRecord) -> None:
    _store(server_unbox("session", record.key_boxed).decode()).delete()
    record.delete()


def sessions_end(user, *, keep: str | None = None) -> int:
    """End every session of `user` except the one with session key `keep`."""
    keep_hash = _hash(keep) if keep else None
    ended = 0
    for record in SessionRecord.objects.filter(user=user):
        if record.key_hash != keep_hash:
            session_end(record)
            ended += 1
    return ended
