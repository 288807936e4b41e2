from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from commission.demo import commission_demo_create
from reports.demo import demo_appeals
from schools.demo import demo_create
from schools.models import School


class Command(BaseCommand):
    help = "Create the demo district, schools, staff, commission and a year of appeals (safe to run again)."

    def handle(self, *args, **options):
        # The demo's own texts (election results in protocols…) are written in the
        # school's language; the terminal speaks English to the IT person, as the README does.
        with translation.override(settings.LANGUAGE_CODE):
            result = demo_create()
            commission = commission_demo_create(School.objects.get(slug="rakhmanov"))
            appeals = demo_appeals()
        translation.activate("en")
        self.stdout.write(f"\nIshenim demo accounts (password for all: {result['password']})\n")
        self.stdout.write(f"  {'admin':<14} platform administrator (manages schools and accounts, reads no appeals)")
        for username, full_name, roles in result["staff"]:
            described = ", ".join(f"{role.label} @ {slug or 'osh district'}" for slug, role, _p, _r in roles)
            self.stdout.write(f"  {username:<14} {full_name}: {described}")
        for scope in result["codes"]:
            self.stdout.write(
                f"  recovery sheet of {scope}: its director (district: officer) downloads it once"
                " at /staff/welcome/ after logging in; it is never printed here"
            )
        self.stdout.write("")
        if commission:
            self.stdout.write("  the commission of rakhmanov: appointed, chair and secretary elected, one protocol")
        for slug, count in appeals.items():
            self.stdout.write(f"  {count} demo appeals over the past year at {slug}")
