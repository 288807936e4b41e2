"""`ishenim journal verify [--school S] [--district D] [--head HASH]`: walk the hash chains."""

from django.core.management.base import BaseCommand, CommandError

from journal.models import Volume
from journal.services import journal_verify, journal_verify_all
from schools.models import District, School


class Command(BaseCommand):
    help = "Check the registration journal: every volume's hash chain, from the first record to the head."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="walk the chain and report the first record that does not match")
        verify.add_argument("--school", help="only this school (its address in links, e.g. rakhmanov)")
        verify.add_argument("--district", help="only this district office's own volumes")
        verify.add_argument("--year", type=int, help="only the volume of the school year starting in this year")
        verify.add_argument("--head", help="a head hash written down earlier: it must still be in the chain")

    def handle(self, *args, action: str, school=None, district=None, year=None, head=None, **options):
        school_obj = district_obj = None
        if school:
            school_obj = School.objects.filter(slug=school).first()
            if school_obj is None:
                raise CommandError(f"no school with the address {school!r}")
        if district:
            district_obj = District.objects.filter(slug=district).first()
            if district_obj is None:
                raise CommandError(f"no district with the address {district!r}")
        if head:
            head = "".join(head.split()).lower()  # as printed, in groups
            if len(head) < 16:
                raise CommandError("--head needs at least the first 16 characters of the head")
            volumes = (
                Volume.objects.filter(school=school_obj) if school_obj else Volume.objects.filter(district=district_obj)
            )
            if year:
                volumes = volumes.filter(year=year)
            if not (school_obj or district_obj) or volumes.count() != 1:
                raise CommandError("--head needs exactly one volume: give --school or --district, and --year")
            checks = [journal_verify(volumes.get(), head=head)]
        else:
            checks = [
                c
                for c in journal_verify_all(school=school_obj, district=district_obj)
                if not year or c.volume.year == year
            ]
        if not checks:
            self.stdout.write("no journal volumes yet")
            return
        broken = 0
        for check in checks:
            volume = check.volume
            name = f"{volume.school.slug if volume.school_id else 'district ' + volume.district.slug} {volume}"
            if check.ok:
                self.stdout.write(
                    f"OK      {name}: {check.records} records, {volume.last_number} entries, head {volume.head_hash}"
                )
                continue
            broken += 1
            self.stdout.write(f"BROKEN  {name}: {check.problem}")
            self.stdout.write(
                f"        {check.records} records check out before it; first bad record: {self._describe(check)}"
            )
        if broken:
            raise CommandError(f"{broken} of {len(checks)} journal volumes do not verify")

    def _describe(self, check) -> str:
        if check.bad_seq is None:
            return "none (the head given is not in the chain)"
        record = check.bad_record
        if record is None:
            return f"record {check.bad_seq} (not in the database)"
        if record.kind == "entry":
            what = f"entry No. {record.number}"
        else:
            entry = record.volume.records.filter(pk=record.entry_id).first()
            what = f"amendment to entry No. {entry.number if entry else '?'}"
        return f"record {record.seq} ({what}, written {record.at:%Y-%m-%d %H:%M} UTC, id {record.pk})"
