"""`ishenim openings verify`: walk every box-opening journal's hash chain."""

from django.core.management.base import BaseCommand, CommandError

from commission.models import Book
from commission.services import openings_verify


class Command(BaseCommand):
    help = "Check the box-opening journals (openings, seals, protocols): verify"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--school", help="only this school (its address in links)")

    def handle(self, *args, action, school=None, **options):
        books = Book.objects.select_related("school").order_by("school__slug", "year")
        if school:
            books = books.filter(school__slug=school)
        broken = 0
        for book in books:
            check = openings_verify(book)
            label = f"{book.school.slug} {book.year}-{book.year + 1}"
            if check.ok:
                self.stdout.write(f"ok      {label}: {check.entries} entries, head {book.head_hash[:16]}")
            else:
                broken += 1
                self.stdout.write(f"BROKEN  {label}: {check.problem} (entry {check.bad_seq})")
        if broken:
            raise CommandError(f"{broken} box-opening journal(s) do not verify")
