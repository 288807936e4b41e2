"""One encrypted archive of an installation: the database, the files, the server key.

Format (version 1):

    MAGIC | 4-byte length | header JSON | chunks…

The header holds the Argon2id salt and cost; the key is derived from the
backup passphrase. The payload (a zip: `db.ishenim-json` from Django's dumpdata, times kept to the microsecond,
`server.key`, the uploaded files under `files/`, `manifest.json`) is cut into
1 MiB chunks, each sealed with AES-256-GCM under a nonce made of a random
prefix, the chunk's number and a last-chunk flag, with the header as
associated data: a chunk cannot be altered, dropped, reordered or the archive
cut short without the restore noticing.

Why a passphrase and not the server key: a backup exists for the day the
server is gone, and its key file with it. The passphrase is kept on paper,
away from the server; the server never stores it.

The database dump holds the content only as it is stored: sealed to the
schools' keys. Restoring needs the passphrase; reading appeals afterwards still
needs a staff password (or the recovery sheet), exactly as before.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from vault import crypto, serializer

serializer.register()

MAGIC = b"ISHENIM-BACKUP\x00v1\n"
CHUNK = 1024 * 1024
DUMP = f"db.{serializer.FORMAT}"
# The figures' counts are the database's own (triggers on the appeals): a restore counts the
# appeals as it loads them, then recounts them from the rows (`reports.counts`).
EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "accounts.SessionRecord",
    "reports.FigureCount",
    "reports.OpenDueCount",
]


class BackupError(Exception):
    pass


def passphrase_new() -> str:
    """A passphrase to write on paper: 8 groups of 5 (about 198 bits)."""
    from vault.services import recovery_code_new

    return recovery_code_new() + "-" + recovery_code_new()[:5]


def _key(passphrase: str, salt: bytes, params: dict) -> bytes:
    if len(passphrase) < 12:
        raise BackupError("the backup passphrase must have at least 12 characters")
    return crypto.derive_key(passphrase, salt, params)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


def _media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    return Path(root) if root and Path(root).is_dir() else None


def _dump(path: str) -> None:
    """dumpdata inside one transaction, so the archive is one consistent moment."""
    nested = connection.in_atomic_block  # (tests) already inside a transaction: it is the snapshot
    with transaction.atomic():
        if connection.vendor == "postgresql" and not nested:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata", natural_foreign=True, exclude=EXCLUDE, output=path, verbosity=0, format=serializer.FORMAT
        )


def _payload(zip_path: Path) -> dict:
    from vault.services import _server_key

    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, DUMP)
        _dump(dump)
        manifest: dict[str, Any] = {
            "format": 1,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "database": connection.vendor,
            "files": 0,
        }
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(dump, DUMP)
            archive.writestr("server.key", base64.b64encode(_server_key()))
            media = _media_root()
            if media:
                for file in sorted(media.rglob("*")):
                    if file.is_file():
                        archive.write(file, "files/" + file.relative_to(media).as_posix())
                        manifest["files"] += 1
            archive.writestr("manifest.json", json.dumps(manifest))
    return manifest


def backup_write(target: str | Path, *, passphrase: str) -> dict:
    """Write the encrypted archive to `target`; returns its manifest."""
    params = dict(settings.VAULT_ARGON2)
    salt, prefix = os.urandom(16), os.urandom(7)
    header = json.dumps(
        {"salt": base64.b64encode(salt).decode(), "params": params, "prefix": base64.b64encode(prefix).decode()}
    ).encode()
    key = crypto.AESGCM(_key(passphrase, salt, params))
    target = Path(target)
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "payload.zip"
        manifest = _payload(zip_path)
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, open(zip_path, "rb") as source:
            out.write(MAGIC + struct.pack(">I", len(header)) + header)
            number, chunk = 0, source.read(CHUNK)
            while True:
                following = source.read(CHUNK)
                last = not following
                sealed = key.encrypt(_nonce(prefix, number, last), chunk, header)
                out.write(struct.pack(">I", len(sealed)) + sealed)
                if last:
                    break
                number, chunk = number + 1, following
        partial.replace(target)
    return manifest


def _decrypt(source: Path, passphrase: str, out) -> None:
    with open(source, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise BackupError("this is not an Ishenim backup")
        (length,) = struct.unpack(">I", f.read(4))
        header = f.read(length)
        meta = json.loads(header)
        prefix = base64.b64decode(meta["prefix"])
        key = crypto.AESGCM(_key(passphrase, base64.b64decode(meta["salt"]), meta["params"]))
        number = 0
        while True:
            raw = f.read(4)
            if len(raw) < 4:
                raise BackupError("the archive is cut short")
            (size,) = struct.unpack(">I", raw)
            sealed = f.read(size)
            plain = None
            for last in (False, True):
                try:
                    plain = key.decrypt(_nonce(prefix, number, last), sealed, header)
                except Exception:  # noqa: BLE001, S112 - InvalidTag: try the other flag
                    continue
                break
            if plain is None:
                raise BackupError("wrong passphrase, or the archive was altered")
            out.write(plain)
            if last:
                if f.read(1):
                    raise BackupError("data after the last chunk: the archive was altered")
                return
            number += 1


def installation_is_empty() -> bool:
    from django.contrib.auth import get_user_model

    from schools.models import School

    return not School.objects.exists() and not get_user_model().objects.exists()


def backup_restore(source: str | Path, *, passphrase: str, replace_server_key: bool = False) -> dict:
    """Bring an archive back into an empty, migrated installation; returns its manifest."""
    from reports.counts import counts_rebuild
    from vault import services

    if not installation_is_empty():
        raise BackupError("restore needs an empty installation (no schools, no users)")
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "payload.zip"
        with open(zip_path, "wb") as out:
            _decrypt(Path(source), passphrase, out)
        with zipfile.ZipFile(zip_path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            _restore_server_key(base64.b64decode(archive.read("server.key")), replace_server_key)
            dump = Path(tmp) / DUMP
            dump.write_bytes(archive.read(DUMP))
            with transaction.atomic():
                call_command("loaddata", str(dump), verbosity=0)
                counts_rebuild()
            media = _media_root() or (Path(settings.MEDIA_ROOT) if getattr(settings, "MEDIA_ROOT", "") else None)
            for name in archive.namelist():
                if name.startswith("files/") and media is not None:
                    target = (media / name[len("files/") :]).resolve()
                    if not str(target).startswith(str(media.resolve())):
                        raise BackupError(f"unsafe path in the archive: {name}")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
    services._server_key.cache_clear()
    return manifest


def _restore_server_key(key: bytes, replace: bool) -> None:
    from vault.services import _server_key

    current = None
    if settings.VAULT_SERVER_KEY or settings.VAULT_SERVER_KEY_PATH.exists():
        current = _server_key()
    if current == key:
        return
    if settings.VAULT_SERVER_KEY:
        raise BackupError(
            "VAULT_SERVER_KEY is set to another key: set it to the backup's key (receipt codes depend on it)"
        )
    if current is not None and not replace:
        raise BackupError("the server key file differs from the backup's; pass --replace-server-key")
    path = settings.VAULT_SERVER_KEY_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(base64.b64encode(key))
    tmp.replace(path)
    _server_key.cache_clear()
