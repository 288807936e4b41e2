"""`ishenim figures verify`: recount the kept figures from the appeals and list every group that differs.
`ishenim figures rebuild`: write them from the appeals (after a load that went around the triggers)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reports.counts import counts_rebuild, counts_verify


class Command(BaseCommand):
    help = "Check the counts the figures read (kept per school and month) against the appeals, or rebuild them."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "rebuild"])

    def handle(self, *args, action, **options):
        if action == "rebuild":
            self.stdout.write(f"{counts_rebuild()} groups counted from the appeals")
            return
        problems = counts_verify()
        for problem in problems[:50]:
            self.stdout.write(f"DIFFERS  {problem}")
        if problems:
            raise CommandError(f"{len(problems)} counts differ from the appeals (`ishenim figures rebuild` mends them)")
        self.stdout.write(self.style.SUCCESS("the kept counts agree with the appeals"))
