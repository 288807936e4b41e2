"""`ishenim restore FILE`: bring an encrypted backup back into an empty installation."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_record
from vault.backup import BackupError, backup_restore
from vault.management.commands import _passphrase


class Command(BaseCommand):
    help = "Restore an archive written by `ishenim backup` into an empty installation (migrations are applied first)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--replace-server-key", action="store_true", help="overwrite a different server key file")
        _passphrase.add_argument(parser)

    def handle(self, *args, file, replace_server_key=False, **options):
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        try:
            manifest = backup_restore(
                file,
                passphrase=_passphrase.passphrase(options, confirm=False),
                replace_server_key=replace_server_key,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        audit_record(action="ishenim.backup.restored", detail={"created": manifest["created"]})
        self.stdout.write(self.style.SUCCESS(f"restored the backup of {manifest['created']}"))
