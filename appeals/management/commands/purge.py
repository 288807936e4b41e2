"""`ishenim purge`: erase the identity and content of appeals closed longer ago than the retention period."""

from django.conf import settings
from django.core.management.base import BaseCommand

from appeals.retention import purge_run


class Command(BaseCommand):
    help = "Erase closed appeals' content and identity after RETENTION_YEARS (the journal keeps numbered entries)."

    def handle(self, *args, **options):
        result = purge_run()
        self.stdout.write(
            f"retention {settings.ISHENIM['RETENTION_YEARS']} years: {result.appeals} appeals erased "
            f"({result.blobs} sealed items, {result.amendments} journal amendments), {result.keys} old keys destroyed"
        )
