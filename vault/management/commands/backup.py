"""`ishenim backup FILE`: one encrypted archive of the database, the files and the server key."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_record
from vault.backup import BackupError, backup_write, passphrase_new
from vault.management.commands import _passphrase


class Command(BaseCommand):
    help = "Write an encrypted backup (database, files, server key) to FILE; restore it with `ishenim restore`."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--new-passphrase", action="store_true", help="print a strong passphrase and stop")
        _passphrase.add_argument(parser)

    def handle(self, *args, file=None, new_passphrase=False, **options):
        if new_passphrase:
            self.stdout.write(passphrase_new())
            return
        if not file:
            raise CommandError("name the archive to write: ishenim backup /path/to/ishenim.backup")
        try:
            manifest = backup_write(file, passphrase=_passphrase.passphrase(options, confirm=True))
        except BackupError as error:
            raise CommandError(str(error)) from error
        audit_record(action="ishenim.backup.written", detail={"files": manifest["files"]})
        self.stdout.write(self.style.SUCCESS(f"backup written to {file} ({manifest['database']} database)"))
