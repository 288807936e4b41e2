import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import CommandError

ENV = "ISHENIM_BACKUP_PASSPHRASE"


def add_argument(parser) -> None:
    parser.add_argument(
        "--passphrase-file",
        help=f"read the passphrase from this file (else ${ENV}, ${ENV}_FILE, or a prompt)",
    )


def passphrase(options, *, confirm: bool) -> str:
    path = options.get("passphrase_file") or os.environ.get(f"{ENV}_FILE")
    if path:
        return Path(path).read_text().strip()
    if os.environ.get(ENV):
        return os.environ[ENV]
    if not sys.stdin.isatty():
        raise CommandError(f"no passphrase: use --passphrase-file or ${ENV}")
    first = getpass.getpass("Backup passphrase: ")
    if confirm and getpass.getpass("Again: ") != first:
        raise CommandError("the two passphrases differ")
    return first
