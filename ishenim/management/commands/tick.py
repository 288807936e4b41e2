import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ishenim.scheduler import tick


class Command(BaseCommand):
    help = (
        "Run the periodic duties that are due: weekly summaries, quarterly report drafts and reminders. "
        "Safe to run every minute from cron or a systemd timer, and safe to run twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Pretend it is this moment (ISO 8601, e.g. 2026-11-20T09:00), to catch up or to test.",
        )

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}") from error
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        done = tick(now)
        for duty in done:
            self.stdout.write(f"{duty.name} {duty.key}")
        if options["verbosity"] > 1 or done:
            self.stdout.write(f"{len(done)} duties done")
