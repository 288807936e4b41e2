from django.core.management.base import BaseCommand
from django.utils import translation

from commission.demo import commission_demo_create
from reports.demo import demo_appeals
from schools.demo import demo_create
from schools.models import School


class Command(BaseCommand):
    help = "Create the demo district, schools, staff, commission and a year of appeals (safe to run again)."

    def handle(self, *args, **options):
        translation.activate("en")  # the terminal speaks to the IT person, as the README does
        result = demo_create()
        self.stdout.write(f"\nIshenim demo accounts (password for all: {result['password']})\n")
        self.stdout.write(f"  {'admin':<14} platform administrator (manages schools and accounts, reads no appeals)")
        for username, full_name, roles in result["staff"]:
            described = ", ".join(f"{role.label} @ {slug or 'osh district'}" for slug, role, _p, _r in roles)
            self.stdout.write(f"  {username:<14} {full_name}: {described}")
        for scope, code in result["codes"].items():
            self.stdout.write(f"  recovery code of {scope}: {code}  (shown once)")
        self.stdout.write("")
        if commission_demo_create(School.objects.get(slug="rakhmanov")):
            self.stdout.write("  the commission of rakhmanov: appointed, chair and secretary elected, one protocol")
        # A year of appeals for the reports; skips schools that already have some.
        for slug, count in demo_appeals().items():
            self.stdout.write(f"  {count} demo appeals over the past year at {slug}")
